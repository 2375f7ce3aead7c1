//! The terminal side: help text, completion scripts, colour and spinners.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use common::*;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "mplink.bash"),
    ("zsh", "_mplink"),
    ("fish", "mplink.fish"),
    ("powershell", "_mplink.ps1"),
    ("elvish", "mplink.elv"),
];

const COMMANDS: [&str; 11] = [
    "",
    "authorize",
    "show",
    "token",
    "refresh",
    "logout",
    "import",
    "app",
    "app set",
    "relay-page",
    "completions",
];

fn root(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn updating() -> bool {
    std::env::var_os("MPLINK_UPDATE_SNAPSHOTS").is_some()
}

#[test]
fn committed_completions_match_the_cli() {
    let world = World::new();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = world
            .mplink()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let path = root("completions").join(file);
        if updating() {
            fs::write(&path, &out.stdout).unwrap();
        } else if fs::read(&path).ok().as_deref() != Some(&out.stdout[..]) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are out of date; regenerate them with:\n  \
         MPLINK_UPDATE_SNAPSHOTS=1 cargo test --test cli"
    );
}

#[test]
fn help_matches_its_snapshot() {
    let world = World::new();
    let mut text = String::new();
    for command in COMMANDS {
        // clap shows variables' values in help: keep the world's out of it.
        let out = world
            .mplink()
            .env_remove("MPLINK_CONFIG_DIR")
            .env_remove("MPLINK_STORE")
            .args(command.split_whitespace())
            .arg("--help")
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let shown = format!("mplink {command}");
        text.push_str(&format!(
            "$ {} --help\n{}\n",
            shown.trim_end(),
            stdout(&out)
        ));
    }
    let path = root("tests/snapshots/help.txt");
    if updating() {
        fs::write(&path, &text).unwrap();
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == text,
        "--help changed; if that is intended, review the diff and run:\n  \
         MPLINK_UPDATE_SNAPSHOTS=1 cargo test --test cli\n\nnew text:\n{text}"
    );
}

#[test]
fn help_ends_with_exit_codes_and_variables() {
    let out = World::new().mplink().arg("--help").output().unwrap();
    let help = stdout(&out);
    let codes = help.find("Exit codes:").unwrap();
    let vars = help.find("Environment variables:").unwrap();
    assert!(codes < vars);
    for needle in [
        "130",
        "MPLINK_CLIENT_SECRET",
        "MPLINK_REFRESH_TOKEN",
        "NO_COLOR",
    ] {
        assert!(help[codes..].contains(needle), "{needle}");
    }
}

/// Runs `command` with a pseudo-terminal as stdin, stdout and stderr, via
/// util-linux `script`, so mplink believes a person is watching.
fn on_a_terminal(world: &World, env: &[(&str, &str)], command: &str) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", command, "/dev/null"]);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", world.home.path())
        .env("MPLINK_CONFIG_DIR", &world.config)
        .env("MPLINK_STORE", "file")
        .env("TERM", "xterm");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_spinner(text: &str) -> bool {
    text.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c))
}

#[test]
fn no_escape_codes_or_spinner_frames_reach_a_non_terminal_stderr() {
    let mp = fake();
    let redirect = mp.app().redirect_uris[0].clone();
    let world = World::new();
    let out = world
        .mplink_for(&mp)
        .args(["authorize", "--timeout", "1s", "--no-browser"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert!(err.contains("Waiting for the seller"), "{err}");
    assert!(!err.contains('\x1b') && !has_spinner(&err), "{err:?}");

    // The same run on a terminal does animate, so the check above can fail.
    let bin = env!("CARGO_BIN_EXE_mplink");
    let command = format!("{bin} authorize --timeout 1s --no-browser");
    let vars = [
        ("MPLINK_CLIENT_ID", mp.app().client_id.as_str()),
        ("MPLINK_CLIENT_SECRET", mp.app().client_secret.as_str()),
        ("MPLINK_REDIRECT_URI", redirect.as_str()),
        ("MPLINK_AUTH_URL", &mp.auth_url()),
        ("MPLINK_API_URL", &mp.base_url()),
    ];
    let screen = on_a_terminal(&world, &vars, &command);
    assert!(
        has_spinner(&screen) && screen.contains("left"),
        "{screen:?}"
    );
    assert!(
        screen.contains("\x1b[31merror:"),
        "coloured on a terminal: {screen:?}"
    );

    let mut quiet = vars.to_vec();
    quiet.push(("NO_COLOR", "1"));
    let screen = on_a_terminal(&world, &quiet, &format!("{command} --quiet"));
    assert!(!has_spinner(&screen), "--quiet: no spinner: {screen:?}");
    assert!(!screen.contains('\x1b'), "NO_COLOR: {screen:?}");
    assert!(
        screen.contains("error: the seller did not complete"),
        "{screen:?}"
    );

    let mut ci = vars.to_vec();
    ci.push(("CI", "true"));
    let screen = on_a_terminal(&world, &ci, &command);
    assert!(!has_spinner(&screen), "CI: no spinner: {screen:?}");
}

#[test]
fn color_always_and_never_are_obeyed() {
    let world = World::new();
    let out = world
        .mplink()
        .args(["token", "--color", "always"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("\x1b["), "{:?}", stderr(&out));
    let screen = on_a_terminal(
        &world,
        &[],
        &format!("{} token --color never", env!("CARGO_BIN_EXE_mplink")),
    );
    assert!(
        screen.contains("error:") && !screen.contains('\x1b'),
        "{screen:?}"
    );
}
