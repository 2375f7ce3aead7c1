//! Refreshing links (single-use refresh tokens, concurrency), environment
//! credentials for CI, and remembered application settings.

mod common;

use std::fs;
use std::process::{Command, Stdio};

use common::fake_mp::{FakeApp, FakeMp};
use common::*;
use serde_json::Value;

fn link_json(world: &World, name: &str) -> Value {
    let out = world
        .mplink()
        .args(["show", name, "--json", "--reveal"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn refresh(world: &World, mp: &FakeMp) -> Command {
    let mut cmd = world.mplink_for(mp);
    cmd.arg("refresh");
    cmd
}

#[test]
fn refresh_rotates_the_pair_and_stores_it() {
    let mp = fake();
    let world = World::new();
    let (old_access, old_refresh) = import_link(&world, &mp, "shop", false, 5 * 86_400);

    let out = refresh(&world, &mp).arg("shop").output().unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Refreshed 'shop'"),
        "{}",
        stdout(&out)
    );
    let link = link_json(&world, "shop");
    let (access, refresh_token) = (
        link["access_token"].as_str().unwrap(),
        link["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(access, old_access);
    assert!(mp.refresh_token_is_live(refresh_token));
    assert!(
        !mp.refresh_token_is_live(&old_refresh),
        "the fake killed the old one"
    );
    assert_eq!(link["expires_in_days"], 179);
    assert!(link["refreshed_at"].is_string());

    let body = mp.token_requests()[0].json.clone().unwrap();
    assert_eq!(
        keys(&body),
        ["client_id", "client_secret", "grant_type", "refresh_token"]
    );
    assert_no_secret(
        &out,
        &[old_refresh, refresh_token.to_string(), client_secret(&mp)],
    );
}

#[test]
fn what_a_refresh_reply_leaves_out_is_kept() {
    let mp = fake();
    mp.set_refresh_omits_profile(true);
    let world = World::new();
    import_link(&world, &mp, "sandbox", true, 86_400);
    let before = link_json(&world, "sandbox");
    let out = refresh(&world, &mp)
        .args(["sandbox", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let printed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        printed.get("access_token").is_none(),
        "no token without --reveal"
    );
    let after = link_json(&world, "sandbox");
    for key in [
        "user_id",
        "public_key",
        "live_mode",
        "test_token",
        "client_id",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(after["live_mode"], false);
}

#[test]
fn a_dead_refresh_token_says_to_link_again_and_keeps_the_link() {
    let mp = fake();
    let world = World::new();
    let (_, refresh_token) = import_link(&world, &mp, "shop", false, 86_400);
    // Someone else used it: it is dead now.
    let mut elsewhere = World::new().mplink_for(&mp);
    let spent = elsewhere
        .env("MPLINK_REFRESH_TOKEN", &refresh_token)
        .args(["refresh", "--json", "--reveal"])
        .output()
        .unwrap();
    assert_exit(&spent, 0);
    let before = fs::read(world.file("credentials.json")).unwrap();

    let out = refresh(&world, &mp).arg("shop").output().unwrap();
    assert_exit(&out, 5);
    let err = stderr(&out);
    assert!(err.contains("invalid_grant"), "{err}");
    assert!(err.contains("mplink authorize --name shop"), "{err}");
    assert_eq!(
        fs::read(world.file("credentials.json")).unwrap(),
        before,
        "link untouched"
    );
}

#[test]
fn concurrent_refreshes_of_one_link_never_reuse_a_refresh_token() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "shop", false, 86_400);
    let children: Vec<_> = (0..6)
        .map(|_| {
            refresh(&world, &mp)
                .arg("shop")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        assert_exit(&finish(child), 0);
    }
    let requests = mp.token_requests();
    assert_eq!(requests.len(), 6);
    let mut sent: Vec<String> = requests
        .iter()
        .map(|r| {
            r.json.as_ref().unwrap()["refresh_token"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(requests.iter().all(|r| r.status == 200));
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 6, "each refresh sent a different refresh token");
    let link = link_json(&world, "shop");
    assert!(mp.refresh_token_is_live(link["refresh_token"].as_str().unwrap()));
    assert!(mp.access_token_is_live(link["access_token"].as_str().unwrap()));
}

#[test]
fn refresh_all_only_touches_links_that_are_due() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "due", false, 10 * 86_400);
    import_link(&world, &mp, "fresh", false, 170 * 86_400);
    let out = refresh(&world, &mp)
        .args(["--all", "--if-expiring-within", "30d"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let report = stdout(&out);
    assert!(report.contains("Refreshed 'due'"), "{report}");
    assert!(report.contains("Skipped 'fresh'"), "{report}");
    assert_eq!(mp.token_requests().len(), 1);
    assert_eq!(link_json(&world, "due")["expires_in_days"], 179);
}

#[test]
fn ci_refreshes_the_environments_refresh_token_without_any_store() {
    let mp = fake();
    let world = World::new();
    let pair = mp.grant(false);
    let run = |args: &[&str]| {
        world
            .mplink_for(&mp)
            .env("MPLINK_CONFIG_DIR", "/proc/mplink-nowhere")
            .env("MPLINK_STORE", "keychain")
            .env("CI", "true")
            .env("MPLINK_REFRESH_TOKEN", &pair.refresh_token)
            .arg("refresh")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--json --reveal"), "{}", stderr(&out));
    assert!(
        mp.token_requests().is_empty(),
        "nothing spent before saying so"
    );

    let out = run(&["--json", "--reveal"]);
    assert_exit(&out, 0);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["source"], "environment");
    assert_eq!(json["user_id"], mp.seller_id());
    let new_refresh = json["refresh_token"].as_str().unwrap();
    assert!(mp.refresh_token_is_live(new_refresh));
    assert!(mp.access_token_is_live(json["access_token"].as_str().unwrap()));
    assert!(!mp.refresh_token_is_live(&pair.refresh_token));

    // The printed JSON is what `import` takes.
    let mut cmd = world.mplink();
    cmd.arg("import");
    assert_exit(&run_with_stdin(cmd, &stdout(&out)), 0);
}

#[test]
fn saved_application_settings_are_used_and_flags_still_win() {
    let first = format!("http://127.0.0.1:{}/callback", free_port());
    let second = format!("http://127.0.0.1:{}/other", free_port());
    let mut app = FakeApp::new(&first);
    app.redirect_uris.push(second.clone());
    let mp = FakeMp::start(app);
    let world = World::new();

    let out = world
        .mplink()
        .env("MPLINK_CLIENT_SECRET", client_secret(&mp))
        .args([
            "app",
            "set",
            "--client-id",
            &mp.app().client_id,
            "--redirect-uri",
            &first,
        ])
        .args(["--auth-url", &mp.auth_url(), "--api-url", &mp.base_url()])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_no_secret(&out, &[client_secret(&mp)]);

    let out = world
        .mplink()
        .args(["app", "show", "--json"])
        .output()
        .unwrap();
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["redirect_uri"], first.as_str());
    assert_ne!(shown["client_secret"], "(not saved)");
    assert_no_secret(&out, &[client_secret(&mp)]);

    // No client flag, variable or secret: all from the saved settings.
    let run = |args: &[&str]| {
        let mut child = world
            .mplink()
            .arg("authorize")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let url = world.browser_url(&mut child);
        fs::remove_file(&world.url_file).unwrap();
        seller::visit(&url);
        finish(child)
    };
    assert_exit(&run(&["--name", "a"]), 0);
    assert!(mp.authorization_requests()[0].contains("%2Fcallback"));
    assert_exit(&run(&["--name", "b", "--redirect-uri", &second]), 0);
    assert!(
        mp.authorization_requests()[1].contains("%2Fother"),
        "the flag won"
    );

    let out = world.mplink().args(["app", "clear"]).output().unwrap();
    assert_exit(&out, 0);
    let out = world.mplink().args(["app", "show"]).output().unwrap();
    assert_exit(&out, 1);
}

#[test]
fn a_run_that_would_need_a_prompt_fails_naming_the_variable() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "shop", false, 86_400);
    let out = refresh(&world, &mp)
        .env_remove("MPLINK_CLIENT_SECRET")
        .env("CI", "1")
        .arg("shop")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("MPLINK_CLIENT_SECRET"));
    assert!(mp.token_requests().is_empty());
}
