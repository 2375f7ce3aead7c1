//! A fake Mercado Pago that runs inside integration tests.
//!
//! One in-process HTTP server plays both hosts of the OAuth flow: the
//! authorization page (`GET /authorization`) and the API's token endpoint
//! (`POST /oauth/token`). It follows the project's notes on the real service
//! (`MERCADOPAGO.md`) and is deliberately strict, so that a client that
//! deviates from the documented contract fails here first. Where the real
//! service's behaviour is unconfirmed, the choice made is explained where it
//! is made.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::Sleep;

const CLIENT_ID: &str = "4815162342108";
const CLIENT_SECRET: &str = "Xq7Lm2Rv9TzK4bNc8WpH3dYs6FjG1aEu";
const SELLER_ID: u64 = 246_813_579;

const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
const ACCESS_TOKEN_SECONDS: u64 = 15_552_000;
const SCOPE: &str = "offline_access read write";
const MAX_BODY: usize = 64 * 1024;

const NOT_PREPARED: &str = "La aplicación no está preparada para conectarse a Mercado Pago";
const INVALID_GRANT: &str = "Error validating grant. Your authorization code or refresh token \
                             may be expired or it was already used.";
const INVALID_CLIENT: &str = "invalid client_id or client_secret";

/// Fields each grant accepts; anything else in the body is refused.
const CODE_FIELDS: &[&str] = &[
    "client_id",
    "client_secret",
    "grant_type",
    "code",
    "redirect_uri",
    "test_token",
];
const CODE_FIELDS_PKCE: &[&str] = &[
    "client_id",
    "client_secret",
    "grant_type",
    "code",
    "redirect_uri",
    "test_token",
    "code_verifier",
];
const REFRESH_FIELDS: &[&str] = &["client_id", "client_secret", "grant_type", "refresh_token"];

/// The application as registered in the Mercado Pago dashboard.
#[derive(Clone, Debug)]
pub struct FakeApp {
    pub client_id: String,
    pub client_secret: String,
    /// Registered Redirect URLs, compared byte for byte.
    pub redirect_uris: Vec<String>,
    /// "Enable PKCE verification" in the dashboard.
    pub pkce: bool,
}

impl FakeApp {
    /// An app with fixed credentials, PKCE on and one Redirect URL.
    pub fn new(redirect_uri: &str) -> FakeApp {
        FakeApp {
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            redirect_uris: vec![redirect_uri.to_owned()],
            pkce: true,
        }
    }
}

/// What the seller does once a valid authorization request reaches them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consent {
    /// Redirect straight back with a code, like a seller who consented before.
    #[default]
    Auto,
    /// Serve a consent page whose form submits itself, for real browsers.
    Page,
    /// Redirect back with `error=access_denied`.
    Refuse,
}

/// A misbehaviour that replaces the token endpoint's next answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer this instead.
    Status {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// Accept the request and never answer.
    Hang,
    /// 200 with a Content-Length larger than the body sent, then close.
    Truncated,
    /// 200 `application/json` body of this many bytes, not a token response.
    Huge(usize),
    /// Wait, then misbehave as the inner fault.
    Delay(Duration, Box<Fault>),
}

impl Fault {
    /// Mercado Pago's answer when a client calls too often.
    pub fn rate_limited() -> Fault {
        Fault::Status {
            status: 429,
            content_type: "application/json",
            body: json!({
                "message": "Too many requests",
                "error": "local_rate_limited",
                "status": 429,
                "cause": [],
            })
            .to_string(),
        }
    }
}

/// One `POST /oauth/token` as the fake saw it.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    /// The URL query string, `""` if none.
    pub query: String,
    pub content_type: Option<String>,
    pub accept: Option<String>,
    /// The raw body (lossy UTF-8; empty if it was over the size limit).
    pub body: String,
    pub json: Option<Value>,
    /// The status answered; 0 when a [`Fault::Hang`] answered nothing.
    pub status: u16,
}

/// An access and refresh token pair issued to the seller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: u64,
    pub live_mode: bool,
}

