//! What every request can reach: database, catalog, templates and settings.

use std::sync::Arc;

use crate::auth::password::Passwords;
use crate::auth::rate_limit::ClientLimiter;
use crate::auth::token::TokenKeys;
use crate::catalog::{Catalog, Snapshot};
use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::page_cache::PageCache;
use crate::templates::Templates;

pub struct AppState {
    pub db: Db,
    pub catalog: Catalog,
    pub templates: Templates,
    /// Whole pages for anonymous readers.
    pub pages: PageCache,
    /// Parts of lesson pages that many readers share.
    pub lesson_parts: PageCache<Arc<str>>,
    /// Lesson pages with holes for each request (`routes::pages::lesson::frame`).
    pub lesson_frames: PageCache<Arc<crate::routes::pages::lesson::Frame>>,
    pub settings: Settings,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub auth_limiter: ClientLimiter,
    pub tokenize_limiter: ClientLimiter,
    /// The site's public base URL without a trailing slash: `settings.public_url`, else
    /// `http://<bound address>`.
    pub public_url: String,
}

impl AppState {
    /// The catalog as this request should see it.
    pub async fn catalog(&self) -> Result<Arc<Snapshot>, AppError> {
        self.catalog
            .current(&self.db)
            .await
            .map_err(AppError::internal)
    }
}
