//! Every way the code can come back: HTTPS on loopback, a tunnel
//! (`--listen`), the relay page (`--relay`), and pasting (`--paste`).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use common::fake_mp::{Consent, FakeApp, FakeMp};
use common::*;

fn spawn(world: &World, mp: &FakeMp, args: &[&str]) -> Child {
    world
        .mplink_for(mp)
        .arg("authorize")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn paste(child: &mut Child, text: &str) {
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(text.as_bytes()).unwrap();
}

#[test]
fn https_loopback_serves_a_certificate_made_for_the_run() {
    let port = free_port();
    let redirect = format!("https://127.0.0.1:{port}/callback");
    let mp = FakeMp::start(FakeApp::new(&redirect));
    let world = World::new();
    let mut child = world.start_authorize(&mp, &[]);
    let url = world.browser_url(&mut child);
    let served = served_fingerprint(port);
    let visit = seller::visit(&url);
    let out = finish(child);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("not private"), "{err}");
    assert!(
        err.contains(&format!("SHA-256 {served}")),
        "{served} in {err}"
    );
    assert!(visit.url.starts_with("https://127.0.0.1:") && visit.url.ends_with("/mplink/done"));
    assert!(visit.body.contains("is now linked"));
    assert_eq!(
        mp.token_requests()[0].json.as_ref().unwrap()["redirect_uri"],
        redirect.as_str()
    );
}

#[test]
fn listen_serves_a_redirect_url_that_a_tunnel_brings_here() {
    let public = "https://mplink-demo.tunnel.example/mp/callback";
    let mp = FakeMp::start(FakeApp::new(public));
    let world = World::new();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = spawn(&world, &mp, &["--listen", &listen]);
    let url = world.browser_url(&mut child);
    let target = seller::redirect_target(&url);
    assert!(
        target.starts_with(public),
        "Mercado Pago redirects to the public URL: {target}"
    );
    // The tunnel: the same path and query, delivered to the local port.
    let local = target.replace(
        "https://mplink-demo.tunnel.example",
        &format!("http://{listen}"),
    );
    let (status, body) = seller::get(&local);
    assert_eq!(status, 200, "{body}");
    let out = finish(child);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("forwarded by your tunnel"),
        "{}",
        stderr(&out)
    );
    let sent = mp.token_requests()[0].json.clone().unwrap();
    assert_eq!(
        sent["redirect_uri"], public,
        "the registered URL, byte for byte"
    );
}

#[test]
fn listen_must_be_a_loopback_address() {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/cb"));
    let world = World::new();
    let out = world
        .mplink_for(&mp)
        .args(["authorize", "--listen", "0.0.0.0:8080"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("loopback"), "{}", stderr(&out));
    assert!(!world.browser_opened());
}

#[test]
fn a_remote_redirect_url_is_pasted_through_stdin() {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/mp/return"));
    let world = World::new();
    let mut child = spawn(&world, &mp, &[]);
    let url = world.browser_url(&mut child);
    let landed = seller::redirect_target(&url);
    paste(&mut child, &format!("  {landed}  \n"));
    let out = finish(child);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("paste it here"), "{}", stderr(&out));
    assert_eq!(world.index()["links"][0]["user_id"], mp.seller_id());
    assert_no_secret(&out, &flow_secrets(&mp));
}

#[test]
fn paste_accepts_just_the_query_string() {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/mp/return"));
    let world = World::new();
    let mut child = spawn(&world, &mp, &["--paste"]);
    let url = world.browser_url(&mut child);
    let landed = seller::redirect_target(&url);
    let query = landed.split_once('?').unwrap().1;
    paste(&mut child, &format!("?{query}\n"));
    assert_exit(&finish(child), 0);
}

