//! The catalog in memory: every course and lesson, rendered once and shared by all requests.
//!
//! A snapshot is rebuilt when the catalog's generation in the database moves (an import or
//! an admin change), following the one freshness rule of `db::freshness`: this instance
//! reloads at once after its own changes; on SQLite the generation is read again whenever
//! the database's version has moved (at most every [`RECHECK`]), so a `lectern import` run
//! beside the server is served within a second; on PostgreSQL, where other instances commit
//! unseen, it is read on each request, so their changes are served on the next one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::content::glossary::{self, Glossary};
use crate::content::{self, source, RenderedLesson, RENDER_VERSION};
use crate::db::freshness::Version;
pub use crate::db::lessons::Status;
use crate::db::{lessons, outage, Db};
use crate::names::Slug;

/// SQLite: how often, at most, a moved database version makes a request read the
/// catalog's generation again (writes that are not content changes move it all the time).
pub const RECHECK: Duration = Duration::from_millis(100);

/// A lesson at its current revision.
#[derive(Debug)]
pub struct Lesson {
    pub slug: Slug,
    pub status: Status,
    pub revision: i64,
    pub rendered: RenderedLesson,
    /// `rendered.updated` as the API writes it, formatted once.
    pub updated_at: String,
    /// Whether a narration is registered for the lesson (from its file or an upload).
    pub has_audio: bool,
}

impl Lesson {
    pub fn is_published(&self) -> bool {
        self.status == Status::Published
    }
}

/// A course with its published lessons in order.
#[derive(Debug)]
pub struct Course {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<Arc<Lesson>>,
    /// The course's glossary page, rendered, when it has one.
    pub glossary: Option<Arc<Glossary>>,
}

/// One consistent view of the catalog.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub generation: i64,
    pub courses: Vec<Course>,
    lessons: HashMap<String, Arc<Lesson>>,
}

impl Snapshot {
    /// Any lesson by slug, drafts included (callers decide who may see drafts).
    pub fn lesson(&self, slug: &str) -> Option<&Arc<Lesson>> {
        self.lessons.get(slug)
    }

    pub fn course(&self, slug: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.slug == slug)
    }

    /// Published lessons, ordered by course then position.
    pub fn published(&self) -> impl Iterator<Item = &Arc<Lesson>> {
        self.courses.iter().flat_map(|c| c.lessons.iter())
    }

    /// The published lessons that follow `slug`, in catalog order (wrapping to the start).
    pub fn next_lessons(&self, slug: &str, count: usize) -> Vec<Arc<Lesson>> {
        let all: Vec<_> = self.published().collect();
        let start = all.iter().position(|l| l.slug == slug).map_or(0, |i| i + 1);
        all.iter()
            .cycle()
            .skip(start)
            .take(all.len())
            .filter(|l| l.slug != slug)
            .take(count)
            .map(|l| Arc::clone(l))
            .collect()
    }
}

/// The shared, swappable snapshot.
#[derive(Debug, Default)]
pub struct Catalog {
    snapshot: RwLock<Arc<Snapshot>>,
    /// SQLite: the database version at which the generation was last read.
    checked_at: AtomicU64,
    /// SQLite: when a request last set out to read the generation.
    last_check: Mutex<Option<Instant>>,
}

impl Catalog {
    pub async fn load(db: &Db) -> anyhow::Result<Catalog> {
        let catalog = Catalog::default();
        catalog.reload(db).await?;
        Ok(catalog)
    }

    /// The snapshot to serve this request from, reloaded first if another process changed
    /// it. While the database does not answer, the snapshot in memory is served: a true
    /// catalog, at worst missing another process's latest change.
    pub async fn current(&self, db: &Db) -> anyhow::Result<Arc<Snapshot>> {
        let snapshot = self.snapshot();
        let checked = match db.version() {
            None => None,
            Some(version) => match self.due_for_check(version) {
                Some(checked) => Some(checked),
                None => return Ok(snapshot),
            },
        };
        let generation = match lessons::generation(db).await {
            Ok(generation) => generation,
            Err(error) if outage::is_unavailable(&error) => {
                tracing::warn!(%error, "database unavailable; serving the catalog in memory");
                return Ok(snapshot);
            }
            Err(error) => return Err(error.into()),
        };
        if let Some(version) = checked {
            self.checked_at.store(version, Ordering::Release);
        }
        if generation != snapshot.generation {
            return self.reload(db).await;
        }
        Ok(snapshot)
    }

