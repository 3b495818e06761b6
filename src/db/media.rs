//! Lesson narrations and their bodies.

use sqlx::Row as _;

use super::{now, Db};

/// A narration as registered: its hash names its bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFile {
    pub sha256: String,
    pub bytes: u64,
    pub duration_ms: u64,
    pub preview_bytes: u64,
    pub preview_duration_ms: u64,
}

/// Which body of a narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioPart {
    Whole,
    Preview,
}

impl AudioPart {
    /// The body's name: its key in the database and its file name in the cache.
    pub fn name(self, sha256: &str) -> String {
        match self {
            AudioPart::Whole => format!("{sha256}.mp3"),
            AudioPart::Preview => format!("{sha256}.preview.mp3"),
        }
    }
}

/// Record (or replace) the narration of lesson `slug`, keeping both bodies (once per hash).
pub async fn upsert_lesson_audio(
    db: &Db,
    slug: &str,
    file_name: &str,
    audio: &AudioFile,
    whole: &[u8],
    preview: &[u8],
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for (part, body) in [(AudioPart::Whole, whole), (AudioPart::Preview, preview)] {
        let name = part.name(&audio.sha256);
        let stored = sqlx::query("SELECT 1 FROM media_blobs WHERE name = $1")
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
        if stored.is_none() {
            sqlx::query("INSERT INTO media_blobs (name, body) VALUES ($1, $2)")
                .bind(&name)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query(
        "INSERT INTO lesson_audio \
           (slug, file_name, sha256, bytes, duration_ms, preview_bytes, preview_duration_ms, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (slug) DO UPDATE SET file_name = excluded.file_name, \
           sha256 = excluded.sha256, bytes = excluded.bytes, duration_ms = excluded.duration_ms, \
           preview_bytes = excluded.preview_bytes, \
           preview_duration_ms = excluded.preview_duration_ms, updated_at = excluded.updated_at \
         WHERE lesson_audio.sha256 <> excluded.sha256 OR lesson_audio.file_name <> excluded.file_name",
    )
    .bind(slug)
    .bind(file_name)
    .bind(&audio.sha256)
    .bind(audio.bytes as i64)
    .bind(audio.duration_ms as i64)
    .bind(audio.preview_bytes as i64)
    .bind(audio.preview_duration_ms as i64)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// A stored media body by name.
pub async fn blob(db: &Db, name: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query("SELECT body FROM media_blobs WHERE name = $1")
        .bind(name)
        .fetch_optional(&db.read)
        .await?
        .map(|row| row.try_get("body"))
        .transpose()
}

/// The lessons that have a narration.
pub async fn slugs_with_audio(db: &Db) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    sqlx::query("SELECT slug FROM lesson_audio")
        .fetch_all(&db.read)
        .await?
        .iter()
        .map(|row| row.try_get("slug"))
        .collect()
}

/// The narration registered for lesson `slug`, if any.
pub async fn lesson_audio(db: &Db, slug: &str) -> Result<Option<AudioFile>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT sha256, bytes, duration_ms, preview_bytes, preview_duration_ms \
         FROM lesson_audio WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(AudioFile {
            sha256: row.try_get("sha256")?,
            bytes: row.try_get::<i64, _>("bytes")? as u64,
            duration_ms: row.try_get::<i64, _>("duration_ms")? as u64,
            preview_bytes: row.try_get::<i64, _>("preview_bytes")? as u64,
            preview_duration_ms: row.try_get::<i64, _>("preview_duration_ms")? as u64,
        })
    })
    .transpose()
}
