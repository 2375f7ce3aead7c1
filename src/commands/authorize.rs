//! `mplink authorize`: link a seller. This file only orchestrates; the
//! pieces live in `oauth`, `receive`, `listener`, `browser` and `store`.

use std::process::ExitCode;
use std::time::Duration;

use super::{Ctx, client_secret, emit, emit_json, interrupted, link_json, rescue};
use crate::cli::{AuthArgs, ClientArgs};
use crate::error::{Error, Exit, Result};
use crate::listener::pages::{self, Page};
use crate::oauth::callback::{Outcome, printable};
use crate::oauth::request::Attempt;
use crate::oauth::token::{Grant, TokenClient, TokenReply, user_id_in_token};
use crate::output::{Printer, clock};
use crate::receive::{self, Choice, Receiver, Way};
use crate::settings::Authorization;
use crate::store::{LinkMeta, Store, Tokens, check_name};
use crate::time::{Timestamp, parse_duration};

/// Link a seller: open the browser, receive the code, store the tokens
///
/// mplink opens Mercado Pago's authorization page in the browser, waits for
/// the seller to consent, exchanges the code at once and keeps the tokens in
/// the keychain. How the code comes back depends on the Redirect URL:
///
///   Redirect URL registered            what mplink does
///   http(s)://127.0.0.1, [::1], localhost  listens there (HTTPS: a certificate
///                                      made for this run)
///   a tunnel to this machine           --listen 127.0.0.1:PORT
///   your hosted relay page             --relay (see `mplink relay-page`)
///   anything else                      --paste: you paste the address the
///                                      browser lands on (the default)
///
/// Example:
///   MPLINK_CLIENT_SECRET=... mplink authorize --test-token \
///     --client-id 4815162342108 --redirect-uri http://127.0.0.1:8976/callback
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Ask for test (sandbox) credentials; the seller must be a test user
    #[arg(long)]
    pub test_token: bool,

    /// Name for the link [default: the seller's user id, plus -test for test credentials]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Print the URL instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,

    /// How long to wait for the seller, such as 90s or 5m
    #[arg(
        long,
        env = "MPLINK_TIMEOUT",
        value_name = "DUR",
        default_value = "10m"
    )]
    pub timeout: String,

    /// Print the result as JSON on stdout (no tokens in it)
    #[arg(long)]
    pub json: bool,

    /// Listen on this loopback HOST:PORT, for a Redirect URL that a tunnel
    /// (ngrok, cloudflared, an SSH forward) brings to this machine
    #[arg(long, env = "MPLINK_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,

    /// Receive the code through the relay page hosted at the Redirect URL
    #[arg(long, env = "MPLINK_RELAY", value_parser = clap::builder::BoolishValueParser::new())]
    pub relay: bool,

    /// Paste the address the browser lands on, instead of listening
    #[arg(long)]
    pub paste: bool,

    #[command(flatten)]
    pub client: ClientArgs,

    #[command(flatten)]
    pub auth: AuthArgs,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let store = ctx.store();
    let plan = plan(&args, ctx, &store).await?;
    let redirect_uri = &plan.auth.redirect_uri;
    let prepared = receive::prepare(plan.way.clone(), redirect_uri, &ctx.printer).await?;
    let attempt = Attempt::new(&plan.auth, prepared.relay_port())?;
    ctx.printer.info(prepared.describe(redirect_uri));
    let mut receiver = prepared.start(attempt.state.clone());
    show_url(ctx, &attempt, args.no_browser);

    let outcome = wait(&mut receiver, ctx, plan.timeout).await?;
    let (page, linked) = complete(&args, ctx, &plan, &store, attempt, outcome).await;
    receiver.respond(page);
    receiver.finish().await;
    report(&linked?, args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Everything checked before the browser opens.
struct Plan {
    auth: Authorization,
    way: Way,
    tokens: TokenClient,
    timeout: Duration,
}

/// Resolves the settings, the way in and the secret, and proves the store
/// works: any of them failing must stop mplink before the seller is
/// involved.
async fn plan(args: &Args, ctx: &Ctx, store: &Store) -> Result<Plan> {
    let saved = store.run(|s| s.app()).await?;
    let client = args.client.require(saved.as_ref())?;
    let auth = args.auth.resolve(client, saved.as_ref())?;
    if let Some(name) = &args.name {
        check_name(name)?;
    }
    let timeout = parse_duration(&args.timeout, "--timeout / MPLINK_TIMEOUT")?;
    let choice = Choice {
        listen: args.listen.as_deref(),
        relay: args.relay,
        paste: args.paste,
    };
    let way = receive::choose(&auth.redirect_uri, choice)?;
    let secret = client_secret(ctx, store, saved.as_ref(), &auth.client.id).await?;
    let tokens = TokenClient::new(&auth.client, secret, ctx.settings.http_timeout)?;
    store.run(|s| s.check()).await?;
    ctx.printer.debug(format!(
        "tokens will be saved to the {}",
        store.kind().place()
    ));
    Ok(Plan {
        auth,
        way,
        tokens,
        timeout,
    })
}

/// Turns the redirect into a stored link, and says what the browser shows.
async fn complete(
    args: &Args,
    ctx: &Ctx,
    plan: &Plan,
    store: &Store,
    attempt: Attempt,
    outcome: Outcome,
) -> (Page, Result<LinkMeta>) {
    let code = match outcome {
        Outcome::Code(code) => code,
        Outcome::Refused { error, description } => {
            let description = description.as_deref();
            return (
                pages::refused(&error, description),
                Err(refused(&error, description)),
            );
        }
    };
    let grant = Grant::Code {
        code,
        redirect_uri: plan.auth.redirect_uri.raw.clone(),
        verifier: attempt.verifier,
        test_token: args.test_token,
    };
    let spinner = ctx
        .printer
        .spinner("Exchanging the code with Mercado Pago...");
    let reply = plan.tokens.request(&grant).await;
    spinner.clear();
    let reply = match reply {
        Ok(reply) => reply,
        Err(err) => return (pages::failed(&err.message), Err(err)),
    };
    let (link, tokens) = new_link(args, &plan.auth, store, reply);
    let mode = if link.live_mode { "production" } else { "test" };
    ctx.printer.done(format!(
        "Mercado Pago issued {mode} credentials for seller {}",
        link.user_id
    ));

    let saving = format!("Saving the tokens to the {}...", link.store.place());
    let spinner = ctx.printer.spinner(&saving);
    let saved = save(store, &link, &tokens).await;
    spinner.clear();
    match saved {
        Ok(()) => {
            ctx.printer.done(format!(
                "Saved as '{}' in the {}",
                link.name,
                link.store.place()
            ));
            (
                pages::linked(link.user_id, link.live_mode, &link.name),
                Ok(link),
            )
        }
        Err(err) => (
            pages::not_saved(link.user_id),
            Err(rescue(&link, &tokens, err)),
        ),
    }
}

/// Prints the URL (always: the browser may not come up) and opens it.
fn show_url(ctx: &Ctx, attempt: &Attempt, no_browser: bool) {
    let printer = &ctx.printer;
    let url = attempt.url.as_str();
    if no_browser {
        // Without a browser the URL is the whole point, even under --quiet.
        printer.always(format!("Open this URL in the seller's browser:\n  {url}"));
        return;
    }
    printer.info(format!("Opening the browser at:\n  {url}"));
    let browser = ctx.settings.vars.browser.as_deref();
    if let Err(why) = crate::browser::open(url, browser) {
        printer.warn(format!("{why}; open the URL above yourself"));
    }
}

/// Waits for the seller, with the time left on show, until the redirect
/// arrives, the timeout passes or the user presses Ctrl-C.
async fn wait(receiver: &mut Receiver, ctx: &Ctx, timeout: Duration) -> Result<Outcome> {
    let printer = &ctx.printer;
    printer.info(
        "If Mercado Pago shows \"La aplicación no está preparada para conectarse a Mercado \
         Pago\", the Redirect URL is not registered exactly, the PKCE setting (--pkce) does not \
         match the application's, or the Client ID is wrong.",
    );
    let deadline = tokio::time::Instant::now() + timeout;
    let message = |left: Duration| {
        format!(
            "Waiting for the seller to authorize in the browser... {} left",
            clock(left)
        )
    };
    let spinner = if receiver.is_pasting() {
        printer.still(&message(timeout))
    } else {
        printer.spinner(&message(timeout))
    };
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    let mut last_line = tokio::time::Instant::now();
    let interactive = ctx.settings.interactive;
    let next = receiver.next(printer, interactive);
    let stop = interrupted();
    tokio::pin!(next, stop);
    loop {
        tokio::select! {
            outcome = &mut next => return outcome,
            _ = tokio::time::sleep_until(deadline) => {
                spinner.clear();
                return Err(timed_out(timeout));
            }
            err = &mut stop => {
                spinner.clear();
                return Err(err);
            }
            _ = ticks.tick() => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                spinner.set_message(message(left));
                plain_progress(printer, &mut last_line, left);
            }
        }
    }
}

