//! What comes back from Mercado Pago: the query of the redirect, whether it
//! reaches mplink's listener or the user pastes the address.

use std::fmt;

use crate::secret::Secret;

/// A redirect that carries the expected `state`.
#[derive(Debug)]
pub enum Outcome {
    Code(Secret),
    /// The seller refused, or Mercado Pago reported an error.
    Refused {
        error: String,
        description: Option<String>,
    },
}

/// Why a redirect was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    Repeated(&'static str),
    MissingState,
    WrongState,
    NoCode,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Repeated(name) => write!(f, "the parameter '{name}' appears more than once"),
            Rejection::MissingState => f.write_str("the address has no 'state' parameter"),
            Rejection::WrongState => f.write_str(
                "the 'state' parameter does not match this authorization (an old or forged link)",
            ),
            Rejection::NoCode => f.write_str("the address has neither 'code' nor 'error'"),
        }
    }
}

/// Checks a redirect's query string against the `state` this attempt sent.
pub fn check(query: &str, expected_state: &str) -> Result<Outcome, Rejection> {
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let (slot, name) = match key.as_ref() {
            "code" => (&mut code, "code"),
            "state" => (&mut state, "state"),
            "error" => (&mut error, "error"),
            "error_description" => (&mut description, "error_description"),
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(Rejection::Repeated(name));
        }
    }
    let state = state.ok_or(Rejection::MissingState)?;
    if !same(state.as_bytes(), expected_state.as_bytes()) {
        return Err(Rejection::WrongState);
    }
    match (error, code) {
        (Some(error), _) => Ok(Outcome::Refused { error, description }),
        (None, Some(code)) if !code.is_empty() => Ok(Outcome::Code(Secret::new(code))),
        _ => Err(Rejection::NoCode),
    }
}

/// Compares in time that depends only on the length, so a forged `state`
/// learns nothing from how fast it was refused.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The query string in what the user pasted: the whole address the browser
/// landed on, or just its query, with or without the `?`.
pub fn pasted_query(input: &str) -> String {
    let text = input
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>'))
        .trim();
    if let Ok(url) = url::Url::parse(text)
        && url.has_host()
    {
        return match (url.query(), url.fragment()) {
            (Some(query), _) if !query.is_empty() => query.to_string(),
            (_, Some(fragment)) => fragment.to_string(),
            _ => String::new(),
        };
    }
    let text = text.split('#').next().unwrap_or_default();
    match text.split_once('?') {
        Some((_, query)) => query.to_string(),
        None => text.to_string(),
    }
}

