#!/bin/sh
# shellcheck disable=SC2317  # functions called from traps look unreachable
# chromium-browser.sh - a BROWSER command for tests: headless Chromium.
#
# Usage: tests/chromium-browser.sh URL
#
# Loads URL in Debian's Chromium, headless, with a fresh throw-away profile,
# follows redirects and in-page navigations, and dumps the final DOM
# (--dump-dom).  Never runs longer than the timeout (default 30 s), then
# removes its temporary directory.  Exit status: Chromium's (0 even when the
# page failed to load!), 124 on timeout, 64 on bad usage.
#
# Environment:
#   MPLINK_TEST_BROWSER_MARKER   if set, URL (one line) is appended to this
#                                file first, so a test can tell whether the
#                                browser was started at all.
#   MPLINK_TEST_DOM_FILE         if set, the dumped DOM is written there
#                                (atomically, via rename, once Chromium has
#                                exited; a test can poll for the file);
#                                otherwise it is discarded.
#   MPLINK_TEST_BROWSER_TIMEOUT  seconds before Chromium is killed (30).
#   MPLINK_TEST_BROWSER_ARGS     extra Chromium flags, split on blanks.
#                                Default (when unset): --virtual-time-budget=10000
#                                so that async work after the load event
#                                (fetch, timers, location.replace) is finished
#                                before the DOM is dumped; without it
#                                --dump-dom dumps right after "load" and a
#                                later navigation may or may not happen.
#                                Set it to "" to get plain --dump-dom.
#                                NB: with the budget, a fetch that never
#                                answers holds Chromium until the timeout
#                                (page timers do not run while it is pending).
#   MPLINK_TEST_BROWSER_LOG      if set, Chromium's stderr is appended there
#                                (otherwise it is discarded: it is noisy).
#   MPLINK_TEST_CHROMIUM         the Chromium binary (/usr/bin/chromium).

set -eu

prog="chromium-browser.sh"

if [ $# -ne 1 ]; then
    echo "usage: $prog URL" >&2
    exit 64
fi
url=$1

# Record the start first, before anything can fail.
if [ -n "${MPLINK_TEST_BROWSER_MARKER:-}" ]; then
    printf '%s\n' "$url" >>"$MPLINK_TEST_BROWSER_MARKER"
fi

chromium=${MPLINK_TEST_CHROMIUM:-/usr/bin/chromium}
limit=${MPLINK_TEST_BROWSER_TIMEOUT:-30}
log=${MPLINK_TEST_BROWSER_LOG:-/dev/null}

if ! command -v "$chromium" >/dev/null 2>&1; then
    echo "$prog: $chromium not found (apt-get install -y --no-install-recommends chromium)" >&2
    exit 69
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mplink-chromium.XXXXXX")
chmod 0700 "$tmp"
mkdir "$tmp/profile" "$tmp/tmp" "$tmp/config" "$tmp/cache"

# Kill (by pid) any process still using our profile directory: normally
# none, since Chromium's helpers exit with the browser process.
kill_leftovers() {
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" != $$ ] || continue
        # (cat, not a redirection: a vanished pid must fail silently)
        # shellcheck disable=SC2002
        if cat "$d/cmdline" 2>/dev/null | tr '\0' '\n' |
            grep -qxF -- "--user-data-dir=$tmp/profile"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}
cleanup() {
    kill_leftovers
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# A private environment for Chromium: no display, no desktop, own dirs.
unset DISPLAY WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_SESSION_TYPE \
    DBUS_SESSION_BUS_ADDRESS 2>/dev/null || true
export TMPDIR="$tmp/tmp"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"

if [ "${MPLINK_TEST_BROWSER_ARGS+set}" = set ]; then
    extra=$MPLINK_TEST_BROWSER_ARGS
else
    extra=--virtual-time-budget=10000
fi

# timeout: TERM after $limit s, KILL 5 s later if still alive.  It runs in
# the background and we wait, so a signal sent to this script is handled at
# once (timeout passes TERM/INT/HUP on to Chromium).
# shellcheck disable=SC2086  # $extra is split on purpose
timeout --kill-after=5 "$limit" "$chromium" \
    --headless \
    --no-sandbox \
    --disable-gpu \
    --disable-quic \
    --no-first-run \
    --no-default-browser-check \
    --disable-background-networking \
    --disable-component-update \
    --disable-sync \
    --password-store=basic \
    --user-data-dir="$tmp/profile" \
    $extra \
    --dump-dom "$url" \
    </dev/null >"$tmp/dom" 2>>"$log" &
timeout_pid=$!
forward() {
    kill "-$1" "$timeout_pid" 2>/dev/null || true
    wait "$timeout_pid" 2>/dev/null || true
    exit "$2"
}
trap 'forward INT 130' INT
trap 'forward TERM 143' TERM
trap 'forward HUP 129' HUP
status=0
wait "$timeout_pid" || status=$?

if [ -n "${MPLINK_TEST_DOM_FILE:-}" ]; then
    cp "$tmp/dom" "$MPLINK_TEST_DOM_FILE.partial.$$"
    mv -f "$MPLINK_TEST_DOM_FILE.partial.$$" "$MPLINK_TEST_DOM_FILE"
fi
if [ "$status" = 124 ]; then
    echo "$prog: Chromium killed after ${limit} s: $url" >&2
fi
exit "$status"
