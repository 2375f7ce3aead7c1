//! Tests of the fake Mercado Pago itself: it must behave as the notes on the
//! real service say, or tests built on it prove nothing.

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use common::fake_mp::{Consent, FakeApp, FakeMp, Fault, pkce_challenge};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use url::Url;

const REDIRECT_URI: &str = "https://127.0.0.1:8765/callback";
// The worked example of RFC 7636, appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// Characters that must survive the round trip through the redirect.
const STATE: &str = "st4te +/?&=%~é";
const NOT_PREPARED: &str = "La aplicación no está preparada para conectarse a Mercado Pago";
const INVALID_GRANT: &str = "Error validating grant. Your authorization code or refresh token \
                             may be expired or it was already used.";

fn start() -> FakeMp {
    FakeMp::start(FakeApp::new(REDIRECT_URI))
}

fn start_without_pkce() -> FakeMp {
    FakeMp::start(FakeApp {
        pkce: false,
        ..FakeApp::new(REDIRECT_URI)
    })
}

fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("build the client")
}

/// The URL a correct client builds, with some parameters replaced
/// (`Some`) or left out (`None`).
fn authorization_url(mp: &FakeMp, changes: &[(&str, Option<&str>)]) -> Url {
    let app = mp.app();
    let mut params = vec![
        ("client_id", app.client_id.as_str()),
        ("response_type", "code"),
        ("platform_id", "mp"),
        ("state", STATE),
        ("redirect_uri", app.redirect_uris[0].as_str()),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in changes {
        params.retain(|(kept, _)| kept != name);
        params.extend(value.map(|value| (*name, value)));
    }
    Url::parse_with_params(&mp.auth_url(), &params).expect("authorization URL")
}

const NO_PKCE: &[(&str, Option<&str>)] =
    &[("code_challenge", None), ("code_challenge_method", None)];

async fn authorize(mp: &FakeMp, changes: &[(&str, Option<&str>)]) -> Response {
    let url = authorization_url(mp, changes);
    client().get(url).send().await.expect("GET /authorization")
}

/// The parameters the redirect hands back, checking it goes to `REDIRECT_URI`.
fn redirect_params(response: &Response) -> HashMap<String, String> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION]
        .to_str()
        .expect("ASCII location");
    let location = Url::parse(location).expect("absolute location");
    let target = &location.as_str()[..location.as_str().find('?').expect("a query")];
    assert_eq!(target, REDIRECT_URI);
    location.query_pairs().into_owned().collect()
}

async fn code(mp: &FakeMp, changes: &[(&str, Option<&str>)]) -> String {
    let response = authorize(mp, changes).await;
    redirect_params(&response)["code"].clone()
}

fn code_request(mp: &FakeMp, code: &str) -> Value {
    json!({
        "client_id": mp.app().client_id,
        "client_secret": mp.app().client_secret,
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    })
}

fn refresh_request(mp: &FakeMp, refresh_token: &str) -> Value {
    json!({
        "client_id": mp.app().client_id,
        "client_secret": mp.app().client_secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    })
}

async fn post_token(mp: &FakeMp, body: &Value) -> (StatusCode, Value) {
    let response = client()
        .post(mp.token_url())
        .header("accept", "application/json")
        .json(body)
        .send()
        .await
        .expect("POST /oauth/token");
    read_json(response).await
}

async fn read_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response.headers()[CONTENT_TYPE].clone();
    assert_eq!(content_type, "application/json");
    (status, response.json().await.expect("a JSON body"))
}

fn assert_api_error((status, body): &(StatusCode, Value), error: &str) {
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["status"], 400);
    assert_eq!(body["cause"], json!([]));
    assert!(body["message"].is_string());
}

fn assert_invalid_grant(reply: &(StatusCode, Value)) {
    assert_eq!(reply.0, StatusCode::BAD_REQUEST);
    let expected =
        json!({"message": INVALID_GRANT, "error": "invalid_grant", "status": 400, "cause": []});
    assert_eq!(reply.1, expected);
}