/// An error text from a URL, safe to show on a terminal: no control
/// characters (nor the bidi overrides that reorder a line), bounded length.
pub fn printable(text: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() || bidi(c) { '?' } else { c })
        .take(200)
        .collect();
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";

    #[test]
    fn accepts_code_with_matching_state() {
        let query = format!("code=TG-abc-123&state={STATE}");
        match check(&query, STATE) {
            Ok(Outcome::Code(code)) => assert_eq!(code.expose(), "TG-abc-123"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_missing_wrong_or_repeated_state() {
        assert_eq!(check("code=x", STATE).unwrap_err(), Rejection::MissingState);
        assert_eq!(
            check("code=x&state=nope", STATE).unwrap_err(),
            Rejection::WrongState
        );
        let prefix = &STATE[..STATE.len() - 1];
        assert_eq!(
            check(&format!("code=x&state={prefix}"), STATE).unwrap_err(),
            Rejection::WrongState
        );
        let twice = format!("code=x&state={STATE}&state={STATE}");
        assert_eq!(
            check(&twice, STATE).unwrap_err(),
            Rejection::Repeated("state")
        );
        let two_codes = format!("code=x&code=y&state={STATE}");
        assert_eq!(
            check(&two_codes, STATE).unwrap_err(),
            Rejection::Repeated("code")
        );
        assert_eq!(
            check(&format!("state={STATE}"), STATE).unwrap_err(),
            Rejection::NoCode
        );
        assert_eq!(
            check(&format!("code=&state={STATE}"), STATE).unwrap_err(),
            Rejection::NoCode
        );
    }

    #[test]
    fn error_parameter_means_refusal() {
        let query = format!("error=access_denied&error_description=User+said+no&state={STATE}");
        match check(&query, STATE) {
            Ok(Outcome::Refused { error, description }) => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("User said no"));
            }
            other => panic!("{other:?}"),
        }
        // An error with a forged state is a forgery, not a refusal.
        assert!(check("error=access_denied&state=x", STATE).is_err());
    }

    #[test]
    fn pasted_addresses_in_every_shape() {
        let want = "code=TG-1&state=abc";
        assert_eq!(
            pasted_query("https://example.com/cb?code=TG-1&state=abc"),
            want
        );
        assert_eq!(
            pasted_query("  https://example.com/cb?code=TG-1&state=abc \n"),
            want
        );
        assert_eq!(pasted_query("?code=TG-1&state=abc"), want);
        assert_eq!(pasted_query("code=TG-1&state=abc"), want);
        assert_eq!(
            pasted_query("https://example.com/cb?code=TG-1&state=abc#_=_"),
            want
        );
        assert_eq!(
            pasted_query("\"https://example.com/cb?code=TG-1&state=abc\""),
            want
        );
        assert_eq!(
            pasted_query("https://example.com/cb#code=TG-1&state=abc"),
            want
        );
        assert_eq!(pasted_query("example.com/cb?code=TG-1&state=abc"), want);
        let encoded = pasted_query("https://example.com/cb?code=TG%2D1&state=a%2Bb%3D");
        match check(&encoded, "a+b=") {
            Ok(Outcome::Code(code)) => assert_eq!(code.expose(), "TG-1"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn printable_strips_control_characters() {
        assert_eq!(printable("bad\x1b[31mred\n"), "bad?[31mred?");
        assert_eq!(printable(&"x".repeat(500)).len(), 200);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    const STATE: &str = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";

    fn encoded(text: &str) -> String {
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
    }

    /// Every `state` in `query`, decoded as `check` decodes it.
    fn states(query: &str) -> Vec<String> {
        url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == "state")
            .map(|(_, value)| value.into_owned())
            .collect()
    }

    /// The expected state cut short, lengthened or with one character
    /// changed.
    fn near_miss() -> impl Strategy<Value = String> {
        let len = STATE.len();
        prop_oneof![
            (0..len).prop_map(|end| STATE[..end].to_string()),
            (1..len).prop_map(|start| STATE[start..].to_string()),
            "[A-Za-z0-9_.~+-]{1,3}|%00|%20".prop_map(|tail| format!("{STATE}{tail}")),
            (0..len, "[A-Za-z0-9_-]").prop_map(|(at, with)| {
                let mut changed = STATE.to_string();
                changed.replace_range(at..at + 1, &with);
                changed
            }),
            Just(STATE.to_lowercase()),
        ]
    }

    /// Queries close to a real redirect: its keys, the expected state and
    /// near misses of it, and arbitrary text.
    fn query() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("code".to_string()),
            Just("state".to_string()),
            Just("error".to_string()),
            Just("error_description".to_string()),
            Just("st%61te".to_string()),
            "[a-z_]{0,8}",
        ];
        let value = prop_oneof![
            2 => Just(STATE.to_string()),
            2 => near_miss(),
            1 => "[A-Za-z0-9_-]{0,50}",
            1 => any::<String>().prop_map(|text| encoded(&text)),
            1 => "[!-~]{0,30}",
        ];
        let pairs = prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
            let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            pairs.join("&")
        });
        prop_oneof![4 => pairs, 1 => any::<String>()]
    }

    fn expected() -> impl Strategy<Value = String> {
        prop_oneof![Just(STATE.to_string()), "[A-Za-z0-9_.-]{1,64}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_state_is_accepted_only_when_equal(query in query(), expected in expected()) {
            if check(&query, &expected).is_ok() {
                prop_assert_eq!(states(&query), vec![expected]);
            }
        }

        #[test]
        fn the_real_redirect_is_accepted_whatever_its_encoding(
            code in "[A-Za-z0-9-]{1,64}",
            state in "[ -~]{1,64}",
            other in "[a-z_]{1,8}",
        ) {
            prop_assume!(!["code", "state", "error", "error_description"].contains(&other.as_str()));
            let query = format!("{other}=1&code={}&state={}", encoded(&code), encoded(&state));
            match check(&query, &state) {
                Ok(Outcome::Code(got)) => prop_assert_eq!(got.expose(), code.as_str()),
                other => prop_assert!(false, "{:?}", other),
            }
        }

        #[test]
        fn pasted_text_never_panics(input in any::<String>()) {
            let query = pasted_query(&input);
            let _ = check(&query, STATE);
        }

        #[test]
        fn printable_text_has_no_control_characters(text in any::<String>()) {
            let clean = printable(&text);
            prop_assert!(!clean.chars().any(char::is_control));
            prop_assert!(clean.chars().count() <= 200);
        }
    }
}
