//! The token endpoint: JSON in, JSON out, no redirects followed, Mercado
//! Pago's error body turned into a message the user can act on.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use crate::error::{Error, Exit, Result};
use crate::secret::Secret;
use crate::settings::{Client, is_loopback_host};

/// Replies larger than this are not a token response; reading stops there.
const MAX_REPLY: usize = 256 * 1024;

/// What is being exchanged for tokens.
#[derive(Debug)]
pub enum Grant {
    Code {
        code: Secret,
        redirect_uri: String,
        verifier: Option<Secret>,
        test_token: bool,
    },
    Refresh(Secret),
}

/// A successful reply. Every field but `access_token` may be missing; a
/// refresh reply in particular may leave out the seller's profile.
#[derive(Debug)]
pub struct TokenReply {
    pub access_token: Secret,
    pub expires_in: Option<u64>,
    pub scope: Option<String>,
    pub user_id: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub public_key: Option<String>,
    pub live_mode: Option<bool>,
}

/// Mercado Pago's error body: `{"message", "error", "status", "cause"}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorReply {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

pub struct TokenClient {
    http: reqwest::Client,
    endpoint: Url,
    client_id: String,
    secret: Secret,
}

impl TokenClient {
    pub fn new(client: &Client, secret: Secret, timeout: Duration) -> Result<TokenClient> {
        // reqwest is built without a default crypto provider; install ring
        // once (a second install fails harmlessly).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent(concat!("mplink/", env!("CARGO_PKG_VERSION")));
        if is_loopback_host(&client.api_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|err| Error::failure(format!("cannot set up HTTPS: {err}")))?;
        Ok(TokenClient {
            http,
            endpoint: token_endpoint(&client.api_url),
            client_id: client.id.clone(),
            secret,
        })
    }

    pub async fn request(&self, grant: &Grant) -> Result<TokenReply> {
        let body = self.body(grant);
        let sent = self
            .http
            .post(self.endpoint.clone())
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await;
        let mut response = sent.map_err(|err| self.transport_error(&err))?;
        let status = response.status();
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_REPLY => {
                    bytes.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => {
                    return Err(unreadable(format!(
                        "the reply is larger than {} KiB",
                        MAX_REPLY / 1024
                    )));
                }
                Ok(None) => break,
                Err(err) => {
                    return Err(unreadable(format!(
                        "the reply was cut off ({})",
                        root_cause(&err)
                    )));
                }
            }
        }
        interpret(status.as_u16(), &bytes, grant)
    }

    fn body(&self, grant: &Grant) -> Value {
        let mut body = Map::new();
        let mut put = |key: &str, value: &str| {
            body.insert(key.to_string(), Value::String(value.to_string()));
        };
        put("client_id", &self.client_id);
        put("client_secret", self.secret.expose());
        match grant {
            Grant::Code {
                code,
                redirect_uri,
                verifier,
                test_token,
            } => {
                put("grant_type", "authorization_code");
                put("code", code.expose());
                put("redirect_uri", redirect_uri);
                if let Some(verifier) = verifier {
                    put("code_verifier", verifier.expose());
                }
                if *test_token {
                    put("test_token", "true");
                }
            }
            Grant::Refresh(token) => {
                put("grant_type", "refresh_token");
                put("refresh_token", token.expose());
            }
        }
        Value::Object(body)
    }

    fn transport_error(&self, err: &reqwest::Error) -> Error {
        let host = self.endpoint.host_str().unwrap_or("?").to_string();
        if err.is_timeout() {
            return Error::new(
                Exit::Unreachable,
                format!("Mercado Pago ({host}) did not answer in time"),
            )
            .with_hint("try again; raise --http-timeout on a slow network");
        }
        Error::new(
            Exit::Unreachable,
            format!("cannot reach Mercado Pago at {host}: {}", root_cause(err)),
        )
        .with_hint("check the network connection, and HTTPS_PROXY if you need a proxy")
    }
}

