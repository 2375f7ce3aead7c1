//! `mplink authorize` end to end: the real binary, a real loopback listener
//! and HTTP client, the fake Mercado Pago, and a seller played over HTTP.

mod common;

use std::fs;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::fake_mp::{Consent, FakeApp, FakeMp, Fault};
use common::*;
use serde_json::Value;

#[test]
fn production_link_lands_in_the_store_and_the_browser_sees_the_outcome() {
    let mp = fake();
    let world = World::new();
    let (out, visit) = world.authorize(&mp, &[]);
    assert_exit(&out, 0);

    let seller = mp.seller_id().to_string();
    let line = stdout(&out);
    assert_eq!(line.lines().count(), 1, "one line on stdout: {line}");
    assert!(
        line.contains(&seller) && line.contains("production"),
        "{line}"
    );
    assert!(
        line.contains(&format!("'{seller}'")),
        "named after the seller: {line}"
    );

    // The browser was moved off the address with the code in it.
    assert_eq!(visit.status, 200);
    assert!(visit.url.ends_with("/mplink/done"), "{}", visit.url);
    assert!(visit.redirect.as_deref().unwrap().contains("code="));
    assert!(visit.body.contains(&seller) && visit.body.contains("production"));
    assert!(visit.body.contains("close this tab"));

    let index = world.index();
    let link = &index["links"][0];
    assert_eq!(link["name"], seller.as_str());
    assert_eq!(link["live_mode"], true);
    assert_eq!(link["test_token"], false);
    assert_eq!(link["client_id"], mp.app().client_id.as_str());

    let stored = world.stored_secrets();
    assert_eq!(stored.len(), 2, "access and refresh token");
    assert!(stored[0].starts_with("APP_USR-"));
    assert!(mp.access_token_is_live(&stored[0]));
    let mut secrets = flow_secrets(&mp);
    secrets.extend(stored);
    assert_no_secret(&out, &secrets);
}

#[test]
fn the_token_request_follows_the_documented_contract() {
    let mp = fake();
    let world = World::new();
    let (out, _) = world.authorize(&mp, &[]);
    assert_exit(&out, 0);

    let query = &mp.authorization_requests()[0];
    for part in [
        "response_type=code",
        "platform_id=mp",
        "code_challenge_method=S256",
    ] {
        assert!(query.contains(part), "{query}");
    }
    let requests = mp.token_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.query, "", "nothing in the query string");
    assert!(
        request
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(request.accept.as_deref(), Some("application/json"));
    let body = request.json.as_ref().unwrap();
    assert_eq!(
        keys(body),
        [
            "client_id",
            "client_secret",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ]
    );
    assert_eq!(body["redirect_uri"], mp.app().redirect_uris[0].as_str());
}

