//! The pages of mailed links (API.md section 12), without JavaScript: asking for a link
//! (`/forgot-password`, `/sign-in`), the pages the links open (`/reset-password`,
//! `/sign-in?token=…`, `/verify-email`, `/confirm-email`), and the account's forms that
//! send links (`/account/email-verification`, `/account/email`).
//!
//! Opening a link never spends it: its page shows a form that posts the token. The token
//! is never put in a redirect, and the link pages send `Referrer-Policy: no-referrer`
//! (`link_headers`). Every form here counts against the per-address limit of the mail
//! routes (`AppState::mail_limiter`); a 429 shows the form again with the message.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use super::account;
use super::auth::safe_next;
use crate::auth::Viewer;
use crate::db::users::User;
use crate::error::AppError;
use crate::routes::csrf;
use crate::routes::error::{self, PageError};
use crate::routes::page_cache::HTML;
use crate::routes::session::session_cookie;
use crate::routes::state::AppState;

/// Headers of the pages a mailed link opens: no `Referer` carries the token's URL to
/// another site (this overrides the site-wide policy, which `DefaultHeaders` never
/// overwrites), and no cache keeps the page with its token.
pub fn link_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// The four kinds of link pages, for the page shown when a link no longer works.
#[derive(Clone, Copy)]
enum Link {
    Reset,
    SignIn,
    Verify,
    Confirm,
}

