//! `GET /api/v1/search` (API.md section 14).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Viewer;
use crate::error::AppError;
use crate::plans::Plan;
use crate::routes::error::ApiError;
use crate::routes::state::AppState;
use crate::search::{self, Hit, QueryError};

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The words to find, 1 to 200 characters; the last one may be a prefix.
    q: Option<String>,
    /// At most this many results (default 10; more than 50 is taken as 50).
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults<'a> {
    /// `q` as given.
    query: &'a str,
    results: Vec<SearchResult<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult<'a> {
    slug: &'a str,
    title: &'a str,
    course: &'a str,
    access: Plan,
    /// Whether the lesson is above the viewer's plan (found by its open part only).
    locked: bool,
    /// HTML: escaped text around the best match, matched words in `<mark>`.
    snippet: &'a str,
    score: f64,
}

impl<'a> SearchResult<'a> {
    pub fn of(hit: &'a Hit) -> SearchResult<'a> {
        let r = &hit.lesson.rendered;
        SearchResult {
            slug: &hit.lesson.slug,
            title: &r.title,
            course: &r.course,
            access: r.access,
            locked: hit.locked,
            snippet: &hit.snippet,
            score: hit.score,
        }
    }
}

/// The query's error in the contract's words.
pub fn invalid(error: QueryError) -> AppError {
    match error {
        QueryError::Empty => AppError::invalid_field("q", "Type something to search for."),
        QueryError::TooLong => AppError::invalid_field(
            "q",
            format!("At most {} characters.", search::MAX_QUERY_CHARS),
        ),
    }
}

/// What `viewer` finds with `q`.
pub async fn find(
    state: &AppState,
    viewer: &Viewer,
    q: &str,
    limit: usize,
) -> Result<Vec<Hit>, AppError> {
    let query = search::Query::parse(q).map_err(invalid)?;
    let catalog = state.catalog().await?;
    state
        .search
        .search(catalog, viewer.plan(), &query, limit)
        .await
        .map_err(AppError::internal)
}

#[utoipa::path(get, path = "/api/v1/search", tag = "lessons",
    params(SearchQuery),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Published lessons matching every word, best first", body = SearchResults),
        (status = 400, description = "`invalid_input`: an empty `q`, one over 200 characters, or a malformed `limit`"),
        (status = 401, description = "`unauthenticated`: a Bearer token that is not valid"),
    ))]
pub async fn search(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.q.as_deref().unwrap_or("");
    let limit = query.limit.unwrap_or(search::DEFAULT_LIMIT);
    let hits = find(&state, &viewer, q, limit).await?;
    Ok(HttpResponse::Ok().json(SearchResults {
        query: q,
        results: hits.iter().map(SearchResult::of).collect(),
    }))
}
