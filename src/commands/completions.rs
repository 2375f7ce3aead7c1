//! `mplink completions`: shell completion scripts from the clap definition.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Result;

/// Print a shell completion script
///
/// Examples:
///   mplink completions bash > ~/.local/share/bash-completion/completions/mplink
///   mplink completions zsh > ~/.zfunc/_mplink
///   mplink completions fish > ~/.config/fish/completions/mplink.fish
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell
    pub shell: Shell,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let script = script(args.shell);
    super::emit(script.trim_end_matches('\n'))?;
    Ok(ExitCode::SUCCESS)
}

pub fn script(shell: Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mplink", &mut out);
    // clap_complete writes UTF-8: the scripts are built from our own text.
    String::from_utf8(out).unwrap_or_default()
}
