//! Faults outside mplink: a token endpoint that refuses, fails, hangs, cuts
//! its reply short or floods it; a network that refuses or cannot resolve;
//! a config dir that is read-only, full or damaged; a process killed while
//! it saves. Each ends with a clear message and the right exit code, and
//! nothing half-written is left in the store.

// Figures seen (memory, kills) go to the test log: `-- --nocapture`.
#![allow(clippy::print_stderr)]

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::fake_mp::{FakeMp, Fault, TokenPair};
use common::*;
use serde_json::{Value, json};

/// Every file under the config dir and its bytes, lock files aside.
fn snapshot(world: &World) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, into: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension() != Some(OsStr::new("lock")) {
                into.insert(path.clone(), fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(&world.config, &mut files);
    files
}

#[track_caller]
fn assert_nothing_stored(world: &World) {
    assert!(!world.file("links.json").exists(), "an index was written");
    assert!(world.stored_secrets().is_empty(), "tokens were stored");
}

/// An `error: ...` line that says `says`.
#[track_caller]
fn assert_error(out: &Output, says: &[&str]) {
    let err = stderr(out);
    assert!(
        err.contains("\nerror: ") || err.starts_with("error: "),
        "{err}"
    );
    for words in says {
        assert!(err.contains(words), "missing {words:?}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// An error a person can act on: `error: ...`, then a `hint: ...` line.
#[track_caller]
fn assert_explained(out: &Output, says: &[&str]) {
    assert_error(out, says);
    assert!(
        stderr(out).contains("\nhint: "),
        "no hint:\n{}",
        stderr(out)
    );
}

/// The JSON Mercado Pago returns for `pair`, as `mplink import` reads it.
fn token_json(pair: &TokenPair) -> String {
    json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "user_id": pair.user_id,
        "live_mode": pair.live_mode,
        "expires_in": 15_552_000,
        "token_type": "bearer",
        "scope": "offline_access read write",
    })
    .to_string()
}

/// Links the seller without a browser, through `mplink import`.
fn seed(world: &World, mp: &FakeMp, name: &str) -> TokenPair {
    let pair = mp.grant(false);
    let mut cmd = world.mplink();
    cmd.args(["import", "--name", name]);
    let out = run_with_stdin(cmd, &token_json(&pair));
    assert_exit(&out, 0);
    pair
}

/// `cmd` run by `prefix` (a shell, `unshare`...), with the same
/// environment: `prefix` ends by exec'ing the program and its arguments.
fn via(prefix: &[&OsStr], cmd: &Command) -> Command {
    let mut wrapped = Command::new(prefix[0]);
    wrapped
        .args(&prefix[1..])
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            wrapped.env(key, value);
        }
    }
    wrapped
}

/// `cmd` with writes past `blocks` blocks refused with EFBIG, as on a
/// full disk. RLIMIT_FSIZE needs no privilege and cannot leak outside the
/// process, unlike filling a real filesystem; SIGXFSZ is ignored so the
/// write fails instead of killing mplink. Pipes are not files: stdout and
/// stderr are unaffected.
fn with_file_size_limit(cmd: &Command, blocks: u32) -> Command {
    let script = r#"trap "" XFSZ; ulimit -f "$0" && exec "$@""#;
    let blocks = blocks.to_string();
    via(
        &[
            OsStr::new("sh"),
            OsStr::new("-c"),
            OsStr::new(script),
            OsStr::new(&blocks),
        ],
        cmd,
    )
}

fn is_root() -> bool {
    fs::metadata("/proc/self").unwrap().uid() == 0
}

/// `cmd` with `dir` read-only. Root ignores file modes, so as root the
/// directory is bind-mounted read-only in a mount namespace of mplink's
/// own (nothing outside sees it); otherwise its mode becomes 0500, and
/// the caller restores it. `None` when root cannot make a namespace here.
fn with_read_only_dir(cmd: &Command, dir: &Path) -> Option<Command> {
    if !is_root() {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o500)).unwrap();
        return Some(via(&[OsStr::new("env")], cmd));
    }
    let works = Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        eprintln!("skipped: `unshare -m` is not available to make {dir:?} read-only for root");
        return None;
    }
    let script = r#"mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@""#;
    Some(via(
        &[
            OsStr::new("unshare"),
            OsStr::new("-m"),
            OsStr::new("sh"),
            OsStr::new("-c"),
            OsStr::new(script),
            dir.as_os_str(),
        ],
        cmd,
    ))
}