fn field_names(body: &Value) -> BTreeSet<&str> {
    body.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------
// Authorization page

#[test]
fn pkce_challenge_matches_rfc_7636() {
    assert_eq!(pkce_challenge(VERIFIER), CHALLENGE);
}

#[tokio::test]
async fn valid_authorization_redirects_with_a_code_and_the_same_state() {
    let mp = start();

    let response = authorize(&mp, &[]).await;
    let params = redirect_params(&response);

    assert_eq!(params["state"], STATE);
    let code = &params["code"];
    let parts: Vec<&str> = code.split('-').collect();
    assert_eq!(parts.len(), 3, "{code}");
    assert_eq!(parts[0], "TG");
    assert!(is_hex(parts[1], 24), "{code}");
    assert_eq!(parts[2], mp.seller_id().to_string());

    let url = authorization_url(&mp, &[]);
    assert_eq!(mp.authorization_requests(), [url.query().unwrap()]);
}

#[tokio::test]
async fn problems_show_the_not_prepared_page_and_never_redirect() {
    let mp = start();
    let cases: &[&[(&str, Option<&str>)]] = &[
        &[("redirect_uri", Some("https://127.0.0.1:8765/callback/"))],
        &[("redirect_uri", Some("http://127.0.0.1:8765/callback"))],
        &[("redirect_uri", None)],
        &[("client_id", Some("1234"))],
        &[("client_id", None)],
        &[("response_type", Some("token"))],
        &[("platform_id", None)],
        &[("state", None)],
        &[("state", Some(""))],
        NO_PKCE,
        &[("code_challenge", None)],
        &[("code_challenge_method", Some("plain"))],
        &[("code_challenge", Some("too-short"))],
        &[(
            "code_challenge",
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"),
        )],
    ];

    for changes in cases {
        let response = authorize(&mp, changes).await;
        assert_not_prepared(response, changes).await;
    }
    assert_eq!(mp.authorization_requests().len(), cases.len());
}

async fn assert_not_prepared(response: Response, case: &dyn std::fmt::Debug) {
    assert_eq!(response.status(), StatusCode::OK, "{case:?}");
    assert!(response.headers().get(LOCATION).is_none(), "{case:?}");
    let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{case:?}");
    let page = response.text().await.unwrap();
    assert!(page.contains(NOT_PREPARED), "{case:?}");
}

#[tokio::test]
async fn a_repeated_parameter_is_refused() {
    let mp = start();
    let url = format!("{}&state=other", authorization_url(&mp, &[]));

    let response = client().get(url).send().await.unwrap();

    assert_not_prepared(response, &"repeated state").await;
}

#[tokio::test]
async fn an_app_without_pkce_refuses_a_challenge_and_a_verifier() {
    let mp = start_without_pkce();

    let response = authorize(&mp, &[]).await;
    assert_not_prepared(response, &"challenge sent").await;
    let response = authorize(&mp, &[("code_challenge_method", None)]).await;
    assert_not_prepared(response, &"challenge without method").await;

    let code = code(&mp, NO_PKCE).await;
    let with_verifier = code_request(&mp, &code);
    assert_api_error(&post_token(&mp, &with_verifier).await, "invalid_request");

    let mut without_verifier = with_verifier;
    without_verifier
        .as_object_mut()
        .unwrap()
        .remove("code_verifier");
    let (status, body) = post_token(&mp, &without_verifier).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_redirect_uri_with_a_query_gets_the_code_appended() {
    let registered = "https://127.0.0.1:8765/callback?from=mplink";
    let mp = FakeMp::start(FakeApp::new(registered));

    let response = authorize(&mp, &[]).await;

    let location = response.headers()[LOCATION].to_str().unwrap();
    let rest = location.strip_prefix(registered).expect(location);
    assert!(rest.starts_with("&code=TG-"), "{location}");
}

#[tokio::test]
async fn the_consent_page_posts_a_self_submitting_form_to_decide() {
    let mp = start();
    mp.set_consent(Consent::Page);

    let response = authorize(&mp, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"<form id="consent" method="post" action="/authorization/decide">"#));
    assert!(page.contains("<script>") && page.contains(".submit()"));
    assert!(page.contains("Allow"));
    let ticket = page
        .split(r#"name="ticket" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a ticket field");

    let decided = decide(&mp, &format!("ticket={ticket}")).await;
    let params = redirect_params(&decided);
    assert_eq!(params["state"], STATE);
    let (status, _) = post_token(&mp, &code_request(&mp, &params["code"])).await;
    assert_eq!(status, StatusCode::OK);

    let again = decide(&mp, &format!("ticket={ticket}")).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let unknown = decide(&mp, "ticket=nope").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

async fn decide(mp: &FakeMp, form: &str) -> Response {
    client()
        .post(format!("{}/authorization/decide", mp.base_url()))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refusal_redirects_with_access_denied_and_the_state() {
    let mp = start();
    mp.set_consent(Consent::Refuse);

    let params = redirect_params(&authorize(&mp, &[]).await);

    assert_eq!(params["error"], "access_denied");
    assert!(params.contains_key("error_description"));
    assert_eq!(params["state"], STATE);
    assert!(!params.contains_key("code"));
}

// ---------------------------------------------------------------------------
// Code exchange

#[tokio::test]
async fn a_code_buys_production_credentials() {
    let mp = start();
    let code = code(&mp, &[]).await;

    let (status, body) = post_token(&mp, &code_request(&mp, &code)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let expected_fields = [
        "access_token",
        "expires_in",
        "live_mode",
        "public_key",
        "refresh_token",
        "scope",
        "token_type",
        "user_id",
    ];
    assert_eq!(field_names(&body), BTreeSet::from(expected_fields));
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 15_552_000);
    assert_eq!(body["scope"], "offline_access read write");
    assert_eq!(body["user_id"], mp.seller_id());
    assert_eq!(body["live_mode"], true);
    assert_access_token(&mp, body["access_token"].as_str().unwrap(), "APP_USR");
    assert_refresh_token(&mp, body["refresh_token"].as_str().unwrap());
    assert_public_key(body["public_key"].as_str().unwrap(), "APP_USR-");

    let [seen] = mp.token_requests().try_into().unwrap();
    assert_eq!(seen.status, 200);
    assert_eq!(seen.query, "");
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    assert_eq!(seen.accept.as_deref(), Some("application/json"));
    assert_eq!(seen.json, Some(code_request(&mp, &code)));
}

#[tokio::test]
async fn test_token_buys_sandbox_credentials() {
    let mp = start();

    for flag in [json!("true"), json!(true)] {
        let mut request = code_request(&mp, &code(&mp, &[]).await);
        request["test_token"] = flag;
        let (status, body) = post_token(&mp, &request).await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["live_mode"], false);
        assert_access_token(&mp, body["access_token"].as_str().unwrap(), "TEST");
        assert_public_key(body["public_key"].as_str().unwrap(), "TEST-");
    }

    for flag in [json!("false"), json!(false), json!("TRUE")] {
        let mut request = code_request(&mp, &code(&mp, &[]).await);
        request["test_token"] = flag;
        assert_api_error(&post_token(&mp, &request).await, "invalid_request");
    }
}

fn assert_access_token(mp: &FakeMp, token: &str, prefix: &str) {
    let parts: Vec<&str> = token.split('-').collect();
    assert_eq!(parts.len(), 5, "{token}");
    assert_eq!(parts[0], prefix);
    assert_eq!(parts[1], mp.app().client_id);
    assert!(parts[2].len() == 6 && parts[2].bytes().all(|b| b.is_ascii_digit()));
    assert!(is_hex(parts[3], 32), "{token}");
    assert_eq!(parts[4], mp.seller_id().to_string());
    assert!(mp.access_token_is_live(token));
}

fn assert_refresh_token(mp: &FakeMp, token: &str) {
    let parts: Vec<&str> = token.split('-').collect();
    assert_eq!(parts.len(), 3, "{token}");
    assert_eq!(parts[0], "TG");
    assert!(is_hex(parts[1], 24), "{token}");
    assert_eq!(parts[2], mp.seller_id().to_string());
    assert!(mp.refresh_token_is_live(token));
}

fn assert_public_key(key: &str, prefix: &str) {
    let uuid = key.strip_prefix(prefix).expect(key);
    let lengths: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(lengths, [8, 4, 4, 4, 12], "{key}");
}

#[tokio::test]
async fn a_code_works_once() {
    let mp = start();
    let request = code_request(&mp, &code(&mp, &[]).await);

    let (status, _) = post_token(&mp, &request).await;
    assert_eq!(status, StatusCode::OK);

    assert_invalid_grant(&post_token(&mp, &request).await);
    let statuses: Vec<u16> = mp.token_requests().iter().map(|seen| seen.status).collect();
    assert_eq!(statuses, [200, 400]);
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri_and_verifier() {
    let mp = start();
    let changes: &[(&str, Value)] = &[
        ("redirect_uri", json!("https://127.0.0.1:8765/other")),
        ("code_verifier", json!("a".repeat(43))),
        ("code_verifier", json!(CHALLENGE.replace('-', "+"))),
        ("code_verifier", Value::Null),
    ];

    for (field, value) in changes {
        let code = code(&mp, &[]).await;
        let mut request = code_request(&mp, &code);
        match value {
            Value::Null => drop(request.as_object_mut().unwrap().remove(*field)),
            value => request[*field] = value.clone(),
        }
        assert_invalid_grant(&post_token(&mp, &request).await);

        // A failed, authenticated attempt uses the code up.
        assert_invalid_grant(&post_token(&mp, &code_request(&mp, &code)).await);
    }
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let mp = start();
    let code = code(&mp, &[]).await;

    mp.advance_clock(Duration::from_secs(10 * 60 + 1));

    assert_invalid_grant(&post_token(&mp, &code_request(&mp, &code)).await);
}

#[tokio::test]
async fn wrong_client_credentials_are_invalid_client() {
    let mp = start();
    let code = code(&mp, &[]).await;
    let access_token = mp.grant(false).access_token;

    for (field, value) in [
        ("client_secret", json!("not-the-secret")),
        ("client_secret", json!(access_token)),
        ("client_id", json!("1234567890")),
        ("client_id", json!(1_234_567_890)),
    ] {
        let mut request = code_request(&mp, &code);
        request[field] = value;
        let reply = post_token(&mp, &request).await;
        assert_api_error(&reply, "invalid_client");
        assert_eq!(reply.1["message"], "invalid client_id or client_secret");
    }

    // Unauthenticated attempts leave the code alone; a numeric id is fine.
    let mut request = code_request(&mp, &code);
    request["client_id"] = json!(mp.app().client_id.parse::<u64>().unwrap());
    let (status, body) = post_token(&mp, &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn only_a_json_body_is_accepted() {
    let mp = start();
    let code = code(&mp, &[]).await;
    let json_body = code_request(&mp, &code).to_string();
    let form_body = format!("grant_type=authorization_code&code={code}");

    let attempts = [
        (
            mp.token_url(),
            Some("application/x-www-form-urlencoded"),
            form_body,
        ),
        (mp.token_url(), Some("text/plain"), json_body.clone()),
        (mp.token_url(), None, json_body.clone()),
        (
            format!("{}?grant_type=authorization_code", mp.token_url()),
            Some("application/json"),
            json_body.clone(),
        ),
        (
            mp.token_url(),
            Some("application/json"),
            "{not json".to_owned(),
        ),
        (mp.token_url(), Some("application/json"), "[]".to_owned()),
    ];
    for (url, content_type, body) in attempts {
        let mut request = client().post(url).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let reply = read_json(request.send().await.unwrap()).await;
        assert_api_error(&reply, "invalid_request");
    }

    let seen = mp.token_requests();
    assert_eq!(seen[3].query, "grant_type=authorization_code");
    assert_eq!(seen[2].content_type, None);

    // None of these consumed the code.
    let (status, _) = post_token(&mp, &code_request(&mp, &code)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_charset_parameter_on_the_content_type_is_fine() {
    let mp = start();
    let body = code_request(&mp, &code(&mp, &[]).await).to_string();

    let response = client()
        .post(mp.token_url())
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn fields_the_grant_does_not_use_are_invalid_request() {
    let mp = start();
    let code = code(&mp, &[]).await;
    let pair = mp.grant(false);

    let mut extra = code_request(&mp, &code);
    extra["scope"] = json!("offline_access");
    assert_api_error(&post_token(&mp, &extra).await, "invalid_request");

    let mut null_field = code_request(&mp, &code);
    null_field["test_token"] = Value::Null;
    assert_api_error(&post_token(&mp, &null_field).await, "invalid_request");

    let mut refresh = refresh_request(&mp, &pair.refresh_token);
    refresh["redirect_uri"] = json!(REDIRECT_URI);
    assert_api_error(&post_token(&mp, &refresh).await, "invalid_request");

    let mut missing = code_request(&mp, &code);
    missing.as_object_mut().unwrap().remove("redirect_uri");
    assert_api_error(&post_token(&mp, &missing).await, "invalid_request");

    let repeated = code_request(&mp, &code)
        .to_string()
        .replacen('{', r#"{"code":"TG-x","#, 1);
    let response = client()
        .post(mp.token_url())
        .header(CONTENT_TYPE, "application/json")
        .body(repeated)
        .send()
        .await
        .unwrap();
    assert_api_error(&read_json(response).await, "invalid_request");

    assert!(mp.refresh_token_is_live(&pair.refresh_token));
}

#[tokio::test]
async fn an_unknown_grant_type_is_unsupported() {
    let mp = start();
    let mut request = refresh_request(&mp, "TG-whatever");
    request["grant_type"] = json!("client_credentials");

    assert_api_error(&post_token(&mp, &request).await, "unsupported_grant_type");
}

// ---------------------------------------------------------------------------
// Refresh

#[tokio::test]
async fn a_refresh_rotates_the_pair_and_kills_the_old_refresh_token() {
    let mp = start();
    let old = mp.grant(false);

    let (status, body) = post_token(&mp, &refresh_request(&mp, &old.refresh_token)).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    let access_token = body["access_token"].as_str().unwrap();
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert_ne!(access_token, old.access_token);
    assert_ne!(refresh_token, old.refresh_token);
    assert_access_token(&mp, access_token, "APP_USR");
    assert_refresh_token(&mp, refresh_token);
    assert_eq!(body["user_id"], mp.seller_id());
    assert_eq!(body["live_mode"], true);
    assert!(!mp.refresh_token_is_live(&old.refresh_token));

    assert_invalid_grant(&post_token(&mp, &refresh_request(&mp, &old.refresh_token)).await);
    let (status, _) = post_token(&mp, &refresh_request(&mp, refresh_token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_keeps_sandbox_credentials_in_the_sandbox() {
    let mp = start();
    let old = mp.grant(true);
    assert!(old.access_token.starts_with("TEST-") && !old.live_mode);

    let (_, body) = post_token(&mp, &refresh_request(&mp, &old.refresh_token)).await;

    assert_eq!(body["live_mode"], false);
    assert_access_token(&mp, body["access_token"].as_str().unwrap(), "TEST");
}

#[tokio::test]
async fn refresh_replies_can_omit_the_profile() {
    let mp = start();
    mp.set_refresh_omits_profile(true);

    let (_, refreshed) =
        post_token(&mp, &refresh_request(&mp, &mp.grant(false).refresh_token)).await;
    let (_, exchanged) = post_token(&mp, &code_request(&mp, &code(&mp, &[]).await)).await;

    let names = field_names(&refreshed);
    for omitted in ["user_id", "public_key", "live_mode"] {
        assert!(!names.contains(omitted), "{refreshed}");
        assert!(exchanged.get(omitted).is_some(), "{exchanged}");
    }
    assert!(names.contains("access_token") && names.contains("refresh_token"));
}

#[tokio::test]
async fn an_unknown_or_garbled_refresh_token_is_invalid_grant() {
    let mp = start();

    assert_invalid_grant(&post_token(&mp, &refresh_request(&mp, "TG-0000-1")).await);
}

#[test]
fn tokens_are_unique_and_expire() {
    let mp = start();
    let pairs: Vec<_> = (0..200).map(|_| mp.grant(false)).collect();

    let tokens: HashSet<&str> = pairs
        .iter()
        .flat_map(|pair| [pair.access_token.as_str(), pair.refresh_token.as_str()])
        .collect();
    assert_eq!(tokens.len(), 400);

    mp.advance_clock(Duration::from_secs(15_552_000 + 1));
    assert!(!mp.access_token_is_live(&pairs[0].access_token));
    assert!(mp.refresh_token_is_live(&pairs[0].refresh_token));
}

// ---------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn a_status_fault_replaces_one_answer_and_consumes_nothing() {
    let mp = start();
    let request = code_request(&mp, &code(&mp, &[]).await);
    mp.push_fault(Fault::rate_limited());
    mp.push_fault(Fault::Status {
        status: 502,
        content_type: "text/html",
        body: "<h1>Bad Gateway</h1>".to_owned(),
    });

    let (status, body) = post_token(&mp, &request).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let expected = json!({
        "message": "Too many requests",
        "error": "local_rate_limited",
        "status": 429,
        "cause": [],
    });
    assert_eq!(body, expected);

    let response = client()
        .post(mp.token_url())
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html");
    assert_eq!(response.text().await.unwrap(), "<h1>Bad Gateway</h1>");

    let (status, _) = post_token(&mp, &request).await;
    assert_eq!(status, StatusCode::OK);
    let statuses: Vec<u16> = mp.token_requests().iter().map(|seen| seen.status).collect();
    assert_eq!(statuses, [429, 502, 200]);
}

#[tokio::test]
async fn a_hang_lasts_until_the_client_gives_up() {
    let mp = start();
    mp.push_fault(Fault::Hang);

    let result = client()
        .post(mp.token_url())
        .json(&refresh_request(&mp, "TG-x"))
        .timeout(Duration::from_millis(300))
        .send()
        .await;

    assert!(result.unwrap_err().is_timeout());
    let [seen] = mp.token_requests().try_into().unwrap();
    assert_eq!(seen.status, 0);
}

#[tokio::test]
async fn a_truncated_reply_fails_while_reading_the_body() {
    let mp = start();
    mp.push_fault(Fault::Truncated);

    let response = client()
        .post(mp.token_url())
        .json(&refresh_request(&mp, "TG-x"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.content_length(), Some(512));
    assert!(response.bytes().await.is_err());
}

#[test]
fn a_truncated_reply_sends_less_than_it_announces_then_closes() {
    use std::io::{Read, Write};
    let mp = start();
    mp.push_fault(Fault::Truncated);
    let address = mp.base_url().trim_start_matches("http://").to_owned();

    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = "POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .expect("the fake closes the connection");

    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("content-length: 512"),
        "{head}"
    );
    assert!(!body.is_empty() && body.len() < 512, "{body}");
}

#[tokio::test]
async fn a_huge_reply_has_the_size_asked_for() {
    let mp = start();
    let size = 3 * 1024 * 1024;
    mp.push_fault(Fault::Huge(size));
    mp.push_fault(Fault::Huge(5));

    for expected in [size, 5] {
        let response = client()
            .post(mp.token_url())
            .json(&refresh_request(&mp, "TG-x"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let body = response.bytes().await.unwrap();
        assert_eq!(body.len(), expected);
        let parsed: Option<Value> = serde_json::from_slice(&body).ok();
        assert!(parsed.is_none_or(|value| value.get("access_token").is_none()));
    }
}

#[tokio::test]
async fn a_delay_holds_the_inner_fault_back() {
    let mp = start();
    let pause = Duration::from_millis(200);
    mp.push_fault(Fault::Delay(pause, Box::new(Fault::rate_limited())));

    let started = Instant::now();
    let (status, _) = post_token(&mp, &refresh_request(&mp, "TG-x")).await;

    assert!(started.elapsed() >= pause);
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

// ---------------------------------------------------------------------------
// Robustness

#[tokio::test]
async fn other_paths_and_methods_are_refused() {
    let mp = start();
    let client = client();

    let missing = client
        .get(format!("{}/v1/payments", mp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let wrong_method = client.get(mp.token_url()).send().await.unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let mp = start();

    let response = client()
        .post(mp.token_url())
        .header(CONTENT_TYPE, "application/json")
        .body(vec![b' '; 65 * 1024])
        .send()
        .await;

    // The fake may answer before the client has sent everything.
    if let Ok(response) = response {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(mp.token_requests()[0].status, 413);
}

#[test]
fn dropping_the_fake_closes_its_port() {
    let mp = start();
    let address = mp.base_url().trim_start_matches("http://").to_owned();
    assert!(std::net::TcpStream::connect(&address).is_ok());

    drop(mp);

    assert!(std::net::TcpStream::connect(&address).is_err());
}
