//! `mplink refresh`: trade a link's refresh token for a new pair. Refresh
//! tokens work once, so refreshes of one link are serialised across
//! processes and the new pair is stored before success is reported.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Ctx, client_secret, emit, emit_json, link_json, rescue};
use crate::cli::ClientArgs;
use crate::error::{Error, Exit, Result};
use crate::oauth::token::{Grant, TokenClient, TokenReply};
use crate::secret::Secret;
use crate::settings::Client;
use crate::store::app::SavedApp;
use crate::store::{LinkMeta, Store, StoreKind, Tokens};
use crate::time::{Timestamp, parse_duration};

/// Exchange a link's refresh token for a new pair
///
/// Which link: LINK (or MPLINK_LINK); otherwise MPLINK_REFRESH_TOKEN when it
/// is set (then --json --reveal is required, since the old refresh token
/// stops working); otherwise the only stored link.
///
/// Example, for a daily cron job: mplink refresh --all --if-expiring-within 30d
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A link name or seller user id
    #[arg(conflicts_with = "all")]
    pub link: Option<String>,

    /// Refresh every stored link, reporting each
    #[arg(long)]
    pub all: bool,

    /// Only refresh links whose token expires within DUR, such as 30d
    #[arg(long, value_name = "DUR")]
    pub if_expiring_within: Option<String>,

    /// Print the result as JSON on stdout
    #[arg(long)]
    pub json: bool,

    /// Include the new tokens in the JSON
    #[arg(long)]
    pub reveal: bool,

    #[command(flatten)]
    pub client: ClientArgs,
}

/// What happened to one link.
enum Done {
    Refreshed(LinkMeta, Tokens),
    NotDue(LinkMeta),
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let within = args
        .if_expiring_within
        .as_deref()
        .map(|text| parse_duration(text, "--if-expiring-within"))
        .transpose()?;
    let store = ctx.store();
    let saved = store.run(|s| s.app()).await?;
    let named = args.link.clone().or_else(|| ctx.settings.vars.link.clone());
    if !args.all
        && named.is_none()
        && let Some(token) = &ctx.settings.vars.refresh_token
    {
        return refresh_environment(&args, ctx, &store, saved.as_ref(), token).await;
    }
    let names: Vec<String> = if args.all {
        store
            .run(|s| s.links())
            .await?
            .into_iter()
            .map(|l| l.name)
            .collect()
    } else {
        vec![store.run(move |s| s.pick(named.as_deref())).await?.name]
    };

    let mut results = Vec::new();
    let mut failed: Option<Exit> = None;
    let mut refresher = Refresher {
        args: &args,
        ctx,
        store,
        saved,
        within,
        secrets: HashMap::new(),
    };
    for name in &names {
        match refresher.link(name).await {
            Ok(done) => {
                report(ctx, &done, args.json)?;
                results.push(done);
            }
            Err(err) if args.all => {
                ctx.printer.error(&Error {
                    message: format!("'{name}': {}", err.message),
                    ..err
                });
                failed.get_or_insert(err.exit);
            }
            Err(err) => return Err(err),
        }
    }
    if args.json {
        let items: Vec<Value> = results.iter().map(|d| as_json(d, args.reveal)).collect();
        match (args.all, items.as_slice()) {
            (false, [one]) => emit_json(one)?,
            _ => emit_json(&Value::Array(items))?,
        }
    }
    match failed {
        Some(exit) => Err(Error::new(
            exit,
            format!(
                "{} of {} links could not be refreshed",
                names.len() - results.len(),
                names.len()
            ),
        )),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// What one `refresh` run needs for every link, and the client secrets it
/// already has: one prompt per application, not one per link.
struct Refresher<'a> {
    args: &'a Args,
    ctx: &'a Ctx,
    store: Store,
    saved: Option<SavedApp>,
    within: Option<Duration>,
    secrets: HashMap<String, Secret>,
}

impl Refresher<'_> {
    async fn secret(&mut self, client_id: &str) -> Result<Secret> {
        if let Some(secret) = self.secrets.get(client_id) {
            return Ok(secret.clone());
        }
        let secret = client_secret(self.ctx, &self.store, self.saved.as_ref(), client_id).await?;
        self.secrets.insert(client_id.to_string(), secret.clone());
        Ok(secret)
    }

    async fn find(&self, name: &str) -> Result<LinkMeta> {
        let name = name.to_string();
        self.store.run(move |s| s.find(&name)).await
    }

    async fn link(&mut self, name: &str) -> Result<Done> {
        let link = self.find(name).await?;
        let client = client_of(&link, &self.args.client, self.saved.as_ref())?;
        let secret = self.secret(&client.id).await?;
        let http = TokenClient::new(&client, secret, self.ctx.settings.http_timeout)?;

        // Another process may be refreshing this link: wait for it, then read
        // what it stored, so a used refresh token is never sent.
        let lock = {
            let name = name.to_string();
            self.store.run(move |s| s.lock_link(&name)).await?
        };
        let link = self.find(name).await?;
        if let Some(within) = self.within
            && link.expires_at.seconds_from_now() >= within.as_secs() as i64
        {
            return Ok(Done::NotDue(link));
        }
        let tokens = {
            let link = link.clone();
            self.store.run(move |s| s.tokens(&link)).await?
        };
        let refresh_token = tokens.refresh_token.ok_or_else(|| {
            Error::failure(format!("link '{}' has no refresh token", link.name)).with_hint(
                "Mercado Pago gives one only with the offline_access scope; link the seller again",
            )
        })?;
        self.ctx
            .printer
            .debug(format!("refreshing '{}' at {}", link.name, client.api_url));
        let reply = http
            .request(&Grant::Refresh(refresh_token))
            .await
            .map_err(|err| relink_hint(err, &link.name))?;
        let (fresh, tokens) = merge(&link, reply);
        {
            let (fresh, tokens) = (fresh.clone(), tokens.clone());
            self.store.run(move |s| s.save(&fresh, &tokens)).await
        }
        .map(drop)
        .map_err(|err| rescue(&fresh, &tokens, err))?;
        drop(lock);
        Ok(Done::Refreshed(fresh, tokens))
    }
}