#[test]
fn test_credentials_get_their_own_link_and_json_has_no_token() {
    let mp = fake();
    let world = World::new();
    let (out, visit) = world.authorize(&mp, &["--test-token", "--json"]);
    assert_exit(&out, 0);

    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let expected_name = format!("{}-test", mp.seller_id());
    assert_eq!(json["name"], expected_name.as_str());
    assert_eq!(json["user_id"], mp.seller_id());
    assert_eq!(json["live_mode"], false);
    assert_eq!(json["test_token"], true);
    assert_eq!(json["store"], "file");
    assert!(json["scope"].as_str().unwrap().contains("offline_access"));
    assert!(json["public_key"].as_str().unwrap().starts_with("TEST-"));
    let expires = json["expires_at"].as_str().unwrap();
    assert!(
        expires.ends_with('Z') && expires.len() == 20,
        "RFC 3339: {expires}"
    );
    let keys = keys(&json);
    for key in [
        "name",
        "user_id",
        "live_mode",
        "test_token",
        "scope",
        "public_key",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(
        keys.iter()
            .all(|k| !k.contains("token") || *k == "test_token"),
        "{keys:?}"
    );
    assert_eq!(
        mp.token_requests()[0].json.as_ref().unwrap()["test_token"],
        "true"
    );
    assert!(visit.body.contains("test credentials"));
    assert!(world.stored_secrets()[0].starts_with("TEST-"));
}

#[test]
fn a_forged_state_is_refused_and_the_real_redirect_still_works() {
    let mp = fake();
    let world = World::new();
    let mut child = world.start_authorize(&mp, &[]);
    let url = world.browser_url(&mut child);
    let redirect = seller::redirect_target(&url);
    let (base, _) = redirect.split_once('?').unwrap();

    let (status, body) = seller::get(&format!("{base}?code=TG-forged&state=forged"));
    assert_eq!(status, 400);
    assert!(body.contains("does not belong"), "{body}");
    let (status, _) = seller::get(&format!("{base}?code=TG-forged"));
    assert_eq!(status, 400, "no state at all");
    let (status, _) = seller::get(&url.replace("/authorization", "/nowhere"));
    assert_eq!(status, 404);

    let (status, body) = seller::get(&redirect);
    assert_eq!(status, 200, "{body}");
    let out = finish(child);
    assert_exit(&out, 0);
    assert_eq!(
        mp.token_requests().len(),
        1,
        "only the real code was exchanged"
    );
    assert_no_secret(&out, &["TG-forged".to_string()]);
}

#[test]
fn the_seller_refusing_ends_with_exit_3_and_nothing_stored() {
    let mp = fake();
    mp.set_consent(Consent::Refuse);
    let world = World::new();
    let (out, visit) = world.authorize(&mp, &[]);
    assert_exit(&out, 3);
    assert!(stderr(&out).contains("access_denied"), "{}", stderr(&out));
    assert!(visit.body.contains("not granted"));
    assert!(mp.token_requests().is_empty());
    assert!(!world.file("links.json").exists());
    assert!(world.stored_secrets().is_empty());
}

#[test]
fn a_used_code_is_invalid_grant_exit_5() {
    // Without PKCE the test can spend the code itself before mplink does.
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let mut app = FakeApp::new(&redirect);
    app.pkce = false;
    let mp = FakeMp::start(app);
    let world = World::new();
    let mut child = world.start_authorize(&mp, &["--no-pkce"]);
    let url = world.browser_url(&mut child);
    let redirect = seller::redirect_target(&url);
    let code = url::Url::parse(&redirect)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    spend(&mp, &code);

    let (_, body) = seller::get(&redirect);
    let out = finish(child);
    assert_exit(&out, 5);
    let err = stderr(&out);
    assert!(err.contains("invalid_grant"), "{err}");
    assert!(
        err.contains("Error validating grant"),
        "the service's own words: {err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(body.contains("Not linked"), "{body}");
    assert!(!world.file("links.json").exists());
    assert_no_secret(&out, &flow_secrets(&mp));
}

fn spend(mp: &FakeMp, code: &str) {
    let body = serde_json::json!({
        "client_id": mp.app().client_id,
        "client_secret": mp.app().client_secret,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": mp.app().redirect_uris[0],
    });
    let status = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .post(mp.token_url())
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        });
    assert_eq!(status, 200);
}

#[test]
fn a_server_error_is_exit_6_and_the_html_is_not_dumped() {
    let mp = fake();
    mp.push_fault(Fault::Status {
        status: 503,
        content_type: "text/html",
        body: "<html><body>Service Unavailable</body></html>".into(),
    });
    let world = World::new();
    let (out, visit) = world.authorize(&mp, &[]);
    assert_exit(&out, 6);
    assert!(stderr(&out).contains("HTTP 503"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("<html>"));
    assert!(visit.body.contains("Not linked"));
    assert!(!world.file("links.json").exists());
}

#[test]
fn a_wrong_client_secret_is_invalid_client_with_a_hint() {
    let mp = fake();
    let world = World::new();
    let mut cmd = world.mplink_for(&mp);
    cmd.env("MPLINK_CLIENT_SECRET", "not-the-secret-at-all")
        .arg("authorize")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let url = world.browser_url(&mut child);
    seller::visit(&url);
    let out = finish(child);
    assert_exit(&out, 5);
    assert!(stderr(&out).contains("invalid_client"));
    assert!(
        stderr(&out).contains("Client ID"),
        "hint names the usual mix-ups"
    );
    assert_no_secret(&out, &["not-the-secret-at-all".to_string()]);
}

#[test]
fn missing_settings_name_the_flag_and_the_variable() {
    let mp = fake();
    let world = World::new();
    let cases = [
        ("MPLINK_CLIENT_ID", "--client-id"),
        ("MPLINK_REDIRECT_URI", "--redirect-uri"),
        ("MPLINK_CLIENT_SECRET", "MPLINK_CLIENT_SECRET"),
    ];
    for (variable, flag) in cases {
        let out = world
            .mplink_for(&mp)
            .env_remove(variable)
            .arg("authorize")
            .output()
            .unwrap();
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(flag) && err.contains(variable), "{err}");
    }
    let out = world
        .mplink_for(&mp)
        .args(["authorize", "--client-id", "APP_USR-1"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("MPLINK_CLIENT_ID"));
    let out = world
        .mplink_for(&mp)
        .args(["authorize", "--timeout", "soon"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--timeout / MPLINK_TIMEOUT"));
    assert!(!world.browser_opened());
}

#[test]
fn plain_http_to_a_remote_api_is_refused_before_any_network_use() {
    let mp = fake();
    let world = World::new();
    for (flag, value) in [
        ("--api-url", "http://api.mercadopago.com"),
        ("--auth-url", "http://auth.mercadopago.com/authorization"),
    ] {
        let out = world
            .mplink_for(&mp)
            .args(["authorize", flag, value])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(err.contains(flag) && err.contains("loopback"), "{err}");
    }
    assert!(!world.browser_opened());
    assert!(mp.authorization_requests().is_empty());
}

#[test]
fn a_port_in_use_fails_at_once_naming_the_port() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = blocker.local_addr().unwrap().port();
    let mp = FakeMp::start(FakeApp::new(&format!("http://127.0.0.1:{port}/cb")));
    let world = World::new();
    let started = Instant::now();
    let out = world.mplink_for(&mp).arg("authorize").output().unwrap();
    assert_exit(&out, 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stderr(&out).contains(&format!("port {port} is already in use")),
        "{}",
        stderr(&out)
    );
    assert!(!world.browser_opened());
}

#[test]
fn nobody_showing_up_is_exit_4() {
    let mp = fake();
    let world = World::new();
    let out = world
        .mplink_for(&mp)
        .args(["authorize", "--timeout", "1s", "--no-browser"])
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let err = stderr(&out);
    assert!(
        err.contains("Open this URL"),
        "--no-browser prints the URL: {err}"
    );
    assert!(err.contains("within 1s"), "{err}");
    assert!(!world.browser_opened(), "--no-browser opens nothing");
}

#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mp = fake();
    let world = World::new();
    let (out, _) = world.authorize(&mp, &[]);
    assert_exit(&out, 0);
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&world.config), 0o700);
    assert_eq!(mode(&world.file("credentials.json")), 0o600);
    assert_eq!(mode(&world.file("links.json")), 0o600);
    let index = fs::read_to_string(world.file("links.json")).unwrap();
    for secret in world.stored_secrets() {
        assert!(!index.contains(&secret), "the index holds no token");
    }
}

