//! The authorization URL the seller opens, with a fresh `state` and PKCE
//! verifier for each attempt.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::settings::Authorization;

/// One attempt at linking a seller: what goes in the URL, and what must
/// come back (`state`) or go to the token endpoint later (the verifier).
#[derive(Debug)]
pub struct Attempt {
    pub url: Url,
    pub state: String,
    pub verifier: Option<Secret>,
}

impl Attempt {
    /// `relay_port` goes at the front of `state` (`PORT.RANDOM`) when the
    /// code travels through the relay page, which reads it to find mplink's
    /// listener on the seller's machine.
    pub fn new(settings: &Authorization, relay_port: Option<u16>) -> Result<Attempt> {
        let random = random_token()?;
        let state = match relay_port {
            Some(port) => format!("{port}.{random}"),
            None => random,
        };
        let verifier = if settings.pkce {
            Some(Secret::new(random_token()?))
        } else {
            None
        };
        let url = build_url(settings, &state, verifier.as_ref());
        Ok(Attempt {
            url,
            state,
            verifier,
        })
    }
}

/// 32 random bytes, base64url without padding: 43 characters, which is
/// also a valid PKCE verifier length (43 to 128).
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| Error::failure(format!("no randomness from the OS: {err}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// S256: base64url(SHA-256(verifier)), per RFC 7636.
pub fn challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

pub fn build_url(settings: &Authorization, state: &str, verifier: Option<&Secret>) -> Url {
    let mut url = settings.auth_url.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("client_id", &settings.client.id)
            .append_pair("response_type", "code")
            .append_pair("platform_id", "mp")
            .append_pair("state", state)
            .append_pair("redirect_uri", &settings.redirect_uri.raw);
        if let Some(verifier) = verifier {
            query
                .append_pair("code_challenge", &challenge(verifier))
                .append_pair("code_challenge_method", "S256");
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Client, RedirectUri};

    fn settings(pkce: bool) -> Authorization {
        Authorization {
            client: Client {
                id: "4815162342".into(),
                api_url: Url::parse("https://api.mercadopago.com").unwrap(),
            },
            redirect_uri: RedirectUri::parse("https://example.com/cb?x=1&y=a b").unwrap(),
            auth_url: Url::parse("https://auth.mercadopago.com/authorization").unwrap(),
            pkce,
        }
    }

    fn query(url: &Url) -> Vec<(String, String)> {
        url.query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect()
    }

    #[test]
    fn pkce_challenge_matches_rfc7636_appendix_b() {
        let verifier = Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn url_carries_every_parameter_encoded() {
        let attempt = Attempt::new(&settings(true), None).unwrap();
        let pairs = query(&attempt.url);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("client_id"), Some("4815162342"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("platform_id"), Some("mp"));
        assert_eq!(get("state"), Some(attempt.state.as_str()));
        assert_eq!(
            get("redirect_uri"),
            Some("https://example.com/cb?x=1&y=a b")
        );
        let verifier = attempt.verifier.as_ref().unwrap();
        assert_eq!(get("code_challenge"), Some(challenge(verifier).as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(pairs.len(), 7);
        // The redirect URI's own `?` and `&` must not leak into the outer query.
        assert!(
            attempt
                .url
                .as_str()
                .contains("redirect_uri=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1%26y%3Da+b")
        );
        assert!(!attempt.url.as_str().contains(verifier.expose()));
    }

    #[test]
    fn no_pkce_parameters_when_pkce_is_off() {
        let attempt = Attempt::new(&settings(false), None).unwrap();
        assert!(attempt.verifier.is_none());
        assert!(!attempt.url.as_str().contains("code_challenge"));
    }

    #[test]
    fn state_is_fresh_long_and_url_safe() {
        let a = Attempt::new(&settings(true), None).unwrap();
        let b = Attempt::new(&settings(true), None).unwrap();
        assert_ne!(a.state, b.state);
        assert_eq!(a.state.len(), 43);
        assert!(
            a.state
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        let relayed = Attempt::new(&settings(true), Some(53682)).unwrap();
        assert!(relayed.state.starts_with("53682."));
    }
}
