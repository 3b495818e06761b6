//! Learning: reading progress, bookmarks and knowledge-check quizzes (API.md section 5).
//! No HTTP here: the JSON handlers and the pages both call these.
//!
//! Rules kept here: progress never goes down and keeps its first completion; only lessons
//! the learner may read in full take progress or quiz attempts (403 `plan_required`);
//! scores are computed on the server from the lesson's current revision, and each
//! attempt is stored with that revision, the answers and the per-question results.

pub mod analytics;
pub mod gradebook;
pub mod quiz;
pub mod recommend;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::json;

use crate::auth::token::Claims;
use crate::catalog::{Lesson, Snapshot};
use crate::content::quiz::Quiz;
use crate::db::learning::{
    self as store, AnswerItem, AttemptRow, BookmarkRow, NewAttempt, ProgressRow, QuizStats,
};
use crate::db::users::User;
use crate::db::{now, Db};
use crate::error::AppError;
use crate::plans::{self, Capability};
use crate::webhooks::{self, Event};
use quiz::{QuestionResult, ResultView, Scored, SubmittedAnswers};

/// Where a learner stands on a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
}

impl Status {
    pub fn of(row: Option<&ProgressRow>) -> Status {
        match row {
            Some(row) if row.completed_at.is_some() => Status::Completed,
            Some(row) if row.percent > 0 => Status::InProgress,
            _ => Status::NotStarted,
        }
    }
}

/// The answer to a progress update: `{slug, status, percent, completed_at}`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    pub slug: String,
    pub status: Status,
    pub percent: i64,
    pub completed_at: Option<String>,
}

impl ProgressView {
    pub fn of(slug: &str, row: Option<&ProgressRow>) -> ProgressView {
        ProgressView {
            slug: slug.to_owned(),
            status: Status::of(row),
            percent: row.map_or(0, |r| r.percent),
            completed_at: row.and_then(|r| r.completed_at.clone()),
        }
    }
}

/// A published lesson by slug; 404 for unknown and unpublished ones.
pub fn published<'a>(snapshot: &'a Snapshot, slug: &str) -> Result<&'a Arc<Lesson>, AppError> {
    snapshot
        .lesson(slug)
        .filter(|l| l.is_published())
        .ok_or(AppError::NotFound)
}

/// Whether the user may read the whole lesson; 403 `plan_required` otherwise.
pub fn require_access(user: &User, lesson: &Lesson) -> Result<(), AppError> {
    let access = lesson.rendered.access;
    if plans::allows(user.plan, Capability::ReadLesson(access))
        && plans::allows(user.plan, Capability::TrackProgress)
    {
        Ok(())
    } else {
        Err(AppError::PlanRequired(access))
    }
}

/// Record how far the user read. `percent` is 0..=100 (fractions are rounded down);
/// `completed` (or reading to 100%) completes the lesson, keeping the first completion.
/// Reading short of it is group-committed on SQLite; a completion has a transaction of its
/// own, in which the learner's first completion records `lesson.completed`.
pub async fn save_progress(
    db: &Db,
    user: &User,
    lesson: &Lesson,
    percent: Option<f64>,
    completed: bool,
) -> Result<ProgressView, AppError> {
    require_access(user, lesson)?;
    let percent = match percent {
        Some(p) if p.is_finite() && (0.0..=100.0).contains(&p) => p.floor() as i64,
        Some(_) => {
            return Err(AppError::invalid_field(
                "percent",
                "percent must be a number from 0 to 100.",
            ))
        }
        None if completed => 100,
        None => {
            return Err(AppError::invalid_field(
                "percent",
                "Give percent (a number from 0 to 100), or completed: true.",
            ))
        }
    };
    let percent = if completed { 100 } else { percent };
    let at = now();
    let row = if percent == 100 {
        complete(db, user, lesson, &at).await?
    } else {
        store::save_progress(
            db,
            store::ProgressWrite {
                user_id: user.id.to_string(),
                slug: lesson.slug.to_string(),
                percent,
                at,
            },
        )
        .await?
    };
    Ok(ProgressView::of(&lesson.slug, Some(&row)))
}

