//! Lesson narrations (API.md section 6): the preview for anyone, the stream for Plus and
//! Pro, the download for Pro. The gate is asked on every request, ranges included.

use actix_web::{web, HttpRequest, HttpResponse};

use super::file_bytes::FileBytes;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::media;
use crate::plans::{self, Capability};
use crate::routes::error::ApiError;
use crate::routes::media_body;
use crate::routes::state::AppState;

/// Which narration route.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Preview,
    Stream,
    Download,
}

impl Kind {
    fn capability(self) -> Capability {
        match self {
            Kind::Preview => Capability::AudioPreview,
            Kind::Stream => Capability::StreamAudio,
            Kind::Download => Capability::DownloadMp3,
        }
    }
}

/// May `viewer` use `capabilities`? 401 for an anonymous reader turned away, else 403
/// `plan_required` naming the highest plan any of them needs.
pub fn gate(viewer: &Viewer, capabilities: &[Capability]) -> Result<(), AppError> {
    let missing = capabilities
        .iter()
        .filter(|c| !plans::allows(viewer.plan(), **c))
        .map(|c| plans::required_plan(*c))
        .max();
    match missing {
        None => Ok(()),
        Some(_) if !viewer.signed_in() => Err(AppError::Unauthenticated),
        Some(plan) => Err(AppError::PlanRequired(plan)),
    }
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}/audio/preview", tag = "plans",
    params(
        ("slug" = String, Path, description = "A published lesson's slug"),
        ("Range" = Option<String>, Header, description = "`bytes=START-END`: a part of the file"),
    ),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "At most the first 30 s of the narration, cut on an MP3 frame", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 206, description = "The part asked for, with `Content-Range`", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`: anonymous, or a Bearer token that is not valid"),
        (status = 403, description = "`plan_required`, with `required_plan` (a locked lesson)"),
        (status = 404, description = "`not_found`: no such published lesson, or it has no narration"),
        (status = 416, description = "Unsatisfiable `Range`; `Content-Range: bytes */LEN`"),
    ))]
pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    audio(req, state, &slug, viewer, Kind::Preview).await
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}/audio", tag = "plans",
    params(
        ("slug" = String, Path, description = "A published lesson's slug"),
        ("Range" = Option<String>, Header, description = "`bytes=START-END`: a part of the file"),
    ),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The whole narration, inline (Plus and Pro)", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 206, description = "The part asked for, with `Content-Range`", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`: anonymous, or a Bearer token that is not valid"),
        (status = 403, description = "`plan_required`, with `required_plan`"),
        (status = 404, description = "`not_found`: no such published lesson, or it has no narration"),
        (status = 416, description = "Unsatisfiable `Range`; `Content-Range: bytes */LEN`"),
    ))]
pub async fn stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    audio(req, state, &slug, viewer, Kind::Stream).await
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}/audio/download", tag = "plans",
    params(
        ("slug" = String, Path, description = "A published lesson's slug"),
        ("Range" = Option<String>, Header, description = "`bytes=START-END`: a part of the file"),
    ),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The whole MP3 as an attachment (Pro)", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 206, description = "The part asked for, with `Content-Range`", content_type = "audio/mpeg", body = inline(FileBytes)),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`: anonymous, or a Bearer token that is not valid"),
        (status = 403, description = "`plan_required`, with `required_plan`"),
        (status = 404, description = "`not_found`: no such published lesson, or it has no narration"),
        (status = 416, description = "Unsatisfiable `Range`; `Content-Range: bytes */LEN`"),
    ))]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    audio(req, state, &slug, viewer, Kind::Download).await
}

async fn audio(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: &str,
    viewer: Viewer,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = catalog
        .lesson(slug)
        .filter(|l| l.is_published() && l.has_audio)
        .ok_or(AppError::NotFound)?;
    gate(
        &viewer,
        &[
            Capability::ReadLesson(lesson.rendered.access),
            kind.capability(),
        ],
    )?;
    let stored = crate::db::media::lesson_audio(&state.db, &lesson.slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let (part, etag) = match kind {
        Kind::Preview => (
            media::AudioPart::Preview,
            format!("{}-preview", &stored.sha256[..32]),
        ),
        Kind::Stream | Kind::Download => (media::AudioPart::Whole, stored.sha256[..32].to_owned()),
    };
    let body = media::audio_body(&state.db, &state.settings.data_dir, &stored.sha256, part)
        .await?
        .ok_or(AppError::NotFound)?;
    let disposition = match kind {
        Kind::Preview => format!("inline; filename=\"{}-preview.mp3\"", lesson.slug),
        Kind::Stream => format!("inline; filename=\"{}.mp3\"", lesson.slug),
        Kind::Download => format!("attachment; filename=\"{}.mp3\"", lesson.slug),
    };
    Ok(match body {
        media::AudioBody::Cached { file, len } => {
            media_body::respond_file(&req, file, len, &etag, "audio/mpeg", &disposition)
                .await
                .map_err(AppError::internal)?
        }
        media::AudioBody::Loaded(body) => {
            media_body::respond(&req, body, &etag, "audio/mpeg", &disposition)
        }
    })
}

#[utoipa::path(get, path = "/api/v1/lessons/{slug}/pdf", tag = "plans",
    params(
        ("slug" = String, Path, description = "A published lesson's slug"),
        ("Range" = Option<String>, Header, description = "`bytes=START-END`: a part of the file"),
    ),
    security((), ("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The lesson as a PDF attachment (Plus and Pro)", content_type = "application/pdf", body = inline(FileBytes)),
        (status = 206, description = "The part asked for, with `Content-Range`", content_type = "application/pdf", body = inline(FileBytes)),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`invalid_input`: a malformed path"),
        (status = 401, description = "`unauthenticated`: anonymous, or a Bearer token that is not valid"),
        (status = 403, description = "`plan_required`, with `required_plan`"),
        (status = 404, description = "`not_found`: no such published lesson"),
        (status = 416, description = "Unsatisfiable `Range`; `Content-Range: bytes */LEN`"),
    ))]
/// `GET /api/v1/lessons/{slug}/pdf`: Plus and Pro; a reader below the lesson's own plan
/// gets the part before `<!-- more -->` only. Made once per revision and cached in the
/// data folder.
pub async fn pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    let catalog = state.catalog().await?;
    let lesson = catalog
        .lesson(&slug)
        .filter(|l| l.is_published())
        .ok_or(AppError::NotFound)?;
    gate(&viewer, &[Capability::DownloadPdf])?;
    let pdf = media::lesson_pdf::lesson_pdf(
        &state.db,
        &state.settings.data_dir,
        &catalog,
        lesson,
        viewer.plan(),
    )
    .await?;
    let disposition = format!("attachment; filename=\"{}\"", pdf.file_name);
    Ok(media_body::respond(
        &req,
        pdf.body,
        &pdf.etag,
        "application/pdf",
        &disposition,
    ))
}
