//! Reading progress, bookmarks and quiz attempts.
//!
//! Progress writes on SQLite are group-committed (see `progress_queue`).
//! Writes are single upserts (`INSERT … ON CONFLICT … DO UPDATE`) whose update keeps the
//! larger percent, so concurrent first writes never collide on PostgreSQL and the result
//! does not depend on their order. A completion is set once, by a conditional update in the
//! caller's transaction (`complete`), which tells the first completion from the others.

use std::cell::RefCell;
use std::sync::{Arc, LazyLock, OnceLock};

use serde::Serialize;
use sqlx::{Connection as _, Row as _};

use super::freshness::Kept;
use super::lessons::Tx;
use super::progress_queue::Slot;
pub use super::progress_queue::{ProgressRow, ProgressWrite};
use super::users::{user_from, User, LIVE_SESSION, USER_COLUMNS};
use super::{now, Backend, Db, Row};

#[derive(Clone, Debug)]
pub struct BookmarkRow {
    pub slug: String,
    pub created_at: String,
}

/// A learner's record on one lesson's quiz.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QuizStats {
    pub attempts: i64,
    pub best_percent: Option<i64>,
    pub passed: bool,
    /// Attempts that count against the quiz's `max_attempts` (those since an admin's
    /// fresh start).
    #[serde(skip)]
    pub counted: i64,
}

/// A stored quiz attempt.
#[derive(Clone, Debug)]
pub struct AttemptRow {
    pub id: i64,
    pub slug: String,
    pub revision: i64,
    pub answers: String,
    pub results: String,
    pub score: i64,
    pub total: i64,
    pub percent: i64,
    pub passed: bool,
    pub created_at: String,
    /// Whether it counts against `max_attempts` (false after an admin's fresh start).
    pub counted: bool,
}

pub struct NewAttempt<'a> {
    pub user_id: &'a str,
    pub slug: &'a str,
    pub revision: i64,
    pub answers: &'a str,
    pub results: &'a str,
    pub score: i64,
    pub total: i64,
    pub percent: i64,
    pub passed: bool,
    pub created_at: &'a str,
    /// How each question went, for item analysis.
    pub items: Vec<AnswerItem<'a>>,
}

/// One question of an attempt: whether it was right and the choices picked.
pub struct AnswerItem<'a> {
    pub question_id: &'a str,
    pub correct: bool,
    pub picks: &'a [usize],
}