/// Without a spinner, a line a minute tells a log reader mplink is alive.
fn plain_progress(printer: &Printer, last: &mut tokio::time::Instant, left: Duration) {
    if printer.animates() || last.elapsed() < Duration::from_secs(60) {
        return;
    }
    *last = tokio::time::Instant::now();
    printer.info(format!(
        "Still waiting for the seller: {} left",
        clock(left)
    ));
}

fn timed_out(timeout: Duration) -> Error {
    Error::new(
        Exit::TimedOut,
        format!(
            "the seller did not complete the authorization within {}",
            humantime::format_duration(timeout)
        ),
    )
    .with_hint("run `mplink authorize` again, with a longer --timeout if needed")
}

fn refused(error: &str, description: Option<&str>) -> Error {
    let detail = description
        .map(|d| format!(": {}", printable(d)))
        .unwrap_or_default();
    Error::new(
        Exit::Refused,
        format!(
            "the authorization was not granted ({}){detail}",
            printable(error)
        ),
    )
    .with_hint("nothing was linked; run `mplink authorize` again when the seller is ready")
}

fn new_link(
    args: &Args,
    auth: &Authorization,
    store: &Store,
    reply: TokenReply,
) -> (LinkMeta, Tokens) {
    let now = Timestamp::now();
    let user_id = reply
        .user_id
        .or_else(|| user_id_in_token(reply.access_token.expose()))
        .unwrap_or(0);
    let name = args.name.clone().unwrap_or_else(|| {
        if args.test_token {
            format!("{user_id}-test")
        } else {
            user_id.to_string()
        }
    });
    let lifetime = reply
        .expires_in
        .map_or(super::TOKEN_LIFETIME, Duration::from_secs);
    let link = LinkMeta {
        name,
        user_id,
        live_mode: reply.live_mode.unwrap_or(!args.test_token),
        test_token: args.test_token,
        scope: reply.scope,
        public_key: reply.public_key,
        client_id: Some(auth.client.id.clone()),
        created_at: now,
        refreshed_at: None,
        expires_at: now.plus(lifetime),
        store: store.kind(),
    };
    let tokens = Tokens {
        access_token: reply.access_token,
        refresh_token: reply.refresh_token,
    };
    (link, tokens)
}

async fn save(store: &Store, link: &LinkMeta, tokens: &Tokens) -> Result<()> {
    let (link, tokens) = (link.clone(), tokens.clone());
    store.run(move |s| s.save(&link, &tokens)).await.map(drop)
}

fn report(link: &LinkMeta, as_json: bool) -> Result<()> {
    if as_json {
        return emit_json(&link_json(link, None));
    }
    let mode = if link.live_mode { "production" } else { "test" };
    emit(&format!(
        "Linked seller {} ({mode}) as '{}'; the access token expires {} ({}).",
        link.user_id,
        link.name,
        link.expires_at.relative(),
        link.expires_at.date()
    ))
}
