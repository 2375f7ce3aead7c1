//! Hostile input on the listener while a real authorization is pending:
//! junk requests, oversized heads, TLS and binary bytes on the plain port,
//! half-open connections, and arbitrary query strings on the redirect path.
//! The real redirect must still get through, promptly; the junk gets a 4xx
//! or a closed connection; memory stays flat; and nothing the junk sends
//! reaches the terminal.

// Figures seen (memory, counts) go to the test log: `-- --nocapture`.
#![allow(clippy::print_stderr)]

mod common;

use std::cell::Cell;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::fake_mp::{FakeApp, FakeMp};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

/// Appears in junk headers, bodies and paths, never in mplink's output.
const MARK: &str = "JUNK-q7Zx";

/// The pending authorization that junk is thrown at. Dropping it kills
/// mplink, so a failed assertion does not leave a process behind.
struct Pending {
    mp: FakeMp,
    /// Kept for its temporary home.
    _world: World,
    child: Option<Child>,
    /// Where mplink listens.
    addr: SocketAddr,
    /// The `state` mplink is waiting for.
    state: String,
    /// The real redirect, with a live code, not yet delivered.
    redirect: String,
}

impl Pending {
    /// Starts `authorize` on `scheme://127.0.0.1:PORT/callback` and has the
    /// fake issue a code, without delivering it.
    fn start(scheme: &str, args: &[&str]) -> Pending {
        let port = free_port();
        let mp = FakeMp::start(FakeApp::new(&format!(
            "{scheme}://127.0.0.1:{port}/callback"
        )));
        let world = World::new();
        let mut all = vec!["--timeout", "90s"];
        all.extend_from_slice(args);
        let mut child = world.start_authorize(&mp, &all);
        let url = world.browser_url(&mut child);
        let state = query_value(&url, "state");
        let redirect = seller::redirect_target(&url);
        Pending {
            mp,
            _world: world,
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            state,
            redirect,
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn still_waiting(&mut self) -> bool {
        self.child.as_mut().unwrap().try_wait().unwrap().is_none()
    }

    /// Delivers the real redirect: how long it took, and the status and
    /// body the seller's browser ended on.
    fn deliver(&self) -> (Duration, u16, String) {
        let started = Instant::now();
        let (status, body) = seller::get(&self.redirect);
        (started.elapsed(), status, body)
    }

    fn finish(mut self) -> Output {
        finish(self.child.take().unwrap())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn query_value(url: &str, key: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {url}"))
        .1
        .into_owned()
}

// ---------------------------------------------------------------------------
// Raw HTTP

/// How the listener answered a raw request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Status(u16),
    /// Closed or reset without a status line.
    Closed,
}

impl Answer {
    fn is_refusal(self) -> bool {
        matches!(self, Answer::Closed | Answer::Status(400..=499))
    }
}

/// Sends a whole request and reads the answer's status.
fn send(addr: SocketAddr, bytes: &[u8]) -> Answer {
    exchange(addr, bytes, false)
}

/// Sends `bytes`, then says it has nothing more to send, so that an
/// incomplete request ends at once instead of at the listener's header
/// timeout. hyper closes on a half-close, answered or not.
fn send_and_close(addr: SocketAddr, bytes: &[u8]) -> Answer {
    exchange(addr, bytes, true)
}

fn exchange(addr: SocketAddr, bytes: &[u8], half_close: bool) -> Answer {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(8)))
        .unwrap();
    // The listener may answer and close before taking it all in.
    let _ = stream.write_all(bytes);
    if half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    read_status(&mut stream)
}

fn read_status(stream: &mut TcpStream) -> Answer {
    let mut head = Vec::new();
    let mut buf = [0; 4096];
    while !head.windows(2).any(|w| w == b"\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the listener neither answered nor closed within 8 s")
            }
            Err(_) => break,
        }
    }
    let line = String::from_utf8_lossy(&head);
    if !line.contains("\r\n") {
        assert!(
            "HTTP/1.1 ".starts_with(&*line) || line.starts_with("HTTP/1.1 "),
            "not an HTTP answer: {line:?}"
        );
        return Answer::Closed;
    }
    let code = line
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {line:?}"));
    Answer::Status(code)
}

fn get(target: &str, headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n").into_bytes()
}