fn progress_from(row: &Row) -> Result<ProgressRow, sqlx::Error> {
    Ok(ProgressRow {
        slug: row.try_get("slug")?,
        percent: row.try_get("percent")?,
        completed_at: row.try_get("completed_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Record progress: the stored percent becomes the larger of the two; a completion stays
/// as it was. Returns the row as stored.
pub async fn upsert_progress(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    slug: &str,
    percent: i64,
    at: &str,
) -> Result<ProgressRow, sqlx::Error> {
    let row = sqlx::query(
        "INSERT INTO progress (user_id, slug, percent, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, slug) DO UPDATE SET \
         percent = CASE WHEN excluded.percent > progress.percent \
                   THEN excluded.percent ELSE progress.percent END, \
         updated_at = excluded.updated_at \
         RETURNING slug, percent, completed_at, updated_at",
    )
    .bind(user_id)
    .bind(slug)
    .bind(percent)
    .bind(at)
    .fetch_one(conn)
    .await?;
    progress_from(&row)
}

/// Complete a lesson at `at`, in the caller's transaction, keeping the first completion;
/// returns the row as stored and whether this was the learner's first completion of it.
/// The upsert holds the row until the transaction ends (a row lock on PostgreSQL, the one
/// writer on SQLite), so of concurrent first completions exactly one is the first.
pub async fn complete(
    tx: &mut Tx,
    user_id: &str,
    slug: &str,
    at: &str,
) -> Result<(ProgressRow, bool), sqlx::Error> {
    let stored = upsert_progress(tx, user_id, slug, 100, at).await?;
    if stored.completed_at.is_some() {
        return Ok((stored, false));
    }
    let row = sqlx::query(
        "UPDATE progress SET completed_at = $3 WHERE user_id = $1 AND slug = $2 \
         RETURNING slug, percent, completed_at, updated_at",
    )
    .bind(user_id)
    .bind(slug)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok((progress_from(&row)?, true))
}

pub async fn progress_of(db: &Db, user_id: &str) -> Result<Vec<ProgressRow>, sqlx::Error> {
    sqlx::query(
        "SELECT slug, percent, completed_at, updated_at FROM progress WHERE user_id = $1 \
         ORDER BY updated_at DESC, slug",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(progress_from)
    .collect()
}

pub async fn add_bookmark(
    tx: &mut Tx,
    user_id: &str,
    slug: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bookmarks (user_id, slug, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, slug) DO NOTHING",
    )
    .bind(user_id)
    .bind(slug)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Remove a bookmark; true when there was one.
pub async fn remove_bookmark(tx: &mut Tx, user_id: &str, slug: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM bookmarks WHERE user_id = $1 AND slug = $2")
        .bind(user_id)
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A user's bookmarks, newest first.
pub async fn bookmarks_of(db: &Db, user_id: &str) -> Result<Vec<BookmarkRow>, sqlx::Error> {
    sqlx::query(
        "SELECT slug, created_at FROM bookmarks WHERE user_id = $1 \
         ORDER BY created_at DESC, slug",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|row| {
        Ok(BookmarkRow {
            slug: row.try_get("slug")?,
            created_at: row.try_get("created_at")?,
        })
    })
    .collect()
}

/// Store an attempt (and, when it is the learner's first at the lesson, its outcomes for
/// item analysis); returns its id.
pub async fn insert_attempt(tx: &mut Tx, attempt: &NewAttempt<'_>) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query(
        "INSERT INTO quiz_attempts (user_id, slug, revision, answers, results, score, total, \
         percent, passed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(attempt.user_id)
    .bind(attempt.slug)
    .bind(attempt.revision)
    .bind(attempt.answers)
    .bind(attempt.results)
    .bind(attempt.score)
    .bind(attempt.total)
    .bind(attempt.percent)
    .bind(i64::from(attempt.passed))
    .bind(attempt.created_at)
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    // Only a learner's first attempt at the lesson is kept for item analysis.
    sqlx::query(
        "INSERT INTO quiz_firsts (slug, user_id, attempt_id, outcomes) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (slug, user_id) DO NOTHING",
    )
    .bind(attempt.slug)
    .bind(attempt.user_id)
    .bind(id)
    .bind(super::analytics::encode_outcomes(&attempt.items)?)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Hold the learner's row until the transaction ends, so that a learner's attempts are
/// counted and stored one at a time (PostgreSQL; a SQLite write transaction already
/// excludes every other writer).
pub async fn lock_learner(tx: &mut Tx, backend: Backend, user_id: &str) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// An admin's fresh start: the learner's attempts at the lesson's quiz stay, but no longer
/// count against `max_attempts`.
pub async fn reset_attempts(tx: &mut Tx, user_id: &str, slug: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE quiz_attempts SET counted = 0 WHERE user_id = $1 AND slug = $2")
        .bind(user_id)
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

const STATS_COLUMNS: &str = "slug, COUNT(*) AS attempts, MAX(percent) AS best_percent, \
     MAX(passed) AS passed, CAST(SUM(counted) AS BIGINT) AS counted";

fn stats_from(row: &Row) -> Result<(String, QuizStats), sqlx::Error> {
    let passed: Option<i64> = row.try_get("passed")?;
    Ok((
        row.try_get("slug")?,
        QuizStats {
            attempts: row.try_get("attempts")?,
            best_percent: row.try_get("best_percent")?,
            passed: passed == Some(1),
            counted: row.try_get::<Option<i64>, _>("counted")?.unwrap_or(0),
        },
    ))
}

/// Quiz records of every lesson the user attempted.
pub async fn quiz_stats_of(
    db: &Db,
    user_id: &str,
) -> Result<Vec<(String, QuizStats)>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {STATS_COLUMNS} FROM quiz_attempts WHERE user_id = $1 GROUP BY slug"
    ))
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(stats_from)
    .collect()
}

/// The quiz record of one lesson, read inside a write transaction (after an insert).
pub async fn quiz_stats_in(
    tx: &mut Tx,
    user_id: &str,
    slug: &str,
) -> Result<QuizStats, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {STATS_COLUMNS} FROM quiz_attempts WHERE user_id = $1 AND slug = $2 GROUP BY slug"
    ))
    .bind(user_id)
    .bind(slug)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(row) => stats_from(&row)?.1,
        None => QuizStats::default(),
    })
}

