//! Building and running the server: `Application::build(settings)` binds the listener
//! (port 0 picks a free one, which tests use), `run_until_stopped` serves until SIGTERM/SIGINT.

use std::net::{SocketAddr, TcpListener};

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use governor::Quota;

use crate::auth::password::Passwords;
use crate::auth::token::TokenKeys;
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::db::Db;
use crate::import;
use crate::mail::transport::Transport;
use crate::mail::Mailer;
use crate::outbox::{self, Couriers, Outbox};
use crate::routes;
use crate::routes::kept_pages;
use crate::routes::page_cache::PageCache;
use crate::routes::rate_limit::{nonzero, ClientLimiter};
use crate::routes::state::AppState;
use crate::routes::templates::Templates;
use crate::telemetry::{self, Metrics};
use crate::webhooks::courier::Courier;

/// Calls one client address may make to the mailed-link routes in a minute (API.md section 12).
const MAIL_ROUTES_PER_MINUTE: u32 = 30;

/// How much of an answer a connection gathers before writing it: a lesson page's pieces fit.
const WRITE_BUFFER: usize = 64 * 1024;

/// Password hashes computed at once: one fewer than the cores (at least one), so a log-in
/// storm always leaves a core to serve pages.
fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1)
}

pub struct Application {
    address: SocketAddr,
    server: Server,
    db: Db,
}

impl Application {
    /// Prepare the data folder and database, import `content/`, and bind the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        crate::data_dir::prepare(&settings.data_dir)?;
        let db = Db::connect(&settings).await?;
        if settings.content_dir.is_dir() {
            let report =
                import::import_dir_with_media(&db, &settings.content_dir, &settings.data_dir)
                    .await?;
            tracing::info!("{report}");
        } else {
            tracing::warn!(
                "content folder {} not found; serving what the database holds",
                settings.content_dir.display()
            );
        }
        let catalog = Catalog::load(&db).await?;
        let keys = TokenKeys::load(&settings)?;
        crate::tokenizer::warm(&[crate::tokenizer::Encoding::O200kBase]);

        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("could not listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let public_url = match settings.public_url.as_deref() {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{address}"),
        };
        let outbox = Outbox::default();
        let mailer = Mailer::new(&public_url, settings.mail_from.as_deref(), outbox.clone())?;
        let couriers = Couriers {
            mail: Transport::new(
                settings.smtp_url.as_ref().map(|url| url.expose()),
                mailer.from_address(),
                &settings.data_dir,
            )?,
            webhooks: Courier::new(settings.webhooks_allow_private)?,
            retry_scale: settings.outbox_retry_scale,
        };
        outbox::start(db.clone(), &outbox, couriers);
        let state = web::Data::new(AppState {
            public_url,
            db: db.clone(),
            catalog,
            templates: Templates::load()?,
            pages: PageCache::default(),
            lesson_parts: PageCache::default(),
            lesson_frames: PageCache::default(),
            reader_parts: Default::default(),
            search: Default::default(),
            keys,
            passwords: Passwords::new(max_concurrent_hashes()),
            signup_limiter: ClientLimiter::new(
                Quota::per_hour(nonzero(settings.signup_rate_limit)),
                settings.trusted_proxies.clone(),
            ),
            tokenize_limiter: ClientLimiter::new(
                Quota::per_minute(nonzero(settings.tokenize_rate_limit)),
                settings.trusted_proxies.clone(),
            ),
            mail_limiter: ClientLimiter::new(
                Quota::per_minute(nonzero(MAIL_ROUTES_PER_MINUTE)),
                settings.trusted_proxies.clone(),
            ),
            mailer,
            outbox,
            settings,
        });
        let metrics = web::Data::new(Metrics::new()?);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(metrics.clone())
                .wrap(Compress::default())
                .wrap(from_fn(kept_pages::answer_kept))
                .wrap(routes::security_headers())
                .wrap(from_fn(telemetry::observe))
                .configure(routes::configure)
        })
        // A page sent in pieces goes out in one write while it fits (the default is 32 KiB).
        .h1_write_buffer_size(WRITE_BUFFER)
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application {
            address,
            server,
            db,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serve until SIGTERM or SIGINT, finish the requests in flight, then close the database.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.db.close().await;
        result
    }
}
