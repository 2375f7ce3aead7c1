//! Parse, then resolve: flags, environment variables, the remembered
//! application settings and defaults become validated settings here, before
//! any command runs. Commands never read flags or the environment directly.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::cli::{AuthArgs, ClientArgs, GlobalArgs};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::StoreKind;
use crate::store::app::SavedApp;
use crate::time::parse_duration;

pub const SITES: &[&str] = &["ar", "br", "cl", "co", "mx", "pe", "uy"];
const DEFAULT_API: &str = "https://api.mercadopago.com";

/// Reads one environment variable; tests pass their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Settings every command shares.
#[derive(Debug)]
pub struct Settings {
    pub config_dir: PathBuf,
    pub store: StoreKind,
    pub keychain_timeout: Duration,
    pub http_timeout: Duration,
    /// False in CI and whenever stdin or stderr is not a terminal: nothing
    /// may prompt then, and nothing animates.
    pub interactive: bool,
    pub vars: Vars,
}

/// Values that only ever come from the environment.
#[derive(Debug, Default)]
pub struct Vars {
    pub client_secret: Option<Secret>,
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub link: Option<String>,
    pub browser: Option<String>,
    pub no_color: bool,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs, env: Env, terminals: bool) -> Result<Settings> {
        let config_dir = match &args.config_dir {
            Some(dir) if dir.as_os_str().is_empty() => None,
            Some(dir) => Some(dir.clone()),
            None => dirs::config_dir().map(|dir| dir.join("mplink")),
        };
        let config_dir = config_dir.ok_or_else(|| {
            Error::usage("no config dir: pass --config-dir or set MPLINK_CONFIG_DIR")
        })?;
        let store = match args.store.as_deref() {
            None => StoreKind::Keychain,
            Some(name) => StoreKind::parse(name).ok_or_else(|| {
                Error::usage(format!(
                    "invalid --store / MPLINK_STORE '{name}': expected keychain or file"
                ))
            })?,
        };
        let duration = |value: &Option<String>, what: &str, default: u64| match value {
            Some(text) => parse_duration(text, what),
            None => Ok(Duration::from_secs(default)),
        };
        let ci = env("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
        Ok(Settings {
            config_dir,
            store,
            keychain_timeout: duration(
                &args.keychain_timeout,
                "--keychain-timeout / MPLINK_KEYCHAIN_TIMEOUT",
                3,
            )?,
            http_timeout: duration(
                &args.http_timeout,
                "--http-timeout / MPLINK_HTTP_TIMEOUT",
                30,
            )?,
            interactive: terminals && !ci,
            vars: Vars::read(env),
        })
    }
}

