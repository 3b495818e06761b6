//! A real SMTP server for the mail suites: Python's `aiosmtpd`, started by the test on a free
//! port, keeping what it receives in a Maildir. Without `aiosmtpd` a suite is skipped with a
//! printed reason, except under `CI=true` (`.ci/run` installs it), where that fails.
//! `Mail` reads a message as a mail client would: headers, and its text and HTML parts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn on_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Whether Python can import a module.
pub fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `None` (with the reason printed) when the module is missing outside CI.
pub fn require_python(module: &str, suite: &str) -> Option<()> {
    if python_has(module) {
        return Some(());
    }
    assert!(
        !on_ci(),
        "python3 with {module} is required on CI (.ci/run installs it)"
    );
    eprintln!("skipping {suite}: python3 cannot import {module} (pip install {module})");
    None
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Wait until something listens on `port`.
pub fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{what} did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    /// Start one; `None` without aiosmtpd outside CI.
    pub fn start(suite: &str) -> Option<SmtpServer> {
        require_python("aiosmtpd", suite)?;
        let mut server = SmtpServer {
            child: None,
            port: free_port(),
            maildir: tempfile::tempdir().expect("maildir"),
        };
        server.resume();
        Some(server)
    }

    /// `smtp://127.0.0.1:<port>`, for `LECTERN_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Take the server down (SIGKILL): connections are refused.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start it again on the same port, keeping what it received.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.maildir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts aiosmtpd");
        self.child = Some(child);
        wait_listening(self.port, "aiosmtpd");
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Mail> {
        read_folder(&self.maildir().join("new"), None)
    }

    /// The Maildir (which aiosmtpd creates, with its `tmp`, `new` and `cur`).
    fn maildir(&self) -> PathBuf {
        self.maildir.path().join("maildir")
    }

    /// Wait until `count` messages have arrived (at most `within`); all of them.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Mail> {
        wait_for(|| self.received(), count, within)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `.eml` files of an instance that has no SMTP server (`<data dir>/outbox/`).
pub fn outbox_files(data_dir: &Path) -> Vec<Mail> {
    read_folder(&data_dir.join("outbox"), Some("eml"))
}

pub fn wait_for(read: impl Fn() -> Vec<Mail>, count: usize, within: Duration) -> Vec<Mail> {
    let deadline = Instant::now() + within;
    loop {
        let mails = read();
        if mails.len() >= count {
            return mails;
        }
        assert!(
            Instant::now() < deadline,
            "{count} mails expected within {within:?}, {} arrived: {:?}",
            mails.len(),
            mails
                .iter()
                .map(|m| m.header("Subject"))
                .collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn read_folder(folder: &Path, extension: Option<&str>) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| extension.is_none_or(|ext| p.extension().is_some_and(|e| e == ext)))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
        .map(|raw| Mail {
            raw: raw.replace("\r\n", "\n"),
        })
        .collect()
}

/// One message as received, its lines ending in `\n`.
#[derive(Clone, Debug)]
pub struct Mail {
    pub raw: String,
}

impl Mail {
    /// A top-level header's value (unfolded), e.g. `Subject`.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\n\n").next().unwrap_or(&self.raw);
        let head = head.replace("\n ", " ").replace("\n\t", " ");
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The address the message was sent to (`To`, without the display name).
    pub fn to(&self) -> String {
        let to = self.header("To").expect("a To header");
        match (to.rfind('<'), to.rfind('>')) {
            (Some(start), Some(end)) => to[start + 1..end].to_owned(),
            _ => to,
        }
    }

    /// The decoded body of the part with this content type (`text/plain`, `text/html`).
    pub fn part(&self, content_type: &str) -> Option<String> {
        let at = self.raw.find(&format!("Content-Type: {content_type}"))?;
        let part = &self.raw[at..];
        let (head, body) = part.split_once("\n\n")?;
        let body = body.split("\n--").next().unwrap_or(body);
        Some(if head.contains("quoted-printable") {
            decode_quoted_printable(body)
        } else {
            body.to_owned()
        })
    }

    pub fn text(&self) -> String {
        self.part("text/plain").expect("a text/plain part")
    }

    pub fn html(&self) -> String {
        self.part("text/html").expect("a text/html part")
    }

    /// The token of the link to `page` (`/reset-password`, …) in the text part.
    pub fn token(&self, page: &str) -> String {
        let text = self.text();
        let marker = format!("{page}?token=");
        let at = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no {page} link in {text}"));
        text[at + marker.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect()
    }
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if let Some(hex) = joined.get(i + 1..i + 3) {
                if let Ok(byte) = u8::from_str_radix(hex, 16) {
                    out.push(byte);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
