//! The temporary HTTP(S) listener that receives Mercado Pago's redirect.
//!
//! One route matters: the redirect path, `GET` only. A request there with
//! the right `state` is handed to the `authorize` command once; the browser
//! then waits for the outcome and is sent (303) to a clean address that
//! shows it, so the code does not stay in the address bar. Everything else
//! is answered at once and forgotten. Each connection is bounded in size and
//! time and runs on its own task, so junk never blocks the real redirect.

pub mod pages;
pub mod tls;

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, mpsc, watch};

use self::pages::Page;
use crate::error::{Error, Result};
use crate::oauth::callback::{self, Outcome};
use crate::output::Printer;

/// Where the outcome page is served after the redirect.
pub const DONE_PATH: &str = "/mplink/done";
/// What the relay page probes before forwarding the code.
pub const PING_PATH: &str = "/mplink/ping";

const MAX_CONNECTIONS: u32 = 256;
const MAX_REQUEST_BYTES: usize = 16 * 1024;
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Config {
    pub addrs: Vec<SocketAddr>,
    /// The redirect path, e.g. `/callback`.
    pub path: String,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Answer the relay page's probe, with the CORS headers it needs.
    pub relay: bool,
    pub printer: Printer,
}

/// Bound sockets, not yet serving.
pub struct Listener {
    sockets: Vec<TcpListener>,
    config: Config,
}

/// The listener at work.
pub struct Running {
    arrivals: mpsc::Receiver<Outcome>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    slots: Arc<Semaphore>,
}

struct Shared {
    path: String,
    state: String,
    relay: bool,
    printer: Printer,
    /// The first accepted redirect wins; later ones see "already handled".
    taken: AtomicBool,
    arrivals: mpsc::Sender<Outcome>,
    result: watch::Sender<Option<Page>>,
    result_served: Notify,
}

impl Listener {
    /// Binds every address, failing at once (naming the port) if one is
    /// taken. An IPv6 address the machine lacks is skipped when another
    /// address was bound.
    pub async fn bind(config: Config) -> Result<Listener> {
        let mut sockets = Vec::new();
        let mut missing = None;
        for addr in &config.addrs {
            match TcpListener::bind(addr).await {
                Ok(socket) => sockets.push(socket),
                Err(err) if err.kind() == io::ErrorKind::AddrInUse => {
                    return Err(Error::failure(format!(
                        "cannot listen on {addr}: port {} is already in use",
                        addr.port()
                    ))
                    .with_hint(
                        "stop the program using that port (another mplink?), or register a \
                         Redirect URL with a free port",
                    ));
                }
                Err(err) if addr.is_ipv6() && config.addrs.len() > 1 => missing = Some(err),
                Err(err) => {
                    return Err(Error::failure(format!(
                        "cannot listen on {addr}: {}",
                        crate::error::io_reason(&err)
                    )));
                }
            }
        }
        if let Some(err) = missing {
            config
                .printer
                .debug(format!("IPv6 loopback unavailable: {err}"));
        }
        Ok(Listener { sockets, config })
    }

    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .collect()
    }

    /// Starts serving; only redirects that carry `state` are accepted.
    pub fn start(self, state: String) -> Running {
        let (arrivals_tx, arrivals) = mpsc::channel(1);
        let (stop, _) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS as usize));
        let shared = Arc::new(Shared {
            path: self.config.path,
            state,
            relay: self.config.relay,
            printer: self.config.printer,
            taken: AtomicBool::new(false),
            arrivals: arrivals_tx,
            result: watch::channel(None).0,
            result_served: Notify::new(),
        });
        for socket in self.sockets {
            let accept = Accept {
                socket,
                tls: self.config.tls.clone().map(tokio_rustls::TlsAcceptor::from),
                shared: shared.clone(),
                stop: stop.subscribe(),
                slots: slots.clone(),
            };
            tokio::spawn(accept.run());
        }
        Running {
            arrivals,
            shared,
            stop,
            slots,
        }
    }
}

impl Running {
    /// The next redirect that carries the right `state`.
    pub async fn next(&mut self) -> Option<Outcome> {
        self.arrivals.recv().await
    }

    /// Shows `page` to the browser that brought the redirect.
    pub fn respond(&self, page: Page) {
        self.shared.result.send_replace(Some(page));
    }

