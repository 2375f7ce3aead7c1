//! The one error type of mplink: a message, an optional hint, and the exit
//! code the user can branch on in a script.

use std::fmt;

/// Exit codes, as documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Anything that fits no other code.
    Failure = 1,
    /// Bad flags, variables or settings.
    Usage = 2,
    /// The seller refused, or the redirect carried an error.
    Refused = 3,
    /// Nobody completed the authorization in time.
    TimedOut = 4,
    /// Mercado Pago answered the request with a 4xx.
    Rejected = 5,
    /// Mercado Pago could not be reached, timed out, failed or answered
    /// something unreadable.
    Unreachable = 6,
    /// The keychain or the config files could not be used.
    Store = 7,
    /// No link with that name.
    NoLink = 8,
    /// Ctrl-C.
    Interrupted = 130,
}

/// What went wrong, for the user: `error: {message}` then `hint: {hint}`.
#[derive(Clone, Debug)]
pub struct Error {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Error {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn store(message: impl Into<String>) -> Self {
        Self::new(Exit::Store, message)
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Puts `what` in front of the message, for context added by a caller.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns an I/O error on `path`, a file of the config dir, into a store
/// error that names it.
pub fn io_error(action: &str, path: &std::path::Path, err: std::io::Error) -> Error {
    let reason = io_reason(&err);
    Error::store(format!("cannot {action} {}: {reason}", path.display())).with_hint(
        "check the permissions and free space there, or use another --config-dir / \
         MPLINK_CONFIG_DIR",
    )
}

/// The OS's words for an I/O error, lowercase and without the "(os error N)".
pub fn io_reason(err: &std::io::Error) -> String {
    plain_reason(&err.to_string())
}

/// An error text as mplink shows it: lowercase first, no "(os error N)".
pub fn plain_reason(text: &str) -> String {
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => text,
    };
    lowercase_first(text)
}

pub fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if !chars.as_str().starts_with(char::is_uppercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reason_drops_the_os_error_number() {
        let err = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "no such file or directory");
    }

    #[test]
    fn lowercase_first_keeps_acronyms() {
        assert_eq!(lowercase_first("Permission denied"), "permission denied");
        assert_eq!(lowercase_first("TLS handshake"), "TLS handshake");
    }
}
