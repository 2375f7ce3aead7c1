//! Everything mplink says to a person goes through [`Printer`] to stderr;
//! stdout carries only a command's result, through [`stdout_line`].

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Bold,
    Dim,
}

/// Writes human text to stderr, knowing how much the user wants to hear
/// and whether the terminal can take colour and spinners.
#[derive(Clone, Debug)]
pub struct Printer {
    verbosity: Verbosity,
    color: bool,
    color_stdout: bool,
    animate: bool,
}

impl Printer {
    /// `interactive` is false in CI and whenever stdin or stderr is not a
    /// terminal; spinners are drawn only when it is true.
    pub fn new(
        verbosity: Verbosity,
        color: ColorChoice,
        no_color: bool,
        interactive: bool,
    ) -> Self {
        let terminal = io::stderr().is_terminal();
        let decide = |terminal: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Printer {
            verbosity,
            color: decide(terminal),
            color_stdout: decide(io::stdout().is_terminal()),
            animate: interactive && terminal && verbosity == Verbosity::Normal,
        }
    }

    /// Progress and results meant for a person; silent under `--quiet`.
    pub fn info(&self, message: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Normal {
            write_stderr(message.as_ref());
        }
    }

    /// What the user needs whatever the verbosity, such as the URL to open
    /// when mplink opens no browser.
    pub fn always(&self, message: impl AsRef<str>) {
        write_stderr(message.as_ref());
    }

    /// A question on the line the answer is typed on.
    pub fn prompt(&self, question: &str) {
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "{question}");
        let _ = stderr.flush();
    }

    /// A finished step: a check mark, then the message.
    pub fn done(&self, message: impl AsRef<str>) {
        self.info(format!(
            "{} {}",
            self.paint(Tone::Good, "✓"),
            message.as_ref()
        ));
    }

    /// Something the user should know even when all went well.
    pub fn warn(&self, message: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Normal {
            let label = self.paint(Tone::Warn, "warning:");
            write_stderr(&format!("{label} {}", message.as_ref()));
        }
    }

    /// Details for `--verbose`; never secrets.
    pub fn debug(&self, message: impl AsRef<str>) {
        if self.verbosity == Verbosity::Verbose {
            write_stderr(&format!(
                "{} {}",
                self.paint(Tone::Dim, "debug:"),
                message.as_ref()
            ));
        }
    }

    /// The final error, shown whatever the verbosity.
    pub fn error(&self, error: &Error) {
        write_stderr(&format!(
            "{} {}",
            self.paint(Tone::Bad, "error:"),
            error.message
        ));
        if let Some(hint) = &error.hint {
            write_stderr(&format!("{} {hint}", self.paint(Tone::Bold, "hint:")));
        }
    }

    /// Colours text for stderr.
    pub fn paint(&self, tone: Tone, text: &str) -> String {
        paint(self.color, tone, text)
    }

    /// Colours text for stdout, which may be a pipe when stderr is not.
    pub fn paint_stdout(&self, tone: Tone, text: &str) -> String {
        paint(self.color_stdout, tone, text)
    }

    /// The message as one plain line, for a wait during which the user
    /// types (a spinner would redraw over the typing).
    pub fn still(&self, message: &str) -> Spinner {
        self.info(message);
        Spinner { bar: None }
    }

    /// A spinner with `message` on a terminal; elsewhere the message is
    /// printed once as a plain line.
    pub fn spinner(&self, message: &str) -> Spinner {
        if !self.animate {
            return self.still(message);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Spinner { bar: Some(bar) }
    }

    pub fn animates(&self) -> bool {
        self.animate
    }
}

/// A running spinner, or nothing when the terminal cannot show one.
pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    pub fn set_message(&self, message: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// Removes the spinner line so that the next message starts clean.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.clear();
    }
}

fn paint(color: bool, tone: Tone, text: &str) -> String {
    if !color {
        return text.to_string();
    }
    let code = match tone {
        Tone::Good => "32",
        Tone::Warn => "33",
        Tone::Bad => "31",
        Tone::Bold => "1",
        Tone::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn write_stderr(line: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// Writes one line of the command's result to stdout. A closed pipe
/// (`mplink show | head -1`) is not an error worth reporting.
pub fn stdout_line(line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Formats a remaining time as `9:41`, or `1:02:03` past an hour.
pub fn clock(left: Duration) -> String {
    let secs = left.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_counts_down_in_minutes_and_seconds() {
        assert_eq!(clock(Duration::from_secs(581)), "9:41");
        assert_eq!(clock(Duration::from_secs(59)), "0:59");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }

    #[test]
    fn no_colour_means_plain_text() {
        let printer = Printer::new(Verbosity::Normal, ColorChoice::Never, false, false);
        assert_eq!(printer.paint(Tone::Warn, "expires soon"), "expires soon");
        let printer = Printer::new(Verbosity::Normal, ColorChoice::Always, true, false);
        assert_eq!(printer.paint(Tone::Bad, "x"), "\x1b[31mx\x1b[0m");
    }
}