/// The token-endpoint faults, each with its exit code and the words the
/// user must see.
fn token_faults() -> Vec<(&'static str, Fault, i32, Vec<&'static str>)> {
    let html = "<!DOCTYPE html><html><head><title>500</title></head><body>\
                <h1>Internal Server Error</h1><script>trace('x7Gq')</script>\
                </body></html>";
    vec![
        (
            "429",
            Fault::rate_limited(),
            5,
            vec!["refused", "Too many requests", "try again in a minute"],
        ),
        (
            "500 with HTML",
            Fault::Status {
                status: 500,
                content_type: "text/html; charset=utf-8",
                body: html.into(),
            },
            6,
            vec!["HTTP 500", "Mercado Pago's side"],
        ),
        (
            "no reply",
            Fault::Hang,
            6,
            vec!["did not answer in time", "--http-timeout"],
        ),
        ("truncated 200", Fault::Truncated, 6, vec!["Mercado Pago"]),
        (
            "HTML 200",
            Fault::Status {
                status: 200,
                content_type: "text/html",
                body: "<html><body>Bienvenido</body></html>".into(),
            },
            6,
            vec!["not JSON"],
        ),
        (
            "JSON 200 without access_token",
            Fault::Status {
                status: 200,
                content_type: "application/json",
                body: json!({"token_type": "bearer", "expires_in": 15_552_000, "user_id": 1})
                    .to_string(),
            },
            6,
            vec!["no access_token"],
        ),
        (
            "JSON 200 with a null access_token",
            Fault::Status {
                status: 200,
                content_type: "application/json",
                body: r#"{"access_token":null,"refresh_token":"TG-x"}"#.into(),
            },
            6,
            vec!["no access_token"],
        ),
        (
            "10 MB 200",
            Fault::Huge(10 * 1024 * 1024),
            6,
            vec!["larger than 256 KiB"],
        ),
    ]
}

/// Everything a test needs to judge one authorize run.
struct Run {
    out: Output,
    visit: Visit,
    /// How long the seller's browser waited on the redirect.
    redirect_took: Duration,
    /// mplink's peak resident set, KiB, as last seen.
    peak_kib: u64,
}

/// Authorizes with `cmd` (an `authorize` command), sampling mplink's
/// memory until it exits.
fn authorize_with(world: &World, cmd: &mut Command) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = world.browser_url(&mut child);
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while let Ok(status) = fs::read_to_string(format!("/proc/{pid}/status")) {
            let hwm = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok());
            match hwm {
                Some(hwm) => peak = peak.max(hwm),
                None => break,
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    });
    let started = Instant::now();
    let visit = seller::visit(&url);
    let redirect_took = started.elapsed();
    let out = finish(child);
    Run {
        out,
        visit,
        redirect_took,
        peak_kib: sampler.join().unwrap(),
    }
}

fn authorize_against(fault: Fault) -> (Run, World, FakeMp) {
    let mp = fake();
    mp.push_fault(fault);
    let world = World::new();
    let mut cmd = world.mplink_for(&mp);
    cmd.args(["authorize", "--http-timeout", "1s"]);
    let run = authorize_with(&world, &mut cmd);
    (run, world, mp)
}

// ---------------------------------------------------------------------------
// Faults at Mercado Pago

