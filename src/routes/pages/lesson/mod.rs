//! `GET /lessons/{slug}`: a lesson page, with the token widget's no-JavaScript results.

pub mod frame;
mod parts;
mod reader;
mod token_box;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use tera::Context;

pub use self::frame::Frame;
use self::frame::Hole;
use self::parts::{FrameParts, Parts, Shared, Source};
pub use self::reader::ReaderCache;
use self::reader::{Reader, ReaderParts};
pub use self::token_box::TokenQuery;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::learning::{self, Allowance, AttemptOutcome, LessonRecord};
use crate::plans::{self, Capability};
use crate::routes::error::PageError;
use crate::routes::lesson_view::LessonView;
use crate::routes::page_cache::Page;
use crate::routes::session;
use crate::routes::state::AppState;

/// How many lessons "Recommended for you" shows.
const RECOMMENDED: usize = 3;

pub async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<TokenQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    // The reader and their record of this lesson come in one read.
    let found = session::authenticate_with(&req, &state, |claims| {
        let (state, slug) = (&state, &slug);
        async move { learning::session_record(&state.db, &claims, slug).await }
    });
    let (viewer, record) = match found.await? {
        Some((session, record)) => (Viewer(Some(session)), Some(record)),
        None => (Viewer(None), None),
    };
    render(&state, &req, &slug, &viewer, record.as_ref(), &query, None).await
}

