//! Lesson media: narrations registered at import or upload (kept in the database by
//! content hash, with their 30-second preview cut on a frame boundary) and served with
//! ranges, ETags and conditional requests.
//!
//! Bodies are named by the SHA-256 of the MP3, so importing the same content twice writes
//! nothing new. Every instance sharing the database can serve them: each keeps a file cache
//! under `<data dir>/media/audio`, filled from the database on first use (off the async
//! threads) and safe to lose; a range is read from that file alone, not the whole body.

pub mod lesson_pdf;
pub mod mp3;
pub mod pdf;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

pub use crate::db::media::{AudioFile, AudioPart};
use crate::db::{self, Db};
use crate::error::AppError;
use crate::plans::AUDIO_PREVIEW_SECONDS;

/// This instance's cache of narration bodies: `<data dir>/media/audio`.
pub fn audio_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("media").join("audio")
}

/// A narration ready to be registered: its measures, the whole MP3 and its preview.
pub struct Narration {
    pub audio: AudioFile,
    pub mp3: Vec<u8>,
    pub preview: Vec<u8>,
}

impl Narration {
    /// Measure `mp3` and cut its preview on a frame boundary.
    pub fn cut(mp3: Vec<u8>) -> anyhow::Result<Narration> {
        let frames = mp3::frames(&mp3);
        anyhow::ensure!(!frames.is_empty(), "not an MP3 file (no MPEG audio frames)");
        let sha256 = hex::encode(Sha256::digest(&mp3));
        let preview = mp3::preview(&mp3, AUDIO_PREVIEW_SECONDS);
        let audio = AudioFile {
            duration_ms: mp3::duration_ms(&mp3),
            preview_duration_ms: mp3::duration_ms(&preview),
            bytes: mp3.len() as u64,
            preview_bytes: preview.len() as u64,
            sha256,
        };
        Ok(Narration {
            audio,
            mp3,
            preview,
        })
    }
}

/// Keep both bodies of `narration` in the database and record it as the narration of
/// lesson `slug`, then warm this instance's file cache.
pub async fn register_audio(
    db: &Db,
    data_dir: &Path,
    slug: &str,
    file_name: &str,
    narration: Narration,
) -> Result<AudioFile, sqlx::Error> {
    db::media::upsert_lesson_audio(
        db,
        slug,
        file_name,
        &narration.audio,
        &narration.mp3,
        &narration.preview,
    )
    .await?;
    let Narration {
        audio,
        mp3,
        preview,
    } = narration;
    let (dir, sha256) = (audio_dir(data_dir), audio.sha256.clone());
    let cached = tokio::task::spawn_blocking(move || {
        for (part, body) in [(AudioPart::Whole, mp3), (AudioPart::Preview, preview)] {
            if let Err(error) = cache_file(&dir, &part.name(&sha256), &body) {
                tracing::warn!("could not cache a narration body: {error:#}");
            }
        }
    })
    .await;
    if let Err(error) = cached {
        tracing::warn!("could not cache a narration body: {error}");
    }
    Ok(audio)
}

/// A narration body, ready to be served.
#[derive(Debug)]
pub enum AudioBody {
    /// This instance's cache file, opened, and its length: read only what is asked.
    Cached { file: tokio::fs::File, len: u64 },
    /// The bytes from the database, when the cache file cannot be written.
    Loaded(Vec<u8>),
}

/// A narration body: this instance's cache file, filled from the database (off the async
/// threads) when missing; the database's bytes when it cannot be written (with a warning).
/// `None` when the database has no such body.
pub async fn audio_body(
    db: &Db,
    data_dir: &Path,
    sha256: &str,
    part: AudioPart,
) -> Result<Option<AudioBody>, AppError> {
    let name = part.name(sha256);
    let dir = audio_dir(data_dir);
    let path = dir.join(&name);
    if let Some(cached) = open_cached(&path).await {
        return Ok(Some(cached));
    }
    let Some(body) = db::media::blob(db, &name).await? else {
        return Ok(None);
    };
    let (written, body) =
        tokio::task::spawn_blocking(move || (cache_file(&dir, &name, &body), body))
            .await
            .map_err(AppError::internal)?;
    if let Err(error) = written {
        tracing::warn!("could not cache a narration body: {error:#}");
        return Ok(Some(AudioBody::Loaded(body)));
    }
    // The file is written; should it be gone already, the bytes are at hand.
    Ok(Some(
        open_cached(&path).await.unwrap_or(AudioBody::Loaded(body)),
    ))
}

/// The cache file at `path`, opened, if there is one.
async fn open_cached(path: &Path) -> Option<AudioBody> {
    let file = tokio::fs::File::open(path).await.ok()?;
    let meta = file.metadata().await.ok()?;
    meta.is_file().then(|| AudioBody::Cached {
        file,
        len: meta.len(),
    })
}

