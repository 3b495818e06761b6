//! Settings from environment variables and command-line flags (API.md section 1).

use std::path::PathBuf;

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

    /// Log filter, e.g. `info` or `lectern=debug,actix_web=info`.
    #[arg(long, env = "LECTERN_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl Settings {
    /// The database URL in force: the configured one, else a SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/lectern.db", self.data_dir.display()),
        }
    }
}
