//! Import of `content/`: one folder per course (`course.toml`, its `*.md` lessons and, when
//! it has one, its `glossary.md`).
//!
//! The rule that lets files and admin edits live together: a file whose text is unchanged
//! since its last import is skipped, so it never overwrites a newer admin revision; a file
//! whose text changed becomes a new revision of its lesson. Lessons are published when
//! first imported; afterwards their status is the admins' to change. Each file is imported
//! in its own transaction: a broken file is reported with its path and line, and the rest
//! still import.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::content::figures::{self, FigureFile, Figures};
use crate::content::{self, glossary, source, RENDER_VERSION};
use crate::db::lessons::{self, CourseRow, NewRevision};
use crate::db::Db;
use crate::figure_store;
use crate::media;
use crate::names::Slug;

/// The author recorded on revisions that come from content files.
pub const IMPORT_AUTHOR: &str = "content import";

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    /// One line per file that could not be imported: `path:line: message`.
    pub errors: Vec<String>,
}

impl ImportReport {
    pub fn changed(&self) -> bool {
        !self.created.is_empty() || !self.updated.is_empty()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported: {} new, {} updated, {} unchanged, {} skipped",
            self.created.len(),
            self.updated.len(),
            self.unchanged,
            self.errors.len()
        )?;
        for error in &self.errors {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseFile {
    title: String,
    summary: String,
}

/// Import every course folder under `dir`, without registering narrations (see
/// [`import_dir_with_media`]).
pub async fn import_dir(db: &Db, dir: &Path) -> anyhow::Result<ImportReport> {
    import(db, dir, None).await
}

/// Import every course folder under `dir`, and register each lesson's narration (the
/// `audio` file next to it) in the data folder: stored by content hash with its preview,
/// so a repeated import, or another instance importing the same content into a shared
/// data folder, writes nothing new.
pub async fn import_dir_with_media(
    db: &Db,
    dir: &Path,
    data_dir: &Path,
) -> anyhow::Result<ImportReport> {
    import(db, dir, Some(data_dir)).await
}

async fn import(db: &Db, dir: &Path, data_dir: Option<&Path>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let folders = sorted_entries(dir)
        .with_context(|| format!("could not read the content folder {}", dir.display()))?;
    let mut position = 0;
    for folder in folders
        .into_iter()
        .filter(|p| p.join("course.toml").is_file())
    {
        position += 1;
        if let Err(error) = import_course(db, &folder, position, data_dir, &mut report).await {
            report.errors.push(error);
        }
    }
    if report.changed() {
        let mut tx = db.begin_write().await?;
        lessons::bump_generation(&mut tx).await?;
        tx.commit().await?;
    }
    for error in &report.errors {
        tracing::warn!("{error}");
    }
    Ok(report)
}

/// Import one course folder; an `Err` is a report line for a course that could not be read.
async fn import_course(
    db: &Db,
    folder: &Path,
    position: i64,
    data_dir: Option<&Path>,
    report: &mut ImportReport,
) -> Result<(), String> {
    let course_file = folder.join("course.toml");
    let slug = folder
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| Slug::is_valid(n))
        .ok_or_else(|| {
            format!(
                "{}: a course folder's name must be a slug (a-z, 0-9 and -)",
                folder.display()
            )
        })?
        .to_owned();
    let text = std::fs::read_to_string(&course_file)
        .map_err(|e| format!("{}: {e}", course_file.display()))?;
    let course: CourseFile = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        format!(
            "{}:{}: {}",
            course_file.display(),
            line.unwrap_or(1),
            e.message()
        )
    })?;
    let row = CourseRow {
        slug: slug.clone(),
        title: course.title.trim().to_owned(),
        summary: course.summary.trim().to_owned(),
        position,
    };
    let saved: Result<bool, sqlx::Error> = async {
        let mut tx = db.begin_write().await?;
        let changed = lessons::upsert_course(&mut tx, &row).await?;
        tx.commit().await?;
        Ok(changed)
    }
    .await;
    if saved.map_err(|e| format!("{}: {e}", course_file.display()))? {
        report.updated.push(format!("course {slug}"));
    }

    import_glossary(db, folder, &slug, report).await;

    let files = sorted_entries(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for file in files.iter().filter(|p| {
        p.extension().is_some_and(|e| e == "md")
            && p.file_name().is_some_and(|n| n != glossary::FILE_NAME)
    }) {
        match import_lesson(db, file, &slug, data_dir).await {
            Ok((outcome, media_error)) => {
                match outcome {
                    Outcome::Created(slug) => report.created.push(slug),
                    Outcome::Updated(slug) => report.updated.push(slug),
                    Outcome::Unchanged => report.unchanged += 1,
                }
                if let Some(message) = media_error {
                    report.errors.push(format!("{}: {message}", file.display()));
                }
            }
            Err(message) => report.errors.push(format!("{}:{message}", file.display())),
        }
    }
    Ok(())
}

/// Store the course's glossary from its `glossary.md`, or remove it when the file is gone.
/// A glossary that does not parse is reported and the stored one is kept.
async fn import_glossary(db: &Db, folder: &Path, slug: &str, report: &mut ImportReport) {
    let file = folder.join(glossary::FILE_NAME);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => match glossary::parse(&text) {
            Ok(_) => Some(text),
            Err(error) => {
                let line = error.line.map_or(String::new(), |l| format!("{l}:"));
                report
                    .errors
                    .push(format!("{}:{line} {}", file.display(), error.message));
                return;
            }
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            report.errors.push(format!("{}: {error}", file.display()));
            return;
        }
    };
    let saved: Result<bool, sqlx::Error> = async {
        let mut tx = db.begin_write().await?;
        let changed = lessons::set_glossary(&mut tx, slug, text.as_deref()).await?;
        tx.commit().await?;
        Ok(changed)
    }
    .await;
    match saved {
        Ok(true) => report.updated.push(format!("glossary {slug}")),
        Ok(false) => {}
        Err(error) => report.errors.push(format!("{}: {error}", file.display())),
    }
}