/// Write a body into the cache folder `dir` (creating it) as `dir/<name>`.
fn cache_file(dir: &Path, name: &str, body: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    write_once(&dir.join(name), body)
}

/// Bumped whenever PDF rendering changes, so cached PDFs are made again.
pub const PDF_VERSION: u32 = 3;

/// A certificate PDF's cache file, named by its ETag.
pub fn certificate_cache_path(data_dir: &Path, etag: &str) -> PathBuf {
    data_dir
        .join("cache")
        .join("certificates")
        .join(format!("{etag}.pdf"))
}

/// PDFs being typeset now, by cache path: the requests that miss one at the same moment
/// wait for the one job instead of each typesetting it.
static TYPESETTING: LazyLock<Mutex<HashMap<PathBuf, Job>>> = LazyLock::new(Mutex::default);

type Job = Arc<OnceCell<Arc<[u8]>>>;

fn typesetting() -> MutexGuard<'static, HashMap<PathBuf, Job>> {
    TYPESETTING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The PDF kept at `path`, or one typeset now by `typeset` (off the async threads, once
/// however many ask at the same moment) and kept there; a PDF that cannot be kept is still
/// served, with a warning.
pub async fn cached_pdf(
    path: PathBuf,
    typeset: impl FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    if let Some(body) = kept_pdf(&path).await {
        return Ok(body);
    }
    let job = Arc::clone(typesetting().entry(path.clone()).or_default());
    let made = job
        .get_or_try_init(|| {
            let path = path.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    let pdf = typeset()?;
                    if let Err(error) = cache_pdf(&path, &pdf) {
                        tracing::warn!("could not keep the PDF {}: {error:#}", path.display());
                    }
                    anyhow::Ok(Arc::<[u8]>::from(pdf))
                })
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)
            }
        })
        .await
        .map(|pdf| pdf.to_vec());
    // The job is done, or failed (and the next request tries again): let it go.
    let mut jobs = typesetting();
    if jobs.get(&path).is_some_and(|kept| Arc::ptr_eq(kept, &job)) {
        jobs.remove(&path);
    }
    made
}

/// The PDF made before and kept at `path`, if there is one.
pub async fn kept_pdf(path: &Path) -> Option<Vec<u8>> {
    tokio::fs::read(path).await.ok()
}

/// Keep a made PDF at its cache path (creating the cache folder).
fn cache_pdf(path: &Path, pdf: &[u8]) -> anyhow::Result<()> {
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
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("could not write {}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .with_context(|| format!("could not write {}", path.display()))
        });
    if written.is_err() {
        // A full disk leaves no half-written file behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pdf_asked_for_many_times_at_once_is_typeset_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache").join("one.pdf");
        let typeset_count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let released = Arc::new(Mutex::new(released));
        let asks: Vec<_> = (0..8)
            .map(|_| {
                let (path, count, released) = (
                    path.clone(),
                    Arc::clone(&typeset_count),
                    Arc::clone(&released),
                );
                tokio::spawn(cached_pdf(path, move || {
                    count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // Typesetting lasts until every request is waiting for it.
                    released.lock().unwrap().recv().unwrap();
                    Ok(b"%PDF-1.7 made once".to_vec())
                }))
            })
            .collect();
        let waiting = || {
            typesetting()
                .get(&path)
                .map_or(0, |job| Arc::strong_count(job) - 1)
        };
        let all_wait = async {
            while waiting() < asks.len() {
                tokio::task::yield_now().await;
            }
        };
        // A guard, not a measure: with a job per request this would wait forever.
        tokio::time::timeout(std::time::Duration::from_secs(60), all_wait)
            .await
            .expect("every request waits for the one job");
        release.send(()).unwrap();
        for ask in asks {
            assert_eq!(ask.await.unwrap().unwrap(), b"%PDF-1.7 made once");
        }
        assert_eq!(typeset_count.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            typesetting().get(&path).is_none(),
            "the finished job is let go"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"%PDF-1.7 made once",
            "and kept"
        );
    }

    #[test]
    fn a_narration_is_measured_and_its_preview_cut() {
        let mp3 = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/ai-foundations/02-tokens-and-embeddings.mp3"
        ))
        .unwrap();
        let narration = Narration::cut(mp3.clone()).unwrap();
        let audio = &narration.audio;
        assert_eq!(audio.sha256, hex::encode(Sha256::digest(&mp3)));
        assert_eq!(audio.bytes, mp3.len() as u64);
        assert_eq!(audio.preview_bytes, narration.preview.len() as u64);
        assert!(!mp3::frames(&narration.preview).is_empty());
        assert!(audio.preview_duration_ms <= 30_000 && audio.duration_ms > 60_000);
        assert_eq!(
            AudioPart::Preview.name(&audio.sha256),
            format!("{}.preview.mp3", audio.sha256)
        );
        assert!(Narration::cut(b"not audio at all".to_vec()).is_err());
    }
}
