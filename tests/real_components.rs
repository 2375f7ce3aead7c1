//! The real components around mplink: gnome-keyring's Secret Service over
//! D-Bus, and a headless Chromium, with the real binary and the fake Mercado
//! Pago in between.
//!
//! Every test here is ignored by a plain `cargo test`, with the reason shown,
//! since it needs packages (dbus, gnome-keyring, libsecret-tools, chromium)
//! and a session bus. Run them with:
//!
//!   tests/with-secret-service.sh cargo test --test real_components -- --ignored
//!
//! Once run, a test never passes for want of its tools: it fails saying what
//! is missing. Tests that use the ambient keyring give their links names of
//! their own (they run in parallel); tests that need a keyring in a special
//! state (locked, dead, stopped) run mplink in a nested private session of
//! their own, through the same script.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::fake_mp::{Consent, FakeMp};
use common::*;
use serde_json::Value;

/// The keychain timeout mplink uses when none is given.
const DEFAULT_KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// How many times a nested session is started before the test gives up.
const SET_UP_TRIES: usize = 20;

/// Runs inside a nested private session, around one mplink command
/// ("$@"): first `eval`s `$RC_SETUP` and, as `$RC_DAEMON` says, stops or
/// kills the keyring daemon; then times the command; then lets a stopped
/// daemon go on (so the session can end at once) and lists what the keyring
/// holds under service mplink.
const WRAPPER: &str = r#"
dir=$RC_DIR
pid=$(cat "$MPLINK_TEST_KEYRING_PIDFILE")
if [ -n "${RC_SETUP:-}" ]; then
    eval "$RC_SETUP" || { echo "real_components: setup failed" >&2; exit 71; }
fi
case ${RC_DAEMON:-} in
    stop) kill -STOP "$pid" ;;
    kill) kill -KILL "$pid" ;;
esac
start=$(date +%s%N)
"$@"
status=$?
end=$(date +%s%N)
kill -CONT "$pid" 2>/dev/null
echo $(((end - start) / 1000000)) >"$dir/elapsed-ms"
timeout 5 secret-tool search --all service mplink >"$dir/keyring-after" 2>&1
exit $status
"#;

// ---------------------------------------------------------------------------
// What the tests need from the machine

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(tool).is_file())
}

/// Fails the test, saying what to install, unless every tool is there.
#[track_caller]
fn require_tools(tools: &[&str]) {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?}: apt-get install -y --no-install-recommends dbus gnome-keyring \
         libsecret-tools chromium"
    );
}

/// Tools for a nested private session of our own.
#[track_caller]
fn require_keyring_tools() {
    require_tools(&[
        "dbus-run-session",
        "dbus-send",
        "gnome-keyring-daemon",
        "secret-tool",
        "timeout",
    ]);
}

#[track_caller]
fn require_chromium() {
    assert!(
        Path::new("/usr/bin/chromium").is_file(),
        "/usr/bin/chromium is missing: apt-get install -y --no-install-recommends chromium"
    );
}

/// The session bus the whole test run was started in, with a Secret
/// Service on it.
struct Session {
    bus: String,
    runtime_dir: Option<std::ffi::OsString>,
}

impl Session {
    /// Fails the test, saying how to run it, when there is no such session.
    #[track_caller]
    fn ambient() -> Session {
        require_keyring_tools();
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS")
            .ok()
            .filter(|bus| !bus.is_empty())
            .expect(
                "DBUS_SESSION_BUS_ADDRESS is not set: run tests/with-secret-service.sh cargo \
                 test --test real_components -- --ignored",
            );
        let mut ask = Command::new("dbus-send");
        ask.args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ]);
        let reply = bounded(ask, Duration::from_secs(10));
        assert!(
            stdout(&reply).contains("boolean true"),
            "no Secret Service on the session bus {bus}: run the tests under \
             tests/with-secret-service.sh\n{}",
            stderr(&reply)
        );
        Session {
            bus,
            runtime_dir: std::env::var_os("XDG_RUNTIME_DIR"),
        }
    }

    /// `mplink` (for `mp` when given) on the keychain of this session.
    fn mplink(&self, world: &World, mp: Option<&FakeMp>) -> Command {
        let mut cmd = on_keychain(world, mp);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus);
        if let Some(dir) = &self.runtime_dir {
            cmd.env("XDG_RUNTIME_DIR", dir);
        }
        cmd
    }

    /// The secret stored for `account` under service mplink, as another
    /// process sees it.
    fn lookup(&self, account: &str) -> Option<String> {
        let mut cmd = Command::new("secret-tool");
        cmd.args(["lookup", "service", "mplink", "username", account]);
        let out = bounded(cmd, Duration::from_secs(10));
        (code(&out) == 0).then(|| stdout(&out))
    }

    /// How many entries the keyring holds for `account` under service mplink.
    fn entries(&self, account: &str) -> usize {
        let mut cmd = Command::new("secret-tool");
        cmd.args(["search", "--all", "service", "mplink", "username", account]);
        let out = bounded(cmd, Duration::from_secs(10));
        stdout(&out).lines().filter(|l| l.starts_with('[')).count()
    }

    /// Deletes an entry behind mplink's back.
    fn clear(&self, account: &str) {
        let mut cmd = Command::new("secret-tool");
        cmd.args(["clear", "service", "mplink", "username", account]);
        let out = bounded(cmd, Duration::from_secs(10));
        assert_exit(&out, 0);
    }
}