/// The lesson page, with `record` the signed-in viewer's record of the lesson (`None` for
/// visitors); with `attempt`, the quiz comes back scored (the no-JavaScript submit).
pub async fn render(
    state: &AppState,
    req: &HttpRequest,
    slug: &str,
    viewer: &Viewer,
    record: Option<&LessonRecord>,
    query: &TokenQuery,
    attempt: Option<&AttemptOutcome>,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    // Anonymous readers without a token-box submission all get the same page.
    let shared = !viewer.signed_in() && query.is_empty();
    let cache_key = format!("/lessons/{slug}");
    if shared {
        if let Some(page) = state.pages.get(&cache_key, catalog.generation) {
            return Ok(page.respond(req));
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
    let personal = viewer
        .0
        .as_ref()
        .filter(|s| plans::allows(s.user.plan, Capability::PersonalRecommendations));
    let recommended = match personal {
        Some(session) => {
            let progress = crate::db::learning::progress_of(&state.db, &session.user.id).await?;
            learning::recommend::personal(&catalog, &lesson.slug, &progress, RECOMMENDED)
        }
        None => catalog.next_lessons(&lesson.slug, RECOMMENDED),
    };
    let quiz_result = attempt.map(quiz_result_json);
    let source = Source {
        lesson,
        course,
        view: &view,
        plan: viewer.plan(),
        signed_in: viewer.signed_in(),
        query,
        quiz_result: quiz_result.as_ref(),
        recommended: &recommended,
        personal: personal.is_some(),
    };
    let parts = Parts::of(state, &source)?;
    let frame = frame_of(state, catalog.generation, viewer, &source)?;
    let csrf_token = match &viewer.0 {
        Some(session) => state.keys.csrf_token(&session.id),
        None => String::new(),
    };
    let reader = match record {
        Some(record) => Some(ReaderParts::of(
            &state.templates,
            &state.reader_parts,
            &Reader {
                slug: &lesson.slug,
                csrf_token: &csrf_token,
                record,
                locked: view.locked,
                pass_percent: view.quiz.as_ref().map_or(0, |quiz| quiz.pass_percent),
                allowance: match attempt {
                    Some(attempt) => attempt.allowance,
                    None => lesson
                        .rendered
                        .quiz
                        .as_ref()
                        .map_or(Allowance::UNLIMITED, |quiz| {
                            Allowance::of(quiz, record.quiz.counted)
                        }),
                },
                attempt,
            },
        )?),
        None => None,
    };
    let own = |part: fn(&ReaderParts) -> &String| reader.as_ref().map_or("", |r| part(r));
    let page = frame.fill(|hole| match hole {
        Hole::CsrfToken => &csrf_token,
        Hole::Percent => own(|r| &r.percent),
        Hole::LearningBar => own(|r| &r.learning_bar),
        Hole::Complete => own(|r| &r.complete),
        Hole::QuizRecord => own(|r| &r.quiz_record),
        Hole::QuizButton => own(|r| &r.quiz_button),
        Hole::Questions => parts.get(Shared::Questions),
        Hole::Tokens => parts.get(Shared::Tokens),
        Hole::Recommended => parts.get(Shared::Recommended),
    });
    if !shared {
        // The compression middleware takes a body of many pieces one piece at a time.
        if req.headers().contains_key(header::ACCEPT_ENCODING) {
            return Ok(super::html(page.into_bytes()));
        }
        return Ok(super::html(page));
    }
    let page = Page::new(page.into_bytes());
    state
        .pages
        .put(&cache_key, catalog.generation, page.clone());
    Ok(page.respond(req))
}

/// The lesson's frame for this plan, kind of reader and the parts the request brings its
/// own of: kept, or rendered and kept.
fn frame_of(
    state: &AppState,
    generation: i64,
    viewer: &Viewer,
    source: &Source,
) -> Result<Arc<Frame>, AppError> {
    let view = source.view;
    let slug = view.summary.slug;
    let [questions, tokens, recommended] = Shared::ALL.map(|part| u8::from(source.owns(part)));
    let key = format!(
        "{slug}:frame:{}:{}:{}:{questions}{tokens}{recommended}",
        viewer.plan().id(),
        viewer.signed_in(),
        viewer.is_admin()
    );
    if let Some(frame) = state.lesson_frames.get(&key, generation) {
        return Ok(frame);
    }
    let parts = FrameParts::of(state, generation, source)?;
    let [questions, tokens, recommended] = Shared::ALL.map(|part| match parts.shared(part) {
        Some(html) => html.to_owned(),
        None => part.hole().marker(),
    });
    let page = json!({
        "lesson": {
            "slug": slug,
            "title": view.summary.title,
            "summary": view.summary.summary,
            "locked": view.locked,
        },
        "quiz": view.quiz.as_ref().map(|quiz| {
            json!({
                "question_count": quiz.questions.len(),
                "pass_percent": quiz.pass_percent,
                "max_attempts": quiz.max_attempts,
                "reveal_note": quiz.reveal.describe(),
            })
        }),
        "viewer": {
            "signed_in": viewer.signed_in(),
            "is_admin": viewer.is_admin(),
            "plan": viewer.plan(),
            "csrf_token": Hole::CsrfToken.marker(),
        },
        "reader": {
            "percent": Hole::Percent.marker(),
            "learning_bar": Hole::LearningBar.marker(),
            "complete": Hole::Complete.marker(),
            "quiz_record": Hole::QuizRecord.marker(),
            "quiz_button": Hole::QuizButton.marker(),
        },
        "parts": {
            "header": &*parts.header,
            "content": &*parts.content,
            "questions": questions,
            "tokens": tokens,
            "recommended": recommended,
        },
    });
    let context = Context::from_value(page).map_err(AppError::internal)?;
    let frame = Arc::new(Frame::parse(
        state.templates.render("lesson.html", context)?,
    ));
    state.lesson_frames.put(&key, generation, frame.clone());
    Ok(frame)
}

/// A scored attempt as the quiz template reads it: results keyed by question id, as the
/// quiz's `reveal` policy lets the reader see them, with numbers worded for people.
fn quiz_result_json(attempt: &AttemptOutcome) -> serde_json::Value {
    let report = attempt.report();
    let by_question: serde_json::Map<String, serde_json::Value> = report
        .results
        .iter()
        .map(|r| {
            let mut result = json!(r);
            result["chosen_label"] = json!(r.chosen_number.map(|n| n.to_string()));
            result["key_label"] = json!(r.correct_number.map(|n| n.to_string()));
            (r.question_id.to_owned(), result)
        })
        .collect();
    let mut result = json!(report);
    result["by_question"] = serde_json::Value::Object(by_question);
    result
}