/// The running fake. Dropping it stops the server and closes its port.
pub struct FakeMp {
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeMp {
    /// Starts the server on `127.0.0.1` with its own runtime and thread.
    pub fn start(app: FakeApp) -> FakeMp {
        // Bound here rather than on the server thread, so the port is known
        // (and accepting) by the time `start` returns.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the fake");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));

        let shared = Arc::new(Shared::new(app));
        let (stop, stopped) = oneshot::channel();
        let server = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("fake-mercado-pago".to_owned())
            .spawn(move || run_server(listener, server, stopped))
            .expect("spawn the fake's thread");

        FakeMp {
            base_url,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The API base, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The token endpoint, `base_url() + "/oauth/token"`.
    pub fn token_url(&self) -> String {
        format!("{}/oauth/token", self.base_url)
    }

    /// The authorization page, `base_url() + "/authorization"`.
    pub fn auth_url(&self) -> String {
        format!("{}/authorization", self.base_url)
    }

    pub fn app(&self) -> &FakeApp {
        &self.shared.app
    }

    /// The account id of the seller who logs in.
    pub fn seller_id(&self) -> u64 {
        SELLER_ID
    }

    pub fn set_consent(&self, consent: Consent) {
        self.shared.lock().consent = consent;
    }

    /// Queues a fault for the next token request (first in, first out).
    pub fn push_fault(&self, fault: Fault) {
        // Checked here so a bad fault fails the test that pushed it, not the
        // server thread.
        fault.assert_valid();
        self.shared.lock().faults.push_back(fault);
    }

    /// Makes refresh replies leave out `user_id`, `public_key` and `live_mode`.
    pub fn set_refresh_omits_profile(&self, on: bool) {
        self.shared.lock().refresh_omits_profile = on;
    }

    /// Moves the fake's clock forward, to expire codes and access tokens.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().clock_offset += by;
    }

    /// Every token request seen, in order.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_requests.clone()
    }

    /// The raw query string of every `GET /authorization`, in order.
    pub fn authorization_requests(&self) -> Vec<String> {
        self.shared.lock().authorization_requests.clone()
    }

    /// Mints a live pair as if the seller had authorized the app.
    pub fn grant(&self, test: bool) -> TokenPair {
        let mut state = self.shared.lock();
        self.shared.issue(&mut state, !test)
    }

    pub fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        self.shared
            .lock()
            .refresh_tokens
            .contains_key(refresh_token)
    }

    pub fn access_token_is_live(&self, access_token: &str) -> bool {
        let state = self.shared.lock();
        let now = state.now();
        state
            .access_tokens
            .get(access_token)
            .is_some_and(|expires| *expires > now)
    }
}

impl Drop for FakeMp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Dropping the server's runtime also drops requests left hanging.
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// S256 code challenge of a PKCE verifier: base64url(SHA-256), no padding.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

// ---------------------------------------------------------------------------
// State

/// What the server thread and the test share.
struct Shared {
    app: FakeApp,
    /// A seller's public key is stable per application, one per mode.
    live_public_key: String,
    test_public_key: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    consent: Consent,
    faults: VecDeque<Fault>,
    refresh_omits_profile: bool,
    clock_offset: Duration,
    token_requests: Vec<TokenRequest>,
    authorization_requests: Vec<String>,
    /// Consent pages shown and not yet decided, by ticket.
    tickets: HashMap<String, Authorization>,
    codes: HashMap<String, IssuedCode>,
    /// Live refresh tokens and whether their grant is in production.
    refresh_tokens: HashMap<String, bool>,
    /// Access tokens and when they expire.
    access_tokens: HashMap<String, Instant>,
}

impl State {
    fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }
}

/// A validated authorization request.
#[derive(Clone, Debug)]
struct Authorization {
    redirect_uri: String,
    state: String,
    code_challenge: Option<String>,
}

/// An authorization code and what it is bound to. The fake serves a single
/// application, so authenticating the client already binds it to the client.
struct IssuedCode {
    authorization: Authorization,
    expires: Instant,
}

