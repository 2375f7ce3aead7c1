//! Opening the authorization URL: the `BROWSER` command when set, else the
//! platform's default browser. mplink never waits for the browser to quit.

use std::process::{Command, Stdio};

/// Starts the browser on `url`. `browser` is the `BROWSER` variable: a
/// command line in which `%s` is replaced by the URL, or which gets the URL
/// as its last argument. The error is a sentence for the user.
pub fn open(url: &str, browser: Option<&str>) -> Result<(), String> {
    match browser {
        Some(command) => spawn(command, url),
        None => open::that_detached(url).map_err(|err| format!("could not open a browser: {err}")),
    }
}

fn spawn(command: &str, url: &str) -> Result<(), String> {
    let words = command_words(command, url)?;
    let (program, args) = words.split_first().ok_or("BROWSER is empty")?;
    // The browser's chatter must not mix with mplink's stdout, which is data.
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("could not start BROWSER ({program}): {err}"))?;
    // Reap it whenever it ends, without making mplink wait for it.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Splits `BROWSER` like a shell would (quotes, no expansion) and puts the
/// URL in place of `%s`, or at the end.
fn command_words(command: &str, url: &str) -> Result<Vec<String>, String> {
    let mut words = shlex::split(command).ok_or("BROWSER has unbalanced quotes")?;
    if words.iter().any(|w| w.contains("%s")) {
        for word in &mut words {
            *word = word.replace("%s", url);
        }
    } else {
        words.push(url.to_string());
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_replaces_percent_s_or_comes_last() {
        let url = "https://auth.example/authorization?a=1&b=2";
        assert_eq!(command_words("firefox", url).unwrap(), ["firefox", url]);
        assert_eq!(
            command_words("'/opt/my browser/run' --new-tab", url).unwrap(),
            ["/opt/my browser/run", "--new-tab", url]
        );
        assert_eq!(
            command_words("sh -c 'echo %s > /tmp/x'", url).unwrap(),
            ["sh", "-c", &format!("echo {url} > /tmp/x")]
        );
        assert!(command_words("'unbalanced", url).is_err());
    }

    #[test]
    fn a_missing_browser_is_an_error_not_a_panic() {
        let err = open("http://127.0.0.1:1/", Some("/nonexistent/browser")).unwrap_err();
        assert!(err.contains("/nonexistent/browser"), "{err}");
    }
}