/// `mplink` on the keychain, with no session bus unless the caller adds
/// one; no desktop either.
fn on_keychain(world: &World, mp: Option<&FakeMp>) -> Command {
    let mut cmd = match mp {
        Some(mp) => world.mplink_for(mp),
        None => world.mplink(),
    };
    cmd.env("MPLINK_STORE", "keychain")
        .env_remove("DISPLAY")
        .env_remove("XDG_CURRENT_DESKTOP");
    cmd
}

/// A link name no other test uses, in the ambient keyring of this run.
fn unique(what: &str) -> String {
    format!("rc-{what}-{}", std::process::id())
}

/// Runs a helper command, killed if it outlives `limit`.
fn bounded(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {:?}: {err}", cmd.get_program()));
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{:?} hung", cmd.get_program());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

fn signal(pid: &str, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name} {pid}");
}

/// Polls for a file that another process writes, up to `limit`.
fn wait_for_file(path: &Path, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(text) = fs::read_to_string(path)
            && !text.is_empty()
        {
            return Some(text);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[track_caller]
fn assert_no_token_in_files(dir: &Path, tokens: &[&str]) {
    for file in files_under(dir) {
        let bytes = fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for token in tokens {
            assert!(
                !text.contains(token),
                "a token is in {}:\n{text}",
                file.display()
            );
        }
    }
}

/// A token pair as Mercado Pago returns it, ready for `mplink import`.
fn token_reply(mp: &FakeMp) -> String {
    let pair = mp.grant(false);
    serde_json::json!({
        "access_token": pair.access_token,
        "token_type": "bearer",
        "expires_in": 15_552_000,
        "scope": "offline_access read write",
        "user_id": pair.user_id,
        "refresh_token": pair.refresh_token,
        "live_mode": true,
    })
    .to_string()
}

// ---------------------------------------------------------------------------
// The headless browser

/// `BROWSER` set to the Chromium script, and where it reports.
struct Chromium {
    marker: PathBuf,
    dom: PathBuf,
    log: PathBuf,
}

impl Chromium {
    fn new(world: &World) -> Chromium {
        let at = |name: &str| world.home.path().join(name);
        Chromium {
            marker: at("chromium-started"),
            dom: at("chromium-dom.html"),
            log: at("chromium.log"),
        }
    }

    fn set_up(&self, cmd: &mut Command) {
        cmd.env("BROWSER", script("chromium-browser.sh"))
            .env("MPLINK_TEST_BROWSER_MARKER", &self.marker)
            .env("MPLINK_TEST_DOM_FILE", &self.dom)
            .env("MPLINK_TEST_BROWSER_LOG", &self.log);
    }

    fn started(&self) -> bool {
        self.marker.exists()
    }

    /// The URLs the browser was started on.
    fn urls(&self) -> Vec<String> {
        fs::read_to_string(&self.marker)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The DOM Chromium ended on, once it has quit (at most 30 s, its
    /// script's own limit).
    fn final_dom(&self) -> String {
        wait_for_file(&self.dom, Duration::from_secs(40)).unwrap_or_else(|| {
            panic!(
                "Chromium never dumped its DOM; its log:\n{}",
                fs::read_to_string(&self.log).unwrap_or_default()
            )
        })
    }
}

// ---------------------------------------------------------------------------
// A nested private session

/// What to do to the keyring daemon of a nested session before mplink runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Daemon {
    Running,
    /// SIGSTOP: calls to it hang.
    Stopped,
    /// SIGKILL: the bus stays, the Secret Service is gone.
    Killed,
}

/// One run of an mplink command in its own session and keyring, through
/// `tests/with-secret-service.sh`, with [`WRAPPER`] around it.
struct Nested {
    dir: PathBuf,
    pidfile: PathBuf,
}

impl Nested {
    fn new(world: &World) -> Nested {
        let dir = world.home.path().join("nested");
        fs::create_dir_all(&dir).unwrap();
        Nested {
            pidfile: dir.join("keyring.pid"),
            dir,
        }
    }

    /// `mplink` as `inner` would run it, but inside a nested session: the
    /// same environment, plus the session's own bus.
    fn command(&self, inner: &Command, locked: bool, daemon: Daemon, setup: &str) -> Command {
        let mut outer = Command::new("sh");
        outer.env_clear();
        for (key, value) in inner.get_envs() {
            if let Some(value) = value {
                outer.env(key, value);
            }
        }
        let daemon = match daemon {
            Daemon::Running => "",
            Daemon::Stopped => "stop",
            Daemon::Killed => "kill",
        };
        outer
            .env("MPLINK_TEST_KEYRING_PIDFILE", &self.pidfile)
            .env("RC_DIR", &self.dir)
            .env("RC_DAEMON", daemon)
            .env("RC_SETUP", setup)
            .arg(script("with-secret-service.sh"));
        if locked {
            outer.arg("--locked");
        }
        outer
            .args(["sh", "-c", WRAPPER, "sh"])
            .arg(inner.get_program())
            .args(inner.get_args())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        outer
    }

    /// Starts the session and mplink in it; returns once the session is up
    /// (its keyring daemon's pid written), so the daemon can be acted on.
    fn spawn(&self, inner: &Command, locked: bool, daemon: Daemon, setup: &str) -> Running {
        // with-secret-service.sh often fails to start the daemon on a busy
        // machine (exit 70: it may remove the password file before the
        // daemon, started in the background, opens it); a fresh session
        // gets past that.
        for _ in 0..SET_UP_TRIES {
            let _ = fs::remove_file(&self.pidfile);
            let child = self.command(inner, locked, daemon, setup).spawn().unwrap();
            let mut running = Running(Some(child));
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if self.pidfile.exists() {
                    return running;
                }
                if let Some(status) = running.child().try_wait().unwrap() {
                    if self.pidfile.exists() {
                        return running;
                    }
                    let out = running.output();
                    assert_eq!(
                        status.code(),
                        Some(70),
                        "the nested session ended before it was up:\n{}",
                        stderr(&out)
                    );
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the nested keyring never started"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        panic!("the nested keyring could not be set up in {SET_UP_TRIES} tries");
    }

    fn run(&self, inner: &Command, locked: bool, daemon: Daemon, setup: &str) -> Output {
        self.spawn(inner, locked, daemon, setup).finish()
    }

    /// The keyring daemon's pid (the session is up once `spawn` returns).
    fn daemon_pid(&self) -> String {
        wait_for_file(&self.pidfile, Duration::from_secs(5))
            .expect("no keyring pid")
            .trim()
            .to_owned()
    }

    /// How long the mplink command itself ran.
    fn elapsed(&self) -> Duration {
        let text = fs::read_to_string(self.dir.join("elapsed-ms")).unwrap();
        Duration::from_millis(text.trim().parse().unwrap())
    }

    /// `secret-tool search --all service mplink` once mplink was done.
    fn keyring_after(&self) -> String {
        fs::read_to_string(self.dir.join("keyring-after")).unwrap()
    }
}

/// A nested session at work. Should the test fail before it ends, it is
/// stopped the way the script expects (SIGTERM, which it forwards to mplink
/// before it stops the daemon and the bus), so nothing is left running.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }

    /// Waits at most 30 s for the session to end; past that, stops it and
    /// fails: mplink hung.
    fn finish(mut self) -> Output {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child().try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let out = self.output();
                panic!("mplink hung; stderr:\n{}", stderr(&out));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = self.output();
        assert!(
            !matches!(code(&out), 70 | 71),
            "the nested keyring could not be set up:\n{}",
            stderr(&out)
        );
        out
    }

    /// The session's output, once it has ended or been stopped.
    fn output(&mut self) -> Output {
        let mut child = self.0.take().unwrap();
        if child.try_wait().unwrap().is_none() {
            // Not `signal`: this runs while a failed test unwinds, where
            // a second panic would abort the whole run.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
        }
        child.wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.is_some() {
            self.output();
        }
    }
}

// ---------------------------------------------------------------------------
// The tests

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn a_real_browser_links_a_seller_into_the_real_keyring() {
    let session = Session::ambient();
    require_chromium();
    let mp = fake();
    mp.set_consent(Consent::Page);
    let world = World::new();
    let browser = Chromium::new(&world);
    let name = unique("browser");

    let mut cmd = session.mplink(&world, Some(&mp));
    browser.set_up(&mut cmd);
    let child = cmd
        .args([
            "authorize",
            "--verbose",
            "--timeout",
            "45s",
            "--name",
            &name,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = finish(child);
    let dom = browser.final_dom();

    // The browser loaded the consent page, posted its form, followed the
    // redirect to the listener and rendered the outcome.
    assert_exit(&out, 0);
    assert_eq!(browser.urls().len(), 1, "one browser");
    assert!(browser.urls()[0].starts_with(&mp.auth_url()));
    assert_eq!(mp.authorization_requests().len(), 1);
    let requests = mp.token_requests();
    assert_eq!(requests.len(), 1, "one exchange: {requests:?}");
    assert_eq!(requests[0].status, 200);
    assert!(dom.contains("Account linked"), "{dom}");
    assert!(dom.contains(&name) && dom.contains(&mp.seller_id().to_string()));
    assert!(stdout(&out).contains(&format!("as '{name}'")));
    let err = stderr(&out);
    assert!(!err.contains("warning:"), "{err}");

    // The pair is in the keyring, one entry, readable by other processes.
    let stored: Value = serde_json::from_str(&session.lookup(&name).unwrap()).unwrap();
    let access = stored["access_token"].as_str().unwrap().to_owned();
    let refresh = stored["refresh_token"].as_str().unwrap().to_owned();
    assert!(mp.access_token_is_live(&access));
    assert!(mp.refresh_token_is_live(&refresh));
    assert_eq!(session.entries(&name), 1);
    assert_eq!(session.lookup("mplink:probe"), None, "the probe is gone");
    let read = session
        .mplink(&world, None)
        .args(["token", &name])
        .output()
        .unwrap();
    assert_exit(&read, 0);
    assert_eq!(stdout(&read).trim(), access);

    // Nothing secret anywhere on disk or in the output.
    assert_eq!(world.index()["links"][0]["store"], "keychain");
    assert!(!world.file("credentials.json").exists());
    assert_no_token_in_files(&world.config, &[&access, &refresh]);
    assert!(!dom.contains(&access) && !dom.contains(&refresh));
    let mut secrets = flow_secrets(&mp);
    secrets.extend([access, refresh]);
    assert_no_secret(&out, &secrets);

    // logout takes the entry out of the keyring.
    let logout = session
        .mplink(&world, None)
        .args(["logout", &name])
        .output()
        .unwrap();
    assert_exit(&logout, 0);
    assert!(!stderr(&logout).contains("already gone"));
    assert_eq!(session.lookup(&name), None);
    assert_eq!(world.index()["links"], serde_json::json!([]));
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn without_a_secret_service_authorize_fails_before_the_browser() {
    require_keyring_tools();
    let mp = fake();
    let nowhere = tempfile::tempdir().unwrap();
    let no_bus = format!("unix:path={}", nowhere.path().join("bus").display());
    // (case, bus address, in a nested session whose daemon is killed)
    let cases = [
        ("no variable", None, false),
        ("an address with no bus", Some(&no_bus), false),
        ("a bus without a Secret Service", None, true),
    ];
    for (case, bus, nested) in cases {
        let world = World::new();
        let browser = Chromium::new(&world);
        let mut cmd = on_keychain(&world, Some(&mp));
        browser.set_up(&mut cmd);
        // With the variable unset, D-Bus looks in $XDG_RUNTIME_DIR/bus.
        cmd.env("XDG_RUNTIME_DIR", nowhere.path())
            .args(["authorize", "--timeout", "20s"]);
        if let Some(bus) = bus {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }

        let (out, took) = if nested {
            let nested = Nested::new(&world);
            let out = nested.run(&cmd, false, Daemon::Killed, "");
            (out, nested.elapsed())
        } else {
            let started = Instant::now();
            let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
            (finish(child.unwrap()), started.elapsed())
        };
        assert_exit(&out, 7);
        let err = stderr(&out);
        assert!(err.contains("--store file"), "{case}: {err}");
        assert!(
            took < DEFAULT_KEYCHAIN_TIMEOUT,
            "{case}: at once, not after a timeout ({took:?})"
        );
        assert!(!browser.started(), "{case}: the browser was started");
        assert!(!world.file("links.json").exists(), "{case}");
    }
    assert!(mp.authorization_requests().is_empty());
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn a_locked_keyring_fails_fast_with_a_hint_and_never_opens_the_browser() {
    require_keyring_tools();
    let mp = fake();
    let world = World::new();
    let nested = Nested::new(&world);
    let mut cmd = on_keychain(&world, Some(&mp));
    cmd.args(["authorize", "--timeout", "20s"]);

    let out = nested.run(&cmd, true, Daemon::Running, "");
    assert_exit(&out, 7);
    let err = stderr(&out);
    assert!(err.contains("unlock the keychain"), "{err}");
    assert!(err.contains("--store file"), "{err}");
    assert!(
        nested.elapsed() < DEFAULT_KEYCHAIN_TIMEOUT,
        "took {:?}",
        nested.elapsed()
    );
    assert!(!world.browser_opened());
    assert!(mp.authorization_requests().is_empty());
    assert!(!world.file("links.json").exists());
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn a_link_in_a_keyring_locked_since_is_a_store_error_not_a_missing_link() {
    require_keyring_tools();
    let mp = fake();
    let world = World::new();
    fs::write(world.home.path().join("reply.json"), token_reply(&mp)).unwrap();
    let nested = Nested::new(&world);
    // Stored while unlocked, then the collection is locked.
    let setup = format!(
        "\"$1\" import --name shop <'{}' >/dev/null && \
         dbus-send --session --print-reply --dest=org.freedesktop.secrets \
         /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
         array:objpath:/org/freedesktop/secrets/collection/login >/dev/null",
        world.home.path().join("reply.json").display()
    );
    let mut token = on_keychain(&world, None);
    token.args(["token", "shop"]);

    let out = nested.run(&token, false, Daemon::Running, &setup);
    assert_exit(&out, 7);
    let err = stderr(&out);
    assert!(
        err.contains("reading 'shop'"),
        "says what it was doing: {err}"
    );
    assert!(err.contains("unlock the keychain"), "{err}");
    assert!(nested.elapsed() < DEFAULT_KEYCHAIN_TIMEOUT);
    assert_eq!(stdout(&out), "");

    // logout cannot delete the entry either: the link stays listed.
    let mut logout = on_keychain(&world, None);
    logout.args(["logout", "shop"]);
    let out = nested.run(&logout, false, Daemon::Running, &setup);
    assert_exit(&out, 7);
    assert!(stderr(&out).contains("deleting 'shop'"), "{}", stderr(&out));
    assert!(nested.elapsed() < DEFAULT_KEYCHAIN_TIMEOUT);
    assert_eq!(world.index()["links"][0]["name"], "shop");
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn the_secret_service_dying_mid_flow_leaves_the_tokens_on_stdout() {
    require_keyring_tools();
    let mp = fake();
    let world = World::new();
    let nested = Nested::new(&world);
    let mut cmd = on_keychain(&world, Some(&mp));
    cmd.args(["authorize", "--timeout", "20s", "--name", "shop"]);

    let mut running = nested.spawn(&cmd, false, Daemon::Running, "");
    // The store check passed: only then is the browser opened.
    let url = world.browser_url(running.child());
    signal(&nested.daemon_pid(), "KILL");
    let visit = seller::visit(&url);
    let out = running.finish();

    assert_exit(&out, 7);
    let requests = mp.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, 200, "the exchange itself worked");
    assert!(
        visit.body.contains("Linked, but not saved"),
        "{}",
        visit.body
    );
    let err = stderr(&out);
    assert!(err.contains("issued but not saved"), "{err}");
    assert!(err.contains("mplink import"), "{err}");
    let rescued = assert_rescued(&out, &mp, "shop");

    // Nothing half-written, and nothing lost: the JSON imports as a link.
    assert!(!world.file("links.json").exists());
    assert!(!world.file("credentials.json").exists());
    assert_no_token_in_files(&world.config, &[&rescued]);
    let mut import = world.mplink();
    import.arg("import");
    let imported = run_with_stdin(import, &stdout(&out));
    assert_exit(&imported, 0);
    let read = world.mplink().args(["token", "shop"]).output().unwrap();
    assert_exit(&read, 0);
    assert_eq!(stdout(&read).trim(), rescued);
}

/// stdout is the JSON of the link with its live tokens, and nothing else;
/// returns the access token.
#[track_caller]
fn assert_rescued(out: &Output, mp: &FakeMp, name: &str) -> String {
    let json: Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", stdout(out)));
    assert_eq!(json["name"], name);
    assert_eq!(json["user_id"], mp.seller_id());
    let token = |key: &str| {
        json[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in the JSON on stdout:\n{json}"))
            .to_owned()
    };
    let access = token("access_token");
    assert!(mp.access_token_is_live(&access), "{access}");
    assert!(mp.refresh_token_is_live(&token("refresh_token")));
    access
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn an_entry_deleted_behind_mplinks_back_is_exit_8_naming_the_link() {
    let session = Session::ambient();
    let mp = fake();
    let world = World::new();
    let name = unique("deleted");
    // Linked twice under one name: one entry, holding the second pair.
    let replies = [token_reply(&mp), token_reply(&mp)];
    for reply in &replies {
        let mut import = session.mplink(&world, None);
        import.args(["import", "--name", &name]);
        assert_exit(&run_with_stdin(import, reply), 0);
    }
    assert_eq!(session.entries(&name), 1);
    let stored: Value = serde_json::from_str(&session.lookup(&name).unwrap()).unwrap();
    let second: Value = serde_json::from_str(&replies[1]).unwrap();
    assert_eq!(stored["access_token"], second["access_token"]);

    session.clear(&name);
    let out = session
        .mplink(&world, None)
        .args(["token", &name])
        .output()
        .unwrap();
    assert_exit(&out, 8);
    let err = stderr(&out);
    assert!(err.contains(&format!("'{name}'")), "{err}");
    assert!(err.contains("missing from the keychain"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(stdout(&out), "");

    // logout still forgets it, saying the tokens were gone.
    let logout = session
        .mplink(&world, None)
        .args(["logout", &name])
        .output()
        .unwrap();
    assert_exit(&logout, 0);
    assert!(
        stderr(&logout).contains("already gone"),
        "{}",
        stderr(&logout)
    );
    assert_eq!(world.index()["links"], serde_json::json!([]));
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn a_hung_secret_service_stops_authorize_within_the_keychain_timeout() {
    require_keyring_tools();
    let mp = fake();
    let world = World::new();
    let nested = Nested::new(&world);
    let mut cmd = on_keychain(&world, Some(&mp));
    cmd.args(["--keychain-timeout", "1s", "authorize", "--timeout", "20s"]);

    let out = nested.run(&cmd, false, Daemon::Stopped, "");
    assert_exit(&out, 7);
    let err = stderr(&out);
    assert!(err.contains("did not answer within 1s while"), "{err}");
    assert!(err.contains("keychain"), "{err}");
    let took = nested.elapsed();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(2500),
        "took {took:?}"
    );
    assert!(!world.browser_opened());
    assert!(mp.authorization_requests().is_empty());
    // Nothing reached the keyring late, once the daemon went on.
    let after = nested.keyring_after();
    assert!(!after.contains("mplink"), "{after}");
}

#[test]
#[ignore = "needs a Secret Service and Chromium: run tests/with-secret-service.sh cargo test --test real_components -- --ignored"]
fn a_secret_service_hanging_mid_flow_times_out_and_keeps_the_tokens() {
    require_keyring_tools();
    let mp = fake();
    let world = World::new();
    let nested = Nested::new(&world);
    let mut cmd = on_keychain(&world, Some(&mp));
    cmd.args([
        "--keychain-timeout",
        "1s",
        "authorize",
        "--timeout",
        "20s",
        "--name",
        "shop",
    ]);

    let mut running = nested.spawn(&cmd, false, Daemon::Running, "");
    let url = world.browser_url(running.child());
    signal(&nested.daemon_pid(), "STOP");
    let started = Instant::now();
    let visit = seller::visit(&url);
    let waited = started.elapsed();
    let out = running.finish();

    assert_exit(&out, 7);
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(4),
        "the seller waited {waited:?}"
    );
    let err = stderr(&out);
    assert!(err.contains("did not answer within 1s while"), "{err}");
    assert!(err.contains("'shop'"), "{err}");
    assert!(
        visit.body.contains("Linked, but not saved"),
        "{}",
        visit.body
    );
    assert_rescued(&out, &mp, "shop");
    assert!(!world.file("links.json").exists());
    // Once the daemon went on, the keyring held nothing of mplink's: no
    // probe, no link.
    let after = nested.keyring_after();
    assert!(!after.contains("mplink"), "{after}");
    assert!(!after.contains("access_token"), "{after}");
}
