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

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::cli::{AuthArgs, ClientArgs};
    use crate::error::Exit;
    use crate::settings::{Client, RedirectUri};

    fn auth_url() -> impl Strategy<Value = Url> {
        prop_oneof![
            Just("https://auth.mercadopago.com/authorization".to_string()),
            Just("https://auth.example/authorization?lang=es&x=a%26b".to_string()),
            "https://[a-z]{1,10}\\.example(/[a-z%]{0,6}){0,3}(\\?[a-z=&]{0,10})?",
            "http://127\\.0\\.0\\.1:[0-9]{1,5}/[a-z]{0,8}",
        ]
        .prop_filter_map("not a URL", |text| Url::parse(&text).ok())
    }

    /// Redirect URLs as typed: plausible ones, and anything at all.
    fn redirect_text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "https://[a-z0-9-]{1,12}(\\.[a-z]{2,5}){1,2}(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$'()*+,;=:@-]{0,12}){0,3}(\\?[A-Za-z0-9=&%+ ]{0,16})?",
            1 => "http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?/[a-z]{0,8}",
            1 => any::<String>(),
        ]
    }

    fn settings() -> impl Strategy<Value = Authorization> {
        let redirect = redirect_text()
            .prop_filter_map("not a Redirect URL", |text| RedirectUri::parse(&text).ok());
        ("[0-9]{1,24}", redirect, auth_url(), any::<bool>()).prop_map(
            |(id, redirect_uri, auth_url, pkce)| Authorization {
                client: Client {
                    id,
                    api_url: Url::parse("https://api.mercadopago.com").unwrap(),
                },
                redirect_uri,
                auth_url,
                pkce,
            },
        )
    }

    fn values<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_url_carries_the_settings_and_keeps_the_endpoint(
            settings in settings(),
            relay in proptest::option::of(any::<u16>()),
        ) {
            let attempt = Attempt::new(&settings, relay).unwrap();
            let url = &attempt.url;
            prop_assert_eq!(url.scheme(), settings.auth_url.scheme());
            prop_assert_eq!(url.host_str(), settings.auth_url.host_str());
            prop_assert_eq!(url.path(), settings.auth_url.path());

            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let kept: Vec<(String, String)> =
                settings.auth_url.query_pairs().into_owned().collect();
            prop_assert_eq!(&pairs[..kept.len()], &kept[..]);
            let ours = &pairs[kept.len()..];
            prop_assert_eq!(values(ours, "client_id"), [settings.client.id.as_str()]);
            prop_assert_eq!(values(ours, "response_type"), ["code"]);
            prop_assert_eq!(values(ours, "platform_id"), ["mp"]);
            prop_assert_eq!(values(ours, "state"), [attempt.state.as_str()]);
            prop_assert_eq!(
                values(ours, "redirect_uri"),
                [settings.redirect_uri.raw.as_str()]
            );
            match &attempt.verifier {
                Some(verifier) => {
                    prop_assert!(settings.pkce);
                    let challenge = challenge(verifier);
                    prop_assert_eq!(values(ours, "code_challenge"), [challenge.as_str()]);
                    prop_assert_eq!(values(ours, "code_challenge_method"), ["S256"]);
                    prop_assert!(!url.as_str().contains(verifier.expose()));
                }
                None => {
                    prop_assert!(!settings.pkce);
                    prop_assert!(values(ours, "code_challenge").is_empty());
                }
            }
            if let Some(port) = relay {
                let prefix = format!("{port}.");
                prop_assert!(attempt.state.starts_with(&prefix));
            }

            // The state comes back through the listener's check intact.
            let back: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("code", "TG-1")
                .append_pair("state", &attempt.state)
                .finish();
            prop_assert!(crate::oauth::callback::check(&back, &attempt.state).is_ok());
        }

        #[test]
        fn build_url_takes_any_client_id_and_state(
            settings in settings(),
            id in any::<String>(),
            state in any::<String>(),
        ) {
            let settings = Authorization {
                client: Client { id: id.clone(), ..settings.client.clone() },
                ..settings
            };
            let url = build_url(&settings, &state, None);
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            prop_assert!(values(&pairs, "client_id").contains(&id.as_str()));
            prop_assert!(values(&pairs, "state").contains(&state.as_str()));
        }

        #[test]
        fn arbitrary_flags_resolve_or_fail_as_usage(
            id in prop_oneof!["[0-9]{1,24}", any::<String>()],
            api in proptest::option::of(prop_oneof![
                Just("https://api.mercadopago.com".to_string()),
                any::<String>(),
            ]),
            redirect in proptest::option::of(redirect_text()),
            site in proptest::option::of(prop_oneof!["ar|br|cl|mx|us", any::<String>()]),
            auth in proptest::option::of(prop_oneof!["https://[a-z]{1,8}\\.example/a", any::<String>()]),
            pkce in proptest::option::of(prop_oneof!["on|off|yes|0", any::<String>()]),
            no_pkce in any::<bool>(),
        ) {
            let client = ClientArgs { client_id: Some(id), api_url: api };
            let auth = AuthArgs { redirect_uri: redirect, site, auth_url: auth, pkce, no_pkce };
            match client.require(None).and_then(|client| auth.resolve(client, None)) {
                Ok(settings) => {
                    let attempt = Attempt::new(&settings, None).unwrap();
                    prop_assert_eq!(attempt.verifier.is_some(), settings.pkce);
                }
                Err(err) => prop_assert_eq!(err.exit, Exit::Usage),
            }
        }
    }
}
