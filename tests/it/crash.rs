//! Crash safety: the `lectern` binary on SQLite, killed with SIGKILL at a random moment
//! while writers send progress, quiz attempts and sign-ups, loses no write it acknowledged.
//!
//! Each cycle starts the server on the same data folder, signs up the cycle's writers, lets
//! them write concurrently, kills the server after a random delay, then opens the SQLite
//! file read-only: `PRAGMA integrity_check` must say `ok` and every write answered 2xx so
//! far (this cycle and all earlier ones) must be there. The last restart is also checked
//! through the API.
//!
//! `cargo test --test it crash::` runs 10 cycles; `scripts/crash-test.sh` runs the same code for
//! 100 cycles on a release build (`LECTERN_CRASH_CYCLES`). The kill delays come from a seed the
//! test prints; `CRASH_SEED=<seed>` draws the same delays again to replay a failed run.

use crate::common;
use crate::common::server::Server;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Row};

/// Concurrent writers of progress and quiz attempts (one user and one lesson each).
const WRITERS: usize = 16;
/// Users the writers share; each writer owns one (user, lesson) pair.
const USERS_PER_CYCLE: usize = 4;
/// The kill comes this long after the writers start, drawn anew each cycle.
const KILL_AFTER_MS: std::ops::Range<u64> = 50..1500;

/// The seed of the kill delays: `CRASH_SEED` when set (to replay a run), a fresh one otherwise.
fn seed() -> u64 {
    std::env::var("CRASH_SEED").map_or_else(
        |_| rand::random(),
        |v| v.parse().expect("CRASH_SEED is a number"),
    )
}

/// Every write the server acknowledged with a 2xx.
#[derive(Default)]
struct Ledger {
    /// Highest acknowledged percent per (user id, lesson slug).
    progress: HashMap<(String, String), i64>,
    /// Acknowledged progress writes per (user id, lesson slug); each raised the percent by 1.
    progress_writes: u64,
    /// (attempt id, user id) of acknowledged quiz attempts.
    attempts: Vec<(i64, String)>,
    /// Ids of acknowledged sign-ups.
    users: Vec<String>,
}

impl Ledger {
    fn acknowledged(&self) -> u64 {
        self.progress_writes + self.attempts.len() as u64 + self.users.len() as u64
    }
}

/// What the SQLite file holds.
struct Stored {
    integrity: String,
    progress: HashMap<(String, String), i64>,
    attempts: HashSet<(i64, String)>,
    users: HashSet<String>,
}

async fn read_database(file: &Path) -> Stored {
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .expect("open the SQLite file read-only");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity_check");
    let progress = sqlx::query("SELECT user_id, slug, percent FROM progress")
        .fetch_all(&mut conn)
        .await
        .expect("progress")
        .iter()
        .map(|r| ((r.get("user_id"), r.get("slug")), r.get("percent")))
        .collect();
    let attempts = sqlx::query("SELECT id, user_id FROM quiz_attempts")
        .fetch_all(&mut conn)
        .await
        .expect("attempts")
        .iter()
        .map(|r| (r.get("id"), r.get("user_id")))
        .collect();
    let users = sqlx::query("SELECT id FROM users")
        .fetch_all(&mut conn)
        .await
        .expect("users")
        .iter()
        .map(|r| r.get("id"))
        .collect();
    Stored {
        integrity,
        progress,
        attempts,
        users,
    }
}

/// Acknowledged writes missing from the file.
fn lost_writes(ledger: &Ledger, stored: &Stored) -> u64 {
    let progress: u64 = ledger
        .progress
        .iter()
        .map(|(key, &acked)| {
            let stored = stored.progress.get(key).copied().unwrap_or(0);
            u64::try_from(acked - stored).unwrap_or(0)
        })
        .sum();
    let attempts = ledger
        .attempts
        .iter()
        .filter(|a| !stored.attempts.contains(a))
        .count();
    let users = ledger
        .users
        .iter()
        .filter(|u| !stored.users.contains(*u))
        .count();
    progress + attempts as u64 + users as u64
}

/// Sign up a fresh user at `base`; its id and token once the server answered 201.
async fn sign_up(client: &reqwest::Client, base: &str) -> Option<(String, String)> {
    let email = format!("crash-{}@example.com", uuid::Uuid::new_v4().simple());
    let response = client
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({ "email": email, "password": common::TEST_PASSWORD, "name": "Crash" }))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    Some((
        body["user"]["id"].as_str()?.to_owned(),
        body["token"].as_str()?.to_owned(),
    ))
}