impl Vars {
    fn read(env: Env) -> Vars {
        let text = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let secret = |name: &str| text(name).map(|v| Secret::new(v.trim()));
        Vars {
            client_secret: secret("MPLINK_CLIENT_SECRET"),
            access_token: secret("MPLINK_ACCESS_TOKEN"),
            refresh_token: secret("MPLINK_REFRESH_TOKEN"),
            link: text("MPLINK_LINK"),
            browser: text("BROWSER"),
            no_color: env("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// The application as the token endpoint sees it.
#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    pub api_url: Url,
}

/// Everything the authorization URL needs.
#[derive(Clone, Debug)]
pub struct Authorization {
    pub client: Client,
    pub redirect_uri: RedirectUri,
    pub auth_url: Url,
    pub pkce: bool,
}

/// The Redirect URL exactly as registered (Mercado Pago compares it byte for
/// byte), with its parsed form for choosing how to listen.
#[derive(Clone, Debug)]
pub struct RedirectUri {
    pub raw: String,
    pub url: Url,
}

impl ClientArgs {
    /// `None` when no Client ID is known: `refresh` and `import` can do
    /// without one in some cases, so only `require` makes it an error.
    pub fn resolve(&self, saved: Option<&SavedApp>) -> Result<Option<Client>> {
        let api = self
            .api_url
            .clone()
            .or_else(|| saved.and_then(|s| s.api_url.clone()))
            .unwrap_or_else(|| DEFAULT_API.to_string());
        let api_url = endpoint(&api, "--api-url / MPLINK_API_URL")?;
        let id = self
            .client_id
            .clone()
            .or_else(|| saved.map(|s| s.client_id.clone()));
        let Some(id) = id else { return Ok(None) };
        Ok(Some(Client {
            id: client_id(&id)?,
            api_url,
        }))
    }

    pub fn require(&self, saved: Option<&SavedApp>) -> Result<Client> {
        self.resolve(saved)?.ok_or_else(|| {
            Error::usage("missing the Client ID: pass --client-id or set MPLINK_CLIENT_ID")
                .with_hint("`mplink app set --client-id ID` remembers it")
        })
    }
}

impl AuthArgs {
    pub fn resolve(&self, client: Client, saved: Option<&SavedApp>) -> Result<Authorization> {
        let saved = saved.filter(|s| s.client_id == client.id);
        let redirect = self
            .redirect_uri
            .clone()
            .or_else(|| saved.and_then(|s| s.redirect_uri.clone()))
            .ok_or_else(|| {
                Error::usage(
                    "missing the Redirect URL: pass --redirect-uri or set MPLINK_REDIRECT_URI",
                )
                .with_hint("use exactly the Redirect URL registered on your application")
            })?;
        let site = self
            .site
            .clone()
            .or_else(|| saved.and_then(|s| s.site.clone()));
        let auth = match (&self.auth_url, site) {
            (Some(url), _) => url.clone(),
            (None, Some(site)) => site_auth_url(&site)?,
            (None, None) => match saved.and_then(|s| s.auth_url.clone()) {
                Some(url) => url,
                None => "https://auth.mercadopago.com/authorization".to_string(),
            },
        };
        let pkce = match (self.no_pkce, &self.pkce) {
            (true, _) => false,
            (false, Some(value)) => on_off(value)?,
            (false, None) => saved.and_then(|s| s.pkce).unwrap_or(true),
        };
        Ok(Authorization {
            client,
            redirect_uri: RedirectUri::parse(&redirect)?,
            auth_url: endpoint(&auth, "--auth-url / MPLINK_AUTH_URL")?,
            pkce,
        })
    }
}

pub fn on_off(value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(Error::usage(format!(
            "invalid --pkce / MPLINK_PKCE '{value}': expected on or off"
        ))),
    }
}

impl RedirectUri {
    pub fn parse(raw: &str) -> Result<RedirectUri> {
        // The URL parser ignores spaces and control characters around the
        // URL (and tabs and newlines inside it); Mercado Pago does not, so
        // what is kept must be what was checked.
        let raw = raw.trim_matches(|c: char| c.is_ascii_control() || c == ' ');
        let bad = |why: &str| {
            Error::usage(format!(
                "invalid --redirect-uri / MPLINK_REDIRECT_URI '{}': {why}",
                crate::oauth::callback::printable(raw)
            ))
        };
        if raw.contains(char::is_control) {
            return Err(bad("it contains a control character"));
        }
        let url = Url::parse(raw).map_err(|err| bad(&err.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("expected an http or https URL"));
        }
        if url.fragment().is_some() {
            return Err(bad("a Redirect URL cannot have a #fragment"));
        }
        if url.host().is_none() {
            return Err(bad("no host"));
        }
        Ok(RedirectUri {
            raw: raw.to_string(),
            url,
        })
    }

    /// True for `http(s)://127.0.0.1`, `[::1]` and `localhost`.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.url)
    }
}

/// A Client ID is a number; anything else is a typo or the wrong value.
fn client_id(text: &str) -> Result<String> {
    let id = text.trim();
    if id.is_empty() || id.len() > 24 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::usage(format!(
            "invalid --client-id / MPLINK_CLIENT_ID '{id}': a Client ID is a number"
        ))
        .with_hint("copy it from Your integrations > your application > Credentials"));
    }
    Ok(id.to_string())
}

fn site_auth_url(site: &str) -> Result<String> {
    let host = match site.to_ascii_lowercase().as_str() {
        "cl" => "auth.mercadopago.cl".to_string(),
        code if SITES.contains(&code) => format!("auth.mercadopago.com.{code}"),
        _ => {
            return Err(Error::usage(format!(
                "invalid --site / MPLINK_SITE '{site}': expected one of {}",
                SITES.join(", ")
            )));
        }
    };
    Ok(format!("https://{host}/authorization"))
}

/// A Mercado Pago endpoint: HTTPS, or plain HTTP on a loopback address
/// (tests, local proxies); never plain HTTP across a network.
pub fn endpoint(text: &str, what: &str) -> Result<Url> {
    let url = Url::parse(text.trim())
        .map_err(|err| Error::usage(format!("invalid {what} '{text}': {err}")))?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback_host(&url) => Ok(url),
        "http" => Err(Error::usage(format!(
            "refusing {what} '{text}': plain http is allowed only on a loopback address"
        ))
        .with_hint("use https://")),
        _ => Err(Error::usage(format!(
            "invalid {what} '{text}': expected an https URL"
        ))),
    }
}

pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_args(id: &str) -> ClientArgs {
        ClientArgs {
            client_id: Some(id.into()),
            api_url: None,
        }
    }

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(endpoint("http://127.0.0.1:9/x", "--api-url").is_ok());
        assert!(endpoint("http://[::1]:9/x", "--api-url").is_ok());
        assert!(endpoint("http://localhost:9", "--api-url").is_ok());
        let err = endpoint("http://api.example.com", "--api-url / MPLINK_API_URL").unwrap_err();
        assert_eq!(err.exit, crate::error::Exit::Usage);
        assert!(
            err.message.contains("--api-url / MPLINK_API_URL"),
            "{}",
            err.message
        );
        assert!(endpoint("ftp://example.com", "--api-url").is_err());
    }

    #[test]
    fn sites_map_to_country_hosts() {
        assert_eq!(
            site_auth_url("br").unwrap(),
            "https://auth.mercadopago.com.br/authorization"
        );
        assert_eq!(
            site_auth_url("cl").unwrap(),
            "https://auth.mercadopago.cl/authorization"
        );
        assert!(site_auth_url("us").is_err());
    }

    #[test]
    fn flags_win_over_saved_settings() {
        let saved = SavedApp {
            client_id: "111".into(),
            redirect_uri: Some("https://example.com/cb".into()),
            site: Some("ar".into()),
            pkce: Some(false),
            ..SavedApp::default()
        };
        let client = client_args("111").require(Some(&saved)).unwrap();
        let auth = AuthArgs::default()
            .resolve(client.clone(), Some(&saved))
            .unwrap();
        assert_eq!(auth.redirect_uri.raw, "https://example.com/cb");
        assert_eq!(
            auth.auth_url.as_str(),
            "https://auth.mercadopago.com.ar/authorization"
        );
        assert!(!auth.pkce);

        let args = AuthArgs {
            redirect_uri: Some("http://127.0.0.1:8080/cb".into()),
            pkce: Some("on".into()),
            ..AuthArgs::default()
        };
        let auth = args.resolve(client, Some(&saved)).unwrap();
        assert_eq!(auth.redirect_uri.raw, "http://127.0.0.1:8080/cb");
        assert!(auth.pkce);
    }

    #[test]
    fn saved_settings_of_another_app_are_ignored() {
        let saved = SavedApp {
            client_id: "111".into(),
            redirect_uri: Some("https://example.com/cb".into()),
            ..SavedApp::default()
        };
        let client = client_args("222").require(Some(&saved)).unwrap();
        let err = AuthArgs::default()
            .resolve(client, Some(&saved))
            .unwrap_err();
        assert!(err.message.contains("--redirect-uri"), "{}", err.message);
    }

    #[test]
    fn redirect_uri_is_kept_byte_for_byte() {
        let uri = RedirectUri::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(uri.raw, "http://127.0.0.1:8080");
        assert!(uri.is_loopback());
        assert!(RedirectUri::parse("https://x.example/cb#frag").is_err());
        assert!(
            !RedirectUri::parse("https://x.example/cb")
                .unwrap()
                .is_loopback()
        );
    }

    #[test]
    fn client_id_must_be_a_number() {
        assert!(client_args("12345").require(None).is_ok());
        let err = client_args("APP_USR-123").require(None).unwrap_err();
        assert!(err.message.contains("MPLINK_CLIENT_ID"));
        assert!(ClientArgs::default().require(None).is_err());
    }

    #[test]
    fn ci_is_never_interactive() {
        let args = GlobalArgs {
            quiet: false,
            verbose: false,
            color: None,
            config_dir: Some("/tmp/x".into()),
            store: Some("file".into()),
            keychain_timeout: None,
            http_timeout: Some("2s".into()),
        };
        let env = |name: &str| (name == "CI").then(|| "true".to_string());
        let settings = Settings::resolve(&args, &env, true).unwrap();
        assert!(!settings.interactive);
        assert_eq!(settings.store, StoreKind::File);
        assert_eq!(settings.http_timeout, Duration::from_secs(2));
        let none = |_: &str| None;
        assert!(Settings::resolve(&args, &none, true).unwrap().interactive);
    }
}
