//! `/api/v1/admin/*` (API.md section 8): lessons, courses and plans, for admins only.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{read_limited, read_typed};
use super::file_bytes::FileBytes;
use crate::admin::{self, Preview, Saved, MAX_SOURCE_BYTES};
use crate::catalog::{Snapshot, Status};
use crate::content::figures::MAX_FIGURE_BYTES;
use crate::db::admin::{self as db_admin, RevisionInfo, RevisionSource};
use crate::db::users::User;
use crate::error::AppError;
use crate::routes::error::ApiError;
use crate::routes::lesson_view::{CourseView, LessonSummary};
use crate::routes::session::Admin;
use crate::routes::state::AppState;

/// Read a `text/markdown` body of at most [`MAX_SOURCE_BYTES`]: 415 for another type,
/// 413 when larger, 400 when it is not UTF-8.
pub async fn markdown_body(req: &HttpRequest, payload: web::Payload) -> Result<String, AppError> {
    let body = read_typed(req, payload, "text/markdown", MAX_SOURCE_BYTES).await?;
    String::from_utf8(body)
        .map_err(|_| AppError::invalid_field("source", "The lesson source must be UTF-8 text."))
}

/// A lesson in the admin table: `lesson_summary` + `{status, revision}` and where it came from.
#[derive(Serialize, ToSchema)]
pub struct AdminLesson<'a> {
    #[serde(flatten)]
    summary: LessonSummary<'a>,
    status: Status,
    revision: i64,
    /// The file it was imported from, if any.
    source_path: Option<String>,
    changed_at: String,
    course_title: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminLessonList<'a> {
    lessons: Vec<AdminLesson<'a>>,
}

/// A lesson's current source and state.
#[derive(Serialize, ToSchema)]
pub struct LessonSource {
    slug: String,
    status: Status,
    revision: i64,
    source_path: Option<String>,
    source: String,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RevisionList {
    revisions: Vec<RevisionInfo>,
}

/// A lesson's publication state.
#[derive(Serialize, ToSchema)]
pub struct Publication<'a> {
    slug: &'a str,
    status: Status,
}

/// A narration as stored.
#[derive(Serialize, ToSchema)]
pub struct AudioUploaded {
    duration_seconds: f64,
    preview_seconds: f64,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    users: Vec<User>,
}

/// Every lesson, drafts included, as the admin table lists it.
pub async fn list<'a>(
    state: &AppState,
    catalog: &'a Snapshot,
) -> Result<Vec<AdminLesson<'a>>, AppError> {
    let rows = db_admin::lesson_rows(&state.db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let lesson = catalog.lesson(&row.slug)?;
            Some(AdminLesson {
                summary: LessonSummary::of(lesson),
                status: row.status,
                revision: row.revision,
                source_path: row.source_path,
                changed_at: row.updated_at,
                course_title: catalog
                    .course(&lesson.rendered.course)
                    .map(|c| c.title.as_str()),
            })
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/admin/lessons", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every lesson, drafts included", body = AdminLessonList),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`: not an admin"),
    ))]
pub async fn lessons(state: web::Data<AppState>, _admin: Admin) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    Ok(HttpResponse::Ok().json(AdminLessonList {
        lessons: list(&state, &catalog).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/lessons", tag = "admin",
    security(("bearer" = []), ("cookie" = [])),
    request_body(content = String, content_type = "text/markdown", description = "A lesson source (API.md section 10), at most 1 MiB"),
    responses(
        (status = 201, description = "Created as a draft, revision 1", body = Saved),
        (status = 400, description = "`invalid_input`, naming what is wrong in the source"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 409, description = "`slug_taken`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`: not `text/markdown`"),
    ))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let saved = state
        .desk()
        .create_lesson(&admin.0.user.email, &text)
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/admin/lessons/{}", saved.slug),
        ))
        .json(saved))
}

#[utoipa::path(get, path = "/api/v1/admin/lessons/{slug}", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The current source and state", body = LessonSource),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn show(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = db_admin::lesson_row(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = db_admin::revision(&state.db, &slug, row.revision)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(LessonSource {
        slug: row.slug,
        status: row.status,
        revision: row.revision,
        source_path: row.source_path,
        source: current.source,
        updated_at: row.updated_at,
    }))
}

