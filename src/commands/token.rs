//! `mplink token`: the access token alone on stdout, for `$(mplink token)`.

use std::process::ExitCode;

use super::{Ctx, emit, warn_if_expiring};
use crate::error::{Error, Exit, Result};

/// Print a link's access token, alone, on stdout
///
/// Which token: LINK (or MPLINK_LINK) names a stored link; otherwise
/// MPLINK_ACCESS_TOKEN when set; otherwise the only stored link.
///
/// Example: curl -H "Authorization: Bearer $(mplink token shop)" ...
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A link name or seller user id
    pub link: Option<String>,
}

pub async fn run(args: Args, ctx: &Ctx) -> Result<ExitCode> {
    let named = args.link.or_else(|| ctx.settings.vars.link.clone());
    if named.is_none()
        && let Some(token) = &ctx.settings.vars.access_token
    {
        ctx.printer.debug("using MPLINK_ACCESS_TOKEN");
        emit(token.expose())?;
        return Ok(ExitCode::SUCCESS);
    }
    let store = ctx.store();
    let link = store.run(move |s| s.pick(named.as_deref())).await?;
    if link.expires_at.has_passed() {
        return Err(Error::new(
            Exit::Failure,
            format!(
                "the access token of '{}' expired on {}",
                link.name,
                link.expires_at.date()
            ),
        )
        .with_hint(format!("run `mplink refresh {}`", link.name)));
    }
    let tokens = {
        let link = link.clone();
        store.run(move |s| s.tokens(&link)).await?
    };
    warn_if_expiring(&ctx.printer, &link);
    emit(tokens.access_token.expose())?;
    Ok(ExitCode::SUCCESS)
}