/// The application that made the link is the one that can refresh it.
fn client_of(link: &LinkMeta, args: &ClientArgs, saved: Option<&SavedApp>) -> Result<Client> {
    let Some(own) = &link.client_id else {
        return args.require(saved);
    };
    if let Some(other) = args.client_id.as_ref().filter(|id| *id != own) {
        return Err(Error::usage(format!(
            "link '{}' belongs to application {own}, not {other}",
            link.name
        ))
        .with_hint("drop --client-id (or MPLINK_CLIENT_ID) to use the link's own application"));
    }
    let args = ClientArgs {
        client_id: Some(own.clone()),
        api_url: args.api_url.clone(),
    };
    args.require(saved)
}

fn relink_hint(err: Error, name: &str) -> Error {
    if err.exit == Exit::Rejected && err.message.contains("invalid_grant") {
        return err.with_hint(format!(
            "the seller must be linked again: `mplink authorize --name {name}`; the stored link \
             was left as it was"
        ));
    }
    err
}

/// The new pair, keeping what the reply leaves out.
fn merge(link: &LinkMeta, reply: TokenReply) -> (LinkMeta, Tokens) {
    let now = Timestamp::now();
    let lifetime = reply
        .expires_in
        .map_or(super::TOKEN_LIFETIME, Duration::from_secs);
    let fresh = LinkMeta {
        user_id: reply.user_id.unwrap_or(link.user_id),
        live_mode: reply.live_mode.unwrap_or(link.live_mode),
        scope: reply.scope.or_else(|| link.scope.clone()),
        public_key: reply.public_key.or_else(|| link.public_key.clone()),
        refreshed_at: Some(now),
        expires_at: now.plus(lifetime),
        ..link.clone()
    };
    let tokens = Tokens {
        access_token: reply.access_token,
        refresh_token: reply.refresh_token,
    };
    (fresh, tokens)
}

fn report(ctx: &Ctx, done: &Done, json: bool) -> Result<()> {
    let line = match done {
        Done::Refreshed(link, _) => format!(
            "Refreshed '{}' (seller {}); the new access token expires {} ({}).",
            link.name,
            link.user_id,
            link.expires_at.relative(),
            link.expires_at.date()
        ),
        Done::NotDue(link) => format!(
            "Skipped '{}': it expires {} ({}), not within the window.",
            link.name,
            link.expires_at.relative(),
            link.expires_at.date()
        ),
    };
    if json {
        ctx.printer.info(line);
        Ok(())
    } else {
        emit(&line)
    }
}

fn as_json(done: &Done, reveal: bool) -> Value {
    match done {
        Done::Refreshed(link, tokens) => {
            let mut value = link_json(link, reveal.then_some(tokens));
            value["refreshed"] = json!(true);
            value
        }
        Done::NotDue(link) => {
            let mut value = link_json(link, None);
            value["refreshed"] = json!(false);
            value
        }
    }
}

/// CI: refresh `MPLINK_REFRESH_TOKEN` and hand the new pair back, since
/// nothing else will keep it.
async fn refresh_environment(
    args: &Args,
    ctx: &Ctx,
    store: &Store,
    saved: Option<&SavedApp>,
    token: &Secret,
) -> Result<ExitCode> {
    if !(args.json && args.reveal) {
        return Err(Error::usage(
            "refreshing MPLINK_REFRESH_TOKEN needs --json --reveal: the old refresh token \
             stops working, so the new pair must be printed",
        )
        .with_hint("save the printed refresh_token for the next run (or `mplink import` it)"));
    }
    let client = args.client.require(saved)?;
    let secret = client_secret(ctx, store, saved, &client.id).await?;
    let http = TokenClient::new(&client, secret, ctx.settings.http_timeout)?;
    let reply = http.request(&Grant::Refresh(token.clone())).await?;
    let live = reply
        .live_mode
        .unwrap_or(!reply.access_token.expose().starts_with("TEST-"));
    let user_id = reply
        .user_id
        .or_else(|| crate::oauth::token::user_id_in_token(reply.access_token.expose()))
        .unwrap_or(0);
    let now = Timestamp::now();
    let placeholder = LinkMeta {
        name: if live {
            user_id.to_string()
        } else {
            format!("{user_id}-test")
        },
        user_id,
        live_mode: live,
        test_token: !live,
        scope: None,
        public_key: None,
        client_id: Some(client.id.clone()),
        created_at: now,
        refreshed_at: None,
        expires_at: now,
        store: StoreKind::File,
    };
    let (link, tokens) = merge(&placeholder, reply);
    let mut value = link_json(&link, Some(&tokens));
    value["store"] = Value::Null;
    value["source"] = json!("environment");
    value["refreshed"] = json!(true);
    emit_json(&value)?;
    ctx.printer.done(format!(
        "Refreshed MPLINK_REFRESH_TOKEN (seller {user_id}): keep the new refresh_token, the old \
         one no longer works"
    ));
    Ok(ExitCode::SUCCESS)
}