impl IssuedCode {
    fn redeem(&self, redirect_uri: &str, verifier: Option<&str>) -> Result<(), ApiError> {
        if self.authorization.redirect_uri != redirect_uri {
            return Err(ApiError::invalid_grant());
        }
        match (&self.authorization.code_challenge, verifier) {
            (None, None) => Ok(()),
            (Some(challenge), Some(verifier))
                if is_verifier(verifier) && pkce_challenge(verifier) == *challenge =>
            {
                Ok(())
            }
            _ => Err(ApiError::invalid_grant()),
        }
    }
}

impl Shared {
    fn new(app: FakeApp) -> Shared {
        Shared {
            app,
            live_public_key: format!("APP_USR-{}", uuid_like()),
            test_public_key: format!("TEST-{}", uuid_like()),
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A failed assertion elsewhere must not hide the fake's state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn issue(&self, state: &mut State, live_mode: bool) -> TokenPair {
        let prefix = if live_mode { "APP_USR" } else { "TEST" };
        let access_token = format!(
            "{prefix}-{}-{}-{}-{SELLER_ID}",
            self.app.client_id,
            month_day_hour(),
            random_hex(16)
        );
        let refresh_token = format!("TG-{}-{SELLER_ID}", random_hex(12));

        let expires = state.now() + Duration::from_secs(ACCESS_TOKEN_SECONDS);
        state.access_tokens.insert(access_token.clone(), expires);
        state
            .refresh_tokens
            .insert(refresh_token.clone(), live_mode);

        TokenPair {
            access_token,
            refresh_token,
            user_id: SELLER_ID,
            live_mode,
        }
    }

    fn token_body(&self, pair: &TokenPair, with_profile: bool) -> Value {
        let mut body = json!({
            "access_token": pair.access_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "scope": SCOPE,
            "refresh_token": pair.refresh_token,
        });
        if with_profile {
            let public_key = if pair.live_mode {
                &self.live_public_key
            } else {
                &self.test_public_key
            };
            body["user_id"] = json!(pair.user_id);
            body["public_key"] = json!(public_key);
            body["live_mode"] = json!(pair.live_mode);
        }
        body
    }
}

// ---------------------------------------------------------------------------
// Server

type Reply = Response<ReplyBody>;

fn run_server(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    stopped: oneshot::Receiver<()>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the fake's runtime");
    runtime.block_on(accept(listener, shared, stopped));
}

async fn accept(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = TcpListener::from_std(listener).expect("adopt the listener");
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(serve_connection(stream, Arc::clone(&shared)));
                }
            }
        }
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(shared.route(request).await) }
    });
    // Errors here are clients hanging up or a fault cutting a reply short.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

impl Shared {
    async fn route(&self, request: Request<Incoming>) -> Reply {
        let path = request.uri().path().to_owned();
        match (request.method(), path.as_str()) {
            (&Method::GET, "/authorization") => self.authorize(request.uri().query().unwrap_or("")),
            (&Method::POST, "/authorization/decide") => self.decide(request.into_body()).await,
            (&Method::POST, "/oauth/token") => self.token(request).await,
            (_, "/authorization" | "/authorization/decide" | "/oauth/token") => {
                ApiError::new(405, "method_not_allowed", "method not allowed").reply()
            }
            _ => ApiError::new(404, "not_found", format!("resource {path} not found")).reply(),
        }
    }
}

/// Reads a request body, or `None` past the size limit (or on a broken
/// connection), so junk cannot make the fake allocate without bound.
async fn read_body(body: Incoming) -> Option<Bytes> {
    let collected = Limited::new(body, MAX_BODY).collect().await.ok()?;
    Some(collected.to_bytes())
}

// ---------------------------------------------------------------------------
// Authorization page

impl Shared {
    fn authorize(&self, query: &str) -> Reply {
        let mut state = self.lock();
        state.authorization_requests.push(query.to_owned());

        let authorization = match self.check_authorization(query) {
            Ok(authorization) => authorization,
            Err(reason) => return not_prepared_page(&reason),
        };
        match state.consent {
            Consent::Auto => self.redirect_with_code(&mut state, authorization),
            Consent::Page => {
                let ticket = random_hex(16);
                state.tickets.insert(ticket.clone(), authorization);
                consent_page(&ticket)
            }
            Consent::Refuse => redirect(
                &authorization.redirect_uri,
                &[
                    ("error", "access_denied"),
                    (
                        "error_description",
                        "The seller did not authorize the application",
                    ),
                    ("state", &authorization.state),
                ],
            ),
        }
    }

