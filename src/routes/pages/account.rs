//! `/account`: who you are, your plan, your learning, your password, your data.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use crate::accounts;
use crate::auth::{Session, Viewer};
use crate::db::users::User;
use crate::error::AppError;
use crate::learning::{self, Status};
use crate::routes::error::{self, PageError};
use crate::routes::export;
use crate::routes::session::{removal_cookie, session_cookie};
use crate::routes::state::AppState;

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    csrf_token: String,
    password: String,
}

pub(super) fn to_login() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login?next=/account"))
        .finish()
}

/// The learning dashboard: per course a progress bar and each lesson's state and best
/// quiz score, the bookmarks, and where to continue.
async fn dashboard(state: &AppState, user: &User) -> Result<serde_json::Value, AppError> {
    let catalog = state.catalog().await?;
    let overview = learning::overview(&state.db, user, &catalog).await?;
    let courses: Vec<_> = catalog
        .courses
        .iter()
        .zip(&overview.courses)
        .map(|(course, record)| {
            let lessons: Vec<_> = course
                .lessons
                .iter()
                .filter_map(|lesson| {
                    let record = overview.lesson(&lesson.slug)?;
                    Some(json!({
                        "slug": lesson.slug,
                        "title": lesson.rendered.title,
                        "status": record.status,
                        "percent": record.percent,
                        "has_quiz": lesson.rendered.quiz.is_some(),
                        "quiz": record.quiz,
                    }))
                })
                .collect();
            json!({
                "slug": course.slug,
                "title": course.title,
                "completed_lessons": record.completed_lessons,
                "total_lessons": record.total_lessons,
                "percent": record.percent,
                "lessons": lessons,
            })
        })
        .collect();
    let title_of = |slug: &str| {
        catalog
            .lesson(slug)
            .map(|l| l.rendered.title.clone())
            .unwrap_or_else(|| slug.to_owned())
    };
    let bookmarks: Vec<_> = overview
        .bookmarks
        .iter()
        .map(|b| json!({ "slug": b.slug, "title": title_of(&b.slug) }))
        .collect();
    let resume = match &overview.continue_with {
        Some(slug) => {
            let percent = overview.lesson(slug).map_or(0, |l| l.percent);
            Some(json!({ "slug": slug, "title": title_of(slug), "percent": percent, "kind": "continue" }))
        }
        None => overview
            .lessons
            .iter()
            .find(|l| l.status != Status::Completed)
            .map(|l| json!({ "slug": l.slug, "title": title_of(&l.slug), "percent": l.percent, "kind": "next" })),
    };
    Ok(json!({ "courses": courses, "bookmarks": bookmarks, "resume": resume }))
}

pub(super) async fn render(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    notice: Option<&str>,
    error: Option<(&str, AppError)>,
) -> Result<HttpResponse, PageError> {
    render_page(state, viewer, session, notice, error, None, json!({})).await
}

/// The account page after a refused form, keeping what was typed (`values`, by field).
pub(super) async fn render_with_values(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    error: (&str, AppError),
    values: serde_json::Value,
) -> Result<HttpResponse, PageError> {
    render_page(state, viewer, session, None, Some(error), None, values).await
}

/// The notice a redirect to `/account?notice=…` asks for: only these fixed words.
fn notice_for(key: &str) -> Option<&'static str> {
    match key {
        "password_reset" => {
            Some("Your new password is set. Every other device has been signed out.")
        }
        "email_verified" => Some("Thank you: your email address is confirmed."),
        "email_changed" => {
            Some("Your email address is changed. Log in with the new address from now on.")
        }
        _ => None,
    }
}

/// The account page after a certificate claim that could not be issued: the course's
/// missing lessons, or the plan it needs.
pub(super) async fn render_with_claim_error(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    course: &str,
    error: AppError,
) -> Result<HttpResponse, PageError> {
    let missing = match &error {
        AppError::Conflict {
            missing: Some(missing),
            ..
        } => missing.clone(),
        _ => Vec::new(),
    };
    let claim = json!({
        "course": course,
        "message": error.to_string(),
        "missing": missing,
    });
    let status = error::status(&error);
    let mut response =
        render_page(state, viewer, session, None, None, Some(claim), json!({})).await?;
    *response.status_mut() = status;
    Ok(response)
}

async fn render_page(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    notice: Option<&str>,
    error: Option<(&str, AppError)>,
    claim: Option<serde_json::Value>,
    values: serde_json::Value,
) -> Result<HttpResponse, PageError> {
    let mut context = Context::new();
    context.insert("claim", &claim);
    context.insert("values", &values);
    context.insert(
        "certificates",
        &crate::certificates::of_user(&state.db, &state.public_url, &session.user).await?,
    );
    context.insert(
        "can_claim",
        &crate::plans::allows(session.user.plan, crate::plans::Capability::Certificates),
    );
    context.insert(
        "claim_plan",
        crate::plans::required_plan(crate::plans::Capability::Certificates).name(),
    );
    context.insert("viewer", &super::viewer_json(state, viewer));
    context.insert("user", &session.user);
    context.insert("plan_name", session.user.plan.name());
    context.insert("learning", &dashboard(state, &session.user).await?);
    context.insert("notice", &notice);
    context.insert(
        "errors",
        &std::collections::BTreeMap::<String, String>::new(),
    );
    let status = match &error {
        Some((_, e)) => error::status(e),
        None => actix_web::http::StatusCode::OK,
    };
    if let Some((form, error)) = error {
        let fields = match &error {
            AppError::InvalidInput { fields, .. } => fields.clone(),
            _ => Default::default(),
        };
        context.insert("error_form", form);
        context.insert("error_message", &error.to_string());
        context.insert("errors", &fields);
    }
    let html = state.templates.render("account.html", context)?;
    Ok(HttpResponse::build(status)
        .content_type(crate::routes::page_cache::HTML)
        .body(html))
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = query.notice.as_deref().and_then(notice_for);
    match &viewer.0 {
        Some(session) => render(&state, &viewer, session, notice, None).await,
        None => Ok(to_login()),
    }
}

pub async fn change_password(
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(to_login());
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    match state
        .accounts()
        .change_password(session, &form.current_password, &form.new_password)
        .await
    {
        Ok(signed) => {
            // The new session gets a new CSRF token: render with it.
            let fresh = Session {
                id: state
                    .keys
                    .verify(&signed.token)
                    .map(|c| c.sid)
                    .ok_or_else(|| {
                        AppError::internal(anyhow::anyhow!("fresh token did not verify"))
                    })?,
                ..session.clone()
            };
            let viewer = Viewer(Some(fresh.clone()));
            let mut response = render(
                &state,
                &viewer,
                &fresh,
                Some("Your password was changed. Other devices have been signed out."),
                None,
            )
            .await?;
            response
                .add_cookie(&session_cookie(&state.settings, &signed.token))
                .map_err(AppError::internal)?;
            Ok(response)
        }
        Err(error @ AppError::InvalidInput { .. }) => {
            render(&state, &viewer, session, None, Some(("password", error))).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn export(state: web::Data<AppState>, viewer: Viewer) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(to_login());
    };
    let data = accounts::export(&state.db, &state.public_url, &session.user).await?;
    Ok(export::download(&data))
}

pub async fn delete(
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(to_login());
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    match state
        .accounts()
        .delete_account(session, &form.password)
        .await
    {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/"))
            .cookie(removal_cookie(&state.settings))
            .finish()),
        Err(error @ AppError::InvalidInput { .. }) => {
            render(&state, &viewer, session, None, Some(("delete", error))).await
        }
        Err(other) => Err(other.into()),
    }
}
