//! The command line: `serve` (the default), `import`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "lectern",
    version,
    about = "A learning platform in one binary."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site until SIGTERM or SIGINT (the default).
    Serve,
    /// (Re)import Markdown lessons from DIR (default: the content folder).
    Import { dir: Option<PathBuf> },
}

/// Parse the command line and run the chosen command.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    crate::telemetry::init_logging(&cli.settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = crate::startup::Application::build(cli.settings).await?;
            println!("listening on http://{}", app.address());
            app.run_until_stopped().await?;
        }
        Command::Import { dir } => {
            let dir = dir.unwrap_or_else(|| cli.settings.content_dir.clone());
            let db = crate::db::Db::connect(&cli.settings).await?;
            let report = crate::content::import::import_dir(&db, &dir).await?;
            println!("{report}");
            if !report.errors.is_empty() {
                anyhow::bail!("{} file(s) could not be imported", report.errors.len());
            }
        }
    }
    Ok(())
}
