//! Courses, lessons and lesson revisions.

use sqlx::Row as _;

use super::{now, Db, Row};

pub type Tx = super::WriteTx;

/// A course as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseRow {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub position: i64,
}

/// A lesson's publication state, as the `lessons.status` column holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = LessonStatus)]
pub enum Status {
    Draft,
    Published,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
        }
    }

    /// A stored status; anything else is a decode error, not a silent draft.
    pub(crate) fn decode(row: &Row, column: &str) -> Result<Status, sqlx::Error> {
        let stored: String = row.try_get(column)?;
        match stored.as_str() {
            "draft" => Ok(Status::Draft),
            "published" => Ok(Status::Published),
            other => Err(sqlx::Error::ColumnDecode {
                index: column.to_owned(),
                source: format!("unknown lesson status {other:?}").into(),
            }),
        }
    }
}

/// What the importer needs to know about an existing lesson.
#[derive(Debug, Clone)]
pub struct LessonHead {
    pub status: Status,
    pub revision: i64,
    pub source_path: Option<String>,
    pub imported_source: Option<String>,
}

/// The current revision of a lesson, as the catalog loads it.
#[derive(Debug, Clone)]
pub struct CurrentLesson {
    pub slug: String,
    pub status: Status,
    pub revision: i64,
    pub source: String,
    pub rendered: String,
    pub render_version: i64,
}

/// A new revision to store.
pub struct NewRevision<'a> {
    pub slug: &'a str,
    pub course: &'a str,
    pub position: i64,
    pub source: &'a str,
    pub rendered: &'a str,
    pub render_version: i64,
    pub author: &'a str,
}

fn course_from(row: &Row) -> Result<CourseRow, sqlx::Error> {
    Ok(CourseRow {
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        position: row.try_get("position")?,
    })
}

pub async fn courses(db: &Db) -> Result<Vec<CourseRow>, sqlx::Error> {
    sqlx::query("SELECT slug, title, summary, position FROM courses ORDER BY position, slug")
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(course_from)
        .collect()
}

pub async fn find_course(tx: &mut Tx, slug: &str) -> Result<Option<CourseRow>, sqlx::Error> {
    sqlx::query("SELECT slug, title, summary, position FROM courses WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(course_from)
        .transpose()
}

/// Create or change a course; true when anything changed.
pub async fn upsert_course(tx: &mut Tx, course: &CourseRow) -> Result<bool, sqlx::Error> {
    if find_course(tx, &course.slug).await?.as_ref() == Some(course) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO courses (slug, title, summary, position, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, summary = excluded.summary, \
         position = excluded.position, updated_at = excluded.updated_at",
    )
    .bind(&course.slug)
    .bind(&course.title)
    .bind(&course.summary)
    .bind(course.position)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Every course's glossary source, by course slug (courses without one are left out).
pub async fn glossaries(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query("SELECT slug, glossary FROM courses WHERE glossary IS NOT NULL")
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("slug")?, row.try_get("glossary")?)))
        .collect()
}

/// Set or remove a course's glossary; true when it changed.
pub async fn set_glossary(
    tx: &mut Tx,
    slug: &str,
    glossary: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let stored: Option<String> = sqlx::query("SELECT glossary FROM courses WHERE slug = $1")
        .bind(slug)
        .fetch_one(&mut **tx)
        .await?
        .try_get("glossary")?;
    if stored.as_deref() == glossary {
        return Ok(false);
    }
    sqlx::query("UPDATE courses SET glossary = $1, updated_at = $2 WHERE slug = $3")
        .bind(glossary)
        .bind(now())
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

pub async fn lesson_head(tx: &mut Tx, slug: &str) -> Result<Option<LessonHead>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT status, revision, source_path, imported_source FROM lessons WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(LessonHead {
            status: Status::decode(&row, "status")?,
            revision: row.try_get("revision")?,
            source_path: row.try_get("source_path")?,
            imported_source: row.try_get("imported_source")?,
        })
    })
    .transpose()
}