/// Access tokens end in `-<user id>`; a fallback when the reply omits it.
pub fn user_id_in_token(token: &str) -> Option<u64> {
    token.rsplit('-').next()?.parse().ok()
}

pub fn token_endpoint(api: &Url) -> Url {
    let mut url = api.clone();
    let path = format!("{}/oauth/token", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url
}

/// The innermost cause, which is where the useful words are ("connection
/// refused", "dns error: ..."), without the URL reqwest puts up front.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    crate::error::plain_reason(&cause.to_string())
}

fn interpret(status: u16, bytes: &[u8], grant: &Grant) -> Result<TokenReply> {
    match status {
        200..=299 => parse_success(bytes),
        400..=499 => Err(refusal(status, bytes, grant)),
        _ => {
            let detail = describe(bytes)
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            Err(Error::new(
                Exit::Unreachable,
                format!("Mercado Pago failed (HTTP {status}){detail}"),
            )
            .with_hint("this is on Mercado Pago's side; try again in a while"))
        }
    }
}

fn parse_success(bytes: &[u8]) -> Result<TokenReply> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| unreadable("the reply is not JSON".to_string()))?;
    let access_token = match value.get("access_token").and_then(Value::as_str) {
        Some(token) if !token.trim().is_empty() => Secret::new(token),
        _ => return Err(unreadable("the reply has no access_token".to_string())),
    };
    // Mercado Pago has issued (and, on a refresh, spent the old refresh
    // token for) this pair: a field it did not type as documented is
    // dropped, not a reason to lose the pair.
    Ok(TokenReply {
        access_token,
        expires_in: optional(&value, "expires_in"),
        scope: optional(&value, "scope"),
        user_id: optional(&value, "user_id"),
        refresh_token: optional(&value, "refresh_token"),
        public_key: optional(&value, "public_key"),
        live_mode: optional(&value, "live_mode"),
    })
}

fn optional<T: serde::de::DeserializeOwned>(reply: &Value, key: &str) -> Option<T> {
    serde_json::from_value(reply.get(key)?.clone()).ok()
}

fn unreadable(why: String) -> Error {
    Error::new(
        Exit::Unreachable,
        format!("Mercado Pago's reply could not be used: {why}"),
    )
    .with_hint("if this repeats, check --api-url and any proxy in between")
}

/// `message (error)` from an error body, if it is one.
fn describe(bytes: &[u8]) -> Option<String> {
    let reply: ErrorReply = serde_json::from_slice(bytes).ok()?;
    let clean = |s: String| crate::oauth::callback::printable(&s);
    match (reply.message.map(clean), reply.error.map(clean)) {
        (Some(message), Some(error)) => Some(format!("{message} ({error})")),
        (Some(text), None) | (None, Some(text)) => Some(text),
        (None, None) => None,
    }
}