    /// SQLite: whether this request should read the generation again (the version moved
    /// since the last read, and no request set out to read it in the last `RECHECK`); the
    /// version to record the read at.
    fn due_for_check(&self, version: Version) -> Option<Version> {
        if self.checked_at.load(Ordering::Acquire) == version {
            return None;
        }
        let mut last = self.last_check.try_lock().ok()?;
        if last.is_some_and(|at| at.elapsed() < RECHECK) {
            return None;
        }
        *last = Some(Instant::now());
        Some(version)
    }

    /// The snapshot in memory, without asking the database.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Rebuild the snapshot from the database.
    pub async fn reload(&self, db: &Db) -> anyhow::Result<Arc<Snapshot>> {
        let version = db.version();
        let generation = lessons::generation(db).await?;
        let course_rows = lessons::courses(db).await?;
        let with_audio = crate::db::media::slugs_with_audio(db).await?;
        let mut glossaries: HashMap<_, _> = lessons::glossaries(db).await?.into_iter().collect();
        let mut by_slug = HashMap::new();
        for row in lessons::current_lessons(db).await? {
            let rendered = rendered_of(db, &row).await?;
            let lesson = Arc::new(Lesson {
                slug: Slug::stored(row.slug.clone()),
                status: row.status,
                revision: row.revision,
                updated_at: format!("{}T00:00:00Z", rendered.updated.format("%Y-%m-%d")),
                rendered,
                has_audio: with_audio.contains(&row.slug),
            });
            by_slug.insert(row.slug, lesson);
        }
        let courses = course_rows
            .into_iter()
            .map(|row| {
                let mut lessons: Vec<_> = by_slug
                    .values()
                    .filter(|l| l.is_published() && l.rendered.course == row.slug)
                    .cloned()
                    .collect();
                lessons.sort_by(|a, b| {
                    (a.rendered.position, &a.slug).cmp(&(b.rendered.position, &b.slug))
                });
                let glossary = glossaries.remove(&row.slug).and_then(|text| {
                    glossary::parse(&text)
                        .inspect_err(|error| tracing::warn!(course = %row.slug, %error, "stored glossary no longer parses"))
                        .ok()
                        .map(Arc::new)
                });
                Course {
                    glossary,
                    slug: Slug::stored(row.slug),
                    title: row.title,
                    summary: row.summary,
                    lessons,
                }
            })
            .collect();
        let snapshot = Arc::new(Snapshot {
            generation,
            courses,
            lessons: by_slug,
        });
        match self.snapshot.write() {
            Ok(mut guard) => *guard = Arc::clone(&snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&snapshot),
        }
        if let Some(version) = version {
            self.checked_at.store(version, Ordering::Release);
        }
        Ok(snapshot)
    }
}

/// The stored render, or a fresh one (saved back) when an older renderer made it.
async fn rendered_of(db: &Db, row: &lessons::CurrentLesson) -> anyhow::Result<RenderedLesson> {
    if row.render_version == RENDER_VERSION {
        if let Ok(rendered) = serde_json::from_str(&row.rendered) {
            return Ok(rendered);
        }
    }
    let source = source::parse(&row.source, Some(&row.slug))
        .with_context(|| format!("stored source of lesson {} no longer parses", row.slug))?;
    let figures = crate::figure_store::lesson_figures(db, &row.slug).await?;
    let rendered = content::render(&source, &figures);
    let json = serde_json::to_string(&rendered)?;
    lessons::store_render(db, &row.slug, row.revision, &json, RENDER_VERSION).await?;
    Ok(rendered)
}