/// Whether the lesson `slug` was imported from `source_path` with exactly `source` (a read
/// outside any transaction: the import checks it again when it stores).
pub async fn imported_unchanged(
    db: &Db,
    slug: &str,
    source_path: &str,
    source: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM lessons \
         WHERE slug = $1 AND source_path = $2 AND imported_source = $3",
    )
    .bind(slug)
    .bind(source_path)
    .bind(source)
    .fetch_optional(&db.read)
    .await?
    .is_some())
}

/// Insert a lesson with its first revision.
pub async fn insert_lesson(
    tx: &mut Tx,
    revision: &NewRevision<'_>,
    status: Status,
    source_path: Option<&str>,
) -> Result<(), sqlx::Error> {
    let at = now();
    sqlx::query(
        "INSERT INTO lessons (slug, course, position, status, revision, source_path, imported_source, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $7)",
    )
    .bind(revision.slug)
    .bind(revision.course)
    .bind(revision.position)
    .bind(status.id())
    .bind(source_path)
    .bind(source_path.map(|_| revision.source))
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    insert_revision(tx, revision, 1, &at).await
}

/// Add a revision to an existing lesson and make it current; returns its number.
/// `imported` is true when the revision comes from the lesson's content file.
pub async fn add_revision(
    tx: &mut Tx,
    revision: &NewRevision<'_>,
    imported: bool,
) -> Result<i64, sqlx::Error> {
    let at = now();
    let number: i64 = sqlx::query(
        "UPDATE lessons SET revision = revision + 1, course = $1, position = $2, updated_at = $3 \
         WHERE slug = $4 RETURNING revision",
    )
    .bind(revision.course)
    .bind(revision.position)
    .bind(&at)
    .bind(revision.slug)
    .fetch_one(&mut **tx)
    .await?
    .try_get("revision")?;
    if imported {
        sqlx::query("UPDATE lessons SET imported_source = $1 WHERE slug = $2")
            .bind(revision.source)
            .bind(revision.slug)
            .execute(&mut **tx)
            .await?;
    }
    insert_revision(tx, revision, number, &at).await?;
    Ok(number)
}

async fn insert_revision(
    tx: &mut Tx,
    revision: &NewRevision<'_>,
    number: i64,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO lesson_revisions (slug, revision, source, rendered, render_version, author, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(revision.slug)
    .bind(number)
    .bind(revision.source)
    .bind(revision.rendered)
    .bind(revision.render_version)
    .bind(revision.author)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every lesson at its current revision, drafts included.
pub async fn current_lessons(db: &Db) -> Result<Vec<CurrentLesson>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.slug, l.status, l.revision, r.source, r.rendered, r.render_version \
         FROM lessons l JOIN lesson_revisions r ON r.slug = l.slug AND r.revision = l.revision \
         ORDER BY l.course, l.position, l.slug",
    )
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CurrentLesson {
                slug: row.try_get("slug")?,
                status: Status::decode(row, "status")?,
                revision: row.try_get("revision")?,
                source: row.try_get("source")?,
                rendered: row.try_get("rendered")?,
                render_version: row.try_get("render_version")?,
            })
        })
        .collect()
}

/// Replace a stored render made by an older renderer.
pub async fn store_render(
    db: &Db,
    slug: &str,
    revision: i64,
    rendered: &str,
    render_version: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE lesson_revisions SET rendered = $1, render_version = $2 WHERE slug = $3 AND revision = $4",
    )
    .bind(rendered)
    .bind(render_version)
    .bind(slug)
    .bind(revision)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The catalog's generation: it grows with every change readers can see.
pub async fn generation(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT value FROM site_state WHERE key = 'catalog_generation'")
        .fetch_one(&db.read)
        .await?
        .try_get("value")
}

pub async fn bump_generation(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE site_state SET value = value + 1 WHERE key = 'catalog_generation'")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
