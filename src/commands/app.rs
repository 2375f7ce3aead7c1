//! `mplink app`: remember the application's settings and client secret.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;

use super::{Ctx, emit, emit_json};
use crate::cli::{AuthArgs, ClientArgs};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::app::SavedApp;

/// Remember your application's settings (Client ID, Redirect URL, secret)
///
/// Saved settings are used by `authorize` and `refresh` when no flag or
/// environment variable gives them; flags and variables still win.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// Save settings; the client secret comes from MPLINK_CLIENT_SECRET or a prompt
    Set(SetArgs),
    /// Print the saved settings, the secret masked
    Show(ShowArgs),
    /// Forget the saved settings and client secret
    Clear,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Do not save (or ask for) the client secret
    #[arg(long)]
    pub no_secret: bool,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Print JSON on stdout
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    match args.action {
        Action::Set(set) => self::set(set, ctx).await,
        Action::Show(show) => self::show(show, ctx).await,
        Action::Clear => {
            let store = ctx.store();
            if store.run(|s| s.forget_app()).await? {
                ctx.printer.done("Forgot the saved application settings");
            } else {
                ctx.printer.info("No application settings were saved.");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn set(args: SetArgs, ctx: &Ctx) -> Result<ExitCode> {
    let store = ctx.store();
    let old = store.run(|s| s.app()).await?;
    let client = args.client.require(old.as_ref())?;
    let same_app = old.as_ref().filter(|o| o.client_id == client.id);
    let pick = |new: &Option<String>, old: fn(&SavedApp) -> Option<String>| {
        new.clone().or_else(|| same_app.and_then(old))
    };
    let pkce = match (args.auth.no_pkce, &args.auth.pkce) {
        (true, _) => Some(false),
        (false, Some(value)) => Some(crate::settings::on_off(value)?),
        (false, None) => same_app.and_then(|o| o.pkce),
    };
    let app = SavedApp {
        client_id: client.id.clone(),
        redirect_uri: pick(&args.auth.redirect_uri, |o| o.redirect_uri.clone()),
        site: pick(&args.auth.site, |o| o.site.clone()),
        auth_url: pick(&args.auth.auth_url, |o| o.auth_url.clone()),
        api_url: pick(&args.client.api_url, |o| o.api_url.clone()),
        pkce,
        secret_store: None,
    };
    validate(&app)?;
    let secret = if args.no_secret {
        None
    } else {
        secret(ctx).await?
    };
    {
        let (app, secret) = (app.clone(), secret.clone());
        store
            .run(move |s| s.save_app(&app, secret.as_ref()))
            .await?;
    }
    let path = store.dir().file("app.json");
    ctx.printer.done(format!(
        "Saved application {} to {}",
        app.client_id,
        path.display()
    ));
    match secret {
        Some(_) => ctx.printer.done(format!(
            "Saved the client secret in the {}",
            store.kind().place()
        )),
        None if same_app.is_none() && old.is_some_and(|o| o.secret_store.is_some()) => ctx
            .printer
            .warn("the client secret saved for the previous application was removed"),
        None => ctx
            .printer
            .info("No client secret saved: mplink will use MPLINK_CLIENT_SECRET, or ask for it."),
    }
    Ok(ExitCode::SUCCESS)
}

/// Saved settings must be usable: run them through the same checks as flags.
fn validate(app: &SavedApp) -> Result<()> {
    let client = ClientArgs {
        client_id: Some(app.client_id.clone()),
        api_url: app.api_url.clone(),
    }
    .require(None)?;
    if app.redirect_uri.is_some() {
        let auth = AuthArgs {
            redirect_uri: app.redirect_uri.clone(),
            site: app.site.clone(),
            auth_url: app.auth_url.clone(),
            pkce: None,
            no_pkce: false,
        };
        auth.resolve(client, None)?;
    }
    Ok(())
}

async fn secret(ctx: &Ctx) -> Result<Option<Secret>> {
    if let Some(secret) = &ctx.settings.vars.client_secret {
        return Ok(Some(secret.clone()));
    }
    if !ctx.settings.interactive {
        return Ok(None);
    }
    let typed = tokio::task::spawn_blocking(|| {
        rpassword::prompt_password("Client secret (not shown; empty to skip): ")
    })
    .await
    .map_err(|err| Error::failure(err.to_string()))?
    .map_err(|err| Error::usage(format!("cannot read the client secret: {err}")))?;
    let typed = typed.trim();
    Ok((!typed.is_empty()).then(|| Secret::new(typed)))
}

async fn show(args: ShowArgs, ctx: &Ctx) -> Result<ExitCode> {
    let store = ctx.store();
    let Some(app) = store.run(|s| s.app()).await? else {
        return Err(Error::new(
            crate::error::Exit::Failure,
            "no application settings are saved",
        )
        .with_hint("save them with `mplink app set --client-id ID --redirect-uri URL`"));
    };
    let secret = {
        let app = app.clone();
        store.run(move |s| s.app_secret(&app)).await
    };
    let secret = match secret {
        Ok(Some(secret)) => secret.masked(),
        Ok(None) => "(not saved)".to_string(),
        Err(err) => format!("(cannot read: {})", err.message),
    };
    if args.json {
        emit_json(&json!({
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "site": app.site,
            "auth_url": app.auth_url,
            "api_url": app.api_url,
            "pkce": app.pkce,
            "client_secret": secret,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let unset = || "(default)".to_string();
    let pkce = app.pkce.map(|on| if on { "on" } else { "off" }.to_string());
    for (label, value) in [
        ("client id", app.client_id.clone()),
        (
            "redirect uri",
            app.redirect_uri.clone().unwrap_or_else(unset),
        ),
        ("site", app.site.clone().unwrap_or_else(unset)),
        ("auth url", app.auth_url.clone().unwrap_or_else(unset)),
        ("api url", app.api_url.clone().unwrap_or_else(unset)),
        ("pkce", pkce.unwrap_or_else(unset)),
        ("client secret", secret),
    ] {
        emit(&format!("{label:<14}{value}"))?;
    }
    Ok(ExitCode::SUCCESS)
}
