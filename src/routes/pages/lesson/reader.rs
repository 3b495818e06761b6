//! What a lesson page shows one signed-in reader of their own learning: progress and
//! bookmark, the completion card, their quiz record and the quiz's submit button
//! (`templates/lesson/reader/*.html`). These fill the frame's holes on every request.
//!
//! They are rendered from the record as the page words it (`View`), which many readers
//! share (and one reader shares with every reload of the page), so each view's HTML is kept
//! in `ReaderCache`, cut where its forms take the CSRF token; each request puts in its own
//! session's token. The view is the whole key, so what is kept is never stale (it is not
//! data read from the database, and the freshness rule has nothing to say of it). A page
//! with a quiz attempt just scored is rendered for itself.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use serde::Serialize;
use tera::Context;

use super::frame::Hole;
use crate::error::AppError;
use crate::learning::{Allowance, AttemptOutcome, LessonRecord, Status};
use crate::routes::templates::Templates;

/// What the kept views' forms carry in place of the CSRF token.
static TOKEN_MARKER: LazyLock<String> = LazyLock::new(|| Hole::CsrfToken.marker());

/// The reader's data the templates read.
pub struct Reader<'a> {
    pub slug: &'a str,
    pub csrf_token: &'a str,
    pub record: &'a LessonRecord,
    /// Whether the reader's plan shows only the lesson's teaser.
    pub locked: bool,
    pub pass_percent: u8,
    /// What is left of the quiz's attempts.
    pub allowance: Allowance,
    /// A quiz attempt just scored (the no-JavaScript submit).
    pub attempt: Option<&'a AttemptOutcome>,
}

/// What the templates are given: the record as the page words it. Without the CSRF token,
/// which the context adds, it is also the key its HTML is kept under.
#[derive(Serialize, PartialEq, Eq, Hash)]
struct View {
    slug: String,
    locked: bool,
    pass_percent: u8,
    record: RecordView,
    completed_at: Option<String>,
    /// The day the lesson was completed, `YYYY-MM-DD`.
    completed_on: Option<String>,
    quiz: QuizView,
    attempt: Option<AttemptView>,
}

#[derive(Serialize, PartialEq, Eq, Hash)]
struct RecordView {
    status: Status,
    percent: i64,
    bookmarked: bool,
}

#[derive(Serialize, PartialEq, Eq, Hash)]
struct QuizView {
    attempts: i64,
    best_percent: i64,
    passed: bool,
    max_attempts: Option<u32>,
    attempts_left: Option<i64>,
}

#[derive(Serialize, PartialEq, Eq, Hash)]
struct AttemptView {
    passed: bool,
    score: u32,
    total: u32,
    percent: u8,
    best_percent: i64,
    attempts: i64,
    revealed: bool,
}

impl View {
    fn of(r: &Reader) -> View {
        let record = r.record;
        let completed_at = record.completed_at.clone();
        View {
            slug: r.slug.to_owned(),
            locked: r.locked,
            pass_percent: r.pass_percent,
            record: RecordView {
                status: record.status,
                percent: record.percent,
                bookmarked: record.bookmarked,
            },
            completed_on: completed_at
                .as_deref()
                .map(|at| at.get(..10).unwrap_or(at).to_owned()),
            completed_at,
            quiz: QuizView {
                attempts: record.quiz.attempts,
                best_percent: record.quiz.best_percent.unwrap_or_default(),
                passed: record.quiz.passed,
                max_attempts: r.allowance.max_attempts,
                attempts_left: r.allowance.attempts_left,
            },
            attempt: r.attempt.map(|attempt| AttemptView {
                passed: attempt.scored.passed,
                score: attempt.scored.score,
                total: attempt.scored.total,
                percent: attempt.scored.percent,
                best_percent: attempt.stats.best_percent.unwrap_or_default(),
                attempts: attempt.stats.attempts,
                revealed: attempt.shows_key,
            }),
        }
    }
}

/// The holes' HTML of one view, each cut where its forms take the CSRF token.
struct Rendered {
    learning_bar: Vec<String>,
    complete: Vec<String>,
    quiz_record: Vec<String>,
    quiz_button: Vec<String>,
}

impl Rendered {
    fn of(templates: &Templates, view: &View) -> Result<Rendered, AppError> {
        let mut context = Context::from_serialize(view).map_err(AppError::internal)?;
        context.insert("csrf_token", &*TOKEN_MARKER);
        let part = |name| {
            let html = templates.render_part(name, &context)?;
            Ok::<_, AppError>(
                html.split(TOKEN_MARKER.as_str())
                    .map(str::to_owned)
                    .collect(),
            )
        };
        Ok(Rendered {
            learning_bar: part("lesson/reader/learning_bar.html")?,
            complete: part("lesson/reader/complete.html")?,
            quiz_record: part("lesson/reader/quiz_record.html")?,
            quiz_button: part("lesson/reader/quiz_button.html")?,
        })
    }
}

/// The HTML of the views readers' pages showed lately.
#[derive(Default)]
pub struct ReaderCache {
    kept: RwLock<HashMap<View, Arc<Rendered>>>,
}

impl ReaderCache {
    /// At most this many views (a few KiB each); when full, all are let go.
    const CAPACITY: usize = 4096;

    fn rendered(&self, templates: &Templates, view: View) -> Result<Arc<Rendered>, AppError> {
        if view.attempt.is_some() {
            return Ok(Arc::new(Rendered::of(templates, &view)?));
        }
        let kept = self.kept.read().unwrap_or_else(|p| p.into_inner());
        if let Some(rendered) = kept.get(&view) {
            return Ok(Arc::clone(rendered));
        }
        drop(kept);
        let rendered = Arc::new(Rendered::of(templates, &view)?);
        let mut kept = self.kept.write().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= Self::CAPACITY {
            kept.clear();
        }
        kept.insert(view, Arc::clone(&rendered));
        Ok(rendered)
    }
}

/// The HTML of each of the reader's holes.
pub struct ReaderParts {
    pub percent: String,
    pub learning_bar: String,
    pub complete: String,
    pub quiz_record: String,
    pub quiz_button: String,
}

impl ReaderParts {
    pub fn of(
        templates: &Templates,
        cache: &ReaderCache,
        r: &Reader,
    ) -> Result<ReaderParts, AppError> {
        let rendered = cache.rendered(templates, View::of(r))?;
        let signed = |pieces: &[String]| pieces.join(r.csrf_token);
        Ok(ReaderParts {
            percent: r.record.percent.to_string(),
            learning_bar: signed(&rendered.learning_bar),
            complete: signed(&rendered.complete),
            quiz_record: signed(&rendered.quiz_record),
            quiz_button: signed(&rendered.quiz_button),
        })
    }
}
