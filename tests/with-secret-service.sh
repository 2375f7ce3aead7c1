#!/bin/sh
# shellcheck disable=SC2317  # functions called from traps look unreachable
# with-secret-service.sh - run a command against a private, real Secret Service.
#
# Usage: tests/with-secret-service.sh [--locked] COMMAND [ARGS...]
#
# Starts a private D-Bus session bus (dbus-run-session) and, on it, a real
# gnome-keyring-daemon serving org.freedesktop.secrets, then runs COMMAND
# with DBUS_SESSION_BUS_ADDRESS pointing at that bus.  Everything lives in a
# fresh temporary directory that is removed afterwards.  The script exits
# with COMMAND's exit status (or 70 if the keyring could not be set up).
#
#   (default)  the default collection ("login") exists and is UNLOCKED:
#              the first write never prompts.
#   --locked   the default collection exists but is LOCKED and no prompter
#              can run, so writes and secret reads fail fast (a few ms):
#              secret-tool: "Cannot create an item in a locked collection";
#              keyring 4: "Couldn't access platform storage: SS error:
#              prompt dismissed".  Searches still work (attributes are not
#              secret), so reading a MISSING entry still says "No matching
#              credential found".
#
# To lock the default collection later, from inside COMMAND (e.g. after
# storing an item unlocked):
#   dbus-send --session --print-reply --dest=org.freedesktop.secrets \
#     /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
#     array:objpath:/org/freedesktop/secrets/collection/login
# There is no way back: unlocking needs a prompt, which cannot be shown.
#
# Environment:
#   MPLINK_TEST_KEYRING_PIDFILE  if set, the daemon's pid is written there
#                                (tests kill it to simulate the service dying;
#                                calls then fail at once with "... ServiceUnknown
#                                ..."; a SIGSTOPped daemon makes them HANG).
#   CARGO_HOME, RUSTUP_HOME      kept; default to the ORIGINAL home's
#                                .cargo / .rustup so `cargo` works inside.
#
# Inside COMMAND: HOME, XDG_RUNTIME_DIR, XDG_DATA_HOME, XDG_CONFIG_HOME and
# XDG_CACHE_HOME point into the temporary directory.
#
# Notes:
# - The bus uses its own minimal config WITHOUT service directories, so
#   nothing is D-Bus-activated: once the daemon is killed,
#   org.freedesktop.secrets stays gone (with Debian's default session config
#   the bus would silently auto-start a NEW gnome-keyring-daemon from
#   /usr/share/dbus-1/services), and no gcr-prompter is ever started.
# - Nesting works: a COMMAND may call this script again and gets its own
#   bus, daemon and temporary directory.
# - The dbus-daemon's own chatter (e.g. "Failed to set fd limit") goes to a
#   log in the temp dir, not to the caller's stderr.

set -eu

prog="with-secret-service.sh"

die() {
    echo "$prog: $*" >&2
    exit 70
}