#[utoipa::path(put, path = "/api/v1/admin/lessons/{slug}", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body(content = String, content_type = "text/markdown", description = "The lesson's new source, at most 1 MiB"),
    responses(
        (status = 200, description = "A new revision, live at once if published", body = Saved),
        (status = 400, description = "`invalid_input`, naming what is wrong in the source"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`slug_taken`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`: not `text/markdown`"),
    ))]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let saved = state
        .desk()
        .update_lesson(&admin.0.user.email, &slug, &text)
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

#[utoipa::path(get, path = "/api/v1/admin/lessons/{slug}/revisions", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The lesson's revisions", body = RevisionList),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn revisions(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let revisions = db_admin::revisions(&state.db, &slug).await?;
    if revisions.is_empty() {
        return Err(AppError::NotFound.into());
    }
    Ok(HttpResponse::Ok().json(RevisionList { revisions }))
}

#[utoipa::path(get, path = "/api/v1/admin/lessons/{slug}/revisions/{revision}", tag = "admin",
    params(
        ("slug" = String, Path, description = "The lesson's slug"),
        ("revision" = i64, Path, description = "The revision number"),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "One revision with its source", body = RevisionSource),
        (status = 400, description = "`invalid_input`: a malformed path, e.g. a revision that is no integer"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn revision(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, number) = path.into_inner();
    let revision = db_admin::revision(&state.db, &slug, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(revision))
}

#[utoipa::path(post, path = "/api/v1/admin/lessons/{slug}/revisions/{revision}/restore", tag = "admin",
    params(
        ("slug" = String, Path, description = "The lesson's slug"),
        ("revision" = i64, Path, description = "The revision to restore"),
    ),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The old text as a new revision", body = Saved),
        (status = 400, description = "`invalid_input`"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`slug_taken`"),
    ))]
pub async fn restore(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, number) = path.into_inner();
    let saved = state
        .desk()
        .restore_revision(&admin.0.user.email, &slug, number)
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

#[utoipa::path(post, path = "/api/v1/admin/lessons/{slug}/publish", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Published", body = Publication),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn publish(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = state.desk().set_published(&slug, true).await?;
    Ok(HttpResponse::Ok().json(Publication {
        slug: &slug,
        status,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/lessons/{slug}/unpublish", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Back to draft", body = Publication),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn unpublish(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = state.desk().set_published(&slug, false).await?;
    Ok(HttpResponse::Ok().json(Publication {
        slug: &slug,
        status,
    }))
}

#[utoipa::path(delete, path = "/api/v1/admin/lessons/{slug}", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Deleted; learners' progress and certificates are kept"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
    ))]
pub async fn delete(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.desk().delete_lesson(&slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(put, path = "/api/v1/admin/lessons/{slug}/audio", tag = "admin",
    params(("slug" = String, Path, description = "The lesson's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body(content = inline(FileBytes), content_type = "audio/mpeg", description = "An MP3, at most 64 MiB"),
    responses(
        (status = 200, description = "Stored; the preview is cut at once", body = AudioUploaded),
        (status = 400, description = "`invalid_input`: no MP3"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`: not `audio/mpeg`"),
    ))]
pub async fn upload_audio(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mp3 = read_typed(&req, payload, "audio/mpeg", admin::MAX_AUDIO_BYTES).await?;
    let (duration, preview) = state
        .desk()
        .upload_audio(&state.settings.data_dir, &slug, mp3)
        .await?;
    Ok(HttpResponse::Ok().json(AudioUploaded {
        duration_seconds: duration,
        preview_seconds: preview,
    }))
}

/// A stored figure, as the lesson source names it (`figures/{name}`) and the page shows it.
#[derive(Serialize, ToSchema)]
pub struct FigureUploaded {
    name: String,
    url: String,
    width: u32,
    height: u32,
}

#[utoipa::path(put, path = "/api/v1/admin/lessons/{slug}/figures/{name}", tag = "admin",
    params(
        ("slug" = String, Path, description = "The lesson's slug"),
        ("name" = String, Path, description = "The figure's file name, e.g. `plot.svg`: a-z, 0-9, - and _, then the extension of its type"),
    ),
    security(("bearer" = []), ("cookie" = [])),
    request_body(content = inline(FileBytes), content_type = "image/*", description = "A PNG, JPEG, WebP, GIF or SVG image (told by its bytes), at most 5 MiB"),
    responses(
        (status = 201, description = "Stored; the lesson source names it `figures/{name}`", body = FigureUploaded),
        (status = 400, description = "`invalid_input`: not an image, or a name that is not plain or does not match the image's type"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 413, description = "`payload_too_large`"),
    ))]