fn refusal(status: u16, bytes: &[u8], grant: &Grant) -> Error {
    let reply: ErrorReply = serde_json::from_slice(bytes).unwrap_or_default();
    let detail = describe(bytes).unwrap_or_else(|| format!("HTTP {status}"));
    let err = Error::new(
        Exit::Rejected,
        format!("Mercado Pago refused the request: {detail}"),
    );
    let hint = match (reply.error.as_deref(), grant) {
        (Some("invalid_client"), _) => {
            "check the Client ID and client secret: use the Client ID (not the application \
             number) and the client secret (not an access token)"
        }
        (Some("invalid_grant"), Grant::Code { .. }) => {
            "the code expired (10 minutes), was already used, or the Redirect URL or PKCE \
             setting differs; run `mplink authorize` again"
        }
        (Some("invalid_grant"), Grant::Refresh(_)) => {
            "the refresh token expired, was used or revoked: the seller must be linked again \
             with `mplink authorize`"
        }
        (Some("local_rate_limited"), _) => "Mercado Pago asks to slow down; try again in a minute",
        _ if status == 429 => "Mercado Pago asks to slow down; try again in a minute",
        _ => return err,
    };
    err.with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_grant() -> Grant {
        Grant::Code {
            code: Secret::new("TG-1"),
            redirect_uri: "https://x/cb".into(),
            verifier: None,
            test_token: false,
        }
    }

    #[test]
    fn endpoint_appends_oauth_token() {
        let api = Url::parse("https://api.mercadopago.com").unwrap();
        assert_eq!(
            token_endpoint(&api).as_str(),
            "https://api.mercadopago.com/oauth/token"
        );
        let proxied = Url::parse("http://127.0.0.1:9/mp/").unwrap();
        assert_eq!(
            token_endpoint(&proxied).as_str(),
            "http://127.0.0.1:9/mp/oauth/token"
        );
    }

    #[test]
    fn invalid_grant_is_a_refusal_with_the_services_words() {
        let body = br#"{"message":"Error validating grant. Your authorization code or refresh token may be expired or it was already used.","error":"invalid_grant","status":400,"cause":[]}"#;
        let err = interpret(400, body, &Grant::Refresh(Secret::new("TG-x"))).unwrap_err();
        assert_eq!(err.exit, Exit::Rejected);
        assert!(
            err.message.contains("Error validating grant"),
            "{}",
            err.message
        );
        assert!(err.message.contains("(invalid_grant)"), "{}", err.message);
        assert!(err.hint.unwrap().contains("mplink authorize"));
    }

    #[test]
    fn server_errors_and_junk_are_unreachable() {
        let err = interpret(502, b"<html>Bad gateway</html>", &code_grant()).unwrap_err();
        assert_eq!(err.exit, Exit::Unreachable);
        assert!(!err.message.contains("html"), "{}", err.message);
        assert_eq!(
            interpret(200, b"{\"access", &code_grant())
                .unwrap_err()
                .exit,
            Exit::Unreachable
        );
        let err = interpret(200, br#"{"token_type":"bearer"}"#, &code_grant()).unwrap_err();
        assert!(err.message.contains("no access_token"), "{}", err.message);
    }

    #[test]
    fn rate_limit_says_to_wait() {
        let body = br#"{"message":"Too many requests","error":"local_rate_limited","status":429,"cause":[]}"#;
        let err = interpret(429, body, &code_grant()).unwrap_err();
        assert_eq!(err.exit, Exit::Rejected);
        assert!(err.hint.unwrap().contains("try again"));
    }

    #[test]
    fn success_keeps_optional_fields_optional() {
        let reply = interpret(
            200,
            br#"{"access_token":"APP_USR-1","expires_in":15552000}"#,
            &code_grant(),
        )
        .unwrap();
        assert_eq!(reply.access_token.expose(), "APP_USR-1");
        assert_eq!(reply.expires_in, Some(15_552_000));
        assert!(reply.user_id.is_none() && reply.refresh_token.is_none());
    }

    #[test]
    fn body_has_only_the_fields_of_the_grant() {
        let client = Client {
            id: "123".into(),
            api_url: Url::parse("http://127.0.0.1:1").unwrap(),
        };
        let tokens =
            TokenClient::new(&client, Secret::new("s3cret"), Duration::from_secs(1)).unwrap();
        let refresh = tokens.body(&Grant::Refresh(Secret::new("TG-r")));
        let keys: Vec<&str> = refresh
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["client_id", "client_secret", "grant_type", "refresh_token"]
        );
        let code = tokens.body(&Grant::Code {
            code: Secret::new("TG-c"),
            redirect_uri: "https://x/cb".into(),
            verifier: Some(Secret::new("v")),
            test_token: true,
        });
        assert_eq!(code["test_token"], "true");
        assert_eq!(code["code_verifier"], "v");
        assert_eq!(code.as_object().unwrap().len(), 7);
    }
}
