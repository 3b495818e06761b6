//! Settings from environment variables and command-line flags (API.md section 1).

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;

/// Everything `lectern` needs to know about where it runs.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Listen address; `127.0.0.1:0` picks a free port.
    #[arg(
        long,
        env = "LECTERN_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Folder for the SQLite file, generated secrets, uploaded media and caches.
    #[arg(
        long,
        env = "LECTERN_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// `sqlite://…` (embedded, the default) or `postgres://…` (shared by several instances).
    #[arg(long, env = "LECTERN_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Lesson sources imported at start.
    #[arg(
        long,
        env = "LECTERN_CONTENT_DIR",
        default_value = "./content",
        global = true
    )]
    pub content_dir: PathBuf,

    /// Base of absolute links; defaults to `http://<bound address>`.
    #[arg(long, env = "LECTERN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// HMAC key for session tokens, at least 32 bytes; generated once into the data folder
    /// when unset.
    #[arg(
        long,
        env = "LECTERN_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<Secret>,

    /// Secret of the billing provider's webhook (`POST /api/v1/billing/webhook`); unset, the
    /// webhook answers 404 and plans are granted with `lectern set-plan`.
    #[arg(
        long,
        env = "LECTERN_BILLING_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub billing_webhook_secret: Option<Secret>,

    /// Proxies whose `X-Forwarded-For` is believed (comma-separated IP addresses).
    #[arg(
        long,
        env = "LECTERN_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<IpAddr>,

    /// Failed log-ins allowed per client address per minute; past it every log-in from
    /// that address is 429 until the minute is over.
    #[arg(
        long,
        env = "LECTERN_AUTH_RATE_LIMIT",
        default_value_t = 20,
        global = true
    )]
    pub auth_rate_limit: u32,

    /// Sign-ups allowed per client address per hour.
    #[arg(
        long,
        env = "LECTERN_SIGNUP_RATE_LIMIT",
        default_value_t = 300,
        global = true
    )]
    pub signup_rate_limit: u32,

    /// Tokenizer API calls allowed per client IP per minute.
    #[arg(
        long,
        env = "LECTERN_TOKENIZE_RATE_LIMIT",
        default_value_t = 600,
        global = true
    )]
    pub tokenize_rate_limit: u32,

    /// The Bearer token `/metrics` asks of every client; unset, it answers loopback clients
    /// only.
    #[arg(
        long,
        env = "LECTERN_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<Secret>,

    /// An SMTP server in lettre's URL form (`smtp://host:port`, `smtps://user:pass@host:465`,
    /// `smtp://user:pass@host:587?tls=required`); unset, mail is written to
    /// `<data dir>/outbox/` as `.eml` files.
    #[arg(long, env = "LECTERN_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// The From of every mail; defaults to `Lectern <no-reply@HOST>`, HOST from the public URL.
    #[arg(long, env = "LECTERN_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// `1` lets webhook endpoints resolve to loopback or private addresses (tests, one-host
    /// set-ups); otherwise they are refused.
    #[arg(
        long,
        env = "LECTERN_WEBHOOKS_ALLOW_PRIVATE",
        global = true,
        action = clap::ArgAction::Set,
        default_value = "false",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub webhooks_allow_private: bool,

    /// Multiplies the outbox's retry delays (1: 30 s, 2 min, 10 min, … over a day); tests
    /// make it small.
    #[arg(
        long,
        env = "LECTERN_OUTBOX_RETRY_SCALE",
        default_value_t = 1.0,
        global = true,
        hide = true
    )]
    pub outbox_retry_scale: f64,

    /// Log filter, e.g. `info` or `lectern=debug,actix_web=info`.
    #[arg(long, env = "LECTERN_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl Settings {
    /// Whether links and cookies are for an https site.
    pub fn is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// The database URL in force: the configured one, else a SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/lectern.db", self.data_dir.display()),
        }
    }
}

/// A secret value that never shows in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