/// One reader's record of one lesson, in one query: progress (if any), whether it is
/// bookmarked, and quiz attempts.
pub async fn lesson_record(db: &Db, user_id: &str, slug: &str) -> Result<RecordRow, sqlx::Error> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let (columns, sources) = record_sql("$1", "$2");
        format!("SELECT {columns} FROM {sources}")
    });
    lesson_record_from(
        &sqlx::query(&SQL)
            .bind(user_id)
            .bind(slug)
            .fetch_one(&db.read)
            .await?,
    )
}

/// The user of a live session (as `users::by_session`) and their record of a lesson (as
/// `lesson_record`), in one query: a signed-in lesson page's one read. Each thread keeps
/// what it read while the database's version is unchanged (SQLite; see `freshness`).
pub async fn session_record(
    db: &Db,
    session_id: &str,
    user_id: &str,
    slug: &str,
) -> Result<Option<(User, RecordRow)>, sqlx::Error> {
    /// The user, their record, and when the session expires.
    type Found = Option<(User, RecordRow, String)>;
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let (columns, sources) = record_sql("$2", "$4");
        // In this order SQLite reads the attempts' aggregate as a co-routine; after the
        // session it would build a temporary table for it on every call.
        format!(
            "SELECT {USER_COLUMNS}, {columns}, s.expires_at AS session_expires_at \
             FROM {sources} CROSS JOIN {LIVE_SESSION}"
        )
    });
    thread_local! {
        static KEPT: RefCell<Kept<Found>> = RefCell::default();
    }
    fn decode(row: &Row) -> Result<(User, RecordRow, String), sqlx::Error> {
        let user = user_from(row)?;
        let record = lesson_record_from(row)?;
        Ok((user, record, row.try_get("session_expires_at")?))
    }
    let now = now();
    let read = || async {
        sqlx::query(&SQL)
            .bind(session_id)
            .bind(user_id)
            .bind(&now)
            .bind(slug)
            .fetch_optional(&db.read)
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    };
    // The version before the read: a commit that lands during it makes the next request
    // read again.
    let found = match db.version() {
        Some(version) => {
            let key = format!("{session_id}/{user_id}/{slug}");
            let cell = KEPT.with_borrow_mut(|kept| kept.cell(&key, version));
            cell.get_or_try_init(read).await?.clone()
        }
        None => read().await?,
    };
    // A session kept alive may have expired since.
    Ok(found
        .filter(|(_, _, expires)| *expires > now)
        .map(|(user, record, _)| (user, record)))
}

/// What a reader's record of a lesson is read from, given the placeholders of the user and
/// the lesson: its columns, and the sources after `FROM`. The aggregate of quiz attempts
/// has one row even with no attempts; the progress row hangs off it.
fn record_sql(user: &str, slug: &str) -> (String, String) {
    (
        format!(
            "p.slug, p.percent, p.completed_at, p.updated_at, \
             (SELECT COUNT(*) FROM bookmarks b WHERE b.user_id = {user} AND b.slug = {slug}) \
             AS bookmarks, q.attempts, q.best_percent, q.passed, q.counted"
        ),
        format!(
            "(SELECT COUNT(*) AS attempts, MAX(percent) AS best_percent, MAX(passed) AS passed, \
             CAST(SUM(counted) AS BIGINT) AS counted \
             FROM quiz_attempts WHERE user_id = {user} AND slug = {slug}) AS q \
             LEFT JOIN progress p ON p.user_id = {user} AND p.slug = {slug}"
        ),
    )
}

