//! Mail (API.md section 12): the letters Lectern writes, composed as plain text and HTML
//! with the pages' template engine, and queued in the outbox inside the transaction of the
//! change that causes them. `transport` sends them.

pub mod transport;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};
use tera::{Context, Tera};

use crate::db::outbox::{self, Kind, NewMessage};
use crate::db::WriteTx;
use crate::error::AppError;
use crate::outbox::Outbox;

/// Mails one address may be sent in an hour; past it requests still answer, and send nothing.
pub const MAILS_PER_ADDRESS_PER_HOUR: i64 = 5;

const TEMPLATES: [(&str, &str); 14] = [
    (
        "layout.html",
        include_str!("../../templates/mail/layout.html"),
    ),
    (
        "layout.txt",
        include_str!("../../templates/mail/layout.txt"),
    ),
    (
        "password_reset.html",
        include_str!("../../templates/mail/password_reset.html"),
    ),
    (
        "password_reset.txt",
        include_str!("../../templates/mail/password_reset.txt"),
    ),
    (
        "sign_in.html",
        include_str!("../../templates/mail/sign_in.html"),
    ),
    (
        "sign_in.txt",
        include_str!("../../templates/mail/sign_in.txt"),
    ),
    (
        "verify_email.html",
        include_str!("../../templates/mail/verify_email.html"),
    ),
    (
        "verify_email.txt",
        include_str!("../../templates/mail/verify_email.txt"),
    ),
    (
        "confirm_email.html",
        include_str!("../../templates/mail/confirm_email.html"),
    ),
    (
        "confirm_email.txt",
        include_str!("../../templates/mail/confirm_email.txt"),
    ),
    (
        "email_change_notice.html",
        include_str!("../../templates/mail/email_change_notice.html"),
    ),
    (
        "email_change_notice.txt",
        include_str!("../../templates/mail/email_change_notice.txt"),
    ),
    (
        "password_notice.html",
        include_str!("../../templates/mail/password_notice.html"),
    ),
    (
        "password_notice.txt",
        include_str!("../../templates/mail/password_notice.txt"),
    ),
];

/// A letter Lectern sends, with what its text needs.
pub enum Letter<'a> {
    /// A link to choose a new password (30 minutes).
    PasswordReset { link: &'a str },
    /// A link that signs in once (15 minutes).
    SignIn { link: &'a str },
    /// A link that shows the address reaches its owner (24 hours).
    VerifyEmail { link: &'a str },
    /// To the new address of an email change: a link that makes the change (24 hours).
    ConfirmEmail { link: &'a str, new_email: &'a str },
    /// To the old address of an email change: someone asked to move the account.
    EmailChangeNotice { new_email: &'a str },
    /// The password was changed or reset.
    PasswordNotice { reset: bool },
}

impl Letter<'_> {
    /// The template's name, which is also the purpose the outbox records.
    fn template(&self) -> &'static str {
        match self {
            Letter::PasswordReset { .. } => "password_reset",
            Letter::SignIn { .. } => "sign_in",
            Letter::VerifyEmail { .. } => "verify_email",
            Letter::ConfirmEmail { .. } => "confirm_email",
            Letter::EmailChangeNotice { .. } => "email_change_notice",
            Letter::PasswordNotice { .. } => "password_notice",
        }
    }

    fn subject(&self) -> &'static str {
        match self {
            Letter::PasswordReset { .. } => "Reset your Lectern password",
            Letter::SignIn { .. } => "Your Lectern sign-in link",
            Letter::VerifyEmail { .. } => "Confirm your email address for Lectern",
            Letter::ConfirmEmail { .. } => "Confirm your new email address for Lectern",
            Letter::EmailChangeNotice { .. } => "Your Lectern email address is being changed",
            Letter::PasswordNotice { reset: true } => "Your Lectern password was reset",
            Letter::PasswordNotice { reset: false } => "Your Lectern password was changed",
        }
    }

    fn context(&self) -> Context {
        let mut context = Context::new();
        match self {
            Letter::PasswordReset { link }
            | Letter::SignIn { link }
            | Letter::VerifyEmail { link } => context.insert("link", link),
            Letter::ConfirmEmail { link, new_email } => {
                context.insert("link", link);
                context.insert("new_email", new_email);
            }
            Letter::EmailChangeNotice { new_email } => context.insert("new_email", new_email),
            Letter::PasswordNotice { reset } => context.insert("reset", reset),
        }
        context
    }
}

/// Writes letters and queues them.
pub struct Mailer {
    letters: Tera,
    from: Mailbox,
    public_url: String,
    /// The host of Message-IDs.
    host: String,
    outbox: Outbox,
}

impl Mailer {
    /// `mail_from` is `LECTERN_MAIL_FROM`; unset, `Lectern <no-reply@HOST>` with the public
    /// URL's host.
    pub fn new(public_url: &str, mail_from: Option<&str>, outbox: Outbox) -> anyhow::Result<Self> {
        let mut letters = Tera::default();
        letters.add_raw_templates(TEMPLATES)?;
        letters.autoescape_on(vec![".html"]);
        let host = host_of(public_url);
        let from = match mail_from {
            Some(from) => from.parse::<Mailbox>().map_err(|e| {
                anyhow::anyhow!("LECTERN_MAIL_FROM {from:?} is not a mail address: {e}")
            })?,
            None => format!("Lectern <no-reply@{}>", mail_host(&host))
                .parse::<Mailbox>()
                .map_err(|e| anyhow::anyhow!("no default From for host {host:?}: {e}"))?,
        };
        Ok(Mailer {
            letters,
            from,
            public_url: public_url.to_owned(),
            host,
            outbox,
        })
    }

