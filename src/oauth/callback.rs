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
/// characters, bounded length.
pub fn printable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
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
