//! The binary as an operator runs it: prints where it listens, serves, and stops cleanly
//! on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn serve_prints_its_address_and_stops_gracefully_on_sigterm() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lectern"))
        .arg("serve")
        .env("LECTERN_BIND", "127.0.0.1:0")
        .env("LECTERN_DATA_DIR", data.path())
        .env(
            "LECTERN_CONTENT_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/content"),
        )
        .env_remove("LECTERN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout).lines().next().unwrap().unwrap();
    let address = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        address.starts_with("http://127.0.0.1:") && !address.ends_with(":0"),
        "{address}"
    );

    let health = reqwest::blocking::get(format!("{address}/healthz")).unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        data.path().join("lectern.db").exists(),
        "the SQLite file is in the data folder"
    );

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a graceful stop exits 0, got {status}");
    assert!(
        reqwest::blocking::get(format!("{address}/healthz")).is_err(),
        "nothing listens any more"
    );
}

/// Run `lectern serve` with `data_dir`, expecting it to refuse to start: its exit status and
/// standard error. A server that starts anyway is killed and fails the test.
fn serve_refusing(data_dir: &std::path::Path) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lectern"))
        .arg("serve")
        .env("LECTERN_BIND", "127.0.0.1:0")
        .env("LECTERN_DATA_DIR", data_dir)
        .env(
            "LECTERN_CONTENT_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/content"),
        )
        .env_remove("LECTERN_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "lectern started with the data folder {}",
                data_dir.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stderr)
}

/// The one line an operator reads: names the folder and the cause.
fn assert_one_clear_line(stderr: &str, data_dir: &std::path::Path, cause: &str) {
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("lectern: "), "{stderr}");
    assert!(last.contains(&data_dir.display().to_string()), "{stderr}");
    assert!(last.contains(cause), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_data_folder_that_cannot_be_created_stops_the_start() {
    // /proc takes no new folders, even from root.
    let data_dir = std::path::Path::new("/proc/lectern-test/data");
    let (status, stderr) = serve_refusing(data_dir);
    assert!(!status.success());
    assert_one_clear_line(&stderr, data_dir, "could not create the data folder");
}

#[test]
fn a_data_folder_that_cannot_be_written_stops_the_start() {
    // /sys exists but takes no new files, even from root.
    let data_dir = std::path::Path::new("/sys");
    let (status, stderr) = serve_refusing(data_dir);
    assert!(!status.success());
    assert_one_clear_line(&stderr, data_dir, "is not writable");
}

#[test]
fn a_file_where_the_data_folder_should_be_stops_the_start_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    std::fs::write(&data_dir, b"not a folder").unwrap();
    let (status, stderr) = serve_refusing(&data_dir);
    assert!(!status.success());
    assert_one_clear_line(&stderr, &data_dir, "not a folder");
    assert_eq!(std::fs::read(&data_dir).unwrap(), b"not a folder");
}
