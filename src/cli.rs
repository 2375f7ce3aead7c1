//! What the user typed: the clap definition, and nothing more. Turning it
//! into validated settings is `settings`' job.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::output::ColorChoice;

const AFTER_HELP: &str = "See `mplink --help` for exit codes and environment variables.";

const AFTER_LONG_HELP: &str = "\
Exit codes:
  0    success
  1    other failure (also: `token` on an expired link, `show --check` finding one)
  2    usage or settings error
  3    the seller refused, or the redirect carried an error
  4    timed out waiting for the seller
  5    Mercado Pago refused the request (its `error` and `message` are shown)
  6    Mercado Pago unreachable or failing (network, timeout, 5xx, unreadable reply)
  7    credential store failure (keychain or config files)
  8    no such link
  130  interrupted (Ctrl-C)

Environment variables:
  MPLINK_CLIENT_ID        the application's Client ID (--client-id)
  MPLINK_CLIENT_SECRET    the client secret; never a flag
  MPLINK_REDIRECT_URI     the Redirect URL registered on the app (--redirect-uri)
  MPLINK_SITE             country of the authorization host (--site)
  MPLINK_AUTH_URL         full authorization endpoint (--auth-url)
  MPLINK_API_URL          API base URL (--api-url)
  MPLINK_PKCE             on or off (--pkce, --no-pkce)
  MPLINK_LISTEN           where to listen for the redirect (--listen)
  MPLINK_RELAY            1 to receive the code through the relay page (--relay)
  MPLINK_TIMEOUT          how long to wait for the seller (--timeout)
  MPLINK_STORE            keychain or file (--store)
  MPLINK_CONFIG_DIR       where mplink keeps its files (--config-dir)
  MPLINK_KEYCHAIN_TIMEOUT bound on each keychain call (--keychain-timeout)
  MPLINK_HTTP_TIMEOUT     bound on each request to Mercado Pago (--http-timeout)
  MPLINK_LINK             the link to use when LINK is not given
  MPLINK_ACCESS_TOKEN     a pre-set access token for `token` and `show`
  MPLINK_REFRESH_TOKEN    a pre-set refresh token for `refresh`
  BROWSER                 the command that opens the authorization URL
  NO_COLOR                any value turns colour off
  CI                      set: never prompt, never animate";

/// Link Mercado Pago seller accounts to your application.
///
/// mplink runs Mercado Pago's OAuth authorization from a terminal: it
/// opens the seller's browser, receives the authorization code, exchanges
/// it at once and keeps the tokens in the OS keychain (or a private file).
/// In CI it works from pre-set credentials, with no browser and no prompt.
#[derive(Debug, Parser)]
#[command(
    name = "mplink",
    version,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Authorize(commands::authorize::Args),
    Show(commands::show::Args),
    Token(commands::token::Args),
    Refresh(commands::refresh::Args),
    Logout(commands::logout::Args),
    Import(commands::import::Args),
    App(commands::app::Args),
    RelayPage(commands::relay_page::Args),
    Completions(commands::completions::Args),
}

/// Flags every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Print nothing but errors on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Explain each step on stderr (never shows secrets)
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    /// When to colour messages [default: auto, off when NO_COLOR is set]
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Where mplink keeps its files [default: the platform config dir]
    #[arg(long, global = true, env = "MPLINK_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// Where tokens are kept: the OS keychain, or a 0600 file in the config dir
    #[arg(long, global = true, env = "MPLINK_STORE", value_parser = Choices(&["keychain", "file"]))]
    pub store: Option<String>,

    /// Longest wait for one keychain call [default: 3s]
    #[arg(
        long,
        global = true,
        env = "MPLINK_KEYCHAIN_TIMEOUT",
        value_name = "DUR"
    )]
    pub keychain_timeout: Option<String>,

    /// Longest wait for one request to Mercado Pago [default: 30s]
    #[arg(long, global = true, env = "MPLINK_HTTP_TIMEOUT", value_name = "DUR")]
    pub http_timeout: Option<String>,
}

/// Which application is talking to Mercado Pago.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Application")]
pub struct ClientArgs {
    /// Your application's Client ID (a number, also called APP_ID)
    #[arg(long, env = "MPLINK_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Mercado Pago's API base; the token endpoint is <URL>/oauth/token
    /// [default: https://api.mercadopago.com]
    #[arg(long, env = "MPLINK_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
}

/// How the seller reaches the authorization page and comes back.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Application")]
pub struct AuthArgs {
    /// The Redirect URL registered on your application, exactly as registered
    #[arg(long, env = "MPLINK_REDIRECT_URI", value_name = "URL")]
    pub redirect_uri: Option<String>,

    /// The country whose authorization host to use [default: auth.mercadopago.com]
    #[arg(long, env = "MPLINK_SITE", value_parser = Choices(crate::settings::SITES))]
    pub site: Option<String>,

    /// The full authorization endpoint; overrides --site
    #[arg(long, env = "MPLINK_AUTH_URL", value_name = "URL")]
    pub auth_url: Option<String>,

    /// PKCE S256, as set on your application in the dashboard [default: on]
    #[arg(long, env = "MPLINK_PKCE", value_parser = Choices(&["on", "off"]))]
    pub pkce: Option<String>,

    /// Same as `--pkce off`, for applications without PKCE verification
    #[arg(long)]
    pub no_pkce: bool,
}

/// Takes any string, so that `settings` can refuse a bad one with a message
/// naming both the flag and its variable, yet lists the choices in `--help`
/// and in shell completions.
#[derive(Clone, Copy, Debug)]
pub struct Choices(pub &'static [&'static str]);

impl TypedValueParser for Choices {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        value
            .to_str()
            .map(str::to_owned)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().copied().map(PossibleValue::new)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
