//! What the integration tests share: a private home for each test, the real
//! mplink binary, a `BROWSER` that hands the URL to the test, and a seller
//! played over loopback HTTP against the fake Mercado Pago.

#![allow(dead_code)]

pub mod fake_mp;

use std::fs;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use self::fake_mp::{FakeApp, FakeMp};

/// A fake Mercado Pago whose application has a plain loopback Redirect URL.
pub fn fake() -> FakeMp {
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    FakeMp::start(FakeApp::new(&redirect))
}

/// Stores a fresh grant from the fake as link `name`, through `mplink
/// import`; returns its access and refresh tokens.
pub fn import_link(
    world: &World,
    mp: &FakeMp,
    name: &str,
    test: bool,
    expires_in: u64,
) -> (String, String) {
    let pair = mp.grant(test);
    let reply = serde_json::json!({
        "access_token": pair.access_token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": "offline_access read write",
        "user_id": pair.user_id,
        "refresh_token": pair.refresh_token,
        "public_key": if test { "TEST-pk" } else { "APP_USR-pk" },
        "live_mode": pair.live_mode,
    });
    let mut cmd = world.mplink();
    cmd.args(["import", "--name", name]);
    let out = run_with_stdin(cmd, &reply.to_string());
    assert_exit(&out, 0);
    assert_no_secret(
        &out,
        &[pair.access_token.clone(), pair.refresh_token.clone()],
    );
    (pair.access_token, pair.refresh_token)
}

