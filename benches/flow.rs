//! `cargo bench`: how fast mplink is where a user can feel it. Prints
//! figures; asserts nothing (a slow machine is not a failure).
//!
//! - callback to exit: the redirect request reaching the listener until
//!   mplink has stored the tokens (file store, fake Mercado Pago on
//!   loopback) and exited;
//! - start-up of `mplink --version` and `mplink show`;
//! - peak memory of a whole `authorize`;
//! - the size of the binary under test (release profile: stripped).

// A benchmark exists to print its figures.
#![allow(clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use common::fake_mp::{FakeApp, FakeMp};
use common::{World, free_port, seller};

const RUNS: usize = 25;

fn main() {
    let bin = env!("CARGO_BIN_EXE_mplink");
    println!("mplink benchmark: {RUNS} runs each, binary {bin}");
    callback_to_exit();
    startup("mplink --version", &["--version"]);
    startup("mplink show (3 links)", &["show"]);
    peak_memory();
    let size = std::fs::metadata(bin).map(|m| m.len()).unwrap_or(0);
    println!(
        "binary size: {:.2} MiB ({size} bytes)",
        size as f64 / 1048576.0
    );
}

fn fake() -> FakeMp {
    FakeMp::start(FakeApp::new(&format!(
        "http://127.0.0.1:{}/callback",
        free_port()
    )))
}

fn callback_to_exit() {
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let mp = fake();
        let world = World::new();
        let mut child = world.start_authorize(&mp, &[]);
        let url = world.browser_url(&mut child);
        let redirect = seller::redirect_target(&url);
        let waiter = thread::spawn(move || {
            let status = child.wait().unwrap();
            (Instant::now(), status)
        });
        let start = Instant::now();
        let (status, _) = seller::get(&redirect);
        let (exited, code) = waiter.join().unwrap();
        assert!(status == 200 && code.success(), "a run failed");
        samples.push(exited - start);
    }
    report("callback to exit", &mut samples);
}

fn startup(label: &str, args: &[&str]) {
    let world = World::new();
    seed_links(&world);
    let mut samples = Vec::new();
    for _ in 0..RUNS * 2 {
        let start = Instant::now();
        let out = world
            .mplink()
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        samples.push(start.elapsed());
        assert!(out.success());
    }
    report(label, &mut samples);
}

fn seed_links(world: &World) {
    let mp = fake();
    for name in ["a", "b", "c"] {
        let pair = mp.grant(false);
        let json = format!(
            r#"{{"access_token":"{}","refresh_token":"{}","user_id":{},"expires_in":15552000}}"#,
            pair.access_token, pair.refresh_token, pair.user_id
        );
        let mut cmd = world.mplink();
        cmd.args(["import", "--name", name]);
        assert!(common::run_with_stdin(cmd, &json).status.success());
    }
}

/// Samples the process's high-water mark while it runs (Linux /proc).
fn peak_memory() {
    let mp = fake();
    let world = World::new();
    let mut child = world.start_authorize(&mp, &[]);
    let pid = child.id();
    let url = world.browser_url(&mut child);
    let sampler = thread::spawn(move || {
        let mut peak = 0u64;
        let path = format!("/proc/{pid}/status");
        while let Ok(status) = std::fs::read_to_string(&path) {
            let hwm = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                .unwrap_or(0);
            if hwm == 0 {
                break; // a zombie: the process has exited
            }
            peak = peak.max(hwm);
            thread::sleep(Duration::from_millis(1));
        }
        peak
    });
    seller::visit(&url);
    let out = common::finish(child);
    assert!(out.status.success());
    let peak = sampler.join().unwrap();
    println!(
        "peak memory of authorize: {:.1} MiB (VmHWM)",
        peak as f64 / 1024.0
    );
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = samples.len();
    println!(
        "{label}: median {:.2} ms, min {:.2} ms, p90 {:.2} ms, max {:.2} ms ({n} runs)",
        ms(samples[n / 2]),
        ms(samples[0]),
        ms(samples[n * 9 / 10]),
        ms(samples[n - 1]),
    );
}
