//! What every request can reach: database, catalog, templates and settings.

use std::sync::Arc;

use crate::accounts::Accounts;
use crate::admin::Desk;
use crate::auth::password::Passwords;
use crate::auth::token::TokenKeys;
use crate::catalog::{Catalog, Snapshot};
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::outbox::Outbox;
use crate::routes::page_cache::PageCache;
use crate::routes::rate_limit::ClientLimiter;
use crate::routes::templates::Templates;

pub struct AppState {
    pub db: Db,
    pub catalog: Catalog,
    /// The search indexes of the catalog's generation.
    pub search: crate::search::Search,
    pub templates: Templates,
    /// Whole pages for anonymous readers.
    pub pages: PageCache,
    /// Parts of lesson pages that many readers share.
    pub lesson_parts: PageCache<Arc<str>>,
    /// Lesson pages with holes for each request (`routes::pages::lesson::frame`).
    pub lesson_frames: PageCache<Arc<crate::routes::pages::lesson::frame::Frame>>,
    /// The reader's own parts of lesson pages, by what they show.
    pub reader_parts: crate::routes::pages::lesson::ReaderCache,
    pub settings: Settings,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    /// Sign-ups per client address per hour.
    pub signup_limiter: ClientLimiter,
    pub tokenize_limiter: ClientLimiter,
    /// Calls to the mailed-link routes per client address per minute.
    pub mail_limiter: ClientLimiter,
    pub mailer: Mailer,
    /// Wakes the delivery worker after a commit that queued a message.
    pub outbox: Outbox,
    /// The site's public base URL without a trailing slash: `settings.public_url`, else
    /// `http://<bound address>`.
    pub public_url: String,
}

impl AppState {
    /// What signing in and out needs.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            db: &self.db,
            passwords: &self.passwords,
            keys: &self.keys,
            failures_per_minute: self.settings.auth_rate_limit,
            mailer: &self.mailer,
        }
    }

    /// What changes to lessons and courses need.
    pub fn desk(&self) -> Desk<'_> {
        Desk {
            db: &self.db,
            catalog: &self.catalog,
        }
    }

    /// The catalog as this request should see it.
    pub async fn catalog(&self) -> Result<Arc<Snapshot>, AppError> {
        self.catalog
            .current(&self.db)
            .await
            .map_err(AppError::internal)
    }
}
