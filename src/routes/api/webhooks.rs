//! `/api/v1/admin/webhooks` (API.md section 16): the endpoints that hear learning events,
//! their delivery logs, pings and retries, for admins only.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::outbox::Delivery;
use crate::routes::error::ApiError;
use crate::routes::session::Admin;
use crate::routes::state::AppState;
use crate::webhooks::endpoints::{self, Listed, Registered};

#[derive(Deserialize, ToSchema)]
pub struct EndpointBody {
    /// Where deliveries are posted: an `http://` or `https://` URL that reaches a public
    /// address (unless `LECTERN_WEBHOOKS_ALLOW_PRIVATE=1`).
    #[serde(default)]
    url: String,
    /// The event types it hears, at least one: `user.created`, `user.deleted`,
    /// `lesson.completed`, `quiz.passed`, `certificate.issued`, `plan.changed`.
    #[serde(default)]
    events: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EndpointList {
    webhooks: Vec<Listed>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first, at most 100.
    deliveries: Vec<Delivery>,
}

/// An event queued for delivery now.
#[derive(Serialize, ToSchema)]
pub struct Queued {
    event_id: String,
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks", tag = "webhooks",
    security(("bearer" = []), ("cookie" = [])),
    request_body = EndpointBody,
    responses(
        (status = 201, description = "Registered; the secret is shown only here", body = Registered),
        (status = 400, description = "`invalid_input`: `fields.url` for a URL that is not http(s) or reaches a loopback or private address, `fields.events` for no or unknown events"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn register(
    state: web::Data<AppState>,
    _admin: Admin,
    body: Result<web::Json<EndpointBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body?;
    let registered = endpoints::register(
        &state.db,
        state.settings.webhooks_allow_private,
        &body.url,
        &body.events,
    )
    .await
    .map_err(ApiError)?;
    Ok(HttpResponse::Created().json(registered))
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks", tag = "webhooks",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every endpoint, oldest first, without secrets", body = EndpointList),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
    ))]
pub async fn list(state: web::Data<AppState>, _admin: Admin) -> Result<HttpResponse, ApiError> {
    let webhooks = endpoints::list(&state.db).await?;
    Ok(HttpResponse::Ok().json(EndpointList { webhooks }))
}

#[utoipa::path(delete, path = "/api/v1/admin/webhooks/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Deleted, with its deliveries"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn delete(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    endpoints::delete(&state.db, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/admin/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The endpoint's deliveries, newest first", body = DeliveryList),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn deliveries(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let deliveries = endpoints::deliveries(&state.db, &id).await?;
    Ok(HttpResponse::Ok().json(DeliveryList { deliveries }))
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/ping", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "A `ping` event is queued for this endpoint alone", body = Queued),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn ping(
    state: web::Data<AppState>,
    _admin: Admin,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let event_id = endpoints::ping(&state.db, &id).await?;
    state.outbox.wake();
    Ok(HttpResponse::Accepted().json(Queued { event_id }))
}

#[utoipa::path(post, path = "/api/v1/admin/webhooks/{id}/deliveries/{event_id}/retry", tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("event_id" = String, Path, description = "The delivery's event id"),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "The failed (or pending) delivery is tried again now", body = Queued),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`: no failed or pending delivery of that event to that endpoint"),
    ))]
pub async fn retry(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, event_id) = path.into_inner();
    endpoints::retry(&state.db, &id, &event_id).await?;
    state.outbox.wake();
    Ok(HttpResponse::Accepted().json(Queued { event_id }))
}
