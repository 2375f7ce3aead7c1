//! `mplink show`: the links, as a table or one in detail.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Ctx, emit, emit_json, expires_soon, link_json, warn_if_expiring};
use crate::error::Result;
use crate::oauth::callback::printable;
use crate::output::{Printer, Tone};
use crate::secret::Secret;
use crate::store::{LinkMeta, Tokens};
use crate::time::parse_duration;

/// List links, or describe one
///
/// Without LINK, every link as a table, plus MPLINK_ACCESS_TOKEN when it is
/// set. Tokens are masked unless --reveal.
///
/// Example, for monitoring: mplink show --check --within 14d || alert
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A link name or seller user id [default: all links]
    pub link: Option<String>,

    /// Print JSON on stdout: an array, or one object for LINK
    #[arg(long)]
    pub json: bool,

    /// Show the tokens themselves instead of masking them
    #[arg(long)]
    pub reveal: bool,

    /// Exit 1 if a shown link has expired or expires within --within
    #[arg(long)]
    pub check: bool,

    /// The window for --check, such as 14d
    #[arg(long, value_name = "DUR", default_value = "30d", requires = "check")]
    pub within: String,
}

/// A link as shown: stored, or only known from the environment.
enum Shown {
    Stored(LinkMeta, Option<Tokens>),
    Environment(Secret),
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let within = parse_duration(&args.within, "--within")?;
    let shown = collect(&args, ctx).await?;
    if args.json {
        let items: Vec<Value> = shown.iter().map(|s| as_json(s, args.reveal)).collect();
        match (&args.link, items.as_slice()) {
            (Some(_), [one]) => emit_json(one)?,
            _ => emit_json(&Value::Array(items))?,
        }
    } else if args.link.is_some() {
        for item in &shown {
            detail(item, &ctx.printer, args.reveal)?;
        }
    } else {
        table(&shown, &ctx.printer)?;
    }
    for item in &shown {
        if let Shown::Stored(link, _) = item {
            warn_if_expiring(&ctx.printer, link);
        }
    }
    if args.check && shown.iter().any(|s| due(s, within)) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

async fn collect(args: &Args, ctx: &Ctx) -> Result<Vec<Shown>> {
    let store = ctx.store();
    if let Some(query) = args.link.clone() {
        let link = store.run(move |s| s.find(&query)).await?;
        let tokens = {
            let link = link.clone();
            store.run(move |s| s.tokens(&link)).await
        };
        // The masked tokens are a detail: without --reveal, a keychain that
        // cannot be read does not hide the rest.
        let tokens = match tokens {
            Ok(tokens) => Some(tokens),
            Err(err) if !args.reveal => {
                ctx.printer
                    .warn(format!("tokens not shown: {}", err.message));
                None
            }
            Err(err) => return Err(err),
        };
        return Ok(vec![Shown::Stored(link, tokens)]);
    }
    let links = store.run(|s| s.links()).await?;
    let mut shown = Vec::new();
    for link in links {
        // The table has no token column: only JSON reveals them.
        let tokens = if args.reveal && args.json {
            let link = link.clone();
            Some(store.run(move |s| s.tokens(&link)).await?)
        } else {
            None
        };
        shown.push(Shown::Stored(link, tokens));
    }
    if let Some(token) = &ctx.settings.vars.access_token {
        shown.push(Shown::Environment(token.clone()));
    }
    Ok(shown)
}

fn due(shown: &Shown, within: Duration) -> bool {
    match shown {
        Shown::Stored(link, _) => link.expires_at.seconds_from_now() < within.as_secs() as i64,
        Shown::Environment(_) => false,
    }
}

fn as_json(shown: &Shown, reveal: bool) -> Value {
    match shown {
        Shown::Stored(link, tokens) => {
            let mut value = link_json(link, tokens.as_ref().filter(|_| reveal));
            value["source"] = json!("store");
            value
        }
        Shown::Environment(token) => {
            let mut value = json!({
                "name": "MPLINK_ACCESS_TOKEN",
                "source": "environment",
                "access_token_masked": token.masked(),
                "user_id": crate::oauth::token::user_id_in_token(token.expose()),
                "test_token": token.expose().starts_with("TEST-"),
            });
            if reveal {
                value["access_token"] = json!(token.expose());
            }
            value
        }
    }
}

/// One row per link, columns aligned; colour is only ever a second signal.
fn table(shown: &[Shown], printer: &Printer) -> Result<()> {
    if shown.is_empty() {
        printer.info("No seller is linked yet: run `mplink authorize`.");
        return Ok(());
    }
    let mut rows = vec![[
        "NAME".to_string(),
        "SELLER".to_string(),
        "MODE".to_string(),
        "EXPIRES".to_string(),
        "STORE".to_string(),
    ]];
    let mut due = vec![false];
    for item in shown {
        rows.push(row(item));
        due.push(matches!(item, Shown::Stored(link, _) if expires_soon(link)));
    }
    let widths: Vec<usize> = (0..5)
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (at, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            let padded = format!("{cell:<width$}", width = widths[col]);
            let painted = match (at, col) {
                (0, _) => printer.paint_stdout(Tone::Bold, &padded),
                (_, 3) if due[at] => printer.paint_stdout(Tone::Warn, &padded),
                _ => padded,
            };
            line.push_str(&painted);
            line.push_str("  ");
        }
        emit(line.trim_end())?;
    }
    Ok(())
}