#[test]
fn pasted_addresses_that_do_not_belong_are_refused_and_nothing_is_stored() {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/mp/return"));
    let cases = [
        (
            "https://shop.example/mp/return?code=TG-x&state=forged",
            2,
            "does not match",
        ),
        (
            "https://shop.example/mp/return?state=STATE",
            2,
            "neither 'code' nor 'error'",
        ),
        (
            "https://shop.example/mp/return?error=access_denied&state=STATE",
            3,
            "access_denied",
        ),
        ("", 2, "stdin is closed"),
    ];
    for (pasted, exit, said) in cases {
        let world = World::new();
        let mut child = spawn(&world, &mp, &["--paste"]);
        let url = world.browser_url(&mut child);
        let state = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let text = pasted.replace("STATE", &state);
        paste(
            &mut child,
            &if text.is_empty() { text } else { text + "\n" },
        );
        let out = finish(child);
        assert_exit(&out, exit);
        assert!(stderr(&out).contains(said), "{pasted}: {}", stderr(&out));
        assert!(
            !world.file("links.json").exists(),
            "nothing stored for {pasted}"
        );
    }
    assert!(mp.token_requests().is_empty());
}

#[test]
fn relay_mode_puts_its_port_in_state_and_answers_the_pages_probe() {
    relay_round_trip(&["--relay"], &[]);
    relay_round_trip(&[], &[("MPLINK_RELAY", "1")]);
}

/// What the relay page does, step by step, without a browser.
fn relay_round_trip(args: &[&str], vars: &[(&str, &str)]) {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/mplink/"));
    let world = World::new();
    let mut cmd = world.mplink_for(&mp);
    cmd.envs(vars.iter().copied())
        .arg("authorize")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let url = world.browser_url(&mut child);
    let landed = seller::redirect_target(&url);
    assert!(landed.starts_with("https://shop.example/mplink/?"));

    let query = landed.split_once('?').unwrap().1;
    let state: String = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let port: u16 = state.split_once('.').unwrap().0.parse().unwrap();
    let (status, _) = seller::get(&format!("http://127.0.0.1:{port}/mplink/ping"));
    assert_eq!(status, 204);
    let (status, body) = seller::get(&format!("http://127.0.0.1:{port}/mplink/relay?{query}"));
    assert_eq!(status, 200, "{body}");
    let out = finish(child);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("relay page"), "{}", stderr(&out));
    assert_eq!(
        mp.token_requests()[0].json.as_ref().unwrap()["redirect_uri"],
        "https://shop.example/mplink/"
    );
}

#[test]
fn pasting_on_a_terminal_prompts_without_a_spinner_in_the_way() {
    let mp = FakeMp::start(FakeApp::new("https://shop.example/mp/return"));
    let world = World::new();
    let inner = world.mplink_for(&mp);
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-q", "-e", "-c"])
        .arg(format!(
            "{} authorize --paste",
            env!("CARGO_BIN_EXE_mplink")
        ))
        .arg("/dev/null")
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let url = world.browser_url(&mut child);
    // Time for a spinner, if there were one, to draw over the prompt.
    std::thread::sleep(Duration::from_millis(400));
    let landed = seller::redirect_target(&url);
    paste(&mut child, &format!("{landed}\n"));
    let out = finish(child);
    assert_exit(&out, 0);
    let screen = stdout(&out);
    // Until the pasted line ends, nothing redraws (spinners come after).
    let at = screen.find("Address: ").expect("a prompt");
    let waiting = &screen[..at + screen[at..].find('\n').unwrap()];
    let frames = ('\u{2800}'..='\u{28ff}').any(|c| waiting.contains(c));
    assert!(!frames && !waiting.contains("\x1b[2K"), "{waiting:?}");
    assert!(
        waiting.ends_with(&format!("Address: {landed}\r")),
        "{waiting:?}"
    );
    assert_eq!(world.index()["links"][0]["user_id"], mp.seller_id());
}

