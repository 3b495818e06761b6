//! `GET /pricing`: the three plans side by side, from the one entitlement matrix.

use actix_web::{web, HttpResponse};
use tera::Context;

use crate::auth::Viewer;
use crate::routes::error::PageError;
use crate::routes::state::AppState;

pub async fn show(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(&state, &viewer));
    context.insert("plans", &crate::routes::api::plans::catalog());
    context.insert("current_plan", viewer.plan().id());
    context.insert(
        "billing_configured",
        &state.settings.billing_webhook_secret.is_some(),
    );
    let html = state.templates.render("pricing.html", context)?;
    Ok(super::html(html))
}