/// Complete the lesson; the first completion records `lesson.completed` in its transaction.
async fn complete(
    db: &Db,
    user: &User,
    lesson: &Lesson,
    at: &str,
) -> Result<ProgressRow, AppError> {
    let mut tx = db.begin_write().await?;
    let (row, first) = store::complete(&mut tx, &user.id, &lesson.slug, at).await?;
    if first {
        let event = Event::LessonCompleted {
            user_id: &user.id,
            lesson: &lesson.slug,
            course: &lesson.rendered.course,
        };
        webhooks::record(&mut tx, &event).await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// Bookmark a published lesson (any plan may bookmark a lesson to read later).
pub async fn add_bookmark(db: &Db, user: &User, lesson: &Lesson) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    store::add_bookmark(&mut tx, &user.id, &lesson.slug, &now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Remove a bookmark. Removing one that is not there is fine for a published lesson;
/// a slug that is neither bookmarked nor published is 404.
pub async fn remove_bookmark(
    db: &Db,
    user: &User,
    snapshot: &Snapshot,
    slug: &str,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let removed = store::remove_bookmark(&mut tx, &user.id, slug).await?;
    tx.commit().await?;
    if removed || published(snapshot, slug).is_ok() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A scored, stored attempt.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub attempt_id: i64,
    pub scored: Scored,
    pub stats: QuizStats,
    pub allowance: Allowance,
    /// Whether the quiz's `reveal` policy lets this attempt show the key.
    pub shows_key: bool,
}

/// How many attempts a reader has at a quiz.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Allowance {
    /// `null` when unlimited.
    pub max_attempts: Option<u32>,
    /// `null` when unlimited.
    pub attempts_left: Option<i64>,
}

impl Allowance {
    pub const UNLIMITED: Allowance = Allowance {
        max_attempts: None,
        attempts_left: None,
    };

    /// What is left of `quiz`'s attempts after `counted` that count.
    pub fn of(quiz: &Quiz, counted: i64) -> Allowance {
        Allowance {
            max_attempts: quiz.max_attempts,
            attempts_left: quiz
                .max_attempts
                .map(|max| (i64::from(max) - counted).max(0)),
        }
    }

    pub fn exhausted(self) -> bool {
        self.attempts_left == Some(0)
    }
}

/// The contract's answer to an attempt:
/// `{attempt_id, score, total, percent, passed, best_percent, results}` (+ `attempts`,
/// `max_attempts`, `attempts_left`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptReport<'a> {
    pub attempt_id: i64,
    pub score: u32,
    pub total: u32,
    pub percent: u8,
    pub passed: bool,
    pub best_percent: Option<i64>,
    /// Attempts at this quiz so far, this one included.
    pub attempts: i64,
    /// `null` when unlimited.
    pub max_attempts: Option<u32>,
    /// `null` when unlimited.
    pub attempts_left: Option<i64>,
    /// Whether the results show the answer key (the quiz's `reveal` policy).
    pub revealed: bool,
    pub results: Vec<ResultView<'a>>,
}

impl AttemptOutcome {
    pub fn report(&self) -> AttemptReport<'_> {
        AttemptReport {
            attempt_id: self.attempt_id,
            score: self.scored.score,
            total: self.scored.total,
            percent: self.scored.percent,
            passed: self.scored.passed,
            best_percent: self.stats.best_percent,
            attempts: self.stats.attempts,
            max_attempts: self.allowance.max_attempts,
            attempts_left: self.allowance.attempts_left,
            revealed: self.shows_key,
            results: self
                .scored
                .results
                .iter()
                .map(|r| r.view(self.shows_key))
                .collect(),
        }
    }
}

