//! Lesson figures: which stored image each path of a lesson names. Their bodies are media
//! blobs named `<sha256>.<ext>`, kept once however many lessons show them.

use sqlx::Row as _;

use super::{now, Db, Row, WriteTx};

/// A figure as stored: its hash (which names its body), kind and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureRow {
    pub sha256: String,
    /// `png`, `jpeg`, `webp`, `gif` or `svg`.
    pub kind: String,
    pub width: i64,
    pub height: i64,
}

/// Record `figure` as the one lesson `slug` names `path`, keeping its `body` once under
/// `blob_name`; true when this changed what the lesson shows.
pub async fn put(
    tx: &mut WriteTx,
    slug: &str,
    path: &str,
    blob_name: &str,
    figure: &FigureRow,
    body: &[u8],
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query("SELECT 1 FROM media_blobs WHERE name = $1")
        .bind(blob_name)
        .fetch_optional(&mut **tx)
        .await?;
    if stored.is_none() {
        sqlx::query("INSERT INTO media_blobs (name, body) VALUES ($1, $2)")
            .bind(blob_name)
            .bind(body)
            .execute(&mut **tx)
            .await?;
    }
    let changed = sqlx::query(
        "INSERT INTO lesson_figures (slug, path, sha256, kind, width, height, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (slug, path) DO UPDATE SET sha256 = excluded.sha256, kind = excluded.kind, \
           width = excluded.width, height = excluded.height, updated_at = excluded.updated_at \
         WHERE lesson_figures.sha256 <> excluded.sha256",
    )
    .bind(slug)
    .bind(path)
    .bind(&figure.sha256)
    .bind(&figure.kind)
    .bind(figure.width)
    .bind(figure.height)
    .bind(now())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

fn figure_from(row: &Row) -> Result<(String, FigureRow), sqlx::Error> {
    let figure = FigureRow {
        sha256: row.try_get("sha256")?,
        kind: row.try_get("kind")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
    };
    Ok((row.try_get("path")?, figure))
}

/// The figures of lesson `slug`, with the paths it names them by.
pub async fn of_lesson(db: &Db, slug: &str) -> Result<Vec<(String, FigureRow)>, sqlx::Error> {
    sqlx::query("SELECT path, sha256, kind, width, height FROM lesson_figures WHERE slug = $1")
        .bind(slug)
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(figure_from)
        .collect()
}

/// Make every stored render of lesson `slug` stale, so the catalog renders it again with
/// the figures it names now.
pub async fn forget_renders(tx: &mut WriteTx, slug: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE lesson_revisions SET render_version = 0 WHERE slug = $1")
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
