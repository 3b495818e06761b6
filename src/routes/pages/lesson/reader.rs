//! What a lesson page shows one signed-in reader of their own learning: progress and
//! bookmark, the completion card, their quiz record and the quiz's submit button.
//! These fill the frame's holes on every request, so they are compiled templates
//! (askama, `templates/lesson/reader/*.html`), not rendered by looking values up.

use askama::Template;

use crate::error::AppError;
use crate::learning::{AttemptOutcome, LessonRecord, Status};

/// The reader's data the templates read.
pub struct Reader<'a> {
    pub slug: &'a str,
    pub csrf_token: &'a str,
    pub record: &'a LessonRecord,
    /// Whether the reader's plan shows only the lesson's teaser.
    pub locked: bool,
    pub pass_percent: u8,
    /// A quiz attempt just scored (the no-JavaScript submit).
    pub attempt: Option<&'a AttemptOutcome>,
}

impl Reader<'_> {
    fn status(&self) -> &'static str {
        match self.record.status {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
        }
    }

    /// The day the lesson was completed, `YYYY-MM-DD`.
    fn completed_on(&self) -> Option<&str> {
        let at = self.record.completed_at.as_deref()?;
        Some(at.get(..10).unwrap_or(at))
    }

    fn plural(&self, count: &i64) -> &'static str {
        if *count == 1 {
            ""
        } else {
            "s"
        }
    }
}

#[derive(Template)]
#[template(path = "lesson/reader/learning_bar.html")]
struct LearningBar<'a> {
    r: &'a Reader<'a>,
}

#[derive(Template)]
#[template(path = "lesson/reader/complete.html")]
struct Complete<'a> {
    r: &'a Reader<'a>,
}

#[derive(Template)]
#[template(path = "lesson/reader/quiz_record.html")]
struct QuizRecord<'a> {
    r: &'a Reader<'a>,
}

#[derive(Template)]
#[template(path = "lesson/reader/quiz_button.html")]
struct QuizButton<'a> {
    r: &'a Reader<'a>,
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
    pub fn of(r: &Reader) -> Result<ReaderParts, AppError> {
        Ok(ReaderParts {
            percent: r.record.percent.to_string(),
            learning_bar: LearningBar { r }.render().map_err(AppError::internal)?,
            complete: Complete { r }.render().map_err(AppError::internal)?,
            quiz_record: QuizRecord { r }.render().map_err(AppError::internal)?,
            quiz_button: QuizButton { r }.render().map_err(AppError::internal)?,
        })
    }
}
