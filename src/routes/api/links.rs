//! The mailed-link routes (API.md section 12): asking for a link, and spending one. Every
//! route here counts against one per-address limit (30 a minute).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::users::User;
use crate::routes::error::ApiError;
use crate::routes::session::{session_cookie, CurrentUser};
use crate::routes::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct EmailBody {
    #[schema(format = "email", max_length = 254)]
    email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SignInLinkBody {
    #[schema(format = "email", max_length = 254)]
    email: String,
    /// A same-site path the link leads to after signing in.
    next: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetBody {
    token: String,
    #[schema(min_length = 8, max_length = 128)]
    new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewEmailBody {
    #[schema(format = "email", max_length = 254)]
    new_email: String,
    password: String,
}

/// `{status: "sent"}`: the request was taken; a mail goes out if it should.
#[derive(Serialize, ToSchema)]
pub struct Sent {
    status: &'static str,
}

/// Signed in by a link: the session token, the user, and where the link leads.
#[derive(Serialize, ToSchema)]
pub struct LinkSignedIn {
    token: String,
    user: User,
    next: Option<String>,
}

fn sent() -> HttpResponse {
    HttpResponse::Accepted().json(Sent { status: "sent" })
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "mail",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Taken, whether or not an account has the address; an account that has it is mailed a reset link (30 minutes)", body = Sent),
        (status = 400, description = "`invalid_input`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<EmailBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    state.accounts().request_password_reset(&body.email).await?;
    Ok(sent())
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "mail",
    request_body = ResetBody,
    responses(
        (status = 200, description = "The password is changed and the reader signed in; every earlier session ended", body = crate::accounts::SignedIn),
        (status = 400, description = "`invalid_token`, or `invalid_input` for a refused password (the link stays usable)"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn confirm_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    let signed = state
        .accounts()
        .reset_password(&body.token, &body.new_password)
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state.settings, &signed.token))
        .json(signed))
}

#[utoipa::path(post, path = "/api/v1/auth/sign-in-link", tag = "mail",
    request_body = SignInLinkBody,
    responses(
        (status = 202, description = "Taken, whether or not an account has the address; an account that has it is mailed a link that signs in once (15 minutes)", body = Sent),
        (status = 400, description = "`invalid_input`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn sign_in_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignInLinkBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    let next = body
        .next
        .as_deref()
        .map(|next| crate::routes::pages::safe_next(Some(next)));
    state
        .accounts()
        .request_sign_in_link(&body.email, next.as_deref())
        .await?;
    Ok(sent())
}

#[utoipa::path(post, path = "/api/v1/auth/sign-in-link/confirm", tag = "mail",
    request_body = TokenBody,
    responses(
        (status = 200, description = "Signed in; the session cookie is set too", body = LinkSignedIn),
        (status = 400, description = "`invalid_token`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn confirm_sign_in_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    let signed = state.accounts().sign_in_with_link(&body.token).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&state.settings, &signed.signed_in.token))
        .json(LinkSignedIn {
            token: signed.signed_in.token,
            user: signed.signed_in.user,
            next: signed.next,
        }))
}

#[utoipa::path(post, path = "/api/v1/me/email-verification", tag = "mail",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "The signed-in user is mailed a verification link (24 hours)", body = Sent),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn request_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    state.accounts().request_verification(&user.0.user).await?;
    Ok(sent())
}

#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "mail",
    request_body = TokenBody,
    responses(
        (status = 200, description = "The address is verified", body = User),
        (status = 400, description = "`invalid_token`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    let user = state.accounts().verify_email(&body.token).await?;
    Ok(HttpResponse::Ok().json(user))
}

#[utoipa::path(put, path = "/api/v1/me/email", tag = "mail",
    security(("bearer" = []), ("cookie" = [])),
    request_body = NewEmailBody,
    responses(
        (status = 202, description = "The new address is mailed a confirmation link (24 hours) and the old one a notice; nothing changes until the link is used", body = Sent),
        (status = 400, description = "`invalid_input`, with `fields.password` for a wrong password"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`csrf_failed`"),
        (status = 409, description = "`email_taken`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<NewEmailBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    state
        .accounts()
        .request_email_change(&user.0, &body.new_email, &body.password)
        .await?;
    Ok(sent())
}

#[utoipa::path(post, path = "/api/v1/auth/confirm-email", tag = "mail",
    request_body = TokenBody,
    responses(
        (status = 200, description = "The account has the new, verified, address", body = User),
        (status = 400, description = "`invalid_token`"),
        (status = 409, description = "`email_taken`: another account took the address meanwhile"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn confirm_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenBody>,
) -> Result<HttpResponse, ApiError> {
    state.mail_limiter.check(&req)?;
    let user = state.accounts().confirm_email_change(&body.token).await?;
    Ok(HttpResponse::Ok().json(user))
}
