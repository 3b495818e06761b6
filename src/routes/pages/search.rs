//! `GET /search?q=`: the search page (API.md section 14), a plain GET form's answer.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use tera::Context;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::routes::api::search::{find, SearchResult};
use crate::routes::error::PageError;
use crate::routes::state::AppState;

#[derive(Deserialize)]
pub struct PageQuery {
    q: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let q = query.q.as_deref().unwrap_or("");
    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(&state, &viewer));
    context.insert("section", "search");
    context.insert("q", q);
    match find(&state, &viewer, q, crate::search::MAX_LIMIT).await {
        Ok(hits) => {
            let results: Vec<_> = hits.iter().map(SearchResult::of).collect();
            context.insert("results", &results);
            context.insert("problem", "");
        }
        Err(AppError::InvalidInput { fields, .. }) => {
            let problem = if q.trim().is_empty() {
                String::new()
            } else {
                fields.into_values().next().unwrap_or_default()
            };
            context.insert("results", &Vec::<()>::new());
            context.insert("problem", &problem);
        }
        Err(error) => return Err(error.into()),
    }
    Ok(super::html(state.templates.render("search.html", context)?))
}
