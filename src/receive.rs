//! How the authorization code gets back to mplink, chosen from the Redirect
//! URL and the flags:
//!
//! | registered Redirect URL            | flag       | mplink                                   |
//! |------------------------------------|------------|------------------------------------------|
//! | `http://127.0.0.1:PORT/...` etc.   |            | listens there                            |
//! | `https://127.0.0.1:PORT/...` etc.  |            | listens there with a run's certificate   |
//! | any, reaching you via a tunnel     | `--listen` | listens on that loopback address         |
//! | your hosted relay page             | `--relay`  | listens on 127.0.0.1, port in `state`    |
//! | anything else                      | `--paste`  | asks for the address the browser reached |

use std::io::BufRead;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::error::{Error, Exit, Result};
use crate::listener::pages::Page;
use crate::listener::tls::{self, RunCertificate};
use crate::listener::{self, Listener, Running};
use crate::oauth::callback::{self, Outcome, Rejection};
use crate::output::Printer;
use crate::settings::RedirectUri;

/// The path the relay page forwards to on the seller's machine.
pub const RELAY_PATH: &str = "/mplink/relay";

#[derive(Clone, Debug, PartialEq)]
pub enum Way {
    /// The Redirect URL itself is on this machine.
    Loopback {
        addrs: Vec<SocketAddr>,
        path: String,
        https: bool,
    },
    /// A tunnel or forward brings the Redirect URL to this address.
    Listen {
        addrs: Vec<SocketAddr>,
        path: String,
    },
    /// The relay page at the Redirect URL forwards to this address.
    Relay { addrs: Vec<SocketAddr> },
    /// The user pastes the address the browser landed on.
    Paste { asked: bool },
}

pub struct Choice<'a> {
    pub listen: Option<&'a str>,
    pub relay: bool,
    pub paste: bool,
}

pub fn choose(redirect: &RedirectUri, choice: Choice) -> Result<Way> {
    let url = &redirect.url;
    let path = url.path().to_string();
    if choice.paste {
        return Ok(Way::Paste { asked: true });
    }
    let listen = choice.listen.map(parse_listen).transpose()?;
    if choice.relay {
        let addrs = listen.unwrap_or_else(|| vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))]);
        return Ok(Way::Relay { addrs });
    }
    if let Some(addrs) = listen {
        return Ok(Way::Listen { addrs, path });
    }
    if !redirect.is_loopback() {
        return Ok(Way::Paste { asked: false });
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let host = url.host_str().unwrap_or_default();
    Ok(Way::Loopback {
        addrs: loopback_addrs(host, port),
        path,
        https: url.scheme() == "https",
    })
}

/// `--listen`: a loopback `host:port`; `localhost` means both IPv4 and IPv6.
pub fn parse_listen(text: &str) -> Result<Vec<SocketAddr>> {
    let bad = |why: &str| Error::usage(format!("invalid --listen / MPLINK_LISTEN '{text}': {why}"));
    let (host, port) = text
        .trim()
        .rsplit_once(':')
        .ok_or_else(|| bad("expected HOST:PORT, such as 127.0.0.1:8080"))?;
    let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(loopback_addrs(host, port));
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_loopback() => Ok(vec![SocketAddr::new(ip, port)]),
        Ok(_) => Err(bad("mplink listens only on a loopback address").with_hint(
            "point your tunnel at 127.0.0.1:PORT; the seller's browser never needs to reach it",
        )),
        Err(_) => Err(bad(
            "expected a loopback address such as 127.0.0.1 or [::1]",
        )),
    }
}

fn loopback_addrs(host: &str, port: u16) -> Vec<SocketAddr> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        // `localhost`: browsers may try either family.
        Err(_) => vec![
            SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
        ],
    }
}

/// The way, ready: sockets bound (so a taken port fails before the browser
/// opens), certificate made.
pub struct Prepared {
    way: Way,
    listener: Option<Listener>,
    certificate: Option<RunCertificate>,
}

