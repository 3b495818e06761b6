//! `GET /lessons/{slug}`: a lesson page, with the token widget's no-JavaScript results.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use tera::Context;

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::learning::{self, AttemptOutcome};
use crate::lesson_view::{LessonSummary, LessonView};
use crate::plans::{self, Capability};
use crate::state::AppState;
use crate::tokenizer::{self, Encoding};

/// How many lessons "Recommended for you" shows.
const RECOMMENDED: usize = 3;
/// The example the token widget starts with.
const TOKEN_EXAMPLE: &str = "Hello, world!";
/// Longest text the page-rendered token widget accepts (the API takes up to 1 MiB).
const PAGE_TOKEN_TEXT_LIMIT: usize = 64 * 1024;
/// Segments drawn on a server-rendered page; the count stays exact past it.
const PAGE_SEGMENTS: usize = 2_000;
/// The context window the widget compares the text with.
const CONTEXT_WINDOW: f64 = 1_000_000.0;
/// The example price per million tokens the cost estimate starts from, in dollars.
const DEFAULT_PRICE_PER_MILLION: f64 = 2.50;

#[derive(Default, Deserialize)]
pub struct TokenQuery {
    text: Option<String>,
    encoding: Option<String>,
    price: Option<String>,
}

impl TokenQuery {
    fn is_empty(&self) -> bool {
        self.text.is_none() && self.encoding.is_none() && self.price.is_none()
    }
}

pub async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    viewer: Viewer,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, PageError> {
    render(&state, &slug, &viewer, &query, None).await
}

/// The lesson page; with `attempt`, the quiz comes back scored (the no-JavaScript submit).
pub async fn render(
    state: &AppState,
    slug: &str,
    viewer: &Viewer,
    query: &TokenQuery,
    attempt: Option<&AttemptOutcome>,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    // Anonymous readers without a token-box submission all get the same page.
    let shared = !viewer.signed_in() && query.is_empty();
    let cache_key = format!("/lessons/{slug}");
    if shared {
        if let Some(page) = state.pages.get(&cache_key, catalog.generation) {
            return Ok(super::html(page));
        }
    }
    let lesson = catalog
        .lesson(slug)
        .filter(|l| l.is_published() || viewer.is_admin())
        .ok_or(AppError::NotFound)?;
    let course = catalog
        .course(&lesson.rendered.course)
        .ok_or(AppError::NotFound)?;
    let view = LessonView::of(lesson, viewer);
    let recommended = match &viewer.0 {
        Some(session) if plans::allows(session.user.plan, Capability::PersonalRecommendations) => {
            let progress = crate::db::learning::progress_of(&state.db, &session.user.id).await?;
            learning::recommend::personal(&catalog, &lesson.slug, &progress, RECOMMENDED)
        }
        _ => catalog.next_lessons(&lesson.slug, RECOMMENDED),
    };
    let recommended: Vec<_> = recommended
        .iter()
        .map(|l| serde_json::to_value(LessonSummary::of(l)))
        .collect::<Result<_, _>>()
        .map_err(AppError::internal)?;

    let mut lesson_json = serde_json::to_value(&view).map_err(AppError::internal)?;
    let r = &lesson.rendered;
    lesson_json["updated"] = json!(r.updated.format("%Y-%m-%d").to_string());
    lesson_json["updated_label"] = json!(r.updated.format("%B %-d, %Y").to_string());
    lesson_json["required_plan_name"] = json!(r.access.name());
    lesson_json["tokens"] = json!(r.token_count.o200k_base);

    let mut context = Context::new();
    context.insert("viewer", &super::viewer_json(state, viewer));
    let learning = match &viewer.0 {
        Some(session) => {
            Some(learning::lesson_record(&state.db, &session.user, &lesson.slug).await?)
        }
        None => None,
    };
    context.insert("learning", &learning);
    context.insert("quiz_result", &attempt.map(quiz_result_json));
    context.insert(
        "course",
        &json!({ "slug": course.slug, "title": course.title }),
    );
    context.insert("quiz", &view.quiz);
    context.insert(
        "media",
        &json!({
            "audio_available": view.media.audio.available,
            "audio_stream": view.media.audio.stream,
            "audio_download": view.media.audio.download,
            "pdf": view.media.pdf,
            "stream_plan": plans::required_plan(Capability::StreamAudio).name(),
            "download_plan": plans::required_plan(Capability::DownloadMp3).name(),
            "pdf_plan": plans::required_plan(Capability::DownloadPdf).name(),
            "preview_seconds": view.media.audio.preview_seconds,
            "video_status": view.media.video.status,
        }),
    );
    context.insert("lesson", &lesson_json);
    context.insert("tokens", &token_widget(query)?);
    context.insert("recommended", &recommended);
    let html = web::Bytes::from(state.templates.render("lesson.html", context)?);
    if shared {
        state
            .pages
            .put(&cache_key, catalog.generation, html.clone());
    }
    Ok(super::html(html))
}

/// A scored attempt as the quiz template reads it: results keyed by question id.
fn quiz_result_json(attempt: &AttemptOutcome) -> serde_json::Value {
    let by_question: serde_json::Map<String, serde_json::Value> = attempt
        .scored
        .results
        .iter()
        .map(|r| (r.question_id.clone(), json!(r)))
        .collect();
    let mut result = json!(attempt.report());
    result["by_question"] = serde_json::Value::Object(by_question);
    result
}

/// The token widget's state: the example, or what the reader submitted without JavaScript.
fn token_widget(query: &TokenQuery) -> Result<serde_json::Value, AppError> {
    let text = query.text.as_deref().unwrap_or(TOKEN_EXAMPLE);
    if text.len() > PAGE_TOKEN_TEXT_LIMIT {
        return Err(AppError::invalid_field(
            "text",
            "That text is too long for this box; the API takes up to 1 MiB.",
        ));
    }
    let encoding = match query.encoding.as_deref() {
        None => Encoding::O200kBase,
        Some(id) => Encoding::parse(id)
            .ok_or_else(|| AppError::invalid_field("encoding", "Unknown encoding."))?,
    };
    let price = match query.price.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_PRICE_PER_MILLION,
        Some(price) => price
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p >= 0.0 && *p <= 1_000_000.0)
            .ok_or_else(|| AppError::invalid_field("price", "Enter a price such as 2.50."))?,
    };
    let encodings: Vec<_> = Encoding::ALL
        .iter()
        .map(|e| json!({ "id": e.id(), "description": e.description() }))
        .collect();
    let count = tokenizer::count(encoding, text);
    let (segments, elided) = tokenizer::segments_limited(encoding, text, PAGE_SEGMENTS);
    Ok(json!({
        "text": text,
        "encoding": encoding.id(),
        "encodings": encodings,
        "count": count,
        "characters": text.chars().count(),
        "segments": segments,
        "segments_elided": elided,
        "context_share": format_share(count as f64 / CONTEXT_WINDOW),
        "price": price,
        "cost": format!("${:.6}", count as f64 * price / 1_000_000.0),
    }))
}

/// A share of the context window as a readable percentage.
fn format_share(share: f64) -> String {
    let percent = share * 100.0;
    if percent == 0.0 {
        "0%".to_owned()
    } else if percent < 0.01 {
        format!("{percent:.4}%")
    } else {
        format!("{percent:.2}%")
    }
}
