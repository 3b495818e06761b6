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
    let view = crate::lesson_view::LessonView::of(lesson, &viewer);
    let whole = !view.locked;
    let path = media::pdf_cache_path(
        &state.settings.data_dir,
        &lesson.slug,
        lesson.revision,
        whole,
    );
    let body = match tokio::fs::read(&path).await {
        Ok(body) => body,
        Err(_) => {
            let r = &lesson.rendered;
            let course = catalog
                .course(&r.course)
                .map_or(r.course.as_str(), |c| c.title.as_str())
                .to_owned();
            let meta = format!(
                "{course} \u{b7} Lesson {} \u{b7} {} min read \u{b7} Updated {} \u{b7} {} lesson",
                r.position,
                r.reading_minutes,
                r.updated.format("%B %-d, %Y"),
                r.access.name()
            );
            let note = (!whole).then(|| {
                format!(
                    "The rest of this lesson is for {} readers.",
                    plans::required_plan(Capability::ReadLesson(r.access)).name()
                )
            });
            let (title, markdown) = (r.title.clone(), view.markdown.to_owned());
            let (objectives, takeaways) = (view.objectives.to_vec(), view.takeaways.to_vec());
            let slug = lesson.slug.clone();
            tokio::task::spawn_blocking(move || {
                let pdf = media::pdf::render_lesson(&media::pdf::PdfLesson {
                    title: &title,
                    course: &course,
                    meta: &meta,
                    objectives: &objectives,
                    body_markdown: &markdown,
                    takeaways: &takeaways,
                    note: note.as_deref(),
                })?;
                if let Err(error) = media::cache_pdf(&path, &pdf) {
                    tracing::warn!("could not cache the PDF of {slug}: {error:#}");
                }
                anyhow::Ok(pdf)
            })
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?
        }
    };
    let etag = format!(
        "pdf-{}-r{}-{}-v{}",
        lesson.slug,
        lesson.revision,
        if whole { "full" } else { "teaser" },
        media::PDF_VERSION
    );
    let disposition = format!("attachment; filename=\"{}.pdf\"", lesson.slug);
    Ok(media::respond(
        &req,
        body,
        &etag,
        "application/pdf",
        &disposition,
    ))
}