    /// The address every mail is sent from.
    pub fn from_address(&self) -> Address {
        self.from.email.clone()
    }

    /// `<public url><page>?token=<token>`: the page a mailed link opens.
    pub fn link(&self, page: &str, token: &str) -> String {
        format!("{}{page}?token={token}", self.public_url)
    }

    /// Queue a letter to `to` (whose owner is called `name`) in `tx`. Past the hourly limit
    /// for that address nothing is queued and the answer is false.
    pub async fn queue(
        &self,
        tx: &mut WriteTx,
        to: &str,
        name: &str,
        letter: Letter<'_>,
    ) -> Result<bool, AppError> {
        let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        if outbox::mails_to_since(tx, to, &hour_ago).await? >= MAILS_PER_ADDRESS_PER_HOUR {
            tracing::info!(
                purpose = letter.template(),
                "mail not sent: the address had its hourly share"
            );
            return Ok(false);
        }
        let message_id = format!(
            "{}@{}",
            uuid::Uuid::new_v4().simple(),
            mail_host(&self.host)
        );
        let message = self.compose(to, name, &message_id, &letter)?;
        outbox::insert(
            tx,
            &NewMessage {
                kind: Kind::Mail,
                message_id: &message_id,
                recipient: Some(to),
                endpoint_id: None,
                event_type: letter.template(),
                payload: &message,
            },
        )
        .await?;
        Ok(true)
    }

    /// Tell the worker a committed transaction queued mail.
    pub fn wake(&self) {
        self.outbox.wake();
    }

    /// The whole RFC 5322 message, text and HTML parts.
    fn compose(
        &self,
        to: &str,
        name: &str,
        message_id: &str,
        letter: &Letter<'_>,
    ) -> Result<String, AppError> {
        let mut context = letter.context();
        context.insert("name", name);
        context.insert("subject", letter.subject());
        context.insert("site", &self.public_url);
        context.insert(
            "forgot_password",
            &format!("{}/forgot-password", self.public_url),
        );
        let template = letter.template();
        let text = self
            .letters
            .render(&format!("{template}.txt"), &context)
            .map_err(AppError::internal)?;
        let html = self
            .letters
            .render(&format!("{template}.html"), &context)
            .map_err(AppError::internal)?;
        let address = to.parse::<Address>().map_err(AppError::internal)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(name.to_owned()), address))
            .subject(letter.subject())
            .message_id(Some(format!("<{message_id}>")))
            .date_now()
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html),
                    ),
            )
            .map_err(AppError::internal)?;
        String::from_utf8(message.formatted()).map_err(AppError::internal)
    }
}

/// The host of a URL (`https://learn.example:8443/x` → `learn.example`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.split(':').next().unwrap_or(authority),
    };
    host.to_ascii_lowercase()
}

/// A host fit for the right side of a mail address: an IP address (a site on
/// `127.0.0.1:8080`) becomes `localhost`.
fn mail_host(host: &str) -> &str {
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        "localhost"
    } else {
        host
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_come_from_the_public_url() {
        assert_eq!(host_of("https://Learn.Example:8443/x?y"), "learn.example");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:8080/"), "::1");
        assert_eq!(mail_host("127.0.0.1"), "localhost");
        assert_eq!(mail_host("::1"), "localhost");
        assert_eq!(mail_host("learn.example"), "learn.example");
    }

    #[test]
    fn every_letter_has_both_parts_its_expiry_and_what_to_do_if_unasked() {
        let mailer = Mailer::new("https://learn.example", None, Outbox::default()).unwrap();
        assert_eq!(mailer.from.to_string(), "Lectern <no-reply@learn.example>");
        let link = "https://learn.example/reset-password?token=abc";
        let letters = [
            (Letter::PasswordReset { link }, Some("30 minutes")),
            (Letter::SignIn { link }, Some("15 minutes")),
            (Letter::VerifyEmail { link }, Some("24 hours")),
            (
                Letter::ConfirmEmail {
                    link,
                    new_email: "new@example.com",
                },
                Some("24 hours"),
            ),
            (
                Letter::EmailChangeNotice {
                    new_email: "new@example.com",
                },
                None,
            ),
            (Letter::PasswordNotice { reset: true }, None),
        ];
        for (letter, expiry) in letters {
            let message = mailer
                .compose("ada@example.com", "Ada <b>", "x@learn.example", &letter)
                .unwrap();
            assert!(message.contains("multipart/alternative"), "{message}");
            assert!(message.contains("text/plain") && message.contains("text/html"));
            assert!(
                message.contains("Message-ID: <x@learn.example>"),
                "{message}"
            );
            assert!(message.contains("From: Lectern <no-reply@learn.example>"));
            let plain = decoded(&message);
            if let Some(expiry) = expiry {
                assert!(plain.contains(expiry), "{}: {plain}", letter.template());
                assert!(plain.contains(link), "{}: {plain}", letter.template());
            } else {
                assert!(
                    plain.contains("https://learn.example/forgot-password"),
                    "{}: a way to act: {plain}",
                    letter.template()
                );
            }
            assert!(
                plain.contains("did not ask") || plain.contains("was not you"),
                "{}: {plain}",
                letter.template()
            );
            assert!(
                plain.contains("Ada &lt;b&gt;"),
                "the HTML part escapes names: {plain}"
            );
        }
    }

    /// The message with quoted-printable soft line breaks and `=3D` undone: enough to search.
    fn decoded(message: &str) -> String {
        message.replace("=\r\n", "").replace("=3D", "=")
    }
}
