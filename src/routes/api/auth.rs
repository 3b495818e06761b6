//! `/api/v1/auth/*` and `/api/v1/me*` (API.md section 3).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{self, SignUp, SignedIn};
use crate::auth::{removal_cookie, session_cookie, CurrentUser};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignUpBody {
    email: String,
    password: String,
    name: String,
}

#[derive(Deserialize)]
pub struct LogInBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
}

#[derive(Deserialize)]
pub struct DeleteBody {
    password: String,
}

fn signed_in(
    state: &AppState,
    mut response: actix_web::HttpResponseBuilder,
    signed: SignedIn,
) -> HttpResponse {
    response
        .cookie(session_cookie(&state.settings, &signed.token))
        .json(json!({ "token": signed.token, "user": signed.user }))
}

pub async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignUpBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&req)?;
    let form = SignUp {
        email: &body.email,
        password: &body.password,
        name: &body.name,
    };
    let signed = accounts::sign_up(&state, form).await?;
    Ok(signed_in(&state, HttpResponse::Created(), signed))
}

pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LogInBody>,
) -> Result<HttpResponse, ApiError> {
    state.auth_limiter.check(&req)?;
    let signed = accounts::log_in(&state, &body.email, &body.password).await?;
    Ok(signed_in(&state, HttpResponse::Ok(), signed))
}

pub async fn logout(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    accounts::log_out(&state, &user.0).await?;
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(&state.settings))
        .finish())
}

pub async fn me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(&user.0.user)
}

pub async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let signed =
        accounts::change_password(&state, &user.0, &body.current_password, &body.new_password)
            .await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state.settings, &signed.token))
        .json(json!({ "token": signed.token })))
}

pub async fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let data = accounts::export(&state, &user.0.user).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"lectern-export.json\"",
        ))
        .json(data))
}

pub async fn delete(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<DeleteBody>,
) -> Result<HttpResponse, ApiError> {
    accounts::delete_account(&state, &user.0, &body.password).await?;
    Ok(HttpResponse::NoContent()
        .cookie(removal_cookie(&state.settings))
        .finish())
}
