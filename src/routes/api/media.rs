//! Lesson narrations (API.md section 6): the preview for anyone, the stream for Plus and
//! Pro, the download for Pro. The gate is asked on every request, ranges included.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::Viewer;
use crate::error::{ApiError, AppError};
use crate::media;
use crate::plans::{self, Capability};
use crate::state::AppState;

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

pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    audio(req, state, &slug, viewer, Kind::Preview).await
}

pub async fn stream(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
) -> Result<HttpResponse, ApiError> {
    audio(req, state, &slug, viewer, Kind::Stream).await
}

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
        .filter(|l| l.is_published() && l.rendered.audio.is_some())
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
    let data_dir = &state.settings.data_dir;
    let (path, etag) = match kind {
        Kind::Preview => (
            media::preview_path(data_dir, &stored.sha256),
            format!("{}-preview", &stored.sha256[..32]),
        ),
        Kind::Stream | Kind::Download => (
            media::full_path(data_dir, &stored.sha256),
            stored.sha256[..32].to_owned(),
        ),
    };
    let body = match tokio::fs::read(&path).await {
        Ok(body) => body,
        Err(error) => {
            tracing::warn!(
                "narration of {slug} missing at {} ({error}); is the data folder shared?",
                path.display()
            );
            return Err(AppError::NotFound.into());
        }
    };
    let disposition = match kind {
        Kind::Preview => format!("inline; filename=\"{}-preview.mp3\"", lesson.slug),
        Kind::Stream => format!("inline; filename=\"{}.mp3\"", lesson.slug),
        Kind::Download => format!("attachment; filename=\"{}.mp3\"", lesson.slug),
    };
    Ok(media::respond(
        &req,
        body,
        &etag,
        "audio/mpeg",
        &disposition,
    ))
}
