//! A link's everyday life: `show`, `token`, `logout`, `import`, and the
//! credentials a CI pipeline brings in its environment.

mod common;

use std::fs;

use common::*;
use serde_json::{Value, json};

#[test]
fn token_prints_the_access_token_alone() {
    let mp = fake();
    let world = World::new();
    let (access, _) = import_link(&world, &mp, "shop", false, 15_552_000);
    let out = world.mplink().args(["token", "shop"]).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("{access}\n"));
    assert_eq!(stderr(&out), "", "nothing else when all is well");

    // The only link needs no name; a user id works as a name.
    let out = world.mplink().arg("token").output().unwrap();
    assert_eq!(stdout(&out), format!("{access}\n"));
    let out = world
        .mplink()
        .args(["token", &mp.seller_id().to_string()])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), format!("{access}\n"));
}

#[test]
fn several_links_need_a_name_and_unknown_names_are_exit_8() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "alpha", false, 15_552_000);
    import_link(&world, &mp, "beta", true, 15_552_000);

    let out = world.mplink().arg("token").output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("alpha, beta"), "{}", stderr(&out));

    let out = world
        .mplink()
        .arg("token")
        .env("MPLINK_LINK", "beta")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("TEST-"));

    let out = world.mplink().args(["token", "gamma"]).output().unwrap();
    assert_exit(&out, 8);
    assert!(stderr(&out).contains("'gamma'") && stderr(&out).contains("alpha, beta"));
}

#[test]
fn an_expired_token_is_exit_1_with_the_date_and_a_remedy() {
    let mp = fake();
    let world = World::new();
    let pair = mp.grant(false);
    let reply = json!({
        "name": "old", "user_id": pair.user_id, "live_mode": true,
        "access_token": pair.access_token, "refresh_token": pair.refresh_token,
        "expires_at": "2020-01-02T03:04:05Z",
    });
    let mut cmd = world.mplink();
    cmd.arg("import");
    assert_exit(&run_with_stdin(cmd, &reply.to_string()), 0);

    let out = world.mplink().args(["token", "old"]).output().unwrap();
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("expired on 2020-01-02"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("mplink refresh old"));
    assert_eq!(stdout(&out), "");
}

#[test]
fn show_lists_links_as_an_aligned_table_with_masked_tokens() {
    let mp = fake();
    let world = World::new();
    let (access, refresh) = import_link(&world, &mp, "shop", false, 15_552_000);
    import_link(&world, &mp, "sandbox-longer-name", true, 20 * 86_400);

    let out = world.mplink().arg("show").output().unwrap();
    assert_exit(&out, 0);
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("NAME"));
    let column = |line: &str, word: &str| line.find(word).unwrap();
    assert_eq!(
        column(lines[0], "SELLER"),
        column(lines[2], &mp.seller_id().to_string())
    );
    assert!(
        lines[1].contains("test") && lines[1].contains("(soon)"),
        "{table}"
    );
    assert!(
        lines[2].contains("production") && lines[2].contains("in 180 days"),
        "{table}"
    );
    assert!(
        stderr(&out).contains("warning:"),
        "expiring within 30 days is said"
    );
    assert!(!table.contains('\x1b'), "no colour into a pipe");

    let out = world.mplink().args(["show", "shop"]).output().unwrap();
    let detail = stdout(&out);
    assert!(detail.contains("APP_USR-…"), "masked: {detail}");
    assert_no_secret(&out, &[access.clone(), refresh.clone()]);

    let out = world
        .mplink()
        .args(["show", "shop", "--reveal"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains(&access) && stdout(&out).contains(&refresh));
}

