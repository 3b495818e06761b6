//! What a lesson page shows one signed-in reader of their own learning: progress and
//! bookmark, the completion card, their quiz record and the quiz's submit button
//! (`templates/lesson/reader/*.html`). These fill the frame's holes on every request, so
//! the reader's data is put in one small context, once, and each hole rendered from it.

use serde::Serialize;
use tera::Context;

use crate::error::AppError;
use crate::learning::{Allowance, AttemptOutcome, LessonRecord, Status};
use crate::routes::templates::Templates;

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

/// What the templates are given: the record as the page words it.
#[derive(Serialize)]
struct View<'a> {
    slug: &'a str,
    csrf_token: &'a str,
    locked: bool,
    pass_percent: u8,
    record: RecordView,
    completed_at: Option<&'a str>,
    /// The day the lesson was completed, `YYYY-MM-DD`.
    completed_on: Option<&'a str>,
    quiz: QuizView,
    attempt: Option<AttemptView>,
}

#[derive(Serialize)]
struct RecordView {
    status: Status,
    percent: i64,
    bookmarked: bool,
}

#[derive(Serialize)]
struct QuizView {
    attempts: i64,
    best_percent: i64,
    passed: bool,
    max_attempts: Option<u32>,
    attempts_left: Option<i64>,
}

#[derive(Serialize)]
struct AttemptView {
    passed: bool,
    score: u32,
    total: u32,
    percent: u8,
    best_percent: i64,
    attempts: i64,
    revealed: bool,
}

/// The rendered HTML of each of the reader's holes.
pub struct ReaderParts {
    pub percent: String,
    pub learning_bar: String,
    pub complete: String,
    pub quiz_record: String,
    pub quiz_button: String,
}

impl ReaderParts {
    pub fn of(templates: &Templates, r: &Reader) -> Result<ReaderParts, AppError> {
        let record = r.record;
        let completed_at = record.completed_at.as_deref();
        let view = View {
            slug: r.slug,
            csrf_token: r.csrf_token,
            locked: r.locked,
            pass_percent: r.pass_percent,
            record: RecordView {
                status: record.status,
                percent: record.percent,
                bookmarked: record.bookmarked,
            },
            completed_at,
            completed_on: completed_at.map(|at| at.get(..10).unwrap_or(at)),
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
        };
        let context = Context::from_serialize(&view).map_err(AppError::internal)?;
        let part = |name| templates.render_part(name, &context);
        Ok(ReaderParts {
            percent: record.percent.to_string(),
            learning_bar: part("lesson/reader/learning_bar.html")?,
            complete: part("lesson/reader/complete.html")?,
            quiz_record: part("lesson/reader/quiz_record.html")?,
            quiz_button: part("lesson/reader/quiz_button.html")?,
        })
    }
}