impl Link {
    /// Where to ask for a new link, and the words of that link.
    fn again(self) -> (&'static str, &'static str) {
        match self {
            Link::Reset => ("/forgot-password", "Ask for a new reset link"),
            Link::SignIn => ("/sign-in", "Email me a new sign-in link"),
            Link::Verify => ("/account", "Send a new link from your account"),
            Link::Confirm => ("/account", "Change the address again from your account"),
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInQuery {
    token: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

/// `/sign-in` takes two forms: the request for a link (`email`, `next`) and the link's own
/// button (`token`).
#[derive(Deserialize)]
pub struct SignInForm {
    token: Option<String>,
    email: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenForm {
    token: String,
}

#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    new_password: String,
}

#[derive(Deserialize)]
pub struct VerificationForm {
    csrf_token: String,
}

/// The account's email form. Its password field is `email_password`: the page has other
/// password fields, and each field's id is its name.
#[derive(Deserialize)]
pub struct EmailChangeForm {
    csrf_token: String,
    new_email: String,
    email_password: String,
}

/// Render `template` with `values` (a JSON object) and the viewer; with an error, its
/// status, its message and the fields it blames (and `Retry-After` for a 429).
fn render(
    state: &AppState,
    viewer: &Viewer,
    template: &str,
    values: serde_json::Value,
    error: Option<&AppError>,
) -> Result<HttpResponse, PageError> {
    let (message, fields) = match error {
        Some(AppError::InvalidInput { message, fields }) => (Some(message.clone()), fields.clone()),
        Some(other) => (Some(other.to_string()), BTreeMap::new()),
        None => (None, BTreeMap::new()),
    };
    let mut context = Context::from_value(values).map_err(AppError::internal)?;
    context.insert("viewer", &super::viewer_json(state, viewer));
    context.insert("message", &message);
    context.insert("errors", &fields);
    let html = state.templates.render(template, context)?;
    let mut response = HttpResponse::build(error.map_or(StatusCode::OK, error::status));
    if let Some(AppError::RateLimited { retry_after }) = error {
        response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
    }
    Ok(response.content_type(HTML).body(html))
}

/// The page of a link that is unknown, spent or expired (400), or of a link without its
/// token: how to get a new one.
fn expired(state: &AppState, viewer: &Viewer, link: Link) -> Result<HttpResponse, PageError> {
    let (again, again_label) = link.again();
    let html = {
        let mut context = Context::new();
        context.insert("viewer", &super::viewer_json(state, viewer));
        context.insert("again", again);
        context.insert("again_label", again_label);
        state.templates.render("link_expired.html", context)?
    };
    Ok(HttpResponse::BadRequest().content_type(HTML).body(html))
}

/// The token of a link's URL, if it has a usable one.
fn token_of(token: &Option<String>) -> Option<&str> {
    token.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, location.to_owned()));
    response
}

/// "Check your inbox": the same page whether or not an account has the address.
fn sent(
    state: &AppState,
    viewer: &Viewer,
    email: &str,
    link: Link,
) -> Result<HttpResponse, PageError> {
    let (purpose, minutes, again) = match link {
        Link::SignIn => ("that signs you in", 15, "/sign-in"),
        _ => ("to choose a new password", 30, "/forgot-password"),
    };
    let values = json!({
        "email": email.trim(),
        "purpose": purpose,
        "minutes": minutes,
        "again": again,
    });
    render(state, viewer, "link_sent.html", values, None)
}

// ------------------------------------------------------------------ forgot password

pub async fn forgot_page(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<HttpResponse, PageError> {
    render(&state, &viewer, "forgot_password.html", json!({}), None)
}

pub async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(&req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    let result = async {
        state.mail_limiter.check(&req)?;
        state.accounts().request_password_reset(&form.email).await
    }
    .await;
    match result {
        Ok(()) => sent(&state, &viewer, &form.email, Link::Reset),
        Err(error @ (AppError::InvalidInput { .. } | AppError::RateLimited { .. })) => {
            let values = json!({ "values": { "email": form.email } });
            render(
                &state,
                &viewer,
                "forgot_password.html",
                values,
                Some(&error),
            )
        }
        Err(other) => Err(other.into()),
    }
}

// ------------------------------------------------------------------ reset password

pub async fn reset_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    match token_of(&query.token) {
        Some(token) => render(
            &state,
            &viewer,
            "reset_password.html",
            json!({ "token": token }),
            None,
        ),
        None => expired(&state, &viewer, Link::Reset),
    }
}

pub async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(&req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    let result = async {
        state.mail_limiter.check(&req)?;
        state
            .accounts()
            .reset_password(&form.token, &form.new_password)
            .await
    }
    .await;
    match result {
        Ok(signed) => Ok(see_other("/account?notice=password_reset")
            .cookie(session_cookie(&state.settings, &signed.token))
            .finish()),
        Err(AppError::InvalidToken) => expired(&state, &viewer, Link::Reset),
        Err(error @ (AppError::InvalidInput { .. } | AppError::RateLimited { .. })) => {
            let values = json!({ "token": form.token.trim() });
            render(&state, &viewer, "reset_password.html", values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

// ------------------------------------------------------------------ sign-in links

pub async fn sign_in_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, PageError> {
    let values = match token_of(&query.token) {
        Some(token) => json!({ "token": token }),
        None => json!({ "next": safe_next(query.next.as_deref()) }),
    };
    render(&state, &viewer, "sign_in.html", values, None)
}

pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(&req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    match &form.token {
        Some(token) => sign_in_with_link(&req, &state, &viewer, token).await,
        None => request_sign_in_link(&req, &state, &viewer, &form).await,
    }
}

async fn request_sign_in_link(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    form: &SignInForm,
) -> Result<HttpResponse, PageError> {
    let email = form.email.as_deref().unwrap_or_default();
    let next = safe_next(form.next.as_deref());
    let result = async {
        state.mail_limiter.check(req)?;
        state
            .accounts()
            .request_sign_in_link(email, Some(&next))
            .await
    }
    .await;
    match result {
        Ok(()) => sent(state, viewer, email, Link::SignIn),
        Err(error @ (AppError::InvalidInput { .. } | AppError::RateLimited { .. })) => {
            let values = json!({ "next": next, "values": { "email": email } });
            render(state, viewer, "sign_in.html", values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

async fn sign_in_with_link(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    token: &str,
) -> Result<HttpResponse, PageError> {
    let result = async {
        state.mail_limiter.check(req)?;
        state.accounts().sign_in_with_link(token).await
    }
    .await;
    match result {
        Ok(signed) => Ok(see_other(&safe_next(signed.next.as_deref()))
            .cookie(session_cookie(&state.settings, &signed.signed_in.token))
            .finish()),
        Err(AppError::InvalidToken) => expired(state, viewer, Link::SignIn),
        Err(error @ AppError::RateLimited { .. }) => {
            let values = json!({ "token": token.trim() });
            render(state, viewer, "sign_in.html", values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

// ------------------------------------------------------- verify and confirm addresses

/// What the button page of a verification or an email-change link says.
fn button_values(link: Link, token: &str) -> serde_json::Value {
    match link {
        Link::Confirm => json!({
            "title": "Confirm your new email address",
            "lede": "Press the button to move your Lectern account to this address. From then on you log in with it.",
            "action": "/confirm-email",
            "button": "Confirm my new address",
            "token": token,
        }),
        _ => json!({
            "title": "Confirm your email address",
            "lede": "Press the button to confirm that this address is yours.",
            "action": "/verify-email",
            "button": "Confirm my address",
            "token": token,
        }),
    }
}

fn button_page(
    state: &AppState,
    viewer: &Viewer,
    link: Link,
    token: &Option<String>,
) -> Result<HttpResponse, PageError> {
    match token_of(token) {
        Some(token) => render(
            state,
            viewer,
            "link_confirm.html",
            button_values(link, token),
            None,
        ),
        None => expired(state, viewer, link),
    }
}

/// After a link did its work: the account page with `notice` for its signed-in owner, else
/// a page that says what happened.
fn done(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
    notice: &str,
    title: &str,
    message: String,
) -> Result<HttpResponse, PageError> {
    let owner_signed_in = viewer.0.as_ref().is_some_and(|s| s.user.id == user.id);
    if owner_signed_in {
        return Ok(see_other(&format!("/account?notice={notice}")).finish());
    }
    let values = json!({ "done": true, "title": title, "lede": message });
    render(state, viewer, "link_confirm.html", values, None)
}

/// Spend a verification or email-change link posted by its button page.
async fn spend_button(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    link: Link,
    token: &str,
) -> Result<HttpResponse, PageError> {
    if !csrf::same_origin(req, &state.settings) {
        return Err(AppError::CsrfFailed.into());
    }
    let result = async {
        state.mail_limiter.check(req)?;
        match link {
            Link::Confirm => state.accounts().confirm_email_change(token).await,
            _ => state.accounts().verify_email(token).await,
        }
    }
    .await;
    match result {
        Ok(user) => match link {
            Link::Confirm => done(
                state,
                viewer,
                &user,
                "email_changed",
                "Your email address is changed",
                format!(
                    "Your account's address is now {}. Log in with it from now on.",
                    user.email.as_str()
                ),
            ),
            _ => done(
                state,
                viewer,
                &user,
                "email_verified",
                "Your email address is confirmed",
                format!("Thank you: {} is confirmed.", user.email.as_str()),
            ),
        },
        Err(AppError::InvalidToken) => expired(state, viewer, link),
        Err(error @ (AppError::RateLimited { .. } | AppError::Conflict { .. })) => {
            let values = button_values(link, token.trim());
            render(state, viewer, "link_confirm.html", values, Some(&error))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn verify_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    button_page(&state, &viewer, Link::Verify, &query.token)
}

pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    spend_button(&req, &state, &viewer, Link::Verify, &form.token).await
}

pub async fn confirm_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    button_page(&state, &viewer, Link::Confirm, &query.token)
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    spend_button(&req, &state, &viewer, Link::Confirm, &form.token).await
}

// ------------------------------------------------------------------ the account's forms

fn retry_after(error: &AppError) -> Option<u64> {
    match error {
        AppError::RateLimited { retry_after } => Some(*retry_after),
        _ => None,
    }
}

fn with_retry_after(mut response: HttpResponse, seconds: Option<u64>) -> HttpResponse {
    if let Some(value) = seconds.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// `POST /account/email-verification`: mail the signed-in user a new verification link.
pub async fn resend_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<VerificationForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(account::to_login());
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    let result = async {
        state.mail_limiter.check(&req)?;
        state.accounts().request_verification(&session.user).await
    }
    .await;
    match result {
        Ok(()) => {
            let notice = format!(
                "We sent a new link to {}. It works for 24 hours.",
                session.user.email.as_str()
            );
            account::render(&state, &viewer, session, Some(&notice), None).await
        }
        Err(error @ AppError::RateLimited { .. }) => {
            let seconds = retry_after(&error);
            let response = account::render(
                &state,
                &viewer,
                session,
                None,
                Some(("verification", error)),
            )
            .await?;
            Ok(with_retry_after(response, seconds))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/email`: mail the new address a link that moves the account there.
pub async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<EmailChangeForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(account::to_login());
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    let new_email = form.new_email.trim();
    let result = async {
        state.mail_limiter.check(&req)?;
        state
            .accounts()
            .request_email_change(session, new_email, &form.email_password)
            .await
    }
    .await;
    let (error, status) = match result {
        Ok(()) => {
            let notice = format!(
                "We sent a link to {new_email}. Nothing changes until you open it; it works for 24 hours."
            );
            return account::render(&state, &viewer, session, Some(&notice), None).await;
        }
        // The API's `password` is this form's `email_password`.
        Err(AppError::InvalidInput {
            message,
            mut fields,
        }) => {
            if let Some(wrong) = fields.remove("password") {
                fields.insert("email_password".into(), wrong);
            }
            (AppError::InvalidInput { message, fields }, None)
        }
        Err(AppError::Conflict { message, .. }) => (
            AppError::invalid_field("new_email", message),
            Some(StatusCode::CONFLICT),
        ),
        Err(error @ AppError::RateLimited { .. }) => (error, None),
        Err(other) => return Err(other.into()),
    };
    let seconds = retry_after(&error);
    let values = json!({ "new_email": form.new_email });
    let mut response =
        account::render_with_values(&state, &viewer, session, ("email", error), values).await?;
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    Ok(with_retry_after(response, seconds))
}
