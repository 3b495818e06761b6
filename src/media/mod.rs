//! Lesson media: narrations registered at import (stored in the data folder by content
//! hash, with their 30-second preview cut on a frame boundary) and served with ranges,
//! ETags and conditional requests.
//!
//! Files are named by the SHA-256 of the MP3, so importing the same content twice, or on
//! several instances sharing a data folder, writes nothing new.

pub mod mp3;
pub mod pdf;
pub mod range;

use std::path::{Path, PathBuf};

use actix_web::http::header::{self, ContentEncoding};
use actix_web::{HttpRequest, HttpResponse};
use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::plans::AUDIO_PREVIEW_SECONDS;
use range::RangeAnswer;

/// A narration as registered: its hash names its files in the data folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioFile {
    pub sha256: String,
    pub bytes: u64,
    pub duration_ms: u64,
    pub preview_bytes: u64,
    pub preview_duration_ms: u64,
}

/// Where narrations live: `<data dir>/media/audio`.
pub fn audio_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("media").join("audio")
}

/// The whole narration's file.
pub fn full_path(data_dir: &Path, sha256: &str) -> PathBuf {
    audio_dir(data_dir).join(format!("{sha256}.mp3"))
}

/// The preview's file.
pub fn preview_path(data_dir: &Path, sha256: &str) -> PathBuf {
    audio_dir(data_dir).join(format!("{sha256}.preview.mp3"))
}

/// Measure `mp3`, cut its preview, and store both under the data folder (idempotent).
pub fn store_audio(data_dir: &Path, mp3: &[u8]) -> anyhow::Result<AudioFile> {
    let frames = mp3::frames(mp3);
    anyhow::ensure!(!frames.is_empty(), "not an MP3 file (no MPEG audio frames)");
    let sha256 = hex::encode(Sha256::digest(mp3));
    let preview = mp3::preview(mp3, AUDIO_PREVIEW_SECONDS);
    let dir = audio_dir(data_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    write_once(&full_path(data_dir, &sha256), mp3)?;
    write_once(&preview_path(data_dir, &sha256), &preview)?;
    Ok(AudioFile {
        duration_ms: mp3::duration_ms(mp3),
        preview_duration_ms: mp3::duration_ms(&preview),
        bytes: mp3.len() as u64,
        preview_bytes: preview.len() as u64,
        sha256,
    })
}

/// Bumped whenever PDF rendering changes, so cached PDFs are made again.
pub const PDF_VERSION: u32 = 2;

/// A lesson PDF's cache file: one per revision and variant (whole, or cut at the marker).
pub fn pdf_cache_path(data_dir: &Path, slug: &str, revision: i64, whole: bool) -> PathBuf {
    let variant = if whole { "full" } else { "teaser" };
    data_dir
        .join("cache")
        .join("pdf")
        .join(format!("{slug}-r{revision}-{variant}-v{PDF_VERSION}.pdf"))
}

/// A certificate PDF's cache file, named by its ETag.
pub fn certificate_cache_path(data_dir: &Path, etag: &str) -> PathBuf {
    data_dir
        .join("cache")
        .join("certificates")
        .join(format!("{etag}.pdf"))
}

/// Keep a made PDF at its cache path (creating the cache folder).
pub fn cache_pdf(path: &Path, pdf: &[u8]) -> anyhow::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("could not create {}", folder.display()))?;
    }
    write_once(path, pdf)
}

/// Write `bytes` to `path` unless a file of that length is already there; through a
/// temporary file and a rename, so a reader never meets half a file.
pub fn write_once(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64) {
        return Ok(());
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, bytes).with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}

/// Answer a GET for a media body: `Accept-Ranges`, a strong `ETag`, `If-None-Match` (304),
/// `If-Range`, one `Range` (206) or an unsatisfiable one (416 with `bytes */LEN`).
pub fn respond(
    req: &HttpRequest,
    body: Vec<u8>,
    etag: &str,
    content_type: &str,
    disposition: &str,
) -> HttpResponse {
    let etag = format!("\"{etag}\"");
    let len = body.len() as u64;
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let matches = |value: &str| {
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    };
    let mut response = if header_str(header::IF_NONE_MATCH).is_some_and(matches) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if header_str(header::IF_NONE_MATCH).is_some_and(matches) {
        return response.finish();
    }
    // `If-Range` with another validator: the file changed, send it whole.
    let range = match header_str(header::IF_RANGE) {
        Some(validator) if validator.trim() != etag => None,
        _ => header_str(header::RANGE),
    };
    response
        .insert_header(ContentEncoding::Identity)
        .insert_header((header::CONTENT_DISPOSITION, disposition.to_owned()))
        .content_type(content_type.to_owned());
    match range::answer(range, len) {
        RangeAnswer::Full => response.body(body),
        RangeAnswer::Partial { start, end } => {
            response
                .status(actix_web::http::StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            let mut body = body;
            body.truncate(end as usize + 1);
            body.drain(..start as usize);
            response.body(body)
        }
        RangeAnswer::Unsatisfiable => response
            .status(actix_web::http::StatusCode::RANGE_NOT_SATISFIABLE)
            .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
            .finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storing_is_idempotent_and_named_by_hash() {
        let data = tempfile::tempdir().unwrap();
        let mp3 = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/ai-foundations/02-tokens-and-embeddings.mp3"
        ))
        .unwrap();
        let first = store_audio(data.path(), &mp3).unwrap();
        let again = store_audio(data.path(), &mp3).unwrap();
        assert_eq!(first, again);
        assert_eq!(
            std::fs::read(full_path(data.path(), &first.sha256)).unwrap(),
            mp3
        );
        let preview = std::fs::read(preview_path(data.path(), &first.sha256)).unwrap();
        assert_eq!(preview.len() as u64, first.preview_bytes);
        assert!(first.preview_duration_ms <= 30_000 && first.duration_ms > 60_000);
        assert_eq!(
            std::fs::read_dir(audio_dir(data.path())).unwrap().count(),
            2
        );
        assert!(store_audio(data.path(), b"not audio at all").is_err());
    }
}
