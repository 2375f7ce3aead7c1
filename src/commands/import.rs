//! `mplink import`: store a token response read from stdin as a link.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;

use super::{Ctx, emit};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{LinkMeta, Tokens, check_name};
use crate::time::Timestamp;

const MAX_INPUT: u64 = 1024 * 1024;

/// Store a token response read from stdin as a link
///
/// Accepts the JSON Mercado Pago's token endpoint returns, or the JSON of
/// `mplink show --json --reveal` / `refresh --json --reveal` (one object).
/// The way to move a link into a CI cache or onto another machine.
///
/// Example: mplink show shop --json --reveal | ssh ci mplink import --store file
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Name for the link [default: the name in the JSON, else the seller's user id]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let text = tokio::task::spawn_blocking(read_stdin)
        .await
        .map_err(|err| Error::failure(err.to_string()))??;
    let value: Value = serde_json::from_str(&text)
        .map_err(|err| Error::usage(format!("stdin is not a JSON token response: {err}")))?;
    let store = ctx.store();
    let (link, tokens) = parse(&value, args.name.as_deref(), store.kind(), &ctx.printer)?;
    let replaced = {
        let (link, tokens) = (link.clone(), tokens.clone());
        store.run(move |s| s.save(&link, &tokens)).await?
    };
    if replaced {
        ctx.printer
            .warn(format!("replaced the existing link '{}'", link.name));
    }
    let mode = if link.live_mode { "production" } else { "test" };
    emit(&format!(
        "Imported seller {} ({mode}) as '{}' into the {}; the access token expires {} ({}).",
        link.user_id,
        link.name,
        link.store.place(),
        link.expires_at.relative(),
        link.expires_at.date()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_INPUT)
        .read_to_string(&mut text)
        .map_err(|err| Error::usage(format!("cannot read stdin: {err}")))?;
    if text.trim().is_empty() {
        return Err(Error::usage(
            "nothing on stdin: pipe a token response into `mplink import`",
        ));
    }
    Ok(text)
}

fn parse(
    value: &Value,
    name: Option<&str>,
    store: crate::store::StoreKind,
    printer: &crate::output::Printer,
) -> Result<(LinkMeta, Tokens)> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let access = text("access_token").ok_or_else(|| {
        Error::usage("the JSON has no access_token")
            .with_hint("pipe the token endpoint's reply, or the output of `--json --reveal`")
    })?;
    let user_id = number(value.get("user_id"))
        .or_else(|| crate::oauth::token::user_id_in_token(&access))
        .ok_or_else(|| {
            Error::usage("the JSON has no user_id, and the token does not end in one")
        })?;
    let live_mode = value
        .get("live_mode")
        .and_then(Value::as_bool)
        .unwrap_or(!access.starts_with("TEST-"));
    let test_token = value
        .get("test_token")
        .and_then(Value::as_bool)
        .unwrap_or(!live_mode);
    let name = match name.map(str::to_owned).or_else(|| text("name")) {
        Some(name) => name,
        None if test_token => format!("{user_id}-test"),
        None => user_id.to_string(),
    };
    check_name(&name)?;
    let now = Timestamp::now();
    let expires_at = match (text("expires_at"), number(value.get("expires_in"))) {
        (Some(at), _) => Timestamp::parse(&at)
            .ok_or_else(|| Error::usage(format!("expires_at '{at}' is not an RFC 3339 time")))?,
        (None, Some(secs)) => now.plus(Duration::from_secs(secs)),
        (None, None) => {
            printer
                .warn("the JSON does not say when the token expires; assuming 180 days from now");
            now.plus(super::TOKEN_LIFETIME)
        }
    };
    let link = LinkMeta {
        name,
        user_id,
        live_mode,
        test_token,
        scope: text("scope"),
        public_key: text("public_key"),
        client_id: number(value.get("client_id"))
            .map(|id| id.to_string())
            .or_else(|| client_id_in_token(&access)),
        created_at: text("created_at")
            .and_then(|t| Timestamp::parse(&t))
            .unwrap_or(now),
        refreshed_at: text("refreshed_at").and_then(|t| Timestamp::parse(&t)),
        expires_at,
        store,
    };
    let tokens = Tokens {
        access_token: Secret::new(access),
        refresh_token: text("refresh_token").map(Secret::new),
    };
    Ok((link, tokens))
}

/// A number, or a string of digits (Client IDs travel as both).
fn number(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `APP_USR-<client id>-<MMddHH>-<hash>-<user id>`.
fn client_id_in_token(token: &str) -> Option<String> {
    let id = token.split('-').nth(1)?;
    (id.len() > 3 && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{ColorChoice, Printer, Verbosity};
    use crate::store::StoreKind;

    fn quiet() -> Printer {
        Printer::new(Verbosity::Quiet, ColorChoice::Never, true, false)
    }

    #[test]
    fn reads_mercado_pagos_own_reply() {
        let reply = serde_json::json!({
            "access_token": "TEST-4815162342108-120318-abcdef-246813579",
            "token_type": "bearer",
            "expires_in": 15552000,
            "scope": "offline_access read write",
            "user_id": 246813579,
            "refresh_token": "TG-abc-246813579",
            "public_key": "TEST-pk",
            "live_mode": false
        });
        let (link, tokens) = parse(&reply, None, StoreKind::File, &quiet()).unwrap();
        assert_eq!(link.name, "246813579-test");
        assert!(!link.live_mode && link.test_token);
        assert_eq!(link.client_id.as_deref(), Some("4815162342108"));
        assert_eq!(link.expires_at.days_from_now(), 179);
        assert_eq!(tokens.refresh_token.unwrap().expose(), "TG-abc-246813579");
    }

    #[test]
    fn reads_mplinks_reveal_json_and_keeps_its_name() {
        let shown = serde_json::json!({
            "name": "shop", "user_id": 7, "live_mode": true, "test_token": false,
            "client_id": "99", "expires_at": "2030-01-01T00:00:00Z",
            "access_token": "APP_USR-99-010100-x-7", "refresh_token": "TG-r-7"
        });
        let (link, _) = parse(&shown, None, StoreKind::File, &quiet()).unwrap();
        assert_eq!(link.name, "shop");
        assert_eq!(link.expires_at.to_string(), "2030-01-01T00:00:00Z");
        let (renamed, _) = parse(&shown, Some("ci"), StoreKind::File, &quiet()).unwrap();
        assert_eq!(renamed.name, "ci");
    }

    #[test]
    fn refuses_json_without_a_token() {
        let err = parse(
            &serde_json::json!({"user_id": 1}),
            None,
            StoreKind::File,
            &quiet(),
        );
        assert_eq!(err.unwrap_err().exit, crate::error::Exit::Usage);
    }
}