pub async fn upload_figure(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (slug, name) = path.into_inner();
    let bytes = read_limited(&req, payload, MAX_FIGURE_BYTES).await?;
    let figure = state.desk().upload_figure(&slug, &name, bytes).await?;
    Ok(HttpResponse::Created().json(FigureUploaded {
        name,
        url: figure.url(),
        width: figure.width,
        height: figure.height,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct PreviewQuery {
    /// The slug the source will be saved under (defaults to the one in its front matter).
    slug: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/preview", tag = "admin",
    params(PreviewQuery),
    security(("bearer" = []), ("cookie" = [])),
    request_body(content = String, content_type = "text/markdown", description = "A lesson source, at most 1 MiB"),
    responses(
        (status = 200, description = "Rendered, not saved", body = Preview),
        (status = 400, description = "`invalid_input`, naming what is wrong in the source"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`: not `text/markdown`"),
    ))]
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    query: web::Query<PreviewQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = markdown_body(&req, payload).await?;
    let preview = admin::preview(&state.db, &text, query.slug.as_deref()).await?;
    Ok(HttpResponse::Ok().json(preview))
}

#[derive(Deserialize, ToSchema)]
pub struct CourseBody {
    title: String,
    summary: String,
}

#[utoipa::path(put, path = "/api/v1/admin/courses/{slug}", tag = "admin",
    params(("slug" = String, Path, description = "The course's slug")),
    security(("bearer" = []), ("cookie" = [])),
    request_body = CourseBody,
    responses(
        (status = 200, description = "The course, created or changed", body = CourseView),
        (status = 400, description = "`invalid_input`"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn put_course(
    state: web::Data<AppState>,
    _admin: Admin,
    slug: web::Path<String>,
    body: Result<web::Json<CourseBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    // The body is read after the role check, so a learner learns nothing from a bad body.
    let body = body?;
    state
        .desk()
        .put_course(&slug, &body.title, &body.summary)
        .await
        .map_err(ApiError)?;
    let catalog = state.catalog().await.map_err(ApiError)?;
    let course = catalog.course(&slug).ok_or(ApiError(AppError::NotFound))?;
    Ok(HttpResponse::Ok().json(CourseView::of(course)))
}

#[derive(Deserialize, IntoParams)]
pub struct UserQuery {
    /// Part of an email or a name; every user when left out.
    q: Option<String>,
}

/// Most users one search returns.
pub const USER_SEARCH_LIMIT: i64 = 100;

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    params(UserQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Matching users, at most 100", body = UserList),
        (status = 400, description = "`invalid_input`: a malformed query"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden`"),
    ))]
pub async fn users(
    state: web::Data<AppState>,
    _admin: Admin,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.q.as_deref().unwrap_or("");
    let users = db_admin::search_users(&state.db, q, USER_SEARCH_LIMIT).await?;
    Ok(HttpResponse::Ok().json(UserList { users }))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanBody {
    /// `free`, `plus` or `pro`.
    plan: String,
}

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/plan", tag = "admin",
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = []), ("cookie" = [])),
    request_body = PlanBody,
    responses(
        (status = 200, description = "The user with the new plan", body = User),
        (status = 400, description = "`invalid_input`: an unknown plan"),
        (status = 401, description = "`unauthenticated`"),
        (status = 403, description = "`forbidden` or `csrf_failed`"),
        (status = 404, description = "`not_found`"),
        (status = 413, description = "`payload_too_large`"),
        (status = 415, description = "`unsupported_media_type`"),
    ))]
pub async fn set_plan(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    body: Result<web::Json<PlanBody>, actix_web::Error>,
) -> Result<HttpResponse, actix_web::Error> {
    let body = body?;
    let user = admin::set_plan(&state.db, &admin.0.user.email, &id, &body.plan)
        .await
        .map_err(ApiError)?;
    Ok(HttpResponse::Ok().json(user))
}
