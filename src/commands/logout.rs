//! `mplink logout`: forget a link on this machine.

use std::process::ExitCode;

use super::Ctx;
use crate::error::Result;
use crate::store::LinkMeta;

/// Forget a link's tokens and metadata on this machine
///
/// This does not revoke anything at Mercado Pago: Mercado Pago has no revoke
/// endpoint. The seller removes your application's access from their Mercado
/// Pago account (or by changing their password).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A link name or seller user id [default: MPLINK_LINK, else the only link]
    #[arg(conflicts_with = "all")]
    pub link: Option<String>,

    /// Forget every link
    #[arg(long)]
    pub all: bool,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let store = ctx.store();
    let links: Vec<LinkMeta> = if args.all {
        store.run(|s| s.links()).await?
    } else {
        let named = args.link.or_else(|| ctx.settings.vars.link.clone());
        vec![store.run(move |s| s.pick(named.as_deref())).await?]
    };
    if links.is_empty() {
        ctx.printer.info("No links to forget.");
        return Ok(ExitCode::SUCCESS);
    }
    for link in links {
        let had_tokens = {
            let link = link.clone();
            store.run(move |s| s.remove(&link)).await?
        };
        if !had_tokens {
            ctx.printer.warn(format!(
                "the tokens of '{}' were already gone from the {}",
                link.name,
                link.store.place()
            ));
        }
        ctx.printer.done(format!(
            "Forgot '{}' (seller {}) on this machine",
            link.name, link.user_id
        ));
    }
    ctx.printer.info(
        "Access is not revoked at Mercado Pago: the seller does that from their Mercado Pago \
         account, by removing your application.",
    );
    Ok(ExitCode::SUCCESS)
}