# ---------------------------------------------------------------------------
# Stage 2: we are inside dbus-run-session (re-invoked by stage 1 below).
#   $1 = --_inside-session, $2 = temp dir, $3 = 0|1 (locked), rest = COMMAND
# ---------------------------------------------------------------------------
if [ "${1:-}" = "--_inside-session" ]; then
    tmp=$2
    locked=$3
    shift 3

    daemon_pid=
    daemon_log=$tmp/gnome-keyring-daemon.log
    echo $$ >"$tmp/inner.pid"   # for stage 1, to forward signals to us

    # Is the process alive (and not a zombie)?
    alive() {
        [ -r "/proc/$1/stat" ] || return 1
        # The state letter follows the ") " closing the command name.
        state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
        [ -n "$state" ] && [ "$state" != Z ]
    }

    # Stop the daemon (if still running) and reap it, so no process remains.
    stop_daemon() {
        [ -n "$daemon_pid" ] || return 0
        kill -TERM "$daemon_pid" 2>/dev/null || true
        i=0
        while alive "$daemon_pid" && [ "$i" -lt 30 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
        daemon_pid=
    }
    trap stop_daemon EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    # Print the daemon's log and give up.
    fail_setup() {
        echo "$prog: $*" >&2
        if [ -s "$daemon_log" ]; then
            echo "$prog: gnome-keyring-daemon log:" >&2
            sed 's/^/    /' "$daemon_log" >&2
        fi
        exit 70
    }

    # Call a Secret Service method/property via dbus-send; prints the reply.
    ss_call() {
        timeout 5 dbus-send --session --print-reply \
            --dest=org.freedesktop.secrets "$@"
    }

    # Start the daemon in the foreground (so it dies with us, and $! is its
    # pid), unlocking/creating the "login" keyring with the password on stdin.
    # The password file is opened here, in this shell, and removed at once: a
    # redirection on the background command itself would happen in the
    # child, which may run only after the file is gone.
    printf '%s' mplink-test-password >"$tmp/password"
    exec 4<"$tmp/password"
    rm -f "$tmp/password"
    gnome-keyring-daemon --foreground --unlock --components=secrets \
        <&4 >"$daemon_log" 2>&1 4<&- &
    daemon_pid=$!
    exec 4<&-

    # Wait (at most 10 s) until org.freedesktop.secrets has an owner.
    deadline=$(($(date +%s) + 10))
    while :; do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus \
            /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
            string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
        then
            break
        fi
        alive "$daemon_pid" || fail_setup "gnome-keyring-daemon exited during start-up"
        [ "$(date +%s)" -lt "$deadline" ] ||
            fail_setup "org.freedesktop.secrets did not appear on the bus within 10 s"
        sleep 0.05
    done

    # The default collection must exist; with --unlock on a fresh HOME the
    # daemon creates "login" and makes it the default alias.
    default=$(ss_call /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.ReadAlias string:default 2>&1 |
        sed -n 's/^ *object path "\(.*\)"$/\1/p') ||
        fail_setup "ReadAlias(default) failed"
    case $default in
        /org/freedesktop/secrets/collection/*) ;;
        *) fail_setup "no default collection (ReadAlias default -> '$default')" ;;
    esac

    # Prove the first write does not prompt: store and clear a probe item.
    if ! printf x | timeout 5 secret-tool store --label=mplink-probe \
        service mplink-probe account probe >>"$daemon_log" 2>&1
    then
        fail_setup "probe write into $default failed (collection locked?)"
    fi
    timeout 5 secret-tool clear service mplink-probe account probe \
        >>"$daemon_log" 2>&1 || fail_setup "probe clear failed"

    if [ "$locked" = 1 ]; then
        # Lock the default collection over D-Bus.  gnome-keyring locks
        # without a prompt (returns prompt "/").
        ss_call /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
            "array:objpath:$default" >/dev/null 2>&1 ||
            fail_setup "Lock($default) failed"
        ss_call "$default" org.freedesktop.DBus.Properties.Get \
            string:org.freedesktop.Secret.Collection string:Locked 2>&1 |
            grep -q 'boolean true' ||
            fail_setup "$default is not locked after Lock"
    fi

    if [ -n "${MPLINK_TEST_KEYRING_PIDFILE:-}" ]; then
        echo "$daemon_pid" >"$MPLINK_TEST_KEYRING_PIDFILE"
    fi

    # Run the command (DBUS_SESSION_BUS_ADDRESS comes from dbus-run-session).
    # It runs in the background and we wait for it, so that a signal sent to
    # this script is handled at once: forwarded to COMMAND, then clean-up.
    # (A background job's stdin would be /dev/null: hand it ours via fd 3.)
    exec 3<&0
    "$@" <&3 3<&- &
    cmd_pid=$!
    exec 3<&-
    forward() {
        kill "-$1" "$cmd_pid" 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
        exit "$2"
    }
    trap 'forward INT 130' INT
    trap 'forward TERM 143' TERM
    trap 'forward HUP 129' HUP
    status=0
    wait "$cmd_pid" || status=$?
    exit "$status"
fi

# ---------------------------------------------------------------------------
# Stage 1: prepare the temp dir and the private bus, re-invoke ourselves
# inside dbus-run-session.
# ---------------------------------------------------------------------------
locked=0
if [ "${1:-}" = "--locked" ]; then
    locked=1
    shift
fi
if [ $# -eq 0 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    echo "usage: $prog [--locked] COMMAND [ARGS...]" >&2
    exit 64
fi

for tool in dbus-run-session dbus-daemon dbus-send gnome-keyring-daemon secret-tool timeout; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "'$tool' not found (apt-get install -y --no-install-recommends dbus gnome-keyring libsecret-tools)"
done

# Absolute path of this script, for the re-invocation (run by /bin/sh, so
# a lost executable bit does not matter).
case $0 in
    /*) self=$0 ;;
    *) self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0") ;;
esac

# Keep cargo/rustup working with the new HOME.
orig_home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export CARGO_HOME="${CARGO_HOME:-$orig_home/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$orig_home/.rustup}"

# The bus socket lives in the temp dir and a socket path must stay under
# 108 bytes: fall back to /tmp when TMPDIR is deep.
base=${TMPDIR:-/tmp}
[ ${#base} -le 60 ] || base=/tmp
tmp=$(mktemp -d "$base/mplink-ss.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
chmod 0700 "$tmp"
mkdir -m 0700 "$tmp/home" "$tmp/run"

# Minimal session bus config: no service directories (no auto-activation),
# socket in our own runtime dir.
cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$tmp/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

# dbus-daemon wrapper that keeps the bus daemon's stderr out of the way.
cat >"$tmp/dbus-daemon" <<EOF
#!/bin/sh
exec dbus-daemon "\$@" 2>>"$tmp/dbus-daemon.log"
EOF
chmod 0700 "$tmp/dbus-daemon"

export HOME="$tmp/home"
export XDG_RUNTIME_DIR="$tmp/run"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
# Forget any outer keyring/bus so nothing talks to the caller's session.
unset DBUS_SESSION_BUS_ADDRESS DBUS_SESSION_BUS_PID DBUS_STARTER_ADDRESS \
    DBUS_STARTER_BUS_TYPE GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true

# Run the session in the background and wait for it, so that a signal sent
# to this script is forwarded at once (to the inner stage, which forwards it
# to COMMAND and stops the daemon) instead of after COMMAND ends.
exec 3<&0
dbus-run-session --dbus-daemon="$tmp/dbus-daemon" --config-file="$tmp/bus.conf" -- \
    /bin/sh "$self" --_inside-session "$tmp" "$locked" "$@" <&3 3<&- &
session_pid=$!
exec 3<&-
forward() {
    if [ -s "$tmp/inner.pid" ]; then
        kill "-$1" "$(cat "$tmp/inner.pid")" 2>/dev/null || true
    else
        kill "-$1" "$session_pid" 2>/dev/null || true
    fi
    wait "$session_pid" 2>/dev/null || true
    exit "$2"
}
trap 'forward INT 130' INT
trap 'forward TERM 143' TERM
trap 'forward HUP 129' HUP
status=0
wait "$session_pid" || status=$?
exit "$status"
