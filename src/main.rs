//! mplink: link Mercado Pago seller accounts to your application.

mod browser;
mod cli;
mod commands;
mod error;
mod listener;
mod oauth;
mod output;
mod receive;
mod secret;
mod settings;
mod store;
mod time;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::output::{ColorChoice, Printer, Verbosity};
use crate::settings::Settings;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = |name: &str| std::env::var(name).ok();
    let terminals = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let verbosity = match (cli.global.quiet, cli.global.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let settings = Settings::resolve(&cli.global, &env, terminals);
    let no_color = settings.as_ref().is_ok_and(|s| s.vars.no_color);
    let interactive = settings.as_ref().is_ok_and(|s| s.interactive);
    let color = cli.global.color.unwrap_or(ColorChoice::Auto);
    let printer = Printer::new(verbosity, color, no_color, interactive);

    let result = settings.and_then(|settings| {
        let ctx = commands::Ctx {
            settings,
            printer: printer.clone(),
        };
        commands::run(cli.command, ctx)
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            printer.error(&err);
            ExitCode::from(err.exit as u8)
        }
    }
}