pub async fn prepare(way: Way, redirect: &RedirectUri, printer: &Printer) -> Result<Prepared> {
    let (addrs, path, https, relay) = match &way {
        Way::Paste { .. } => {
            return Ok(Prepared {
                way,
                listener: None,
                certificate: None,
            });
        }
        Way::Loopback { addrs, path, https } => (addrs, path.clone(), *https, false),
        Way::Listen { addrs, path } => (addrs, path.clone(), false, false),
        Way::Relay { addrs } => (addrs, RELAY_PATH.to_string(), false, true),
    };
    let certificate = if https {
        Some(tls::make(redirect.url.host_str().unwrap_or("localhost"))?)
    } else {
        None
    };
    let config = listener::Config {
        addrs: addrs.clone(),
        path,
        tls: certificate.as_ref().map(|c| c.config.clone()),
        relay,
        printer: printer.clone(),
    };
    let listener = Listener::bind(config).await?;
    Ok(Prepared {
        way,
        listener: Some(listener),
        certificate,
    })
}

impl Prepared {
    /// The port the relay page must forward to; it travels in `state`.
    pub fn relay_port(&self) -> Option<u16> {
        match (&self.way, &self.listener) {
            (Way::Relay { .. }, Some(listener)) => listener.local_addrs().first().map(|a| a.port()),
            _ => None,
        }
    }

    /// One line saying how the code will come back.
    pub fn describe(&self, redirect: &RedirectUri) -> String {
        let bound = self
            .listener
            .as_ref()
            .and_then(|l| l.local_addrs().first().copied())
            .map(|a| a.to_string())
            .unwrap_or_default();
        match &self.way {
            Way::Loopback { https: false, .. } => {
                format!("Listening on {} for Mercado Pago's redirect.", redirect.raw)
            }
            Way::Loopback { https: true, .. } => format!(
                "Listening on {} over HTTPS with a certificate made for this run: the browser \
                 will warn that the connection is not private; choose Advanced, then proceed to \
                 {} (certificate SHA-256 {}).",
                redirect.raw,
                redirect.url.host_str().unwrap_or_default(),
                self.certificate
                    .as_ref()
                    .map(|c| c.fingerprint.as_str())
                    .unwrap_or("?")
            ),
            Way::Listen { .. } => format!(
                "Listening on {bound} for the redirect to {}, forwarded by your tunnel.",
                redirect.raw
            ),
            Way::Relay { .. } => format!(
                "Listening on http://{bound} for the relay page at {}.",
                redirect.raw
            ),
            Way::Paste { asked } => {
                let why = if *asked {
                    String::new()
                } else {
                    format!("{} is not on this machine, so ", redirect.raw)
                };
                format!(
                    "{why}after consenting, copy the address the browser lands on (even if \
                     that page shows an error) and paste it here."
                )
            }
        }
    }

    pub fn start(self, state: String) -> Receiver {
        match self.listener {
            Some(listener) => Receiver::Listening(listener.start(state.clone())),
            None => Receiver::Pasting { state },
        }
    }
}

pub enum Receiver {
    Listening(Running),
    Pasting { state: String },
}

impl Receiver {
    /// The next redirect that belongs to this attempt. Pasted input that
    /// does not is reported; on a terminal the user may try again.
    pub async fn next(&mut self, printer: &Printer, interactive: bool) -> Result<Outcome> {
        match self {
            Receiver::Listening(running) => running
                .next()
                .await
                .ok_or_else(|| Error::failure("the listener stopped")),
            Receiver::Pasting { state } => loop {
                let line = read_line(printer, interactive).await?;
                match callback::check(&callback::pasted_query(&line), state) {
                    Ok(outcome) => return Ok(outcome),
                    Err(rejection) if interactive => {
                        printer.warn(format!("{rejection}; paste the whole address again"))
                    }
                    Err(rejection) => return Err(pasted_error(&rejection)),
                }
            },
        }
    }