#[test]
fn show_json_carries_expiry_and_only_reveals_when_asked() {
    let mp = fake();
    let world = World::new();
    let (access, _) = import_link(&world, &mp, "shop", false, 10 * 86_400);

    let out = world.mplink().args(["show", "--json"]).output().unwrap();
    let all: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let one = &all[0];
    assert_eq!(one["name"], "shop");
    assert_eq!(one["expires_in_days"], 9);
    assert_eq!(one["source"], "store");
    assert!(one.get("access_token").is_none());

    let out = world
        .mplink()
        .args(["show", "shop", "--json", "--reveal"])
        .output()
        .unwrap();
    let one: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(one["access_token"], access.as_str());

    // --check: due within 30 days by default, not within 5.
    let out = world.mplink().args(["show", "--check"]).output().unwrap();
    assert_exit(&out, 1);
    let out = world
        .mplink()
        .args(["show", "--check", "--within", "5d"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
}

#[test]
fn logout_forgets_the_link_and_says_access_is_not_revoked() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "shop", false, 15_552_000);
    import_link(&world, &mp, "other", false, 15_552_000);

    let out = world.mplink().args(["logout", "shop"]).output().unwrap();
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("not revoked"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Mercado Pago account"));
    let out = world.mplink().args(["token", "shop"]).output().unwrap();
    assert_exit(&out, 8);
    let creds = fs::read_to_string(world.file("credentials.json")).unwrap();
    assert!(!creds.contains("\"shop\""));

    let out = world.mplink().args(["logout", "--all"]).output().unwrap();
    assert_exit(&out, 0);
    let out = world.mplink().args(["show", "--json"]).output().unwrap();
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn a_listed_link_without_tokens_is_exit_8_naming_it() {
    let mp = fake();
    let world = World::new();
    import_link(&world, &mp, "shop", false, 15_552_000);
    fs::write(
        world.file("credentials.json"),
        "{\"version\":1,\"secrets\":{}}",
    )
    .unwrap();
    let out = world.mplink().args(["token", "shop"]).output().unwrap();
    assert_exit(&out, 8);
    assert!(stderr(&out).contains("'shop'") && stderr(&out).contains("missing"));
}

#[test]
fn an_access_token_from_the_environment_needs_no_store() {
    let world = World::new();
    let token = "APP_USR-4815162342108-120318-0123456789abcdef-246813579";
    // A config dir that cannot exist: the environment token must not need it.
    let out = world
        .mplink()
        .env("MPLINK_CONFIG_DIR", "/proc/mplink-nowhere")
        .env("MPLINK_STORE", "keychain")
        .env("MPLINK_ACCESS_TOKEN", token)
        .arg("token")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), format!("{token}\n"));

    let out = world
        .mplink()
        .env("MPLINK_ACCESS_TOKEN", token)
        .arg("show")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let table = stdout(&out);
    assert!(
        table.contains("environment") && table.contains("246813579"),
        "{table}"
    );
    assert!(!table.contains(token), "masked in show");
}

#[test]
fn a_stored_link_named_explicitly_wins_over_the_environment() {
    let mp = fake();
    let world = World::new();
    let (stored, _) = import_link(&world, &mp, "shop", false, 15_552_000);
    let env_token = "APP_USR-1-120318-ffff-2";
    let token = |args: &[&str], link_var: Option<&str>| {
        let mut cmd = world.mplink();
        cmd.env("MPLINK_ACCESS_TOKEN", env_token)
            .arg("token")
            .args(args);
        if let Some(link) = link_var {
            cmd.env("MPLINK_LINK", link);
        }
        stdout(&cmd.output().unwrap()).trim().to_string()
    };
    assert_eq!(token(&[], None), env_token, "unnamed: the environment's");
    assert_eq!(token(&["shop"], None), stored, "named: the stored one");
    assert_eq!(token(&[], Some("shop")), stored, "MPLINK_LINK names it too");
}

#[test]
fn import_accepts_mplinks_own_reveal_json() {
    let mp = fake();
    let world = World::new();
    let (access, _) = import_link(&world, &mp, "shop", false, 15_552_000);
    let out = world
        .mplink()
        .args(["show", "shop", "--json", "--reveal"])
        .output()
        .unwrap();

    let elsewhere = World::new();
    let mut cmd = elsewhere.mplink();
    cmd.arg("import");
    let out = run_with_stdin(cmd, &stdout(&out));
    assert_exit(&out, 0);
    let out = elsewhere.mplink().args(["token", "shop"]).output().unwrap();
    assert_eq!(stdout(&out).trim(), access);

    let mut cmd = elsewhere.mplink();
    cmd.arg("import");
    let out = run_with_stdin(cmd, "{\"user_id\": 5}");
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("access_token"));
}

#[test]
fn an_authorized_link_is_shown_and_its_token_works() {
    let mp = fake();
    let world = World::new();
    let (out, _) = world.authorize(&mp, &["--name", "main"]);
    assert_exit(&out, 0);
    let out = world.mplink().args(["token", "main"]).output().unwrap();
    let token = stdout(&out).trim().to_string();
    assert!(mp.access_token_is_live(&token));
    let out = world.mplink().args(["show", "main"]).output().unwrap();
    let detail = stdout(&out);
    assert!(detail.contains("production") && detail.contains(&mp.app().client_id));
    assert_no_secret(&out, &[token]);
}

#[test]
fn an_absurd_lifetime_is_stored_without_overflowing() {
    let world = World::new();
    let reply = json!({
        "access_token": "APP_USR-1-2-3-4", "user_id": 4,
        "expires_in": u64::MAX,
    });
    let mut cmd = world.mplink();
    cmd.arg("import");
    assert_exit(&run_with_stdin(cmd, &reply.to_string()), 0);
    let out = world
        .mplink()
        .args(["show", "4", "--json"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["expires_at"], "9999-12-31T23:59:59Z");
}

#[test]
fn the_file_store_makes_its_directory_private() {
    use std::os::unix::fs::PermissionsExt;
    let mp = fake();
    let world = World::new();
    fs::create_dir_all(&world.config).unwrap();
    fs::set_permissions(&world.config, fs::Permissions::from_mode(0o755)).unwrap();
    import_link(&world, &mp, "shop", false, 86_400);
    let mode = fs::metadata(&world.config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