#[test]
fn authorize_ends_cleanly_on_every_token_endpoint_fault() {
    let cases = token_faults();
    let results: Vec<_> = cases
        .iter()
        .map(|(name, fault, ..)| {
            let fault = fault.clone();
            (*name, std::thread::spawn(move || authorize_against(fault)))
        })
        .collect();
    for ((name, handle), (_, _, exit, says)) in results.into_iter().zip(&cases) {
        let (run, world, mp) = handle.join().unwrap();
        eprintln!(
            "{name}: exit {}, redirect answered in {:?}, peak {} KiB",
            code(&run.out),
            run.redirect_took,
            run.peak_kib
        );
        assert_exit(&run.out, *exit);
        assert_explained(&run.out, says);
        let err = stderr(&run.out);
        assert!(!err.contains('<') && !err.contains("x7Gq"), "{name}: {err}");
        assert!(
            stdout(&run.out).is_empty(),
            "{name}: no tokens, nothing on stdout"
        );
        assert!(run.visit.body.contains("Not linked"), "{name}");
        assert_nothing_stored(&world);
        assert_no_secret(&run.out, &flow_secrets(&mp));
        assert_eq!(mp.token_requests().len(), 1, "{name}: no retry");
        assert!(
            run.peak_kib < 64 * 1024,
            "{name}: peak {} KiB",
            run.peak_kib
        );
        // The browser is told within the HTTP timeout, not left hanging.
        assert!(
            run.redirect_took < Duration::from_secs(5),
            "{name}: {:?}",
            run.redirect_took
        );
    }
}

#[test]
fn a_reply_that_never_comes_is_bounded_by_http_timeout() {
    let (run, world, _mp) = authorize_against(Fault::Hang);
    assert_exit(&run.out, 6);
    assert!(
        run.redirect_took >= Duration::from_millis(900)
            && run.redirect_took < Duration::from_secs(4),
        "the 1s timeout fired after {:?}",
        run.redirect_took
    );
    assert_explained(&run.out, &["did not answer in time"]);
    assert_nothing_stored(&world);
}