    /// True when the user types the answer in the terminal.
    pub fn is_pasting(&self) -> bool {
        matches!(self, Receiver::Pasting { .. })
    }

    pub fn respond(&self, page: Page) {
        if let Receiver::Listening(running) = self {
            running.respond(page);
        }
    }

    /// Lets the browser fetch the outcome page, then stops listening.
    pub async fn finish(self) {
        if let Receiver::Listening(running) = self {
            running.finish(Duration::from_secs(3)).await;
        }
    }
}

fn pasted_error(rejection: &Rejection) -> Error {
    Error::usage(format!("the pasted address was not accepted: {rejection}"))
        .with_hint("paste the full address of the page Mercado Pago redirected to")
}

async fn read_line(printer: &Printer, interactive: bool) -> Result<String> {
    if interactive {
        printer.prompt("Address: ");
    }
    let line = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map(|n| (n, line))
    })
    .await
    .map_err(|err| Error::failure(err.to_string()))?;
    match line {
        Ok((0, _)) => Err(
            Error::new(Exit::Usage, "no address was pasted (stdin is closed)")
                .with_hint("run on a terminal, or pipe the address into mplink's stdin"),
        ),
        Ok((_, line)) => Ok(line),
        Err(err) => Err(Error::usage(format!("cannot read stdin: {err}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(uri: &str) -> RedirectUri {
        RedirectUri::parse(uri).unwrap()
    }

    fn plain() -> Choice<'static> {
        Choice {
            listen: None,
            relay: false,
            paste: false,
        }
    }

    #[test]
    fn loopback_redirects_are_listened_on() {
        let way = choose(&redirect("http://127.0.0.1:8080/cb"), plain()).unwrap();
        assert_eq!(
            way,
            Way::Loopback {
                addrs: vec!["127.0.0.1:8080".parse().unwrap()],
                path: "/cb".into(),
                https: false
            }
        );
        let Way::Loopback { addrs, https, .. } =
            choose(&redirect("https://localhost:8443/cb"), plain()).unwrap()
        else {
            panic!()
        };
        assert!(https);
        assert_eq!(addrs.len(), 2, "localhost means IPv4 and IPv6");
        let Way::Loopback { addrs, .. } = choose(&redirect("http://[::1]:9/"), plain()).unwrap()
        else {
            panic!()
        };
        assert_eq!(addrs, vec!["[::1]:9".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn remote_redirects_fall_back_to_pasting() {
        let way = choose(&redirect("https://shop.example/mp"), plain()).unwrap();
        assert_eq!(way, Way::Paste { asked: false });
    }

    #[test]
    fn flags_choose_the_way() {
        let uri = redirect("https://abc.tunnel.example/callback");
        let listen = Choice {
            listen: Some("127.0.0.1:7000"),
            ..plain()
        };
        assert_eq!(
            choose(&uri, listen).unwrap(),
            Way::Listen {
                addrs: vec!["127.0.0.1:7000".parse().unwrap()],
                path: "/callback".into()
            }
        );
        let relay = Choice {
            relay: true,
            ..plain()
        };
        assert!(matches!(choose(&uri, relay).unwrap(), Way::Relay { .. }));
        let paste = Choice {
            paste: true,
            ..plain()
        };
        assert_eq!(choose(&uri, paste).unwrap(), Way::Paste { asked: true });
    }

    #[test]
    fn listen_must_be_loopback() {
        assert!(parse_listen("[::1]:80").is_ok());
        assert_eq!(parse_listen("localhost:80").unwrap().len(), 2);
        for bad in [
            "0.0.0.0:80",
            "192.168.1.2:80",
            "example.com:80",
            "127.0.0.1",
            "127.0.0.1:x",
        ] {
            let err = parse_listen(bad).unwrap_err();
            assert_eq!(err.exit, Exit::Usage, "{bad}");
            assert!(err.message.contains("MPLINK_LISTEN"), "{}", err.message);
        }
    }
}
