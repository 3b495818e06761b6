//! `/signup`, `/login` and `/logout`: plain HTML forms that work without JavaScript.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use crate::accounts::SignUp;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::routes::csrf;
use crate::routes::error::{self, PageError};
use crate::routes::rate_limit::client_ip;
use crate::routes::session::{removal_cookie, session_cookie};
use crate::routes::state::AppState;

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignUpForm {
    name: String,
    email: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LogInForm {
    email: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LogOutForm {
    csrf_token: String,
}

/// A same-site path to return to; anything else (other sites, `//host`, odd characters)
/// becomes the catalog.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 512
                && path.chars().all(|c| c.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, location.to_owned()));
    response
}

fn form_page(
    state: &AppState,
    template: &str,
    viewer: &Viewer,
    next: &str,
    values: serde_json::Value,
    error: Option<&AppError>,
) -> Result<HttpResponse, PageError> {
    let (message, fields) = match error {
        Some(AppError::InvalidInput { message, fields }) => (Some(message.clone()), fields.clone()),
        Some(other) => (Some(other.to_string()), BTreeMap::new()),
        None => (None, BTreeMap::new()),
    };
    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(state, viewer));
    context.insert("next", next);
    context.insert("values", &values);
    context.insert("message", &message);
    context.insert("errors", &fields);
    let html = state.templates.render(template, context)?;
    let status = error.map_or(actix_web::http::StatusCode::OK, error::status);
    Ok(HttpResponse::build(status)
        .content_type(crate::routes::page_cache::HTML)
        .body(html))
}

pub async fn signup_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(query.next.as_deref());
    form_page(&state, "signup.html", &viewer, &next, json!({}), None)
}

pub async fn login_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, PageError> {
    let next = safe_next(query.next.as_deref());
    form_page(&state, "login.html", &viewer, &next, json!({}), None)
}

pub async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<SignUpForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(&req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    let next = safe_next(form.next.as_deref());
    let result = async {
        state.signup_limiter.check(&req)?;
        state
            .accounts()
            .sign_up(SignUp {
                email: &form.email,
                password: &form.password,
                name: &form.name,
            })
            .await
    }
    .await;
    match result {
        Ok(signed) => Ok(see_other(&next)
            .cookie(session_cookie(&state.settings, &signed.token))
            .finish()),
        Err(
            error @ (AppError::InvalidInput { .. }
            | AppError::Conflict { .. }
            | AppError::RateLimited { .. }),
        ) => {
            let error = match error {
                AppError::Conflict { message, .. } => AppError::invalid_field("email", message),
                other => other,
            };
            let values = json!({ "name": form.name, "email": form.email });
            form_page(&state, "signup.html", &viewer, &next, values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<LogInForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(&req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    let next = safe_next(form.next.as_deref());
    let result = async {
        let from = client_ip(&req, &state.settings.trusted_proxies);
        state
            .accounts()
            .log_in(&form.email, &form.password, from)
            .await
    }
    .await;
    match result {
        Ok(signed) => Ok(see_other(&next)
            .cookie(session_cookie(&state.settings, &signed.token))
            .finish()),
        Err(error @ (AppError::InvalidCredentials | AppError::RateLimited { .. })) => {
            let values = json!({ "email": form.email });
            form_page(&state, "login.html", &viewer, &next, values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn logout(
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<LogOutForm>,
) -> Result<HttpResponse, PageError> {
    if let Some(session) = &viewer.0 {
        session.check_form_token(&state.keys, &form.csrf_token)?;
        state.accounts().log_out(session).await?;
    }
    Ok(see_other("/")
        .cookie(removal_cookie(&state.settings))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_next(Some("/lessons/x#quiz")), "/lessons/x#quiz");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a b",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
