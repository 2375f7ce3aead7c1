//! `mplink relay-page`: the static page that forwards Mercado Pago's
//! redirect from an HTTPS Redirect URL to mplink on the seller's machine.

use std::process::ExitCode;

use crate::error::Result;

/// The page; the listener's paths appear in it literally (a test checks).
pub const PAGE: &str = include_str!("../relay.html");

/// Print the relay page to host at your HTTPS Redirect URL
///
/// Host this one self-contained HTML file at the Redirect URL registered on
/// your application (any static host will do: GitHub Pages, S3, Netlify...),
/// then link sellers with `mplink authorize --relay`. When Mercado Pago
/// redirects there, the page hands code and state to mplink listening on
/// http://127.0.0.1:PORT of the same computer; the port travels in `state`.
/// The page holds no secret, loads nothing else, and forwards only to
/// 127.0.0.1.
///
/// Example: mplink relay-page > site/mplink/index.html
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitCode> {
    super::emit(PAGE.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::PAGE;
    use crate::listener::PING_PATH;
    use crate::receive::RELAY_PATH;

    #[test]
    fn page_targets_mplinks_paths_on_loopback_only() {
        assert!(PAGE.contains(PING_PATH));
        assert!(PAGE.contains(RELAY_PATH));
        assert!(PAGE.contains("\"http://127.0.0.1:\""));
        assert!(!PAGE.contains("localhost"));
        assert!(!PAGE.contains(" src="), "loads nothing from elsewhere");
        assert!(!PAGE.contains("https://"), "no external asset");
    }
}