#[test]
fn a_second_redirect_for_the_same_attempt_is_not_exchanged_twice() {
    let mp = fake();
    let world = World::new();
    let mut child = world.start_authorize(&mp, &[]);
    let url = world.browser_url(&mut child);
    let redirect = seller::redirect_target(&url);
    let first = std::thread::spawn({
        let redirect = redirect.clone();
        move || seller::get(&redirect)
    });
    let (status, _) = seller::get(&redirect);
    let (first_status, _) = first.join().unwrap();
    let mut statuses = [status, first_status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one exchange, one 'already handled'");
    let out = finish(child);
    assert_exit(&out, 0);
    assert_eq!(mp.token_requests().len(), 1);
}

#[test]
fn ctrl_c_while_waiting_ends_cleanly_with_exit_130() {
    let mp = fake();
    let world = World::new();
    let mut child = world.start_authorize(&mp, &[]);
    world.browser_url(&mut child);
    // The signal handler is set up as the wait begins, just after the browser.
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = finish(child);
    assert_exit(&out, 130);
    assert!(
        stderr(&out).contains("error: interrupted"),
        "{}",
        stderr(&out)
    );
    assert!(!world.file("links.json").exists());
}

#[test]
fn verbose_explains_the_steps_but_never_shows_a_secret() {
    let mp = fake();
    let world = World::new();
    let (out, _) = world.authorize(&mp, &["--verbose"]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("debug: listener: GET \"/callback\""), "{err}");
    assert!(
        err.contains("debug: tokens will be saved to the credentials file"),
        "{err}"
    );
    let mut secrets = flow_secrets(&mp);
    secrets.extend(world.stored_secrets());
    assert_no_secret(&out, &secrets);
}

#[test]
fn quiet_leaves_only_the_result() {
    let mp = fake();
    let world = World::new();
    let (out, _) = world.authorize(&mp, &["--quiet"]);
    assert_exit(&out, 0);
    assert_eq!(stderr(&out), "");
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn a_browser_command_that_never_returns_does_not_hold_mplink() {
    let mp = fake();
    let world = World::new();
    let browser = world.home.path().join("slow-browser.sh");
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\nexec sleep 60\n",
        world.url_file.display()
    );
    fs::write(&browser, script).unwrap();
    make_executable(&browser);
    let started = Instant::now();
    let mut child = world
        .mplink_for(&mp)
        .env("BROWSER", &browser)
        .arg("authorize")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = world.browser_url(&mut child);
    seller::visit(&url);
    let out = finish(child);
    assert_exit(&out, 0);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "mplink waited for the browser"
    );
}