    /// Why an authorization request is refused, worded for test failures.
    fn check_authorization(&self, query: &str) -> Result<Authorization, String> {
        let params = Params::parse(query)?;
        params.expect("client_id", &self.app.client_id)?;
        params.expect("response_type", "code")?;
        params.expect("platform_id", "mp")?;
        let state = params.required("state")?;
        let redirect_uri = params.required("redirect_uri")?;
        if !self.app.redirect_uris.iter().any(|uri| uri == redirect_uri) {
            return Err(format!("redirect_uri {redirect_uri:?} is not registered"));
        }
        let code_challenge = check_pkce(
            self.app.pkce,
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        )?;
        Ok(Authorization {
            redirect_uri: redirect_uri.to_owned(),
            state: state.to_owned(),
            code_challenge,
        })
    }

    /// `POST /authorization/decide`: the consent page's form, always "Allow".
    async fn decide(&self, body: Incoming) -> Reply {
        let ticket = read_body(body)
            .await
            .and_then(|body| Params::parse(std::str::from_utf8(&body).ok()?).ok())
            .and_then(|params| params.get("ticket").map(str::to_owned));

        let mut state = self.lock();
        match ticket.and_then(|ticket| state.tickets.remove(&ticket)) {
            Some(authorization) => self.redirect_with_code(&mut state, authorization),
            None => reply(
                400,
                "text/plain; charset=utf-8",
                "unknown or used consent ticket",
            ),
        }
    }

    fn redirect_with_code(&self, state: &mut State, authorization: Authorization) -> Reply {
        let code = format!("TG-{}-{SELLER_ID}", random_hex(12));
        let response = redirect(
            &authorization.redirect_uri,
            &[("code", &code), ("state", &authorization.state)],
        );
        let expires = state.now() + CODE_LIFETIME;
        state.codes.insert(
            code,
            IssuedCode {
                authorization,
                expires,
            },
        );
        response
    }
}

/// With PKCE on, an S256 challenge is required; with it off, sending one
/// fails too (as developers report of the real service).
fn check_pkce(
    enabled: bool,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<String>, String> {
    match (enabled, challenge, method) {
        (false, None, None) => Ok(None),
        (false, ..) => Err("PKCE is off for this application but a challenge was sent".into()),
        (true, Some(challenge), Some("S256")) if is_challenge(challenge) => {
            Ok(Some(challenge.to_owned()))
        }
        (true, ..) => Err("PKCE is on: a valid code_challenge with method S256 is required".into()),
    }
}

/// The state is re-encoded by the serializer; decoding it gives back the
/// exact value the client sent.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Reply {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{separator}{query}");

    let mut response = reply(302, "text/plain; charset=utf-8", Bytes::new());
    let location = HeaderValue::from_str(&location).expect("location is a valid header");
    response.headers_mut().insert(LOCATION, location);
    response
}

fn not_prepared_page(reason: &str) -> Reply {
    // The real page gives the seller no reason; the comment is for whoever
    // debugs a failing test.
    let html = format!(
        "<!doctype html>\n<html lang=\"es\">\n<head><meta charset=\"utf-8\">\
         <title>Mercado Pago</title></head>\n<body>\n<h1>{NOT_PREPARED}</h1>\n\
         <p>Intenta nuevamente más tarde.</p>\n<!-- fake: {} -->\n</body>\n</html>\n",
        html_escape(reason)
    );
    reply(200, "text/html; charset=utf-8", html)
}

