//! Visitors' pages answered before routing, from `PageCache`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::routes::page_cache::Page;
use crate::routes::session;
use crate::routes::state::AppState;

/// Middleware: a visitor's plain GET of a kept page is answered before routing. A GET without
/// credentials or query string, whose path is the key of a page kept for the current
/// catalog, is what the page's handler would answer from the same kept page; anything else
/// goes on to the routes (whose handlers keep pages under their paths).
pub async fn answer_kept(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Some(page) = kept_for(&req).await {
        let response = page.respond(req.request());
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

async fn kept_for(req: &ServiceRequest) -> Option<Page> {
    if req.method() != Method::GET || !req.query_string().is_empty() {
        return None;
    }
    let state = req.app_data::<web::Data<AppState>>()?;
    if session::carries_credentials(req.request(), state) {
        return None;
    }
    // Only a kept path asks for the catalog (on PostgreSQL, a read of its generation).
    let (generation, page) = state.pages.latest(req.path())?;
    let catalog = state.catalog().await.ok()?;
    (catalog.generation == generation).then_some(page)
}
