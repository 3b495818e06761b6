//! `/admin/webhooks`: the endpoints that hear learning events, a form to add one, and each
//! endpoint's delivery log with "Send test ping" and "Retry now". Every form works without
//! JavaScript (POST with `csrf_token`). A new endpoint's secret is shown once, on the answer
//! to the form that added it, which no cache keeps.

use std::collections::BTreeMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::admin::{context, page, see_other};
use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::session::Admin;
use crate::routes::state::AppState;
use crate::webhooks::endpoints::{self, Registered};
use crate::webhooks::events::TYPES;

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

/// What the page shows above the endpoints, after the add form was sent.
enum Added {
    Nothing,
    /// Added: its secret, this once.
    Endpoint(Registered),
    /// Refused: why, field by field, and what was typed.
    Refused {
        message: String,
        fields: BTreeMap<String, String>,
        url: String,
        events: Vec<String>,
    },
}

/// `GET /admin/webhooks`
pub async fn show(state: web::Data<AppState>, admin: Admin) -> Result<HttpResponse, PageError> {
    render(&state, &admin, Added::Nothing).await
}

async fn render(state: &AppState, admin: &Admin, added: Added) -> Result<HttpResponse, PageError> {
    let mut context = context(state, admin);
    let mut shown = Vec::new();
    for endpoint in endpoints::list(&state.db).await? {
        let deliveries = endpoints::deliveries(&state.db, &endpoint.id).await?;
        shown.push(json!({ "endpoint": endpoint, "deliveries": deliveries }));
    }
    context.insert("endpoints", &shown);
    context.insert("event_types", &TYPES);
    let no_errors = BTreeMap::new();
    let (status, message, errors, values) = match &added {
        Added::Nothing | Added::Endpoint(_) => (
            StatusCode::OK,
            None,
            &no_errors,
            json!({ "url": "", "events": [] }),
        ),
        Added::Refused {
            message,
            fields,
            url,
            events,
        } => (
            StatusCode::BAD_REQUEST,
            Some(message),
            fields,
            json!({ "url": url, "events": events }),
        ),
    };
    if let Added::Endpoint(registered) = &added {
        context.insert("registered", registered);
    }
    context.insert("message", &message);
    context.insert("errors", errors);
    context.insert("values", &values);
    let mut response = page(state, "admin/webhooks.html", context, status)?;
    if matches!(added, Added::Endpoint(_)) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// `POST /admin/webhooks`: add an endpoint. Its event checkboxes repeat their name, so the
/// form is read as a list of pairs.
pub async fn add(
    state: web::Data<AppState>,
    admin: Admin,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let value = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    };
    admin.0.check_form_token(&state.keys, value("csrf_token"))?;
    let url = value("url");
    let events: Vec<String> = form
        .iter()
        .filter(|(key, _)| key == "events")
        .map(|(_, value)| value.clone())
        .collect();
    let allow_private = state.settings.webhooks_allow_private;
    let added = match endpoints::register(&state.db, allow_private, url, &events).await {
        Ok(registered) => Added::Endpoint(registered),
        Err(AppError::InvalidInput { message, fields }) => Added::Refused {
            message,
            fields,
            url: url.to_owned(),
            events,
        },
        Err(other) => return Err(other.into()),
    };
    render(&state, &admin, added).await
}

/// `POST /admin/webhooks/{id}/delete`
pub async fn delete(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    endpoints::delete(&state.db, &id).await?;
    Ok(see_other("/admin/webhooks"))
}

/// `POST /admin/webhooks/{id}/ping`: send the endpoint a test event.
pub async fn ping(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    endpoints::ping(&state.db, &id).await?;
    state.outbox.wake();
    Ok(see_other(&format!("/admin/webhooks#endpoint-{id}")))
}

/// `POST /admin/webhooks/{id}/deliveries/{event_id}/retry`: try a delivery again now.
pub async fn retry(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    let (id, event_id) = path.into_inner();
    endpoints::retry(&state.db, &id, &event_id).await?;
    state.outbox.wake();
    Ok(see_other(&format!("/admin/webhooks#endpoint-{id}")))
}