/// A small deterministic generator, so a failing junk request can be
/// found again from its label.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn word(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
        (0..len)
            .map(|_| CHARS[self.below(CHARS.len())] as char)
            .collect()
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// What a junk request must get back.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Exactly(u16),
    /// Any 4xx, or a closed connection.
    Refused,
}

struct Junk {
    label: String,
    bytes: Vec<u8>,
    expect: Expect,
}

/// The first bytes of a TLS 1.2/1.3 ClientHello, then filler.
fn client_hello(rng: &mut Rng) -> Vec<u8> {
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    hello.extend(rng.bytes(500));
    hello
}

/// The same state with one character changed, for `flip(state, i)`.
fn flip(state: &str, at: usize) -> String {
    let mut chars: Vec<char> = state.chars().collect();
    let at = at % chars.len();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// A hundred and sixty-odd junk requests, each with what it must get.
fn junk(state: &str, seed: u64) -> Vec<Junk> {
    let mut rng = Rng(seed);
    let mut all = Vec::new();
    let mut add = |label: String, bytes: Vec<u8>, expect: Expect| {
        all.push(Junk {
            label,
            bytes,
            expect,
        })
    };
    for i in 0..40 {
        let len = 1 + rng.below(60);
        let path = format!("/{}", rng.word(len));
        let headers = format!("User-Agent: {MARK}-agent-{i}\r\nX-Junk: {MARK}-header\r\n");
        add(
            format!("random path {path}"),
            get(&path, &headers),
            Expect::Exactly(404),
        );
    }
    for path in [
        "/callback/",
        "//callback",
        "/CALLBACK",
        "/callback%2F",
        "/callback/..",
        "/mplink/done",
        "/mplink/ping",
        "/mplink/relay",
        "*",
    ] {
        add(format!("near path {path}"), get(path, ""), Expect::Refused);
    }
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        for i in 0..3 {
            let body = format!("code=TG-x&state={state}&{MARK}-body-{i}");
            let request = format!(
                "{method} /callback?code=TG-{i}&state={state} HTTP/1.1\r\nHost: x\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
            add(
                format!("{method} on the redirect path"),
                request.into_bytes(),
                Expect::Exactly(405),
            );
        }
    }
    let wrong_states = [
        String::from("code=TG-1"),
        String::from("code=TG-1&state="),
        String::from("code=TG-1&state=forged"),
        String::from(""),
        format!("code=TG-1&state={state}x"),
        format!("code=TG-1&state={}", &state[1..]),
        format!("code=TG-1&state={}", state.to_uppercase()),
        format!("code=TG-1&state={state}&state={state}"),
        format!("code=TG-1&state=forged&state={state}"),
        format!("code=TG-1&code=TG-2&state={state}"),
        format!("state={state}"),
        format!("code=&state={state}"),
        format!("error=access_denied&state={}", flip(state, 3)),
        format!("error=%1B%5B2J&error_description=%1B%5D0%3B{MARK}%07&state=x"),
    ];
    for (i, query) in wrong_states.iter().enumerate() {
        for _ in 0..3 {
            add(
                format!("redirect query #{i} {query:?}"),
                get(&format!("/callback?{query}"), ""),
                Expect::Exactly(400),
            );
        }
    }
    for i in 0..10 {
        let query = format!("code=TG-{i}&state={}", flip(state, rng.below(43)));
        add(
            format!("one character off {query}"),
            get(&format!("/callback?{query}"), ""),
            Expect::Exactly(400),
        );
    }
    for _ in 0..2 {
        let long = format!("/callback?code={}&state={state}", "A".repeat(70 * 1024));
        add("70 kB request line".into(), get(&long, ""), Expect::Refused);
        let big = format!("X-Big: {}\r\n", "b".repeat(200 * 1024));
        add(
            "200 kB header".into(),
            get("/callback", &big),
            Expect::Refused,
        );
        let many: String = (0..2000).map(|i| format!("X-{i}: {MARK}\r\n")).collect();
        add("2000 headers".into(), get("/", &many), Expect::Refused);
    }
    for _ in 0..4 {
        add(
            "TLS ClientHello on the plain port".into(),
            client_hello(&mut rng),
            Expect::Refused,
        );
    }
    for i in 0..6 {
        let len = 1 + rng.below(3000);
        add(
            format!("{len} random bytes #{i}"),
            rng.bytes(len),
            Expect::Refused,
        );
    }
    let odd: [&[u8]; 12] = [
        b"\0\0\0\0\0\0\0\0",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET /callback\r\n\r\n",
        b"GET /callback HTTP/9.9\r\n\r\n",
        b"GET /\x1b[31mred HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Esc: \x1b]0;pwned\x07\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad Name: 1\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\r\n\r\n\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for (i, bytes) in odd.iter().enumerate() {
        add(format!("odd bytes #{i}"), bytes.to_vec(), Expect::Refused);
    }
    all
}

/// Sends every request on a few threads at once and checks each answer.
fn throw(addr: SocketAddr, junk: Vec<Junk>) {
    let junk = Arc::new(junk);
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let junk = Arc::clone(&junk);
            std::thread::spawn(move || {
                for item in junk.iter().skip(t).step_by(6) {
                    let (answer, ok) = match item.expect {
                        Expect::Exactly(status) => {
                            let answer = send(addr, &item.bytes);
                            (answer, answer == Answer::Status(status))
                        }
                        Expect::Refused => {
                            let answer = send_and_close(addr, &item.bytes);
                            (answer, answer.is_refusal())
                        }
                    };
                    assert!(
                        ok,
                        "{}: got {answer:?}, wanted {:?}",
                        item.label, item.expect
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a junk request got the wrong answer");
    }
}

/// Connections that start a request (or a TLS handshake) and never finish.
fn half_open(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    let starts: [&[u8]; 4] = [
        b"",
        b"GET /callback?code=TG-",
        b"GET /callback HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
        &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01],
    ];
    (0..count)
        .map(|i| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(starts[i % starts.len()]).unwrap();
            stream
        })
        .collect()
}

/// mplink's resident set and its peak, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Nothing a request carried may be on the terminal, and junk is no reason
/// to warn.
#[track_caller]
fn assert_clean(err: &str) {
    assert!(!err.contains(MARK), "junk reached the terminal:\n{err}");
    assert!(
        !err.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the terminal:\n{err:?}"
    );
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    assert!(!err.chars().any(bidi), "bidi control on the terminal");
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn junk_and_half_open_connections_do_not_stop_the_real_redirect() {
    let mut pending = Pending::start("http", &[]);
    let stalled = half_open(pending.addr, 48);
    let (rss_before, _) = memory(pending.pid());

    throw(pending.addr, junk(&pending.state, 0x9e37_79b9_7f4a_7c15));
    let (rss_one, _) = memory(pending.pid());
    for round in 1..=3 {
        throw(pending.addr, junk(&pending.state, 0x5151 + round));
    }
    let (rss_four, peak) = memory(pending.pid());
    eprintln!(
        "mplink memory, KiB: {rss_before} before junk, {rss_one} after one round, \
         {rss_four} after four rounds, peak {peak}"
    );
    assert!(peak < 64 * 1024, "peak {peak} KiB");
    assert!(
        rss_four < rss_one + 4 * 1024,
        "memory grows with junk: {rss_one} KiB then {rss_four} KiB"
    );
    assert!(pending.still_waiting());

    let (took, status, body) = pending.deliver();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Account linked"), "{body}");
    assert!(took < Duration::from_secs(5), "the redirect took {took:?}");

    let exiting = Instant::now();
    let tokens = &pending.mp.token_requests();
    let out = pending.finish();
    assert!(exiting.elapsed() < Duration::from_secs(6), "slow to exit");
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(!err.contains("warning:"), "{err}");
    assert!(!err.contains("listener"), "junk is not narrated:\n{err}");
    assert!(err.lines().count() < 15, "{err}");
    assert_clean(&err);
    assert_eq!(tokens.len(), 1);
    drop(stalled);
}

#[test]
fn the_real_redirect_is_answered_while_half_open_connections_wait() {
    // The same as above without the junk, to time the redirect alone
    // against connections stuck mid-request.
    let mut pending = Pending::start("http", &[]);
    let stalled = half_open(pending.addr, 64);
    std::thread::sleep(Duration::from_millis(100));
    assert!(pending.still_waiting());
    let (took, status, _) = pending.deliver();
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(3), "the redirect took {took:?}");
    let out = pending.finish();
    assert_exit(&out, 0);

    // Once mplink is gone, so are the connections it had not finished.
    for mut stream in stalled {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut rest = Vec::new();
        if let Err(err) = stream.read_to_end(&mut rest) {
            assert!(
                !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
                "a stalled connection outlived mplink"
            );
        }
    }
}

#[test]
fn verbose_output_carries_nothing_raw_from_requests() {
    let mut pending = Pending::start("http", &["-v"]);
    let escapes: [&[u8]; 8] = [
        b"GET /%1B%5B31m%1B%5D0%3Bpwned%07 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\x1b[31m HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\xe2\x80\xae\xc2\x9b31m HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /callback?code=x&state=%1B%5B2J&error=%1B%5D0%3Bx%07 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /callback?error=%E2%80%AE&error_description=%C2%9B HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Esc: \x1b[31mJUNK-q7Zx-header\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bidi: \xe2\x80\xaeJUNK-q7Zx-header\r\n\r\n",
        b"POST /callback HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n\x1b[31mred!",
    ];
    for bytes in escapes {
        let answer = send_and_close(pending.addr, bytes);
        assert!(
            answer.is_refusal(),
            "{:?}: {answer:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let body = format!("{MARK}-body!");
    let marked = format!(
        "POST /{MARK}-path HTTP/1.1\r\nHost: x\r\nCookie: {MARK}-cookie\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(send(pending.addr, marked.as_bytes()), Answer::Status(404));
    assert!(pending.still_waiting());

    let (_, status, _) = pending.deliver();
    assert_eq!(status, 200);
    let out = pending.finish();
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("debug: listener: GET"),
        "verbose is on:\n{err}"
    );
    assert!(!err.contains("warning:"), "{err}");
    for secret in ["cookie", "body", "header"] {
        let secret = format!("{MARK}-{secret}");
        assert!(
            !err.contains(&secret),
            "{secret} reached the terminal:\n{err}"
        );
    }
    // The path is the one thing verbose shows of junk, escaped.
    let err = err.replace(&format!("{MARK}-path"), "PATH");
    assert_clean(&err);
}

#[test]
fn the_https_listener_shrugs_off_plain_http_and_stalled_handshakes() {
    let mut pending = Pending::start("https", &["-v"]);
    let mut stalled = half_open(pending.addr, 24);
    let mut rng = Rng(7);
    let mut bytes: Vec<Vec<u8>> = vec![
        get("/callback?code=x&state=y", &format!("X-Junk: {MARK}\r\n")),
        b"\x1b[31m\x1b]0;pwned\x07".to_vec(),
        client_hello(&mut rng),
    ];
    bytes.extend((0..8).map(|i| rng.bytes(1 + i * 300)));
    for junk in &bytes {
        // Whatever the TLS stack says back, the connection must end.
        let mut stream = TcpStream::connect(pending.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(8)))
            .unwrap();
        let _ = stream.write_all(junk);
        let _ = stream.shutdown(Shutdown::Write);
        let mut sink = Vec::new();
        if let Err(err) = stream.read_to_end(&mut sink) {
            assert!(
                !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
                "the TLS listener kept a junk connection open"
            );
        }
        assert!(!sink.starts_with(b"HTTP/"), "plain HTTP answered on TLS");
    }
    stalled.extend(half_open(pending.addr, 8));
    assert!(pending.still_waiting());

    let (took, status, body) = pending.deliver();
    assert_eq!(status, 200, "{body}");
    assert!(took < Duration::from_secs(5), "the redirect took {took:?}");
    let out = pending.finish();
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("TLS handshake failed"), "{err}");
    assert!(!err.contains("warning:"), "{err}");
    assert_clean(&err);
    drop(stalled);
}

// ---------------------------------------------------------------------------
// Properties

/// The state mplink is waiting for, changed so it no longer matches.
fn near_miss(state: String) -> BoxedStrategy<String> {
    let len = state.len();
    let (a, b, c, d) = (state.clone(), state.clone(), state.clone(), state.clone());
    prop_oneof![
        (0..len, "[A-Za-z0-9_-]").prop_filter_map("same character", move |(at, with)| {
            let mut changed = a.clone();
            changed.replace_range(at..at + 1, &with);
            (changed != a).then_some(changed)
        }),
        (0..len).prop_map(move |at| b[..at].to_string()),
        "[A-Za-z0-9_.~+-]{1,4}|%00|%20|%2B".prop_map(move |tail| format!("{c}{tail}")),
        "\\+|%20|%00|%EF%BB%BF|[A-Za-z0-9]".prop_map(move |head| format!("{head}{d}")),
        Just(state.to_ascii_lowercase()),
        Just(state.to_ascii_uppercase()),
    ]
    .boxed()
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Arbitrary queries for the redirect path, most of them close to one
/// that would be accepted.
fn queries(state: String) -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => Just("code".to_string()),
        4 => Just("state".to_string()),
        2 => Just("error".to_string()),
        1 => Just("error_description".to_string()),
        1 => Just("st%61te".to_string()),
        1 => Just("STATE".to_string()),
        1 => "[a-z_]{0,8}",
    ];
    let value = prop_oneof![
        4 => near_miss(state.clone()),
        2 => "[A-Za-z0-9._~-]{0,50}",
        2 => any::<String>().prop_map(|text| encoded(&text)),
        1 => "[!-~]{0,30}",
    ];
    let pair = prop_oneof![
        8 => (key.clone(), value).prop_map(|(k, v)| format!("{k}={v}")),
        1 => key,
    ];
    let s = state.clone();
    let valid_state_but_broken = prop_oneof![
        Just(format!("state={s}")),
        Just(format!("code=&state={s}")),
        Just(format!("state={s}&state={s}&code=TG-1")),
        Just(format!("code=TG-1&code=TG-2&state={s}")),
        Just(format!("state={s}&error=x&error=y")),
        Just(format!("code=TG-1&state={s}&state=")),
    ];
    prop_oneof![
        8 => prop::collection::vec(pair, 0..7).prop_map(|pairs| pairs.join("&")),
        1 => "[!-~]{0,80}",
        1 => valid_state_but_broken,
    ]
}

/// What `oauth::callback::check` would make of `query`, decided here
/// independently: is it the attempt's redirect?
fn belongs(query: &str, state: &str) -> bool {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let all = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let (states, codes, errors) = (all("state"), all("code"), all("error"));
    let repeated = ["code", "state", "error", "error_description"]
        .iter()
        .any(|name| all(name).len() > 1);
    !repeated && states == [state] && (errors.len() == 1 || codes.iter().any(|c| !c.is_empty()))
}

#[test]
fn arbitrary_queries_on_the_redirect_path_are_refused_unless_the_state_matches() {
    let mut pending = Pending::start("http", &[]);
    let addr = pending.addr;
    let state = pending.state.clone();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let sent = Cell::new(0);
    runner
        .run(&queries(state.clone()), |query| {
            if belongs(&query, &state) {
                return Err(TestCaseError::reject("would complete the attempt"));
            }
            sent.set(sent.get() + 1);
            let answer = send(addr, &get(&format!("/callback?{query}"), ""));
            prop_assert_eq!(answer, Answer::Status(400), "query {:?}", query);
            Ok(())
        })
        .unwrap();
    let sent = sent.get();
    eprintln!("{sent} arbitrary queries refused");
    assert!(sent >= 200);
    assert!(pending.still_waiting(), "mplink died on a query");

    let (_, status, _) = pending.deliver();
    assert_eq!(status, 200);
    let requests = pending.mp.token_requests().len();
    let out = pending.finish();
    assert_exit(&out, 0);
    assert_eq!(requests, 1, "only the real code was exchanged");
    assert!(!stderr(&out).contains("panicked"));
}

/// Settings for the authorization URL: some valid, most of them not.
fn settings() -> impl Strategy<Value = (String, String, String, bool)> {
    let client_id = prop_oneof![
        4 => "[0-9]{1,24}",
        1 => " {0,2}[0-9]{1,30} {0,2}",
        2 => "[^\x00]{0,16}",
    ];
    let redirect = prop_oneof![
        4 => "https://[a-z0-9-]{1,12}(\\.[a-z]{2,5}){1,2}(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$'()*+,;=:@-]{0,12}){0,3}(\\?[A-Za-z0-9=&%+]{0,16})?",
        1 => "http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]{1,5})?/[a-z]{0,8}",
        2 => "[^\x00]{0,40}",
    ];
    let auth = prop_oneof![
        3 => Just("https://auth.mercadopago.com/authorization".to_string()),
        1 => Just("https://auth.example/authorization?lang=es-AR&x=a%26b".to_string()),
        2 => "https://[a-z]{1,10}\\.example(/[a-z%]{0,6}){0,3}",
        1 => Just("http://127.0.0.1:1/authorization".to_string()),
        2 => "[^\x00]{0,30}",
    ];
    (client_id, redirect, auth, any::<bool>())
}

/// The URL `authorize --no-browser` printed, if it got that far.
fn printed_url(err: &str) -> Option<url::Url> {
    let mut lines = err.lines();
    lines.find(|line| line.starts_with("Open this URL"))?;
    Some(url::Url::parse(lines.next()?.trim()).expect("the printed URL parses"))
}

fn check_url(url: &url::Url, id: &str, redirect: &str, auth: &str, pkce: bool) {
    let base = url::Url::parse(auth.trim()).unwrap();
    assert_eq!(url.scheme(), base.scheme());
    assert_eq!(url.host_str(), base.host_str());
    assert_eq!(url.path(), base.path());
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let kept: Vec<(String, String)> = base.query_pairs().into_owned().collect();
    assert_eq!(
        pairs[..kept.len()],
        kept[..],
        "the auth URL's own query stays"
    );
    let ours: Vec<(&str, &str)> = pairs[kept.len()..]
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let state = ours[3].1;
    // What the URL parser ignores around the Redirect URL may be dropped.
    let sent = ours[4].1;
    let trimmed = redirect.trim_matches(|c: char| c <= ' ');
    assert!(sent == redirect || sent == trimmed, "{sent:?}");
    let mut expected = vec![
        ("client_id", id.trim()),
        ("response_type", "code"),
        ("platform_id", "mp"),
        ("state", state),
        ("redirect_uri", sent),
    ];
    if pkce {
        let challenge = ours.get(5).map_or("", |pair| pair.1);
        assert_eq!(challenge.len(), 43);
        expected.extend([
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ]);
    }
    assert_eq!(ours, expected);
    assert_eq!(state.len(), 43);
    assert!(
        state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
}

#[test]
fn arbitrary_settings_never_crash_the_url_builder() {
    let world = World::new();
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let built = Cell::new(0);
    runner
        .run(&settings(), |(id, redirect, auth, pkce)| {
            // --paste: no listener, and the closed stdin ends the attempt
            // right after the URL is printed.
            let out = world
                .mplink()
                .env("MPLINK_CLIENT_SECRET", "s3cret-for-the-url-builder")
                .args(["authorize", "--paste", "--no-browser"])
                .arg(format!("--client-id={id}"))
                .arg(format!("--redirect-uri={redirect}"))
                .arg(format!("--auth-url={auth}"))
                .arg(format!("--pkce={}", if pkce { "on" } else { "off" }))
                .output()
                .unwrap();
            let err = stderr(&out);
            prop_assert_eq!(code(&out), 2, "{}", err);
            prop_assert!(!err.contains("panicked"), "{}", err);
            prop_assert!(err.starts_with("error: ") || err.contains("Open this URL"));
            if let Some(url) = printed_url(&err) {
                built.set(built.get() + 1);
                check_url(&url, &id, &redirect, &auth, pkce);
                prop_assert!(err.contains("no address was pasted"), "{}", err);
            }
            Ok(())
        })
        .unwrap();
    let built = built.get();
    eprintln!("{built} of 96 settings made a URL");
    assert!(built > 10, "too few valid settings to say much");
}

#[test]
fn stray_whitespace_around_the_redirect_url_is_not_sent_to_mercado_pago() {
    // A CI secret or .env file easily ends in a newline or CR. The URL
    // parser ignores it, so mplink accepts the setting and listens on the
    // right path, but Mercado Pago compares the redirect_uri byte for byte
    // and would answer "La aplicación no está preparada".
    let world = World::new();
    for padded in [
        "https://shop.example/mp/callback\r\n",
        " https://shop.example/mp/callback",
        "https://shop.example/mp/callback\t",
        "https://shop.example/mp/call\tback",
    ] {
        let out = world
            .mplink()
            .env("MPLINK_CLIENT_SECRET", "s3cret-for-the-url-builder")
            .env("MPLINK_CLIENT_ID", "4815162342108")
            .env("MPLINK_REDIRECT_URI", padded)
            .args(["authorize", "--paste", "--no-browser"])
            .output()
            .unwrap();
        assert_exit(&out, 2);
        let err = stderr(&out);
        let Some(url) = printed_url(&err) else {
            assert!(err.contains("MPLINK_REDIRECT_URI"), "refused: {err}");
            continue;
        };
        let sent = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(
            sent, "https://shop.example/mp/callback",
            "the authorization URL carries {padded:?} as typed"
        );
    }
}
