//! `/api/v1/auth/*` and `/api/v1/me*` (API.md section 3).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{self, Export, SignUp, SignedIn};
use crate::db::users::User;
use crate::routes::error::ApiError;
use crate::routes::export;
use crate::routes::rate_limit::client_ip;
use crate::routes::session::{removal_cookie, session_cookie, CurrentUser};
use crate::routes::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct SignUpBody {
    #[schema(format = "email", max_length = 254)]
    email: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
    #[schema(min_length = 1, max_length = 100)]
    name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LogInBody {
    email: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    current_password: String,
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteBody {
    password: String,
}

/// A new token for the same user.
#[derive(Serialize, ToSchema)]
pub struct NewToken {
    token: String,
}

fn signed_in(
    state: &AppState,
    mut response: actix_web::HttpResponseBuilder,
    signed: SignedIn,
) -> HttpResponse {
    response
        .cookie(session_cookie(&state.settings, &signed.token))
        .json(signed)
}

#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts",
    request_body = SignUpBody,
    responses(
        (status = 201, description = "Signed up and signed in; the session cookie is set too", body = SignedIn),
        (status = 400, description = "`invalid_input`, with `fields`"),
        (status = 409, description = "`email_taken`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignUpBody>,
) -> Result<HttpResponse, ApiError> {
    state.signup_limiter.check(&req)?;
    let form = SignUp {
        email: &body.email,
        password: &body.password,
        name: &body.name,
    };
    let signed = state.accounts().sign_up(form).await?;
    Ok(signed_in(&state, HttpResponse::Created(), signed))
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body = LogInBody,
    responses(
        (status = 200, description = "Signed in; the session cookie is set too", body = SignedIn),
        (status = 400, description = "`invalid_input`"),
        (status = 401, description = "`invalid_credentials`, whether the email is unknown or the password wrong"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LogInBody>,
) -> Result<HttpResponse, ApiError> {
    let from = client_ip(&req, &state.settings.trusted_proxies);
    let signed = state
        .accounts()
        .log_in(&body.email, &body.password, from)
        .await?;
    Ok(signed_in(&state, HttpResponse::Ok(), signed))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "The token (and cookie) used stops working everywhere"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
    ))]
pub async fn logout(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.accounts().log_out(&user.0).await?;
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(&state.settings))
        .finish())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = User),
        (status = 401, description = "`unauthenticated`"),
    ))]
pub async fn me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(&user.0.user)
}

#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    request_body = PasswordBody,
    responses(
        (status = 200, description = "Changed; every earlier token of the user stops working", body = NewToken),
        (status = 400, description = "`invalid_input`, e.g. the password typed to confirm is not right"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let signed = state
        .accounts()
        .change_password(&user.0, &body.current_password, &body.new_password)
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state.settings, &signed.token))
        .json(NewToken {
            token: signed.token,
        }))
}

#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Everything the site holds about the user", body = Export),
        (status = 401, description = "`unauthenticated`"),
    ))]
pub async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let data = accounts::export(&state.db, &state.public_url, &user.0.user).await?;
    Ok(export::download(&data))
}

#[utoipa::path(delete, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = []), ("cookie" = [])),
    request_body = DeleteBody,
    responses(
        (status = 204, description = "The account and its tokens are gone"),
        (status = 400, description = "`invalid_input`, e.g. the password typed to confirm is not right"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<DeleteBody>,
) -> Result<HttpResponse, ApiError> {
    state
        .accounts()
        .delete_account(&user.0, &body.password)
        .await?;
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(&state.settings))
        .finish())
}