#[test]
fn refresh_leaves_the_link_as_it_was_on_every_token_endpoint_fault() {
    let mp = fake();
    let world = World::new();
    let pair = seed(&world, &mp, "shop");
    let before = snapshot(&world);
    for (name, fault, exit, says) in token_faults() {
        mp.push_fault(fault);
        let started = Instant::now();
        let out = world
            .mplink_for(&mp)
            .args(["refresh", "shop", "--http-timeout", "1s"])
            .output()
            .unwrap();
        assert_exit(&out, exit);
        assert_explained(&out, &says);
        assert!(started.elapsed() < Duration::from_secs(5), "{name}");
        assert!(stdout(&out).is_empty(), "{name}");
        assert!(!stderr(&out).contains('<'), "{name}");
        assert_eq!(snapshot(&world), before, "{name}: the store changed");
        assert_no_secret(&out, &[pair.refresh_token.clone(), client_secret(&mp)]);
    }
    // Faults answer in place of the service: the refresh token is unspent
    // and the link still refreshes.
    assert!(mp.refresh_token_is_live(&pair.refresh_token));
    let out = world
        .mplink_for(&mp)
        .args(["refresh", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

#[test]
fn connection_refused_is_exit_6_with_a_network_hint() {
    let mp = fake();
    let world = World::new();
    seed(&world, &mp, "shop");
    let before = snapshot(&world);
    let closed = format!("http://127.0.0.1:{}", free_port());

    let out = world
        .mplink_for(&mp)
        .env("MPLINK_API_URL", &closed)
        .args(["refresh", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 6);
    assert_explained(&out, &["cannot reach Mercado Pago", "HTTPS_PROXY"]);
    assert!(stderr(&out).to_lowercase().contains("refused"));
    assert_eq!(snapshot(&world), before);

    // The same during authorize: the code cannot be exchanged.
    let fresh = World::new();
    let mut cmd = fresh.mplink_for(&mp);
    cmd.env("MPLINK_API_URL", &closed).arg("authorize");
    let run = authorize_with(&fresh, &mut cmd);
    assert_exit(&run.out, 6);
    assert_explained(&run.out, &["cannot reach Mercado Pago", "HTTPS_PROXY"]);
    assert!(run.visit.body.contains("Not linked"));
    assert_nothing_stored(&fresh);
}

#[test]
fn a_name_that_does_not_resolve_is_exit_6_with_a_network_hint() {
    // `.invalid` never resolves (RFC 6761); resolvers answer at once. The
    // resolver options bound a slow one, so the test fails rather than
    // waiting on a broken network.
    let mp = fake();
    let world = World::new();
    seed(&world, &mp, "shop");
    let before = snapshot(&world);
    let started = Instant::now();
    let out = world
        .mplink_for(&mp)
        .env("RES_OPTIONS", "timeout:2 attempts:1")
        .args(["refresh", "shop", "--http-timeout", "20s"])
        .args(["--api-url", "https://api.mercadopago.invalid"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_exit(&out, 6);
    assert_explained(
        &out,
        &[
            "cannot reach Mercado Pago at api.mercadopago.invalid",
            "HTTPS_PROXY",
        ],
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(snapshot(&world), before);
    assert!(mp.token_requests().is_empty());
}

// ---------------------------------------------------------------------------
// Faults at the store

#[test]
fn a_read_only_config_dir_fails_authorize_before_the_browser_opens() {
    let mp = fake();
    let world = World::new();
    fs::create_dir_all(&world.config).unwrap();
    let mut cmd = world.mplink_for(&mp);
    cmd.arg("authorize");
    let Some(mut cmd) = with_read_only_dir(&cmd, &world.config) else {
        return;
    };
    let out = cmd.output().unwrap();
    fs::set_permissions(&world.config, fs::Permissions::from_mode(0o700)).unwrap();
    assert_exit(&out, 7);
    let reason = if is_root() {
        "read-only file system"
    } else {
        "permission denied"
    };
    assert_error(&out, &[&world.config.display().to_string(), reason]);
    assert!(!world.browser_opened());
    assert!(mp.authorization_requests().is_empty());
}

#[test]
fn a_full_config_dir_fails_authorize_before_the_browser_opens() {
    let mp = fake();
    let world = World::new();
    let mut cmd = world.mplink_for(&mp);
    cmd.arg("authorize");
    let out = with_file_size_limit(&cmd, 0).output().unwrap();
    assert_exit(&out, 7);
    assert_error(
        &out,
        &[&world.config.display().to_string(), "file too large"],
    );
    assert!(!world.browser_opened());
    assert!(mp.authorization_requests().is_empty());
}

/// A link with a long token: credentials.json then outgrows a file size
/// limit of a few blocks, while the store check (a 5-byte probe) still
/// fits, so saving fails only after the exchange.
fn seed_big(world: &World) {
    let big = TokenPair {
        access_token: format!("APP_USR-4815162342108-010203-{}-7", "a".repeat(16 * 1024)),
        refresh_token: "TG-big-7".into(),
        user_id: 7,
        live_mode: true,
    };
    let mut cmd = world.mplink();
    cmd.args(["import", "--name", "big"]);
    assert_exit(&run_with_stdin(cmd, &token_json(&big)), 0);
}

#[test]
fn a_store_failure_after_the_exchange_prints_the_tokens_and_exits_7() {
    let mp = fake();
    let world = World::new();
    seed_big(&world);
    let before = snapshot(&world);

    let mut cmd = world.mplink_for(&mp);
    cmd.arg("authorize");
    let run = authorize_with(&world, &mut with_file_size_limit(&cmd, 4));
    assert_exit(&run.out, 7);
    assert_explained(
        &run.out,
        &["issued but not saved", "credentials.json", "mplink import"],
    );
    assert!(
        run.visit.body.contains("Linked, but not saved"),
        "{}",
        run.visit.body
    );

    let rescued: Value = serde_json::from_str(&stdout(&run.out)).expect("JSON on stdout");
    let access = rescued["access_token"].as_str().unwrap();
    let refresh = rescued["refresh_token"].as_str().unwrap();
    assert!(mp.access_token_is_live(access), "a live access token");
    assert!(mp.refresh_token_is_live(refresh), "a live refresh token");
    assert_eq!(rescued["user_id"], mp.seller_id());
    assert_no_secret(&run.out, &[client_secret(&mp)]);
    assert!(!stderr(&run.out).contains(access), "tokens only on stdout");

    // The old files are whole, and no temporary file is left behind.
    assert_eq!(snapshot(&world), before);

    // Once the store works again, the printed JSON links the seller.
    let mut cmd = world.mplink();
    cmd.arg("import");
    assert_exit(&run_with_stdin(cmd, &stdout(&run.out)), 0);
    let out = world
        .mplink()
        .args(["token", &mp.seller_id().to_string()])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).trim(), access);
}

#[test]
fn a_refresh_that_cannot_be_saved_prints_the_new_pair_and_exits_7() {
    let mp = fake();
    let world = World::new();
    seed_big(&world);
    let old = seed(&world, &mp, "shop");
    let before = snapshot(&world);

    let mut cmd = world.mplink_for(&mp);
    cmd.args(["refresh", "shop"]);
    let out = with_file_size_limit(&cmd, 4).output().unwrap();
    assert_exit(&out, 7);
    assert_explained(&out, &["issued but not saved", "mplink import"]);
    // The old refresh token was spent: the printed pair is the only one.
    assert!(!mp.refresh_token_is_live(&old.refresh_token));
    let rescued: Value = serde_json::from_str(&stdout(&out)).expect("JSON on stdout");
    assert_eq!(rescued["name"], "shop");
    assert!(mp.refresh_token_is_live(rescued["refresh_token"].as_str().unwrap()));
    assert!(mp.access_token_is_live(rescued["access_token"].as_str().unwrap()));
    assert_eq!(snapshot(&world), before, "nothing half-written");

    let mut cmd = world.mplink();
    cmd.arg("import");
    assert_exit(&run_with_stdin(cmd, &stdout(&out)), 0);
    let out = world
        .mplink_for(&mp)
        .args(["refresh", "shop"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

/// Damaged contents a file can be found with.
fn damage(valid: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("not JSON", b"{not json".to_vec()),
        ("empty", Vec::new()),
        ("cut in half", valid[..valid.len() / 2].to_vec()),
        ("NUL bytes", vec![0; 64]),
        ("null", b"null".to_vec()),
        (
            "wrong shape",
            br#"{"version":1,"links":{},"secrets":[]}"#.to_vec(),
        ),
    ]
}

/// Runs `args` with `stdin`, for the damaged-file tests.
fn run(world: &World, mp: &FakeMp, args: &[&str], stdin: &str) -> Output {
    let mut cmd = world.mplink_for(mp);
    cmd.args(args);
    run_with_stdin(cmd, stdin)
}

/// Each command, run against a damaged `file`, must exit 7 (or `0` for a
/// command that only warns) naming the file, and leave every file as it
/// was.
fn check_damaged(file: &str, commands: &[(&[&str], i32)]) {
    let mp = fake();
    let world = World::new();
    let pair = seed(&world, &mp, "shop");
    let path = world.file(file);
    let valid = fs::read(&path).unwrap();
    let import = token_json(&mp.grant(false));
    for (what, bytes) in damage(&valid) {
        fs::write(&path, &bytes).unwrap();
        let before = snapshot(&world);
        for (args, exit) in commands {
            let stdin = if args[0] == "import" { &import } else { "" };
            let out = run(&world, &mp, args, stdin);
            let label = format!("{file} {what}, mplink {}", args.join(" "));
            assert_eq!(code(&out), *exit, "{label}:\n{}", stderr(&out));
            let named = format!("{} is damaged", path.display());
            if *exit == 0 {
                assert!(stderr(&out).contains("warning: "), "{label}");
                assert!(stderr(&out).contains(&named), "{label}");
            } else {
                assert_explained(&out, &[&named]);
                assert!(
                    stderr(&out).contains("mv "),
                    "{label}: says how to start afresh"
                );
            }
            assert_eq!(snapshot(&world), before, "{label}: files changed");
            assert_no_secret(
                &out,
                &[pair.access_token.clone(), pair.refresh_token.clone()],
            );
        }
    }
    assert!(
        !world.browser_opened(),
        "authorize stopped before the browser"
    );
    assert!(mp.token_requests().is_empty());
}

#[test]
fn a_damaged_index_is_named_and_left_untouched() {
    check_damaged(
        "links.json",
        &[
            (&["show"], 7),
            (&["show", "shop"], 7),
            (&["token"], 7),
            (&["token", "shop"], 7),
            (&["refresh", "shop"], 7),
            (&["logout", "shop"], 7),
            (&["import"], 7),
            (&["authorize", "--timeout", "5s"], 7),
        ],
    );
}

#[test]
fn damaged_credentials_are_named_and_left_untouched() {
    check_damaged(
        "credentials.json",
        &[
            // Without --reveal, `show` shows the rest and warns.
            (&["show", "shop"], 0),
            (&["show", "shop", "--reveal"], 7),
            (&["show", "--reveal", "--json"], 7),
            (&["token"], 7),
            (&["refresh", "shop"], 7),
            (&["logout", "shop"], 7),
            (&["import"], 7),
            (&["authorize", "--timeout", "5s"], 7),
        ],
    );
}

/// Starts `mplink import --name shop` with `pair` on stdin.
fn start_import(world: &World, pair: &TokenPair) -> std::process::Child {
    use std::io::Write;
    let mut child = world
        .mplink()
        .args(["import", "--name", "shop"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(token_json(pair).as_bytes()).unwrap();
    child
}

fn parse(path: &Path, round: usize) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap())
        .unwrap_or_else(|err| panic!("round {round}: {path:?} is not JSON: {err}"))
}

/// What a run of [`kill_imports`] did.
struct Kills {
    /// Every access token an import was given.
    written: Vec<String>,
    killed: usize,
    /// Kills after which a temporary file was left.
    mid_save: usize,
}

/// Imports a new pair for "shop" `rounds` times, killing each import after
/// a delay spread over how long one takes, and checks the files after each
/// kill: both parse, "other" is intact, and "shop" has a token that was
/// written (old or new).
fn kill_imports(world: &World, mp: &FakeMp, other: &TokenPair, rounds: usize) -> Kills {
    let first = mp.grant(false);
    let started = Instant::now();
    assert_exit(&finish(start_import(world, &first)), 0);
    let span = started.elapsed().mul_f64(1.3);

    let mut written = vec![first.access_token];
    let (mut killed, mut mid_save) = (0, 0);
    for round in 0..rounds {
        // Tokens of varied length, so a file cut short cannot parse.
        let mut pair = mp.grant(false);
        pair.access_token.push_str(&"z".repeat(round * 53 % 700));
        written.push(pair.access_token.clone());
        let mut child = start_import(world, &pair);
        std::thread::sleep(span.mul_f64(round as f64 / rounds as f64));
        let _ = child.kill();
        killed += usize::from(!child.wait().unwrap().success());
        mid_save += usize::from(!leftovers(world).is_empty());

        let index = parse(&world.file("links.json"), round);
        let credentials = parse(&world.file("credentials.json"), round);
        let mut names: Vec<&str> = index["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|link| link["name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["other", "shop"], "round {round}");
        let access = |name: &str| -> String {
            let tokens = credentials["secrets"][name].as_str().unwrap();
            let tokens: Value = serde_json::from_str(tokens).unwrap();
            tokens["access_token"].as_str().unwrap().to_string()
        };
        assert_eq!(access("other"), other.access_token, "round {round}");
        assert!(
            written.contains(&access("shop")),
            "round {round}: shop's token is not one that was written"
        );
    }
    eprintln!("{rounds} imports over {span:?}: {killed} killed, {mid_save} mid-save");
    Kills {
        written,
        killed,
        mid_save,
    }
}

fn leftovers(world: &World) -> Vec<PathBuf> {
    snapshot(world)
        .into_keys()
        .filter(|path| path.extension() == Some(OsStr::new("tmp")))
        .collect()
}

#[test]
fn a_process_killed_while_saving_leaves_the_old_or_the_new_file() {
    let mp = fake();
    let world = World::new();
    let other = seed(&world, &mp, "other");
    let kills = kill_imports(&world, &mp, &other, 80);
    assert!(
        kills.killed > 80 / 4,
        "too few imports were killed to say much"
    );

    // Temporary files of killed saves may stay behind; they must be as
    // private as the files they were to replace.
    for path in snapshot(&world).keys() {
        let mode = fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{path:?} is readable by others");
    }
    eprintln!("{} temporary files left behind", leftovers(&world).len());
}

#[test]
fn no_copy_of_a_token_outlives_logout() {
    // A save killed between writing its temporary file and renaming it
    // leaves `.credentials.json.PID.tmp`, a full copy of the tokens that no
    // later save or logout removes.
    let mp = fake();
    let world = World::new();
    let other = seed(&world, &mp, "other");
    let mut written = vec![other.access_token.clone()];
    let mut mid_save = 0;
    for _ in 0..5 {
        let kills = kill_imports(&world, &mp, &other, 40);
        written.extend(kills.written);
        mid_save += kills.mid_save;
        if mid_save > 0 {
            break;
        }
    }
    assert!(mid_save > 0, "no kill landed mid-save");
    // A save that completes afterwards is the chance to clean up.
    assert_exit(&finish(start_import(&world, &mp.grant(false))), 0);

    let out = world.mplink().args(["logout", "--all"]).output().unwrap();
    assert_exit(&out, 0);
    for (path, bytes) in snapshot(&world) {
        let text = String::from_utf8_lossy(&bytes);
        for token in &written {
            assert!(
                !text.contains(token.as_str()),
                "{path:?} still holds a token after logout --all"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Replies that are almost right

/// A refresh of a freshly seeded link, answered by the 200 that `body`
/// makes (given the fake, to mint real tokens).
fn refresh_answered_with(body: impl FnOnce(&FakeMp) -> Value) -> (Output, World, FakeMp) {
    let mp = fake();
    let world = World::new();
    seed(&world, &mp, "shop");
    mp.push_fault(Fault::Status {
        status: 200,
        content_type: "application/json",
        body: body(&mp).to_string(),
    });
    let out = world
        .mplink_for(&mp)
        .args(["refresh", "shop"])
        .output()
        .unwrap();
    (out, world, mp)
}

#[test]
fn an_empty_access_token_is_not_a_token() {
    let (out, world, mp) = refresh_answered_with(|_| {
        json!({
            "access_token": "",
            "refresh_token": "TG-0123456789abcdef-246813579",
            "expires_in": 15_552_000,
        })
    });
    assert_exit(&out, 6);
    assert_explained(&out, &["access_token"]);
    let token = world.mplink().args(["token", "shop"]).output().unwrap();
    assert_exit(&token, 0);
    assert!(
        mp.access_token_is_live(stdout(&token).trim()),
        "the old link stays"
    );
}

#[test]
fn an_oddly_typed_optional_field_does_not_lose_the_new_tokens() {
    // Mercado Pago has spent the old refresh token by the time it answers:
    // if mplink drops the new pair over a field it does not need, the link
    // is dead. MERCADOPAGO.md: every field but access_token is optional.
    let mut fresh = None;
    let (out, world, mp) = refresh_answered_with(|mp| {
        let pair = mp.grant(false);
        let body = json!({
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": 15_552_000,
            "user_id": pair.user_id.to_string(),
            "live_mode": "true",
        });
        fresh = Some(pair);
        body
    });
    let fresh = fresh.unwrap();
    assert!(mp.access_token_is_live(&fresh.access_token));
    let kept = world.stored_secrets().contains(&fresh.access_token)
        || stdout(&out).contains(&fresh.access_token);
    assert!(
        kept,
        "the new pair was neither stored nor printed; exit {}:\n{}",
        code(&out),
        stderr(&out)
    );
}

#[test]
fn control_characters_in_a_token_reply_never_reach_the_terminal() {
    let mp = fake();
    let pair = mp.grant(false);
    mp.push_fault(Fault::Status {
        status: 200,
        content_type: "application/json",
        body: json!({
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "expires_in": 15_552_000,
            "user_id": pair.user_id,
            "live_mode": true,
            "scope": "offline_access\u{1b}[2J read write",
            "public_key": "APP_USR-\u{1b}]0;pwned\u{7}\u{202e}",
        })
        .to_string(),
    });
    let world = World::new();
    let (out, _) = world.authorize(&mp, &[]);
    assert_exit(&out, 0);
    let shown = world
        .mplink()
        .args(["show", &pair.user_id.to_string()])
        .output()
        .unwrap();
    assert_exit(&shown, 0);
    for text in [stdout(&out), stderr(&out), stdout(&shown), stderr(&shown)] {
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "raw control characters from Mercado Pago's reply:\n{text:?}"
        );
    }
}
