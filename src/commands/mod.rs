//! One file per command, each with its clap `Args` and one `run`.

pub mod app;
pub mod authorize;
pub mod completions;
pub mod import;
pub mod logout;
pub mod refresh;
pub mod relay_page;
pub mod show;
pub mod token;

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cli::Command;
use crate::error::{Error, Result};
use crate::output::{Printer, stdout_line};
use crate::secret::Secret;
use crate::settings::Settings;
use crate::store::app::SavedApp;
use crate::store::{LinkMeta, Store, Tokens};

/// What every command gets: validated settings and the printer.
pub struct Ctx {
    pub settings: Settings,
    pub printer: Printer,
}

impl Ctx {
    pub fn store(&self) -> Store {
        Store::new(
            self.settings.config_dir.clone(),
            self.settings.store,
            self.settings.keychain_timeout,
        )
    }
}

pub fn run(command: Command, ctx: Ctx) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::failure(format!("cannot start the async runtime: {err}")))?;
    let result = runtime.block_on(async move {
        match command {
            Command::Authorize(args) => authorize::run(args, &ctx).await,
            Command::Show(args) => show::run(args, &ctx).await,
            Command::Token(args) => token::run(args, &ctx).await,
            Command::Refresh(args) => refresh::run(args, &ctx).await,
            Command::Logout(args) => logout::run(args, &ctx).await,
            Command::Import(args) => import::run(args, &ctx).await,
            Command::App(args) => app::run(args, &ctx).await,
            Command::RelayPage(args) => relay_page::run(args),
            Command::Completions(args) => completions::run(args),
        }
    });
    // A keychain call or a stdin read that outlived its timeout must not
    // keep the process alive.
    runtime.shutdown_background();
    result
}

/// Writes one line of result to stdout.
pub fn emit(line: &str) -> Result<()> {
    stdout_line(line).map_err(|err| Error::failure(format!("cannot write to stdout: {err}")))
}

pub fn emit_json(value: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    emit(&text)
}

/// A link as JSON: what `show --json`, `authorize --json` and `refresh
/// --json` print, and what `import` reads back. Tokens only when asked.
pub fn link_json(link: &LinkMeta, tokens: Option<&Tokens>) -> Value {
    let mut value = json!({
        "name": link.name,
        "user_id": link.user_id,
        "live_mode": link.live_mode,
        "test_token": link.test_token,
        "scope": link.scope,
        "public_key": link.public_key,
        "client_id": link.client_id,
        "created_at": link.created_at,
        "refreshed_at": link.refreshed_at,
        "expires_at": link.expires_at,
        "expires_in_days": link.expires_at.days_from_now(),
        "store": link.store.name(),
    });
    if let Some(tokens) = tokens {
        value["access_token"] = json!(tokens.access_token.expose());
        value["refresh_token"] = json!(tokens.refresh_token.as_ref().map(Secret::expose));
    }
    value
}

/// The exchange or refresh worked but the tokens could not be stored:
/// they exist nowhere else, so they go to stdout before the error.
pub fn rescue(link: &LinkMeta, tokens: &Tokens, err: Error) -> Error {
    let printed = emit_json(&link_json(link, Some(tokens)));
    let hint = if printed.is_ok() {
        "the JSON printed on stdout is the only copy of these tokens: keep it safe, then \
         store it with `mplink import` once the store works (or with `--store file`)"
    } else {
        "the tokens could not be printed either; the seller must be linked again"
    };
    Error {
        hint: Some(hint.to_string()),
        ..err.context("the tokens were issued but not saved")
    }
}

/// The client secret: `MPLINK_CLIENT_SECRET`, else the one `mplink app set`
/// saved (`saved`, already read by the caller) for this Client ID, else a
/// prompt on a terminal.
pub async fn client_secret(
    ctx: &Ctx,
    store: &Store,
    saved: Option<&SavedApp>,
    client_id: &str,
) -> Result<Secret> {
    if let Some(secret) = &ctx.settings.vars.client_secret {
        return Ok(secret.clone());
    }
    if let Some(app) = saved.filter(|app| app.client_id == client_id).cloned()
        && let Some(secret) = store.run(move |s| s.app_secret(&app)).await?
    {
        return Ok(secret);
    }
    if !ctx.settings.interactive {
        return Err(
            Error::usage("missing the client secret: set MPLINK_CLIENT_SECRET").with_hint(
                "it is never a flag, so it stays out of shell history and process lists",
            ),
        );
    }
    let prompt = format!("Client secret of application {client_id} (not shown): ");
    let typed = tokio::task::spawn_blocking(move || rpassword::prompt_password(prompt))
        .await
        .map_err(|err| Error::failure(err.to_string()))?
        .map_err(|err| Error::usage(format!("cannot read the client secret: {err}")))?;
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Error::usage("no client secret given"));
    }
    Ok(Secret::new(typed))
}

/// Expired, or expiring within 30 days: worth a warning.
pub fn expires_soon(link: &LinkMeta) -> bool {
    link.expires_at.seconds_from_now() < 30 * 86_400
}

/// Warns on stderr when a link's token expires within 30 days.
pub fn warn_if_expiring(printer: &Printer, link: &LinkMeta) {
    let at = link.expires_at;
    if at.has_passed() {
        printer.warn(format!(
            "the token of '{}' expired {} ({}); run `mplink refresh {}`",
            link.name,
            at.relative(),
            at.date(),
            link.name
        ));
    } else if expires_soon(link) {
        printer.warn(format!(
            "the token of '{}' expires {} ({}); run `mplink refresh {}`",
            link.name,
            at.relative(),
            at.date(),
            link.name
        ));
    }
}

/// Waits for Ctrl-C; the caller decides what it interrupts.
pub async fn interrupted() -> Error {
    let _ = tokio::signal::ctrl_c().await;
    Error::new(crate::error::Exit::Interrupted, "interrupted")
}

pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15_552_000);