/// Progress (if any), whether it is bookmarked, and quiz attempts.
pub type RecordRow = (Option<ProgressRow>, bool, QuizStats);

fn lesson_record_from(row: &Row) -> Result<RecordRow, sqlx::Error> {
    let progress = match row.try_get::<Option<String>, _>("slug")? {
        Some(_) => Some(progress_from(row)?),
        None => None,
    };
    let bookmarks: i64 = row.try_get("bookmarks")?;
    let passed: Option<i64> = row.try_get("passed")?;
    let quiz = QuizStats {
        attempts: row.try_get("attempts")?,
        best_percent: row.try_get("best_percent")?,
        passed: passed == Some(1),
        counted: row.try_get::<Option<i64>, _>("counted")?.unwrap_or(0),
    };
    Ok((progress, bookmarks > 0, quiz))
}

fn attempt_from(row: &Row) -> Result<AttemptRow, sqlx::Error> {
    let passed: i64 = row.try_get("passed")?;
    Ok(AttemptRow {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        revision: row.try_get("revision")?,
        answers: row.try_get("answers")?,
        results: row.try_get("results")?,
        score: row.try_get("score")?,
        total: row.try_get("total")?,
        percent: row.try_get("percent")?,
        passed: passed == 1,
        created_at: row.try_get("created_at")?,
        counted: row.try_get::<i64, _>("counted")? == 1,
    })
}

const ATTEMPT_COLUMNS: &str =
    "id, slug, revision, answers, results, score, total, percent, passed, created_at, counted";

/// A user's attempts at one lesson's quiz, newest first.
pub async fn attempts_of(
    db: &Db,
    user_id: &str,
    slug: &str,
) -> Result<Vec<AttemptRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE user_id = $1 AND slug = $2 \
         ORDER BY id DESC"
    ))
    .bind(user_id)
    .bind(slug)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(attempt_from)
    .collect()
}

/// Every attempt of a user (for the data export), oldest first.
pub async fn all_attempts_of(db: &Db, user_id: &str) -> Result<Vec<AttemptRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM quiz_attempts WHERE user_id = $1 ORDER BY id"
    ))
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(attempt_from)
    .collect()
}

/// Record progress short of a completion (see `upsert_progress`), group-committed with
/// concurrent writers on SQLite; a transaction of its own on PostgreSQL, whose upsert needs
/// no lock up front.
pub async fn save_progress(db: &Db, write: ProgressWrite) -> Result<ProgressRow, sqlx::Error> {
    if db.backend() == Backend::Postgres {
        let mut tx = db.begin_write().await?;
        let row = upsert_progress(
            &mut tx,
            &write.user_id,
            &write.slug,
            write.percent,
            &write.at,
        )
        .await?;
        tx.commit().await?;
        return Ok(row);
    }
    let slot: Slot = Arc::new(OnceLock::new());
    db.progress_queue.push(write.clone(), Arc::clone(&slot));
    // The pool has one writer connection: holding it is holding the write lock.
    let mut conn = db.write.acquire().await?;
    if let Some(row) = slot.get() {
        return Ok(row.clone());
    }
    let mut batch = db.progress_queue.take();
    if !batch.iter().any(|(_, s)| Arc::ptr_eq(s, &slot)) {
        // Taken by a writer whose request was dropped before it committed, or whose batch
        // failed: write it here.
        batch.push((write, Arc::clone(&slot)));
    }
    let outcome = async {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let mut rows = Vec::with_capacity(batch.len());
        for (w, _) in &batch {
            rows.push(upsert_progress(&mut tx, &w.user_id, &w.slug, w.percent, &w.at).await?);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(rows)
    }
    .await;
    db.versions.bump();
    // Every row is handed out before the writer connection is released, so no writer of
    // this batch that acquires it next writes again.
    for ((_, s), row) in batch.iter().zip(outcome?) {
        let _ = s.set(row);
    }
    drop(conn);
    match slot.get() {
        Some(row) => Ok(row.clone()),
        None => Err(sqlx::Error::Protocol("progress write lost".into())),
    }
}