/// Submits itself on load, so a headless browser goes through the whole
/// round trip: page, form post, redirect.
fn consent_page(ticket: &str) -> Reply {
    let html = format!(
        "<!doctype html>\n<html lang=\"es\">\n<head><meta charset=\"utf-8\">\
         <title>Autorizar aplicación</title></head>\n<body>\n\
         <p>La aplicación quiere conectarse a tu cuenta de Mercado Pago.</p>\n\
         <form id=\"consent\" method=\"post\" action=\"/authorization/decide\">\n\
         <input type=\"hidden\" name=\"ticket\" value=\"{}\">\n\
         <button type=\"submit\">Allow</button>\n</form>\n\
         <script>document.getElementById(\"consent\").submit();</script>\n\
         </body>\n</html>\n",
        html_escape(ticket)
    );
    reply(200, "text/html; charset=utf-8", html)
}

/// Query or form parameters, refusing repeats instead of picking one.
struct Params(BTreeMap<String, String>);

impl Params {
    fn parse(encoded: &str) -> Result<Params, String> {
        let mut params = BTreeMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded.as_bytes()) {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(format!("parameter {name} is repeated"));
            }
        }
        Ok(Params(params))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| format!("parameter {name} is missing"))
    }

    fn expect(&self, name: &str, wanted: &str) -> Result<(), String> {
        match self.get(name) {
            Some(value) if value == wanted => Ok(()),
            other => Err(format!("{name} is {other:?}, not {wanted:?}")),
        }
    }
}

// ---------------------------------------------------------------------------
// Token endpoint

impl Shared {
    async fn token(&self, request: Request<Incoming>) -> Reply {
        let (parts, body) = request.into_parts();
        let body = read_body(body).await;
        let seen = TokenRequest::new(&parts.headers, parts.uri.query(), body.as_deref());

        // A fault answers in place of the service: it consumes no code or
        // refresh token, like a proxy failing in front of it.
        let fault = self.lock().faults.pop_front();
        if let Some(fault) = fault {
            self.lock().token_requests.push(TokenRequest {
                status: fault.status(),
                ..seen
            });
            return fault.reply().await;
        }

        let mut state = self.lock();
        let outcome = match body {
            Some(body) => self.exchange(&mut state, &seen, &body),
            None => Err(ApiError::new(
                413,
                "invalid_request",
                "request body too large",
            )),
        };
        let response = match outcome {
            Ok(tokens) => json_reply(200, &tokens),
            Err(error) => error.reply(),
        };
        state.token_requests.push(TokenRequest {
            status: response.status().as_u16(),
            ..seen
        });
        response
    }

    fn exchange(
        &self,
        state: &mut State,
        seen: &TokenRequest,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        require_json(seen.content_type.as_deref())?;
        if !seen.query.is_empty() {
            return Err(ApiError::invalid_request(
                "parameters belong in the JSON body, not in the query string",
            ));
        }
        let fields = Fields::parse(body)?;
        match fields.text("grant_type")? {
            "authorization_code" => self.exchange_code(state, &fields),
            "refresh_token" => self.refresh(state, &fields),
            other => Err(ApiError::new(
                400,
                "unsupported_grant_type",
                format!("grant_type {other} is not supported"),
            )),
        }
    }

    // Once a request is well formed and its client authenticated, the code it
    // names is used up even if the rest (redirect_uri, verifier) is wrong: a
    // stolen code gets one guess, and a client cannot retry its way past a
    // mismatch. Malformed or unauthenticated requests consume nothing.
    fn exchange_code(&self, state: &mut State, fields: &Fields) -> Result<Value, ApiError> {
        fields.allow_only(if self.app.pkce {
            CODE_FIELDS_PKCE
        } else {
            CODE_FIELDS
        })?;
        let code = fields.text("code")?;
        let redirect_uri = fields.text("redirect_uri")?;
        let verifier = fields.optional_text("code_verifier")?;
        let live_mode = !fields.test_token()?;
        self.authenticate(fields)?;

        let now = state.now();
        let issued = state
            .codes
            .remove(code)
            .filter(|issued| issued.expires > now)
            .ok_or_else(ApiError::invalid_grant)?;
        issued.redeem(redirect_uri, verifier)?;

        let pair = self.issue(state, live_mode);
        Ok(self.token_body(&pair, true))
    }