/// One writer: progress on its own (user, lesson) pair, one point higher each time, with a
/// quiz attempt between progress writes, until the server dies.
async fn write_until_killed(
    client: reqwest::Client,
    base: String,
    (user_id, token): (String, String),
    slug: String,
    ledger: Arc<Mutex<Ledger>>,
) {
    let mut percent = 0;
    for n in 0u64.. {
        let progress = n % 2 == 0 && percent < 100;
        let request = if progress {
            client
                .put(format!("{base}/api/v1/lessons/{slug}/progress"))
                .json(&json!({ "percent": percent + 1 }))
        } else {
            client
                .post(format!("{base}/api/v1/lessons/{slug}/quiz/attempts"))
                .json(&json!({ "answers": {} }))
        };
        let Ok(response) = request.bearer_auth(&token).send().await else {
            return;
        };
        let status = response.status();
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        assert!(status.is_success(), "a write failed: {status} {body}");
        let mut ledger = ledger.lock().unwrap();
        if progress {
            percent += 1;
            assert_eq!(
                body["percent"], percent,
                "the answer carries the new percent"
            );
            ledger.progress_writes += 1;
            ledger
                .progress
                .insert((user_id.clone(), slug.clone()), percent);
        } else {
            let id = body["attempt_id"].as_i64().expect("an attempt id");
            ledger.attempts.push((id, user_id.clone()));
        }
    }
}

/// Sign-ups, one after another, until the server dies.
async fn sign_up_until_killed(client: reqwest::Client, base: String, ledger: Arc<Mutex<Ledger>>) {
    while let Some((id, _)) = sign_up(&client, &base).await {
        ledger.lock().unwrap().users.push(id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_no_acknowledged_write() {
    let cycles: u32 = std::env::var("LECTERN_CRASH_CYCLES")
        .ok()
        .map_or(10, |v| v.parse().expect("LECTERN_CRASH_CYCLES is a number"));
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let log = work.path().join("server.log");
    let file = data.join("lectern.db");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(WRITERS)
        .build()
        .unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let seed = seed();
    println!("crash test: CRASH_SEED={seed} (set it to replay these kill delays)");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lost = 0;
    let mut last_users = Vec::new();

    let server = Server::start(&data, &log, &[]);
    let lessons: Value = client
        .get(server.url("/api/v1/lessons"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slugs: Vec<String> = lessons["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["access"] == "free")
        .map(|l| l["slug"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        slugs.len() * USERS_PER_CYCLE >= WRITERS,
        "enough (user, lesson) pairs for the writers"
    );
    let mut server = Some(server);

    for cycle in 1..=cycles {
        let running = server
            .take()
            .unwrap_or_else(|| Server::start(&data, &log, &[]));
        let mut users = Vec::new();
        for _ in 0..USERS_PER_CYCLE {
            let user = sign_up(&client, &running.address)
                .await
                .expect("a sign-up before the kill");
            ledger.lock().unwrap().users.push(user.0.clone());
            users.push(user);
        }

        let mut tasks = Vec::new();
        for w in 0..WRITERS {
            tasks.push(tokio::spawn(write_until_killed(
                client.clone(),
                running.address.clone(),
                users[w % USERS_PER_CYCLE].clone(),
                slugs[w / USERS_PER_CYCLE].clone(),
                Arc::clone(&ledger),
            )));
        }
        tasks.push(tokio::spawn(sign_up_until_killed(
            client.clone(),
            running.address.clone(),
            Arc::clone(&ledger),
        )));

        let delay = Duration::from_millis(rng.gen_range(KILL_AFTER_MS));
        tokio::time::sleep(delay).await;
        running.kill();
        for task in tasks {
            task.await.expect("a writer panicked");
        }

        let stored = read_database(&file).await;
        assert_eq!(
            stored.integrity, "ok",
            "cycle {cycle}: integrity_check (CRASH_SEED={seed})"
        );
        let ledger = ledger.lock().unwrap();
        let lost_now = lost_writes(&ledger, &stored);
        println!(
            "cycle {cycle}: killed after {} ms, {} acknowledged writes so far, {lost_now} lost",
            delay.as_millis(),
            ledger.acknowledged()
        );
        lost = lost.max(lost_now);
        last_users = users;
    }

    // The last kill's writes, read back through the API of a restarted server.
    let server = Server::start(&data, &log, &[]);
    for (user_id, token) in &last_users {
        let overview: Value = client
            .get(server.url("/api/v1/me/progress"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ledger = ledger.lock().unwrap();
        for lesson in overview["lessons"].as_array().unwrap() {
            let slug = lesson["slug"].as_str().unwrap().to_owned();
            let acked = ledger
                .progress
                .get(&(user_id.clone(), slug))
                .copied()
                .unwrap_or(0);
            assert!(
                lesson["percent"].as_i64().unwrap() >= acked,
                "the API shows {lesson} below the acknowledged {acked}%"
            );
        }
    }
    server.kill();

    let ledger = ledger.lock().unwrap();
    println!(
        "crash test: CRASH_SEED={seed}, {cycles} cycles, {} acknowledged writes ({} progress, {} quiz attempts, \
         {} sign-ups), {lost} lost, integrity_check ok after every kill",
        ledger.acknowledged(),
        ledger.progress_writes,
        ledger.attempts.len(),
        ledger.users.len(),
    );
    assert!(ledger.progress_writes > 0 && !ledger.attempts.is_empty());
    assert_eq!(lost, 0, "acknowledged writes were lost (CRASH_SEED={seed})");
}