/// Check, score and store an attempt at a lesson's quiz (a passing one with its
/// `quiz.passed` event). With `max_attempts`, the count and the insert share one write
/// transaction that holds the learner, so of concurrent attempts for the last one left
/// exactly one is stored (the others: 409 `attempts_exhausted`).
pub async fn attempt_quiz(
    db: &Db,
    user: &User,
    lesson: &Lesson,
    submitted: &SubmittedAnswers,
) -> Result<AttemptOutcome, AppError> {
    let quiz_def = lesson.rendered.quiz.as_ref().ok_or(AppError::NotFound)?;
    require_access(user, lesson)?;
    let answers = quiz::validate(quiz_def, submitted)?;
    let scored = quiz::score(quiz_def, &answers);
    let answers_json = serde_json::to_string(&answers).map_err(AppError::internal)?;
    let results_json = serde_json::to_string(&scored.results).map_err(AppError::internal)?;
    let at = now();
    let mut tx = db.begin_write().await?;
    if quiz_def.max_attempts.is_some() {
        store::lock_learner(&mut tx, db.backend(), &user.id).await?;
        let before = store::quiz_stats_in(&mut tx, &user.id, &lesson.slug).await?;
        if Allowance::of(quiz_def, before.counted).exhausted() {
            return Err(attempts_exhausted(quiz_def));
        }
    }
    let attempt_id = store::insert_attempt(
        &mut tx,
        &NewAttempt {
            user_id: &user.id,
            slug: &lesson.slug,
            revision: lesson.revision,
            answers: &answers_json,
            results: &results_json,
            score: i64::from(scored.score),
            total: i64::from(scored.total),
            percent: i64::from(scored.percent),
            passed: scored.passed,
            created_at: &at,
            items: scored
                .results
                .iter()
                .map(|r| AnswerItem {
                    question_id: &r.question_id,
                    correct: r.correct,
                    picks: &r.chosen_choice_ids,
                })
                .collect(),
        },
    )
    .await?;
    if scored.passed {
        let event = Event::QuizPassed {
            user_id: &user.id,
            lesson: &lesson.slug,
            attempt_id,
            percent: i64::from(scored.percent),
        };
        webhooks::record(&mut tx, &event).await?;
    }
    let stats = store::quiz_stats_in(&mut tx, &user.id, &lesson.slug).await?;
    tx.commit().await?;
    let allowance = Allowance::of(quiz_def, stats.counted);
    let shows_key = quiz_def
        .reveal
        .shows_key(stats.passed, allowance.attempts_left);
    Ok(AttemptOutcome {
        attempt_id,
        scored,
        stats,
        allowance,
        shows_key,
    })
}

fn attempts_exhausted(quiz: &Quiz) -> AppError {
    let max = quiz.max_attempts.unwrap_or_default();
    AppError::Conflict {
        code: "attempts_exhausted",
        message: format!(
            "You have used all {max} attempt{} at this quiz.",
            if max == 1 { "" } else { "s" }
        ),
        missing: None,
    }
}

/// The user's attempts at a published lesson's quiz, newest first, and what is left.
pub async fn attempts(
    db: &Db,
    user: &User,
    lesson: &Lesson,
) -> Result<(Vec<AttemptRow>, Allowance), AppError> {
    let rows = store::attempts_of(db, &user.id, &lesson.slug).await?;
    let counted = rows.iter().filter(|a| a.counted).count() as i64;
    let allowance = match &lesson.rendered.quiz {
        Some(quiz) => Allowance::of(quiz, counted),
        None => Allowance::UNLIMITED,
    };
    Ok((rows, allowance))
}

/// An admin's fresh start for a learner on a lesson's quiz (see `store::reset_attempts`).
/// An unknown learner or a lesson without a quiz is 404.
pub async fn reset_quiz(db: &Db, lesson: &Lesson, user_id: &str) -> Result<(), AppError> {
    if lesson.rendered.quiz.is_none() {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin_write().await?;
    if crate::db::users::by_id_in(&mut tx, user_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    store::reset_attempts(&mut tx, user_id, &lesson.slug).await?;
    tx.commit().await?;
    Ok(())
}

/// What the lesson page shows a signed-in reader about their own learning.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LessonRecord {
    pub slug: String,
    pub status: Status,
    pub percent: i64,
    pub completed_at: Option<String>,
    pub bookmarked: bool,
    pub quiz: QuizStats,
}

impl LessonRecord {
    fn of(slug: &str, (row, bookmarked, quiz): store::RecordRow) -> LessonRecord {
        let view = ProgressView::of(slug, row.as_ref());
        LessonRecord {
            slug: view.slug,
            status: view.status,
            percent: view.percent,
            completed_at: view.completed_at,
            bookmarked,
            quiz,
        }
    }
}

pub async fn lesson_record(db: &Db, user: &User, slug: &str) -> Result<LessonRecord, AppError> {
    let row = store::lesson_record(db, &user.id, slug).await?;
    Ok(LessonRecord::of(slug, row))
}

/// The user of a token's live session and their record of a lesson, read together (for
/// `routes::session::authenticate_with`).
pub async fn session_record(
    db: &Db,
    claims: &Claims,
    slug: &str,
) -> Result<Option<(User, LessonRecord)>, AppError> {
    let found = store::session_record(db, &claims.sid, &claims.sub, slug).await?;
    Ok(found.map(|(user, row)| (user, LessonRecord::of(slug, row))))
}

/// A course's completion.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CourseRecord {
    pub slug: String,
    pub completed_lessons: usize,
    pub total_lessons: usize,
    /// Completed lessons as a whole percentage, rounded down (100 only when all are done).
    pub percent: usize,
}