    // The old access token stays valid until it expires: the notes only say
    // the old refresh token dies.
    fn refresh(&self, state: &mut State, fields: &Fields) -> Result<Value, ApiError> {
        fields.allow_only(REFRESH_FIELDS)?;
        let refresh_token = fields.text("refresh_token")?;
        self.authenticate(fields)?;

        let live_mode = state
            .refresh_tokens
            .remove(refresh_token)
            .ok_or_else(ApiError::invalid_grant)?;
        let pair = self.issue(state, live_mode);
        Ok(self.token_body(&pair, !state.refresh_omits_profile))
    }

    fn authenticate(&self, fields: &Fields) -> Result<(), ApiError> {
        let client_id = fields.client_id()?;
        let secret = fields.text("client_secret")?;
        if client_id == self.app.client_id && secret == self.app.client_secret {
            Ok(())
        } else {
            Err(ApiError::new(400, "invalid_client", INVALID_CLIENT))
        }
    }
}

impl TokenRequest {
    fn new(headers: &HeaderMap, query: Option<&str>, body: Option<&[u8]>) -> TokenRequest {
        let header = |name| {
            headers
                .get(name)
                .map(|value: &HeaderValue| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let body = body.unwrap_or_default();
        TokenRequest {
            query: query.unwrap_or_default().to_owned(),
            content_type: header(CONTENT_TYPE),
            accept: header(hyper::header::ACCEPT),
            body: String::from_utf8_lossy(body).into_owned(),
            json: serde_json::from_slice(body).ok(),
            status: 0,
        }
    }
}

fn require_json(content_type: Option<&str>) -> Result<(), ApiError> {
    let essence = content_type.and_then(|value| value.split(';').next());
    match essence {
        Some(essence) if essence.trim().eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(ApiError::invalid_request(
            "Content-Type must be application/json",
        )),
    }
}

/// The token request's JSON object. Repeated fields are refused, where
/// serde_json alone would silently keep the last one.
struct Fields(BTreeMap<String, Value>);

impl Fields {
    fn parse(body: &[u8]) -> Result<Fields, ApiError> {
        serde_json::from_slice(body)
            .map_err(|error| ApiError::invalid_request(format!("malformed JSON body: {error}")))
    }

    fn allow_only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.0.keys().find(|name| !allowed.contains(&name.as_str())) {
            Some(name) => Err(ApiError::invalid_request(format!(
                "field {name} is not used by this grant"
            ))),
            None => Ok(()),
        }
    }

    fn optional_text(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(text)) if !text.is_empty() => Ok(Some(text)),
            Some(_) => Err(ApiError::invalid_request(format!(
                "field {name} must be a non-empty string"
            ))),
        }
    }

    fn text(&self, name: &str) -> Result<&str, ApiError> {
        self.optional_text(name)?
            .ok_or_else(|| ApiError::invalid_request(format!("field {name} is required")))
    }

    /// The Client ID is a number; clients send it as a JSON string or number.
    fn client_id(&self) -> Result<String, ApiError> {
        match self.0.get("client_id") {
            Some(Value::Number(number)) if number.is_u64() => Ok(number.to_string()),
            Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
            None => Err(ApiError::invalid_request("field client_id is required")),
            Some(_) => Err(ApiError::invalid_request("field client_id is malformed")),
        }
    }

    /// The notes document the string `"true"`; a JSON `true` is tolerated.
    fn test_token(&self) -> Result<bool, ApiError> {
        match self.0.get("test_token") {
            None => Ok(false),
            Some(Value::String(text)) if text == "true" => Ok(true),
            Some(Value::Bool(true)) => Ok(true),
            Some(_) => Err(ApiError::invalid_request(
                "field test_token must be \"true\" or left out",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            if fields.contains_key(&name) {
                return Err(A::Error::custom(format!("field {name} is repeated")));
            }
            fields.insert(name, value);
        }
        Ok(Fields(fields))
    }
}

/// An error in Mercado Pago's shape.
struct ApiError {
    status: u16,
    error: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: u16, error: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error,
            message: message.into(),
        }
    }

    fn invalid_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "invalid_request", message)
    }

    fn invalid_grant() -> ApiError {
        ApiError::new(400, "invalid_grant", INVALID_GRANT)
    }

    fn reply(&self) -> Reply {
        let body = json!({
            "message": self.message,
            "error": self.error,
            "status": self.status,
            "cause": [],
        });
        json_reply(self.status, &body)
    }
}