    /// Waits (up to `grace`) for the browser to fetch the outcome page, then
    /// closes every connection once its response is fully written.
    pub async fn finish(self, grace: Duration) {
        let answered = self.shared.result.borrow().is_some();
        if answered {
            let served = self.shared.result_served.notified();
            let _ = tokio::time::timeout(grace, served).await;
        }
        let _ = self.stop.send(true);
        let all = self.slots.acquire_many(MAX_CONNECTIONS);
        let _ = tokio::time::timeout(Duration::from_secs(1), all).await;
    }
}

struct Accept {
    socket: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
    slots: Arc<Semaphore>,
}

impl Accept {
    async fn run(mut self) {
        loop {
            let accepted = tokio::select! {
                accepted = self.socket.accept() => accepted,
                _ = self.stop.wait_for(|stop| *stop) => return,
            };
            let Ok((stream, _)) = accepted else { continue };
            // Past the cap, new connections are dropped rather than queued.
            let Ok(slot) = self.slots.clone().try_acquire_owned() else {
                continue;
            };
            let shared = self.shared.clone();
            let stop = self.stop.clone();
            let tls = self.tls.clone();
            tokio::spawn(async move {
                match tls {
                    None => serve(stream, shared, stop).await,
                    Some(tls) => serve_tls(tls, stream, shared, stop).await,
                }
                drop(slot);
            });
        }
    }
}

async fn serve_tls(
    tls: tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
        Ok(Ok(stream)) => serve(stream, shared, stop).await,
        // Browsers drop the first handshake when they distrust the
        // certificate; that is expected, not worth a warning.
        Ok(Err(err)) => shared.printer.debug(format!("TLS handshake failed: {err}")),
        Err(_) => shared.printer.debug("TLS handshake timed out"),
    }
}

async fn serve<I>(io: I, shared: Arc<Shared>, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(route(request, &shared).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_REQUEST_BYTES)
        .serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|stop| *stop) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

async fn route(request: Request<Incoming>, shared: &Shared) -> Response<Full<Bytes>> {
    let path = request.uri().path();
    let method = request.method();
    shared.printer.debug(format!(
        "listener: {method} {:?}",
        callback::printable(path)
    ));
    if path == shared.path {
        if method != Method::GET {
            let mut response = html(Page {
                status: 405,
                html: String::new(),
            });
            response
                .headers_mut()
                .insert("allow", "GET".parse().expect("static"));
            return response;
        }
        return redirected(request.uri().query().unwrap_or(""), shared).await;
    }
    match (method, path) {
        (&Method::GET, DONE_PATH) => done(shared),
        (&Method::GET | &Method::OPTIONS, PING_PATH) if shared.relay => ping(),
        _ => html(pages::not_found()),
    }
}

async fn redirected(query: &str, shared: &Shared) -> Response<Full<Bytes>> {
    let outcome = match callback::check(query, &shared.state) {
        Ok(outcome) => outcome,
        Err(rejection) => {
            shared
                .printer
                .debug(format!("listener: redirect refused: {rejection}"));
            return html(pages::rejected(&rejection.to_string()));
        }
    };
    if shared.taken.swap(true, Ordering::SeqCst) {
        return html(pages::already_done());
    }
    let mut result = shared.result.subscribe();
    if shared.arrivals.send(outcome).await.is_err() {
        return html(pages::failed("mplink stopped waiting"));
    }
    if result.wait_for(Option::is_some).await.is_err() {
        return html(pages::failed("mplink stopped"));
    }
    see_other(DONE_PATH)
}

fn done(shared: &Shared) -> Response<Full<Bytes>> {
    let page = shared.result.borrow().clone();
    match page {
        Some(page) => {
            shared.result_served.notify_one();
            html(page)
        }
        None => html(pages::not_found()),
    }
}

/// The relay page asks before it forwards, so it can tell the seller when
/// nothing listens. The headers let a page on the app's HTTPS origin ask.
fn ping() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    for (name, value) in [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-private-network", "true"),
        ("cache-control", "no-store"),
    ] {
        headers.insert(name, value.parse().expect("static"));
    }
    response
}

fn see_other(location: &str) -> Response<Full<Bytes>> {
    let mut response = with_privacy_headers(Response::new(Full::new(Bytes::new())));
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = location.parse() {
        response.headers_mut().insert("location", value);
    }
    response
}

fn html(page: Page) -> Response<Full<Bytes>> {
    let mut response = with_privacy_headers(Response::new(Full::new(Bytes::from(page.html))));
    *response.status_mut() = StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        "content-type",
        "text/html; charset=utf-8".parse().expect("static"),
    );
    response
}

fn with_privacy_headers(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    let headers = response.headers_mut();
    for (name, value) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
        (
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
    ] {
        headers.insert(name, value.parse().expect("static"));
    }
    response
}