/// A user's learning across the published catalog (`GET /api/v1/me/progress`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub lessons: Vec<LessonRecord>,
    pub courses: Vec<CourseRecord>,
    /// The most recently read unfinished lesson.
    #[serde(skip)]
    pub continue_with: Option<String>,
    /// Bookmarks of published lessons, newest first.
    #[serde(skip)]
    pub bookmarks: Vec<BookmarkRow>,
}

impl Overview {
    pub fn lesson(&self, slug: &str) -> Option<&LessonRecord> {
        self.lessons.iter().find(|l| l.slug == slug)
    }
}

pub async fn overview(db: &Db, user: &User, snapshot: &Snapshot) -> Result<Overview, AppError> {
    let progress = store::progress_of(db, &user.id).await?;
    let bookmarks = store::bookmarks_of(db, &user.id).await?;
    let stats: HashMap<String, QuizStats> = store::quiz_stats_of(db, &user.id)
        .await?
        .into_iter()
        .collect();
    let by_slug: HashMap<&str, &ProgressRow> =
        progress.iter().map(|p| (p.slug.as_str(), p)).collect();
    let lessons: Vec<LessonRecord> = snapshot
        .published()
        .map(|lesson| {
            let row = by_slug.get(lesson.slug.as_str()).copied();
            let view = ProgressView::of(&lesson.slug, row);
            LessonRecord {
                slug: view.slug,
                status: view.status,
                percent: view.percent,
                completed_at: view.completed_at,
                bookmarked: bookmarks.iter().any(|b| b.slug == *lesson.slug),
                quiz: stats.get(lesson.slug.as_str()).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let courses = snapshot
        .courses
        .iter()
        .map(|course| {
            let total = course.lessons.len();
            let done = course
                .lessons
                .iter()
                .filter(|l| Status::of(by_slug.get(l.slug.as_str()).copied()) == Status::Completed)
                .count();
            CourseRecord {
                slug: course.slug.to_string(),
                completed_lessons: done,
                total_lessons: total,
                percent: (done * 100).checked_div(total).unwrap_or(0),
            }
        })
        .collect();
    // `progress` is ordered by last update, newest first.
    let continue_with = progress
        .iter()
        .filter(|p| Status::of(Some(p)) == Status::InProgress)
        .find(|p| published(snapshot, &p.slug).is_ok())
        .map(|p| p.slug.clone());
    let bookmarks = bookmarks
        .into_iter()
        .filter(|b| published(snapshot, &b.slug).is_ok())
        .collect();
    Ok(Overview {
        lessons,
        courses,
        continue_with,
        bookmarks,
    })
}

/// Everything learning-related the site holds about a user, for the data export.
pub async fn export(db: &Db, user: &User) -> Result<serde_json::Value, AppError> {
    let progress: Vec<_> = store::progress_of(db, &user.id)
        .await?
        .into_iter()
        .map(|p| {
            json!({
                "slug": p.slug,
                "status": Status::of(Some(&p)),
                "percent": p.percent,
                "completed_at": p.completed_at,
                "updated_at": p.updated_at,
            })
        })
        .collect();
    let bookmarks: Vec<_> = store::bookmarks_of(db, &user.id)
        .await?
        .into_iter()
        .map(|b| json!({ "slug": b.slug, "created_at": b.created_at }))
        .collect();
    let attempts: Vec<_> = store::all_attempts_of(db, &user.id)
        .await?
        .into_iter()
        .map(|a| {
            let answers: serde_json::Value =
                serde_json::from_str(&a.answers).unwrap_or(serde_json::Value::Null);
            // The learner's own answers and how each went; the key stays out, so an export
            // cannot show what a quiz's `reveal` policy hides.
            let stored = stored_results(&a);
            let results: Vec<ResultView> = stored.iter().map(|r| r.view(false)).collect();
            json!({
                "id": a.id,
                "slug": a.slug,
                "revision": a.revision,
                "answers": answers,
                "results": results,
                "score": a.score,
                "total": a.total,
                "percent": a.percent,
                "passed": a.passed,
                "created_at": a.created_at,
            })
        })
        .collect();
    Ok(json!({ "progress": progress, "bookmarks": bookmarks, "quiz_attempts": attempts }))
}

/// An attempt's stored per-question results.
pub fn stored_results(attempt: &AttemptRow) -> Vec<QuestionResult> {
    serde_json::from_str(&attempt.results).unwrap_or_default()
}