enum Outcome {
    Created(String),
    Updated(String),
    Unchanged,
}

/// Import one lesson file; an `Err` is `line: message` (or ` message`). A narration that
/// cannot be registered does not stop the lesson: its error comes back beside the outcome.
async fn import_lesson(
    db: &Db,
    file: &Path,
    course: &str,
    data_dir: Option<&Path>,
) -> Result<(Outcome, Option<String>), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!(" {e}"))?;
    let stem = file.file_stem().and_then(|s| s.to_str());
    let lesson = source::parse(&text, stem).map_err(|e| match e.line {
        Some(line) => format!("{line}: {}", e.message),
        None => format!(" {}", e.message),
    })?;
    if lesson.course != course {
        return Err(format!(
            " course {:?} does not match the folder {course:?} the file is in",
            lesson.course
        ));
    }
    let folder = file.parent().unwrap_or(Path::new("."));
    let figure_files = figures::load_all(folder, &lesson.body).map_err(|(line, message)| {
        format!(
            "{}: {message}",
            body_first_line(&text, &lesson.body) + line - 1
        )
    })?;
    let shown: Figures = figure_files
        .iter()
        .map(|(path, file)| (path.clone(), file.figure.clone()))
        .collect();
    // Stored relative to the content folder, so the same file is recognised however the
    // folder is named on the command line.
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let path = format!("{course}/{name}");
    // An unchanged file is not rendered again (rendering counts its tokens in both
    // encodings): a restart with nothing new to import takes tens of milliseconds.
    let unchanged = lessons::imported_unchanged(db, &lesson.slug, &path, &text)
        .await
        .map_err(|e| format!(" {e}"))?
        && figures::used_in(
            &lesson.body,
            &figure_store::lesson_figures(db, &lesson.slug)
                .await
                .map_err(|e| format!(" {e}"))?,
        ) == shown;
    let outcome = if unchanged {
        Outcome::Unchanged
    } else {
        let rendered = serde_json::to_string(&content::render(&lesson, &shown))
            .map_err(|e| format!(" {e}"))?;
        let revision = NewRevision {
            slug: &lesson.slug,
            course,
            position: lesson.position,
            source: &text,
            rendered: &rendered,
            render_version: RENDER_VERSION,
            author: IMPORT_AUTHOR,
        };
        store(db, &revision, &path, &figure_files)
            .await
            .map_err(|e| format!(" {e}"))?
    };
    let media_error = match (data_dir, &lesson.audio) {
        (Some(data_dir), Some(audio)) => register_audio(db, file, &lesson.slug, audio, data_dir)
            .await
            .err()
            .map(|e| format!("audio {audio:?}: {e:#}")),
        _ => None,
    };
    Ok((outcome, media_error))
}

/// Register the narration next to `file` for `slug`.
async fn register_audio(
    db: &Db,
    file: &Path,
    slug: &str,
    audio: &str,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let path = file.with_file_name(audio);
    let bytes = tokio::fs::read(&path)
        .await
        .with_context(|| format!("could not read {}", path.display()))?;
    let narration = tokio::task::spawn_blocking(move || media::Narration::cut(bytes))
        .await
        .context("the audio task failed")??;
    media::register_audio(db, data_dir, slug, audio, narration).await?;
    Ok(())
}

/// The 1-based line of `text` on which its `body` starts.
fn body_first_line(text: &str, body: &str) -> usize {
    let start = text.len().saturating_sub(body.len());
    text[..start].matches('\n').count() + 1
}

/// Store the revision and the figures it shows; figures that changed make the lesson's
/// stored renders stale, so a lesson whose text is unchanged is updated too.
async fn store(
    db: &Db,
    revision: &NewRevision<'_>,
    path: &str,
    figure_files: &[(String, FigureFile)],
) -> anyhow::Result<Outcome> {
    let mut tx = db.begin_write().await?;
    let head = lessons::lesson_head(&mut tx, revision.slug).await?;
    let mut figures_changed = false;
    if head
        .as_ref()
        .is_none_or(|h| h.source_path.as_deref() == Some(path))
    {
        for (figure_path, file) in figure_files {
            figures_changed |=
                figure_store::store(&mut tx, revision.slug, figure_path, file).await?;
        }
    }
    let outcome = match head {
        None => {
            lessons::insert_lesson(&mut tx, revision, lessons::Status::Published, Some(path))
                .await?;
            Outcome::Created(revision.slug.to_owned())
        }
        Some(head) if head.source_path.as_deref() != Some(path) => anyhow::bail!(
            "the slug {:?} already belongs to {}",
            revision.slug,
            head.source_path
                .as_deref()
                .unwrap_or("a lesson written in the admin")
        ),
        Some(head) if head.imported_source.as_deref() == Some(revision.source) => {
            match figures_changed {
                true => Outcome::Updated(revision.slug.to_owned()),
                false => Outcome::Unchanged,
            }
        }
        Some(_) => {
            lessons::add_revision(&mut tx, revision, true).await?;
            Outcome::Updated(revision.slug.to_owned())
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}
