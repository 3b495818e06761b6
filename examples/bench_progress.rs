//! Progress writes per second: 64 concurrent writers, each sending
//! `PUT /api/v1/lessons/{slug}/progress` with a Bearer token of its own user, against a
//! running Lectern (see `scripts/bench-progress.sh`, which starts a release build).
//!
//!   cargo run --release --example bench_progress -- http://127.0.0.1:18090 [seconds] [writers]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:18090".into());
    let seconds: u64 = args.next().map_or(Ok(10), |s| s.parse())?;
    let writers: usize = args.next().map_or(Ok(64), |s| s.parse())?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(writers)
        .build()?;

    // A few users (sign-up is rate limited and Argon2 is slow); writers share them.
    let users = 8.min(writers);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut tokens = Vec::new();
    for i in 0..users {
        let body: Value = client
            .post(format!("{base}/api/v1/auth/signup"))
            .json(&json!({
                "email": format!("bench-{run}-{i}@example.com"),
                "password": "a quiet lectern at dawn",
                "name": "Bench",
            }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(body["token"].as_str().unwrap_or_default().to_owned());
    }
    let lessons: Value = client
        .get(format!("{base}/api/v1/lessons"))
        .send()
        .await?
        .json()
        .await?;
    let slugs: Vec<String> = lessons["lessons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["access"] == "free")
        .filter_map(|l| l["slug"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(!slugs.is_empty(), "no free lessons to write progress on");

    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..writers {
        let client = client.clone();
        let token = tokens[w % users].clone();
        let slugs = slugs.clone();
        let base = base.clone();
        let (ok, errors) = (Arc::clone(&ok), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut n: u64 = 0;
            let mut took = Vec::new();
            while Instant::now() < deadline {
                let asked = Instant::now();
                let slug = &slugs[(w + n as usize) % slugs.len()];
                let response = client
                    .put(format!("{base}/api/v1/lessons/{slug}/progress"))
                    .bearer_auth(&token)
                    .json(&json!({ "percent": n % 100 }))
                    .send()
                    .await;
                took.push(asked.elapsed());
                match response {
                    Ok(r) if r.status().is_success() => ok.fetch_add(1, Ordering::Relaxed),
                    Ok(r) => {
                        let status = r.status();
                        let text = r.text().await.unwrap_or_default();
                        if errors.load(Ordering::Relaxed) < 5 {
                            eprintln!("error {status}: {text}");
                        }
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(e) => {
                        if errors.load(Ordering::Relaxed) < 5 {
                            eprintln!("error: {e}");
                        }
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                n += 1;
            }
            took
        }));
    }
    let mut took = Vec::new();
    for task in tasks {
        took.extend(task.await?);
    }
    took.sort_unstable();
    let p99 = took
        .get((took.len() * 99 / 100).min(took.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default();
    let elapsed = started.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed);
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "{writers} writers, {elapsed:.1} s: {ok} progress writes, {errors} errors, {:.0} writes/s, p99 {:.1} ms",
        ok as f64 / elapsed,
        p99.as_secs_f64() * 1000.0
    );
    Ok(())
}