fn row(shown: &Shown) -> [String; 5] {
    match shown {
        Shown::Stored(link, _) => [
            link.name.clone(),
            link.user_id.to_string(),
            mode(link.live_mode).to_string(),
            expiry(link),
            link.store.name().to_string(),
        ],
        Shown::Environment(token) => [
            format!("MPLINK_ACCESS_TOKEN ({})", token.masked()),
            crate::oauth::token::user_id_in_token(token.expose())
                .map_or("?".to_string(), |id| id.to_string()),
            if token.expose().starts_with("TEST-") {
                "test"
            } else {
                "?"
            }
            .to_string(),
            "unknown".to_string(),
            "environment".to_string(),
        ],
    }
}

fn mode(live: bool) -> &'static str {
    if live { "production" } else { "test" }
}

/// "in 172 days, 2027-05-24", with a word for terminals without colour.
fn expiry(link: &LinkMeta) -> String {
    let at = link.expires_at;
    let text = format!("{}, {}", at.relative(), at.date());
    if at.has_passed() {
        format!("EXPIRED {text}")
    } else if expires_soon(link) {
        format!("{text} (soon)")
    } else {
        text
    }
}

fn detail(shown: &Shown, printer: &Printer, reveal: bool) -> Result<()> {
    let Shown::Stored(link, tokens) = shown else {
        return Ok(());
    };
    let show = |token: &Secret| {
        if reveal {
            token.expose().to_string()
        } else {
            token.masked()
        }
    };
    let (access, refresh) = match tokens {
        Some(t) => (
            show(&t.access_token),
            t.refresh_token.as_ref().map_or("(none)".to_string(), show),
        ),
        None => ("(unavailable)".to_string(), "(unavailable)".to_string()),
    };
    let lines = [
        ("name", link.name.clone()),
        ("seller", link.user_id.to_string()),
        (
            "mode",
            format!("{} ({})", mode(link.live_mode), test_note(link)),
        ),
        ("expires", expiry(link)),
        ("created", link.created_at.to_string()),
        (
            "refreshed",
            link.refreshed_at.map_or("never".into(), |t| t.to_string()),
        ),
        // Both come from Mercado Pago's reply (or `import`'s stdin).
        (
            "scope",
            printable(link.scope.as_deref().unwrap_or_default()),
        ),
        (
            "public key",
            printable(link.public_key.as_deref().unwrap_or_default()),
        ),
        ("client id", link.client_id.clone().unwrap_or_default()),
        ("store", link.store.name().to_string()),
        ("access token", access),
        ("refresh token", refresh),
    ];
    for (label, value) in lines {
        let label = printer.paint_stdout(Tone::Bold, &format!("{label:<13}"));
        emit(&format!("{label} {value}"))?;
    }
    Ok(())
}

fn test_note(link: &LinkMeta) -> &'static str {
    if link.test_token {
        "asked with --test-token"
    } else {
        "asked without --test-token"
    }
}
