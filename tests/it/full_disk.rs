//! A full disk, on a small tmpfs mounted for the test (needs root and mount(8), so it is
//! ignored by `cargo test`; `scripts/full-disk.sh` runs it): a start on the full disk is
//! refused with a clear error; writes of a running instance answer 503 `unavailable`
//! (never 500, nothing half-written) and work again once space is freed; the SQLite file
//! passes `PRAGMA integrity_check` and holds exactly the acknowledged writes.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

use common::Backend;

/// A tmpfs of a few megabytes, unmounted when dropped.
struct SmallDisk {
    root: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let root = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(root.path())
            .status()
            .expect("mount(8)");
        assert!(status.success(), "could not mount a tmpfs (root needed)");
        SmallDisk { root }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// Write a file until the disk refuses more.
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.root.path())
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "mounts a tmpfs (root): run scripts/full-disk.sh"]
async fn a_full_disk_answers_503_and_recovers_with_nothing_half_written() {
    let disk = SmallDisk::mount(24);
    let (mut settings, data) =
        common::test_settings(Backend::Sqlite, &common::bundled_content()).await;
    settings.data_dir = disk.path().join("data");
    let database = settings.data_dir.join("lectern.db");
    let app = common::spawn_settings(settings.clone(), data).await;
    let (token, _) = app.sign_up("full@example.com").await;
    let attempt = || {
        app.client
            .post(app.url("/api/v1/lessons/transformer-revolution/quiz/attempts"))
            .bearer_auth(&token)
            .json(&json!({ "answers": {} }))
            .send()
    };

    let filler = disk.fill();

    // Another instance on the full disk refuses to start, naming the folder and the cause.
    let mut second = settings.clone();
    second.data_dir = disk.path().join("second");
    let refused = lectern::startup::Application::build(second.clone())
        .await
        .err()
        .expect("no start on a full disk");
    let message = format!("{refused:#}");
    assert!(
        message.contains(&second.data_dir.display().to_string())
            && message.contains("No space left on device"),
        "{message}"
    );

    // Writes go on until the database must grow, then answer 503, never 500.
    let mut acknowledged = 0;
    let mut unavailable = None;
    for _ in 0..20_000 {
        let response = attempt().await.unwrap();
        match response.status().as_u16() {
            201 => acknowledged += 1,
            503 => {
                let retry_after = response.headers().get("retry-after").cloned();
                let body: Value = response.json().await.unwrap();
                unavailable = Some((retry_after, body));
                break;
            }
            status => panic!("{status}: {}", response.text().await.unwrap()),
        }
    }
    let (retry_after, body) = unavailable.expect("a full disk answers 503");
    assert!(retry_after.is_some(), "503 carries Retry-After");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");

    std::fs::remove_file(filler).unwrap();
    let response = attempt().await.unwrap();
    assert_eq!(
        response.status(),
        201,
        "writes work again once space is freed"
    );
    acknowledged += 1;

    let mut conn = SqliteConnectOptions::new()
        .filename(&database)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quiz_attempts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        stored, acknowledged,
        "exactly the acknowledged attempts are stored"
    );
    println!("{acknowledged} attempts stored; the full disk answered 503: {body}");
}