#[test]
fn relay_page_is_self_contained() {
    let out = World::new().mplink().arg("relay-page").output().unwrap();
    assert_exit(&out, 0);
    let page = stdout(&out);
    assert!(page.starts_with("<!doctype html>"));
    assert!(
        page.contains("\"http://127.0.0.1:\""),
        "forwards to loopback only"
    );
    for outside in ["src=", "https://", "<link", "@import"] {
        assert!(
            !page.contains(outside),
            "loads nothing from elsewhere: {outside}"
        );
    }
}

/// The SHA-256 of the certificate the listener on `port` serves, as mplink
/// prints it, read with a TLS client that records instead of trusting.
fn served_fingerprint(port: u16) -> String {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};
    use sha2::{Digest, Sha256};
    use std::sync::{Arc, Mutex};

    #[derive(Debug)]
    struct Record(Mutex<Vec<u8>>, Arc<CryptoProvider>);

    impl ServerCertVerifier for Record {
        fn verify_server_cert(
            &self,
            cert: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            *self.0.lock().unwrap() = cert.to_vec();
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.1.signature_verification_algorithms;
            rustls::crypto::verify_tls12_signature(message, cert, dss, algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            let algorithms = &self.1.signature_verification_algorithms;
            rustls::crypto::verify_tls13_signature(message, cert, dss, algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.1.signature_verification_algorithms.supported_schemes()
        }
    }

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let record = Arc::new(Record(Mutex::new(Vec::new()), provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(record.clone())
        .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    while tls.is_handshaking() {
        tls.complete_io(&mut socket).unwrap();
    }
    let der = record.0.lock().unwrap().clone();
    let hex: Vec<String> = Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    hex.join(":")
}

/// Serves the relay page on a second loopback port, as the app's static host
/// would serve it at the Redirect URL.
fn serve_relay_page(page: String) -> u16 {
    let socket = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in socket.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request = [0u8; 8192];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(page.as_bytes());
        }
    });
    port
}

fn chromium_script() -> String {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "Chromium is missing: apt-get install chromium"
    );
    format!("{}/tests/chromium-browser.sh", env!("CARGO_MANIFEST_DIR"))
}

#[test]
#[ignore = "needs Chromium: run tests/with-secret-service.sh cargo test -- --ignored"]
fn a_real_browser_runs_the_relay_page_to_mplink() {
    let world = World::new();
    let page = stdout(&world.mplink().arg("relay-page").output().unwrap());
    let page_port = serve_relay_page(page);
    let registered = format!("http://127.0.0.1:{page_port}/mplink/");
    let mp = FakeMp::start(FakeApp::new(&registered));
    mp.set_consent(Consent::Page);
    let dom = world.home.path().join("dom.html");
    let out = world
        .mplink_for(&mp)
        .env("BROWSER", chromium_script())
        .env("MPLINK_TEST_DOM_FILE", &dom)
        .args(["authorize", "--relay"])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(mp.token_requests().len(), 1);
    let dom = wait_for_file(&dom);
    assert!(
        dom.contains("is now linked"),
        "the browser ended on mplink's page: {dom}"
    );
}

#[test]
#[ignore = "needs Chromium: run tests/with-secret-service.sh cargo test -- --ignored"]
fn the_relay_page_says_so_when_mplink_is_not_listening() {
    let world = World::new();
    let page = stdout(&world.mplink().arg("relay-page").output().unwrap());
    let page_port = serve_relay_page(page);
    let dead = free_port();
    let url = format!("http://127.0.0.1:{page_port}/mplink/?code=TG-1&state={dead}.abc");
    let dom = world.home.path().join("dom.html");
    let status = std::process::Command::new(chromium_script())
        .arg(&url)
        .env("MPLINK_TEST_DOM_FILE", &dom)
        .status()
        .unwrap();
    assert!(status.success());
    let dom = wait_for_file(&dom);
    assert!(dom.contains("mplink is not listening"), "{dom}");
    assert!(dom.contains(&format!("port {dead}")), "{dom}");
}

fn wait_for_file(path: &Path) -> String {
    for _ in 0..400 {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} never appeared", path.display());
}
