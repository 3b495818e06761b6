//! Certificates of completion. Rows keep the holder's name and the course title, and lose
//! only their `user_id` when the account is deleted.

use sqlx::Row as _;

use super::lessons::Tx;
use super::{Db, Row};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRow {
    pub id: String,
    pub user_id: Option<String>,
    pub course_slug: String,
    pub course_title: String,
    pub holder_name: String,
    pub issued_at: String,
}

const COLUMNS: &str = "id, user_id, course_slug, course_title, holder_name, issued_at";

fn from_row(row: &Row) -> Result<CertificateRow, sqlx::Error> {
    Ok(CertificateRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        course_slug: row.try_get("course_slug")?,
        course_title: row.try_get("course_title")?,
        holder_name: row.try_get("holder_name")?,
        issued_at: row.try_get("issued_at")?,
    })
}

/// Store a certificate unless the user already holds one for the course; returns the one
/// the user holds and whether it was created now.
pub async fn issue(
    tx: &mut Tx,
    new: &CertificateRow,
) -> Result<(CertificateRow, bool), sqlx::Error> {
    let user_id = new.user_id.as_deref().unwrap_or_default();
    let inserted = sqlx::query(
        "INSERT INTO certificates (id, user_id, course_slug, course_title, holder_name, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, course_slug) DO NOTHING",
    )
    .bind(&new.id)
    .bind(user_id)
    .bind(&new.course_slug)
    .bind(&new.course_title)
    .bind(&new.holder_name)
    .bind(&new.issued_at)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        > 0;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 AND course_slug = $2"
    ))
    .bind(user_id)
    .bind(&new.course_slug)
    .fetch_one(&mut **tx)
    .await?;
    Ok((from_row(&row)?, inserted))
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<CertificateRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM certificates WHERE id = $1"))
        .bind(id)
        .fetch_optional(&db.read)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_user_course(
    db: &Db,
    user_id: &str,
    course_slug: &str,
) -> Result<Option<CertificateRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 AND course_slug = $2"
    ))
    .bind(user_id)
    .bind(course_slug)
    .fetch_optional(&db.read)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// A user's certificates, newest first.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM certificates WHERE user_id = $1 ORDER BY issued_at DESC, id"
    ))
    .bind(user_id)
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(from_row)
    .collect()
}
