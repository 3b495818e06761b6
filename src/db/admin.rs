//! What the admin reads and changes beyond imports: lesson status, deletion, revisions,
//! user search and the record of plan changes.

use sqlx::Row as _;

use super::lessons::{Status, Tx};
use super::users::{user_from, User, USER_COLUMNS};
use super::{now, Db, Row};
use crate::plans::Plan;

/// A lesson as the admin table lists it.
#[derive(Debug, Clone)]
pub struct LessonRow {
    pub slug: String,
    pub status: Status,
    pub revision: i64,
    pub source_path: Option<String>,
    pub updated_at: String,
}

/// One revision's metadata.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionInfo {
    pub revision: i64,
    pub created_at: String,
    pub author: String,
}

/// One revision with its source.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RevisionSource {
    pub revision: i64,
    pub created_at: String,
    pub author: String,
    pub source: String,
}

const LESSON_COLUMNS: &str = "slug, status, revision, source_path, updated_at";

fn lesson_row_from(row: &Row) -> Result<LessonRow, sqlx::Error> {
    Ok(LessonRow {
        slug: row.try_get("slug")?,
        status: Status::decode(row, "status")?,
        revision: row.try_get("revision")?,
        source_path: row.try_get("source_path")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn lesson_rows(db: &Db) -> Result<Vec<LessonRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {LESSON_COLUMNS} FROM lessons ORDER BY course, position, slug"
    ))
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(lesson_row_from)
    .collect()
}

pub async fn lesson_row(db: &Db, slug: &str) -> Result<Option<LessonRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {LESSON_COLUMNS} FROM lessons WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(&db.read)
    .await?
    .as_ref()
    .map(lesson_row_from)
    .transpose()
}

/// Set a lesson's status; false when there is no such lesson.
pub async fn set_status(tx: &mut Tx, slug: &str, status: Status) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE lessons SET status = $1, updated_at = $2 WHERE slug = $3")
        .bind(status.id())
        .bind(now())
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Delete a lesson and its revisions; false when there is no such lesson.
/// Progress, attempts and certificates name lessons by slug without a foreign key, so
/// they are kept.
pub async fn delete_lesson(tx: &mut Tx, slug: &str) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM lesson_revisions WHERE slug = $1")
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query("DELETE FROM lessons WHERE slug = $1")
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// A lesson's revisions, newest first.
pub async fn revisions(db: &Db, slug: &str) -> Result<Vec<RevisionInfo>, sqlx::Error> {
    sqlx::query(
        "SELECT revision, created_at, author FROM lesson_revisions WHERE slug = $1 \
         ORDER BY revision DESC",
    )
    .bind(slug)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|row| {
        Ok(RevisionInfo {
            revision: row.try_get("revision")?,
            created_at: row.try_get("created_at")?,
            author: row.try_get("author")?,
        })
    })
    .collect()
}

pub async fn revision(
    db: &Db,
    slug: &str,
    revision: i64,
) -> Result<Option<RevisionSource>, sqlx::Error> {
    sqlx::query(
        "SELECT revision, created_at, author, source FROM lesson_revisions \
         WHERE slug = $1 AND revision = $2",
    )
    .bind(slug)
    .bind(revision)
    .fetch_optional(&db.read)
    .await?
    .map(|row| {
        Ok(RevisionSource {
            revision: row.try_get("revision")?,
            created_at: row.try_get("created_at")?,
            author: row.try_get("author")?,
            source: row.try_get("source")?,
        })
    })
    .transpose()
}

/// The next free course position.
pub async fn next_course_position(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    let max: Option<i64> = sqlx::query("SELECT MAX(position) AS m FROM courses")
        .fetch_one(&mut **tx)
        .await?
        .try_get("m")?;
    Ok(max.unwrap_or(0) + 1)
}

/// Users whose name or email contains `query` (case-insensitive), at most `limit`.
pub async fn search_users(db: &Db, query: &str, limit: i64) -> Result<Vec<User>, sqlx::Error> {
    let escaped: String = query
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u \
         WHERE LOWER(u.email) LIKE $1 ESCAPE '\\' OR LOWER(u.name) LIKE $1 ESCAPE '\\' \
         ORDER BY u.email LIMIT $2"
    ))
    .bind(pattern)
    .bind(limit)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(user_from)
    .collect()
}

pub async fn record_plan_change(
    tx: &mut Tx,
    user_id: &str,
    from: Plan,
    to: Plan,
    author: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO plan_changes (user_id, from_plan, to_plan, author, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(from.id())
    .bind(to.id())
    .bind(author)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A user's plan changes, newest first: `(from, to, author, created_at)`.
pub async fn plan_changes(
    db: &Db,
    user_id: &str,
) -> Result<Vec<(String, String, String, String)>, sqlx::Error> {
    sqlx::query(
        "SELECT from_plan, to_plan, author, created_at FROM plan_changes WHERE user_id = $1 \
         ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(|row| {
        Ok((
            row.try_get("from_plan")?,
            row.try_get("to_plan")?,
            row.try_get("author")?,
            row.try_get("created_at")?,
        ))
    })
    .collect()
}
