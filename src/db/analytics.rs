//! A lesson's reading funnel, quiz totals and first attempts (for item analysis), and a
//! course's gradebook rows (API.md section 15): SQL aggregates and streams on both
//! backends, so nothing loads every attempt.

use futures_util::TryStreamExt as _;
use sqlx::Row as _;

use super::learning::AnswerItem;
use super::{Db, Row};

/// Readers of a lesson and how far they got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    pub readers: i64,
    pub completed: i64,
    /// Readers who reached at least 25, 50, 75 and 100 percent.
    pub reached: [i64; 4],
}

pub const FUNNEL_STEPS: [i64; 4] = [25, 50, 75, 100];

pub async fn reading(db: &Db, slug: &str) -> Result<Reading, sqlx::Error> {
    let reached: Vec<String> = FUNNEL_STEPS
        .iter()
        .map(|p| format!("CAST(COALESCE(SUM(CASE WHEN percent >= {p} THEN 1 ELSE 0 END), 0) AS BIGINT) AS p{p}"))
        .collect();
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS readers, \
         CAST(COALESCE(SUM(CASE WHEN completed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS completed, {} FROM progress WHERE slug = $1",
        reached.join(", ")
    ))
    .bind(slug)
    .fetch_one(&db.read)
    .await?;
    let mut reading = Reading {
        readers: row.try_get("readers")?,
        completed: row.try_get("completed")?,
        reached: [0; 4],
    };
    for (slot, p) in reading.reached.iter_mut().zip(FUNNEL_STEPS) {
        *slot = row.try_get(format!("p{p}").as_str())?;
    }
    Ok(reading)
}

/// A lesson's quiz over all attempts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuizTotals {
    pub learners: i64,
    pub attempts: i64,
    /// Learners with at least one passing attempt.
    pub passed_learners: i64,
    /// The mean percent of all attempts; `None` without attempts.
    pub mean_percent: Option<f64>,
}

pub async fn quiz_totals(db: &Db, slug: &str) -> Result<QuizTotals, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT user_id) AS learners, COUNT(*) AS attempts, \
         COUNT(DISTINCT CASE WHEN passed = 1 THEN user_id END) AS passed_learners, \
         CAST(AVG(percent) AS DOUBLE PRECISION) AS mean_percent \
         FROM quiz_attempts WHERE slug = $1",
    )
    .bind(slug)
    .fetch_one(&db.read)
    .await?;
    Ok(QuizTotals {
        learners: row.try_get("learners")?,
        attempts: row.try_get("attempts")?,
        passed_learners: row.try_get("passed_learners")?,
        mean_percent: row.try_get("mean_percent")?,
    })
}

/// One question of a learner's first attempt at a lesson, as `quiz_firsts` keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub question_id: String,
    pub correct: bool,
    /// The choices picked (none for a number or token-count question).
    pub picks: Vec<usize>,
}

/// The stored form of an attempt's outcomes: `[[question id, right, [picks]], …]`.
type Stored<Id, Picks> = Vec<(Id, bool, Picks)>;

/// `quiz_firsts.outcomes` for an attempt's items.
pub fn encode_outcomes(items: &[AnswerItem]) -> Result<String, sqlx::Error> {
    let stored: Stored<&str, &[usize]> = items
        .iter()
        .map(|item| (item.question_id, item.correct, item.picks))
        .collect();
    serde_json::to_string(&stored).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn decode_outcomes(text: &str) -> Result<Vec<Outcome>, sqlx::Error> {
    let stored: Stored<String, Vec<usize>> =
        serde_json::from_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(stored
        .into_iter()
        .map(|(question_id, correct, picks)| Outcome {
            question_id,
            correct,
            picks,
        })
        .collect())
}

/// Every learner's first attempt at the lesson `slug` (on any revision), streamed into
/// `each` one attempt at a time.
pub async fn each_first_attempt(
    db: &Db,
    slug: &str,
    mut each: impl FnMut(Vec<Outcome>),
) -> Result<(), sqlx::Error> {
    let mut rows = sqlx::query("SELECT outcomes FROM quiz_firsts WHERE slug = $1")
        .bind(slug)
        .fetch(&db.read);
    while let Some(row) = rows.try_next().await? {
        each(decode_outcomes(row.try_get("outcomes")?)?);
    }
    Ok(())
}

/// One learner's record of one lesson of a course, for the gradebook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub plan: String,
    pub slug: String,
    pub percent: Option<i64>,
    pub best_percent: Option<i64>,
    pub passed: Option<bool>,
}

fn grade_from(row: &Row) -> Result<GradeRow, sqlx::Error> {
    let passed: Option<i64> = row.try_get("passed")?;
    Ok(GradeRow {
        user_id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        plan: row.try_get("plan")?,
        slug: row.try_get("slug")?,
        percent: row.try_get("percent")?,
        best_percent: row.try_get("best")?,
        passed: passed.map(|p| p == 1),
    })
}

/// `$1, $2, …` for `count` values.
fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every learner's records of the lessons `slugs` (those with progress or an attempt),
/// one learner's rows together, learners in the order they signed up: streamed from the
/// database into `each`, which answers whether to go on.
pub async fn each_grade_row<F, Fut>(
    db: &Db,
    slugs: &[String],
    mut each: F,
) -> Result<(), sqlx::Error>
where
    F: FnMut(GradeRow) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    if slugs.is_empty() {
        return Ok(());
    }
    let list = placeholders(slugs.len());
    let sql = format!(
        "WITH keys AS (SELECT user_id, slug FROM progress WHERE slug IN ({list}) \
         UNION SELECT user_id, slug FROM quiz_attempts WHERE slug IN ({list})), \
         q AS (SELECT user_id, slug, MAX(percent) AS best, MAX(passed) AS passed \
         FROM quiz_attempts WHERE slug IN ({list}) GROUP BY user_id, slug) \
         SELECT u.id, u.name, u.email, u.plan, k.slug, p.percent, q.best, q.passed \
         FROM keys k JOIN users u ON u.id = k.user_id \
         LEFT JOIN progress p ON p.user_id = k.user_id AND p.slug = k.slug \
         LEFT JOIN q ON q.user_id = k.user_id AND q.slug = k.slug \
         ORDER BY u.created_at, u.id"
    );
    let mut query = sqlx::query(&sql);
    for slug in slugs {
        query = query.bind(slug.as_str());
    }
    let mut rows = query.fetch(&db.read);
    while let Some(row) = rows.try_next().await? {
        if !each(grade_from(&row)?).await {
            break;
        }
    }
    Ok(())
}

/// A learner who has used every counted attempt at a lesson's quiz without passing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedOut {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub attempts: i64,
}

/// Learners with at least `max_attempts` counted attempts and no pass, most recent first
/// (at most `limit`).
pub async fn locked_out(
    db: &Db,
    slug: &str,
    max_attempts: i64,
    limit: i64,
) -> Result<Vec<LockedOut>, sqlx::Error> {
    sqlx::query(
        "SELECT u.id, u.name, u.email, COUNT(*) AS attempts FROM quiz_attempts a \
         JOIN users u ON u.id = a.user_id WHERE a.slug = $1 AND a.counted = 1 \
         GROUP BY u.id, u.name, u.email HAVING COUNT(*) >= $2 AND MAX(a.passed) = 0 \
         ORDER BY MAX(a.id) DESC LIMIT $3",
    )
    .bind(slug)
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|row| {
        Ok(LockedOut {
            user_id: row.try_get("id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            attempts: row.try_get("attempts")?,
        })
    })
    .collect()
}