/// The keys of a JSON object, in order.
pub fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// The client secret the fake's application uses (see `FakeApp::new`).
pub fn client_secret(mp: &FakeMp) -> String {
    mp.app().client_secret.clone()
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One test's world: a temporary home and config dir, and a browser script
/// that writes the URL it is given to a file instead of opening anything.
pub struct World {
    pub home: tempfile::TempDir,
    pub config: PathBuf,
    pub url_file: PathBuf,
    browser: PathBuf,
}

impl World {
    pub fn new() -> World {
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("config").join("mplink");
        let url_file = home.path().join("browser-url");
        let browser = home.path().join("browser.sh");
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            url_file.display()
        );
        fs::write(&browser, script).unwrap();
        make_executable(&browser);
        World {
            home,
            config,
            url_file,
            browser,
        }
    }

    /// The real binary, with nothing from the caller's environment but
    /// `PATH`, pointed at this world, the file store and the test browser.
    pub fn mplink(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mplink"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("MPLINK_CONFIG_DIR", &self.config)
            .env("MPLINK_STORE", "file")
            .env("BROWSER", &self.browser)
            .env("NO_PROXY", "127.0.0.1,localhost,::1")
            .stdin(Stdio::null());
        cmd
    }

    /// `mplink` configured for the fake's application.
    pub fn mplink_for(&self, mp: &FakeMp) -> Command {
        let mut cmd = self.mplink();
        cmd.env("MPLINK_CLIENT_ID", &mp.app().client_id)
            .env("MPLINK_CLIENT_SECRET", client_secret(mp))
            .env("MPLINK_REDIRECT_URI", &mp.app().redirect_uris[0])
            .env("MPLINK_AUTH_URL", mp.auth_url())
            .env("MPLINK_API_URL", mp.base_url());
        cmd
    }

    /// Starts `authorize` (plus `args`) in the background.
    pub fn start_authorize(&self, mp: &FakeMp, args: &[&str]) -> Child {
        self.mplink_for(mp)
            .arg("authorize")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The URL mplink handed to the browser, once it has.
    pub fn browser_url(&self, child: &mut Child) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(text) = fs::read_to_string(&self.url_file)
                && text.ends_with('\n')
            {
                return text.lines().last().unwrap().to_string();
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("mplink exited ({status}) before opening the browser");
            }
            assert!(Instant::now() < deadline, "mplink never opened the browser");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn browser_opened(&self) -> bool {
        self.url_file.exists()
    }

    /// Authorizes with the seller consenting: returns mplink's output and
    /// what the seller's browser ended on.
    pub fn authorize(&self, mp: &FakeMp, args: &[&str]) -> (Output, Visit) {
        let mut child = self.start_authorize(mp, args);
        let url = self.browser_url(&mut child);
        let visit = seller::visit(&url);
        (finish(child), visit)
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.config.join(name)
    }

    /// The link index, `links.json`, as JSON (`null` before any link).
    pub fn index(&self) -> serde_json::Value {
        fs::read_to_string(self.file("links.json"))
            .map(|text| serde_json::from_str(&text).unwrap())
            .unwrap_or(serde_json::Value::Null)
    }

    /// Every secret mplink stored in the file store, for leak checks.
    pub fn stored_secrets(&self) -> Vec<String> {
        let Ok(text) = fs::read_to_string(self.file("credentials.json")) else {
            return Vec::new();
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut found = Vec::new();
        for (_, value) in json["secrets"].as_object().unwrap() {
            let inner: serde_json::Value =
                serde_json::from_str(value.as_str().unwrap()).unwrap_or_default();
            for key in ["access_token", "refresh_token"] {
                if let Some(token) = inner[key].as_str() {
                    found.push(token.to_string());
                }
            }
            if inner.is_null() {
                found.push(value.as_str().unwrap().to_string());
            }
        }
        found
    }
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

pub fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Waits for a child at most 60 s, then kills it: a hung mplink fails the
/// test instead of hanging the suite.
pub fn finish(mut child: Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "mplink hung; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

/// Runs a command to completion with `input` on stdin.
pub fn run_with_stdin(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    finish(child)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Asserts the exit code, showing mplink's stderr when it differs.
#[track_caller]
pub fn assert_exit(out: &Output, expected: i32) {
    assert_eq!(
        code(out),
        expected,
        "exit code; stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// None of `secrets` may appear in mplink's stdout or stderr.
#[track_caller]
pub fn assert_no_secret(out: &Output, secrets: &[String]) {
    let all = format!("{}{}", stdout(out), stderr(out));
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !all.contains(secret.as_str()),
            "a secret leaked into the output:\n{all}"
        );
    }
}

/// The secrets a run of `authorize` handled: the client secret, and the
/// codes and verifiers it sent to the fake.
pub fn flow_secrets(mp: &FakeMp) -> Vec<String> {
    let mut secrets = vec![client_secret(mp)];
    for request in mp.token_requests() {
        if let Some(json) = request.json {
            for key in ["code", "code_verifier", "refresh_token"] {
                if let Some(value) = json[key].as_str() {
                    secrets.push(value.to_string());
                }
            }
        }
    }
    secrets
}

/// What the seller's browser saw at the end.
#[derive(Debug)]
pub struct Visit {
    pub status: u16,
    pub url: String,
    pub body: String,
    /// The redirect's address, with the code in it, before mplink moved
    /// the browser on.
    pub redirect: Option<String>,
}

/// The seller, played with a plain HTTP client over loopback.
pub mod seller {
    use super::Visit;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn client(follow: bool) -> reqwest::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let policy = if follow {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        };
        reqwest::Client::builder()
            .redirect(policy)
            .no_proxy()
            // mplink's HTTPS listener uses a certificate made for the run;
            // the seller here trusts it as a person clicking through would.
            .danger_accept_invalid_certs(true)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// Loads the authorization URL and follows every redirect, as a
    /// browser would.
    pub fn visit(url: &str) -> Visit {
        runtime().block_on(async {
            let first = client(false).get(url).send().await.unwrap();
            let redirect = first
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string());
            let response = match &redirect {
                Some(location) => client(true).get(location).send().await.unwrap(),
                None => first,
            };
            Visit {
                status: response.status().as_u16(),
                url: response.url().to_string(),
                body: response.text().await.unwrap_or_default(),
                redirect,
            }
        })
    }

    /// Where Mercado Pago would send the browser, without going there.
    pub fn redirect_target(url: &str) -> String {
        runtime().block_on(async {
            let response = client(false).get(url).send().await.unwrap();
            response.headers()["location"].to_str().unwrap().to_string()
        })
    }

    /// A plain GET, following redirects: status and body.
    pub fn get(url: &str) -> (u16, String) {
        runtime().block_on(async {
            let response = client(true).get(url).send().await.unwrap();
            (
                response.status().as_u16(),
                response.text().await.unwrap_or_default(),
            )
        })
    }
}
