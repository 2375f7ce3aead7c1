//! Values that must never reach a log, an error message or `Debug` output.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string: tokens, the authorization code, the PKCE verifier, the
/// client secret. It has no `Display`; `Debug` prints a placeholder; the
/// value comes out only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the few places that need it: the HTTP body,
    /// the store, and the output the user asked for.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A few characters from each end, enough to tell two tokens apart.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// Keeps the prefix a token starts with (`APP_USR-`, `TEST-`, `TG-`) and
/// the last four characters; short values are hidden entirely.
fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 16 {
        return "****".to_string();
    }
    let head = match value.find('-') {
        Some(dash) if dash < 8 => dash + 1,
        _ => 4,
    };
    let head: String = chars[..head].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("APP_USR-1234-secret-value");
        let debug = format!("{secret:?} {:?}", Some(&secret));
        assert!(!debug.contains("secret-value"), "{debug}");
        assert!(!debug.contains("APP_USR"), "{debug}");
    }

    #[test]
    fn masked_keeps_prefix_and_last_four() {
        let token = Secret::new("APP_USR-4815162342-120318-0a1b2c3d4e5f-246813579");
        assert_eq!(token.masked(), "APP_USR-…3579");
        assert_eq!(Secret::new("TEST-abcdef0123456789").masked(), "TEST-…6789");
        assert_eq!(Secret::new("short").masked(), "****");
    }

    #[test]
    fn serde_round_trips_the_plain_value() {
        let json = serde_json::to_string(&Secret::new("TG-abc")).unwrap();
        assert_eq!(json, "\"TG-abc\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "TG-abc");
    }
}
