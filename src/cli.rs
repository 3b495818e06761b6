//! The command line: `serve` (the default), `import`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::error::AppError;
use crate::plans::Plan;

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
    /// Create an admin, or promote an existing user. The password is read from
    /// LECTERN_ADMIN_PASSWORD, else from one line of standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Change a user's plan.
    SetPlan {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["free", "plus", "pro"])]
        plan: String,
    },
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
            let report =
                crate::import::import_dir_with_media(&db, &dir, &cli.settings.data_dir).await?;
            println!("{report}");
            if !report.errors.is_empty() {
                anyhow::bail!("{} file(s) could not be imported", report.errors.len());
            }
        }
        Command::CreateAdmin { email, name } => {
            let password = admin_password()?;
            let db = crate::db::Db::connect(&cli.settings).await?;
            let passwords = crate::auth::password::Passwords::new(1);
            let user = crate::accounts::create_admin(&db, &passwords, &email, &name, &password)
                .await
                .map_err(user_facing)?;
            println!("{} <{}> is an admin", user.name, user.email);
        }
        Command::SetPlan { email, plan } => {
            let plan = Plan::parse(&plan).context("plan must be free, plus or pro")?;
            let db = crate::db::Db::connect(&cli.settings).await?;
            let user = crate::accounts::set_plan(&db, &email, plan)
                .await
                .map_err(user_facing)?;
            println!(
                "{} <{}> is now on {}",
                user.name,
                user.email,
                user.plan.name()
            );
        }
    }
    Ok(())
}

/// The admin password: `LECTERN_ADMIN_PASSWORD`, else one line of standard input.
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("LECTERN_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// An error as an operator should read it: the fields at fault spelled out.
fn user_facing(error: AppError) -> anyhow::Error {
    match error {
        AppError::InvalidInput { message, fields } if !fields.is_empty() => {
            let details: Vec<String> = fields.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            anyhow::anyhow!("{message} {}", details.join("; "))
        }
        AppError::NotFound => anyhow::anyhow!("no user has that email"),
        AppError::Internal(source) | AppError::Unavailable(source) => source,
        other => anyhow::anyhow!("{other}"),
    }
}