// ---------------------------------------------------------------------------
// Faults

impl Fault {
    fn assert_valid(&self) {
        match self {
            Fault::Status {
                status,
                content_type,
                ..
            } => {
                assert!(
                    StatusCode::from_u16(*status).is_ok(),
                    "bad fault status {status}"
                );
                assert!(
                    HeaderValue::from_str(content_type).is_ok(),
                    "bad fault content type {content_type:?}"
                );
            }
            Fault::Delay(_, inner) => inner.assert_valid(),
            Fault::Hang | Fault::Truncated | Fault::Huge(_) => {}
        }
    }

    /// The status recorded for the request this fault answers.
    fn status(&self) -> u16 {
        match self {
            Fault::Status { status, .. } => *status,
            Fault::Hang => 0,
            Fault::Truncated | Fault::Huge(_) => 200,
            Fault::Delay(_, inner) => inner.status(),
        }
    }

    async fn reply(self) -> Reply {
        let mut fault = self;
        loop {
            match fault {
                Fault::Delay(pause, inner) => {
                    tokio::time::sleep(pause).await;
                    fault = *inner;
                }
                // Dropped with the server's runtime when the fake stops.
                Fault::Hang => return std::future::pending().await,
                Fault::Status {
                    status,
                    content_type,
                    body,
                } => return reply(status, content_type, body),
                Fault::Truncated => return truncated_reply(),
                Fault::Huge(size) => return reply(200, "application/json", filler_json(size)),
            }
        }
    }
}

fn truncated_reply() -> Reply {
    let sent = Bytes::from_static(br#"{"access_token":"APP_USR-"#);
    let body = ReplyBody::CutShort {
        sent: Some(sent),
        then_close: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("512"));
    response
}

/// Valid JSON, but no token response, exactly `size` bytes long (cut short
/// below the 13 bytes of the empty object).
fn filler_json(size: usize) -> String {
    let mut json = format!(r#"{{"filler":"{}"}}"#, "x".repeat(size.saturating_sub(13)));
    json.truncate(size);
    json
}

// ---------------------------------------------------------------------------
// Responses

/// A response body: whole, or cut short for [`Fault::Truncated`].
enum ReplyBody {
    Whole(Option<Bytes>),
    CutShort {
        sent: Option<Bytes>,
        then_close: Pin<Box<Sleep>>,
    },
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ReplyBody::Whole(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            ReplyBody::CutShort { sent, then_close } => {
                if let Some(data) = sent.take() {
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                // Ending short of Content-Length makes hyper close the
                // connection; the pause lets the partial body go out first.
                then_close.as_mut().poll(cx).map(|()| None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ReplyBody::Whole(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Whole(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |data| data.len() as u64))
            }
            // Unknown, so hyper sends the Content-Length header set by hand.
            ReplyBody::CutShort { .. } => SizeHint::default(),
        }
    }
}

fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(ReplyBody::Whole(Some(body.into())));
    *response.status_mut() = StatusCode::from_u16(status).expect("a valid status");
    let content_type = HeaderValue::from_str(content_type).expect("a valid content type");
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

fn json_reply(status: u16, body: &Value) -> Reply {
    reply(status, "application/json", body.to_string())
}

// ---------------------------------------------------------------------------
// Small helpers

fn random_hex(bytes: usize) -> String {
    let mut random = vec![0; bytes];
    getrandom::fill(&mut random).expect("system randomness");
    random.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn uuid_like() -> String {
    let hex = random_hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `MMddHH` of the current UTC time, as access tokens carry it.
fn month_day_hour() -> String {
    // Rendered as YYYY-MM-DDTHH:MM:SSZ.
    let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    format!("{}{}{}", &now[5..7], &now[8..10], &now[11..13])
}

/// RFC 7636: 43 to 128 unreserved characters.
fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte))
}

/// Base64url without padding, 43 to 128 characters.
fn is_challenge(challenge: &str) -> bool {
    (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
