//! Where mail leaves: an SMTP server (`LECTERN_SMTP_URL`), or, without one, `.eml` files in
//! `<data dir>/outbox/`, one per message, so a local operator can still open a reset link.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use lettre::address::Envelope;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::db::outbox::Claimed;
use crate::db::Db;
use crate::outbox::{Attempt, Courier};

/// Longest one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

pub enum Transport {
    Smtp {
        relay: AsyncSmtpTransport<Tokio1Executor>,
        from: Address,
    },
    Folder(PathBuf),
}

impl Transport {
    /// SMTP when `smtp_url` is set (lettre's URL form), else the data folder's `outbox/`.
    pub fn new(smtp_url: Option<&str>, from: Address, data_dir: &Path) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let relay = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("LECTERN_SMTP_URL is not an SMTP URL lettre understands")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Transport::Smtp { relay, from })
            }
            None => Ok(Transport::Folder(data_dir.join("outbox"))),
        }
    }

    /// Send one queued mail.
    async fn deliver(&self, message: &Claimed) -> Attempt {
        let Some(recipient) = message.recipient.as_deref() else {
            return Attempt::Undeliverable {
                error: "a mail without a recipient".into(),
            };
        };
        match self {
            Transport::Smtp { relay, from } => {
                let to = match recipient.parse::<Address>() {
                    Ok(to) => to,
                    Err(e) => {
                        return Attempt::Undeliverable {
                            error: format!("not an address SMTP can carry: {e}"),
                        }
                    }
                };
                let envelope = match Envelope::new(Some(from.clone()), vec![to]) {
                    Ok(envelope) => envelope,
                    Err(e) => {
                        return Attempt::Undeliverable {
                            error: e.to_string(),
                        }
                    }
                };
                match relay.send_raw(&envelope, message.payload.as_bytes()).await {
                    Ok(response) => Attempt::Delivered {
                        status_code: response.code().to_string().parse().ok(),
                    },
                    Err(e) => Attempt::Failed {
                        status_code: e.status().and_then(|code| code.to_string().parse().ok()),
                        error: e.to_string(),
                    },
                }
            }
            Transport::Folder(folder) => {
                let folder = folder.clone();
                let name = format!("{}.eml", file_stem(&message.message_id));
                let bytes = message.payload.clone().into_bytes();
                let written =
                    tokio::task::spawn_blocking(move || write_durably(&folder, &name, &bytes))
                        .await;
                match written {
                    Ok(Ok(path)) => {
                        tracing::info!(file = %path.display(), "mail written to the outbox folder");
                        Attempt::Delivered { status_code: None }
                    }
                    Ok(Err(e)) => Attempt::Failed {
                        status_code: None,
                        error: format!("could not write the mail file: {e:#}"),
                    },
                    Err(e) => Attempt::Failed {
                        status_code: None,
                        error: e.to_string(),
                    },
                }
            }
        }
    }
}

impl Courier for Transport {
    fn send(&self, _: &Db, message: &Claimed) -> impl std::future::Future<Output = Attempt> + Send {
        self.deliver(message)
    }
}

/// A Message-ID (`<id@host>`) as a file name: its letters, digits, dots and dashes.
fn file_stem(message_id: &str) -> String {
    message_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        .collect()
}

/// Write a file whole or not at all, and make it survive a crash: a temporary file, synced,
/// renamed into place, and the folder synced.
fn write_durably(folder: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    let path = folder.join(name);
    let partial = folder.join(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, &path)?;
    std::fs::File::open(folder)?.sync_all()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_becomes_a_plain_file_name() {
        assert_eq!(
            file_stem("<3f2a.b-c@lectern.example>"),
            "3f2a.b-c@lectern.example"
        );
        assert_eq!(file_stem("<../../etc/passwd>"), "....etcpasswd");
    }
}
