//! The `lectern` binary as an operator runs it, for suites that kill it (SIGKILL) and start
//! it again on the same data folder.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running `lectern serve`.
pub struct Server {
    child: Child,
    pub address: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Start `lectern serve` on `data`, logging to `log`, with `env` added to its settings.
    pub fn start(data: &Path, log: &Path, env: &[(&str, &str)]) -> Server {
        let log = File::options()
            .create(true)
            .append(true)
            .open(log)
            .expect("server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lectern"))
            .arg("serve")
            .env("LECTERN_BIND", "127.0.0.1:0")
            .env("LECTERN_DATA_DIR", data)
            .env("LECTERN_CONTENT_DIR", super::bundled_content())
            .env("LECTERN_AUTH_RATE_LIMIT", "1000000")
            .env("LECTERN_LOG", "warn")
            .env_remove("LECTERN_DATABASE_URL")
            .env_remove("LECTERN_JWT_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the lectern binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read stdout");
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server did not start: {line:?} (see its log)"))
            .to_owned();
        Server {
            child,
            address,
            _stdout: stdout,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// SIGKILL: no shutdown, no checkpoint, nothing flushed by the process.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reap the server");
    }
}
