//! The admin's changes to lessons, courses and plans. No HTTP here: the JSON API and the
//! admin pages both call these.
//!
//! Every change runs in one transaction that also bumps the catalog generation, then this
//! instance reloads its catalog (other instances on PostgreSQL notice the new generation on
//! their next request). Every change is recorded with its author, the admin's email.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::content::figures::{self, Figure, Figures};
use crate::content::{self, source, TokenCount, RENDER_VERSION};
use crate::db::lessons::{self, CourseRow, NewRevision, Status};
use crate::db::users::User;
use crate::db::{admin as db_admin, users, Db};
use crate::error::AppError;
use crate::figure_store;
use crate::names::Slug;
use crate::plans::Plan;

/// The largest lesson source accepted, in bytes.
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// What a lesson change answers: `{slug, status, revision}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Saved {
    pub slug: String,
    pub status: Status,
    pub revision: i64,
}

/// A lesson source rendered without saving: the body with its quiz marked as the editor
/// shows it, and what the catalog would list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    pub html: String,
    pub token_count: TokenCount,
    pub slug: String,
    pub title: String,
    pub access: Plan,
    pub reading_minutes: u32,
}

/// A lesson source's problem as the contract's 400: the field at fault (or `source`) and
/// a message naming the line.
pub fn source_error(error: &source::SourceError) -> AppError {
    let message = error.to_string();
    let field = error.field.clone().unwrap_or_else(|| "source".to_owned());
    AppError::InvalidInput {
        fields: BTreeMap::from([(field, message.clone())]),
        message,
    }
}

fn unknown_course(course: &str, text: &str) -> AppError {
    let line = line_of_key(text, "course");
    let message = match line {
        Some(line) => format!("line {line}: there is no course {course:?}"),
        None => format!("there is no course {course:?}"),
    };
    AppError::invalid_field("course", message)
}

/// The 1-based line where a top-level front-matter key is set.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// Every figure `lesson` names must have alternative text and be one the lesson has
/// (uploaded, or imported with its file), so a saved lesson never shows a broken image.
fn check_figures(
    text: &str,
    lesson: &source::LessonSource,
    stored: &Figures,
) -> Result<(), AppError> {
    // The body is the end of the source.
    let body_line = text[..text.len() - lesson.body.len()].matches('\n').count();
    for reference in figures::references(&lesson.body) {
        let problem = match figures::check_reference(&reference) {
            Err(problem) => problem,
            Ok(()) if stored.contains_key(&reference.path) => continue,
            Ok(()) => format!(
                "figure {:?} is not one of this lesson's figures: upload it first (the editor's \
                 upload form, or PUT /api/v1/admin/lessons/{}/figures/{{name}}), then refer to \
                 it as figures/{{name}}",
                reference.path, lesson.slug
            ),
        };
        let line = body_line + reference.line;
        return Err(AppError::invalid_field(
            "source",
            format!("line {line}: {problem}"),
        ));
    }
    Ok(())
}

/// Parse and check a source; `slug` is the lesson being edited, if any.
fn parse(text: &str, slug: Option<&str>) -> Result<source::LessonSource, AppError> {
    if text.len() > MAX_SOURCE_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let lesson = source::parse(text, slug).map_err(|e| source_error(&e))?;
    if let Some(slug) = slug {
        if lesson.slug != slug {
            let line = line_of_key(text, "slug");
            let message = match line {
                Some(line) => {
                    format!("line {line}: the slug of a lesson cannot change (it is {slug:?})")
                }
                None => format!("the slug of a lesson cannot change (it is {slug:?})"),
            };
            return Err(AppError::invalid_field("slug", message));
        }
    }
    Ok(lesson)
}

/// A rendered preview: `{html, token_count}` and what the editor shows beside it.
pub async fn preview(db: &Db, text: &str, slug: Option<&str>) -> Result<Preview, AppError> {
    let lesson = parse(text, slug)?;
    if !lessons::courses(db)
        .await?
        .iter()
        .any(|c| c.slug == lesson.course)
    {
        return Err(unknown_course(&lesson.course, text));
    }
    let figures = figure_store::lesson_figures(db, &lesson.slug).await?;
    check_figures(text, &lesson, &figures)?;
    let rendered = content::render(&lesson, &figures);
    let quiz = rendered
        .quiz
        .as_ref()
        .map(|q| q.preview_html())
        .unwrap_or_default();
    Ok(Preview {
        html: rendered.html + &quiz,
        token_count: rendered.token_count,
        slug: lesson.slug.into(),
        title: rendered.title,
        access: rendered.access,
        reading_minutes: rendered.reading_minutes,
    })
}

/// What a change to the catalog needs: the database, and this instance's catalog, which
/// is reloaded after each change.
#[derive(Clone, Copy)]
pub struct Desk<'a> {
    pub db: &'a Db,
    pub catalog: &'a Catalog,
}

impl Desk<'_> {
    /// Bump the catalog generation in `tx`, commit, and reload this instance's catalog.
    async fn finish(&self, mut tx: lessons::Tx) -> Result<(), AppError> {
        lessons::bump_generation(&mut tx).await?;
        tx.commit().await?;
        self.catalog
            .reload(self.db)
            .await
            .map_err(AppError::internal)?;
        Ok(())
    }
}

/// Largest narration an admin may upload.
pub const MAX_AUDIO_BYTES: usize = 64 * 1024 * 1024;

fn slug_taken(slug: &str) -> AppError {
    AppError::Conflict {
        code: "slug_taken",
        message: format!("A lesson with the slug {slug:?} already exists."),
        missing: None,
    }
}

impl Desk<'_> {
    /// Store an uploaded narration for a lesson, cutting its preview at once; replaces any
    /// earlier narration. Returns the whole and preview durations in seconds.
    pub async fn upload_audio(
        &self,
        data_dir: &Path,
        slug: &str,
        mp3: Vec<u8>,
    ) -> Result<(f64, f64), AppError> {
        if self
            .catalog
            .current(self.db)
            .await
            .map_err(AppError::internal)?
            .lesson(slug)
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        let narration = tokio::task::spawn_blocking(move || crate::media::Narration::cut(mp3))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::invalid(format!("The body is not an MP3 file: {e}")))?;
        let stored = crate::media::register_audio(
            self.db,
            data_dir,
            slug,
            &format!("{slug}.mp3"),
            narration,
        )
        .await?;
        self.finish(self.db.begin_write().await?).await?;
        Ok((
            stored.duration_ms as f64 / 1000.0,
            stored.preview_duration_ms as f64 / 1000.0,
        ))
    }

    /// Store an uploaded figure of lesson `slug` as `figures/{name}` (replacing one of that
    /// name): checked like an imported one, and its name must match its bytes. Renders that
    /// show the old figure are made again.
    pub async fn upload_figure(
        &self,
        slug: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<Figure, AppError> {
        if self
            .catalog
            .current(self.db)
            .await
            .map_err(AppError::internal)?
            .lesson(slug)
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        let file = tokio::task::spawn_blocking(move || figures::inspect(bytes))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::invalid(format!("The body is not a figure: {e}")))?;
        figures::check_upload_name(name, file.figure.kind).map_err(AppError::invalid)?;
        let mut tx = self.db.begin_write().await?;
        let path = format!("{}{name}", figures::UPLOAD_FOLDER);
        figure_store::store(&mut tx, slug, &path, &file).await?;
        self.finish(tx).await?;
        Ok(file.figure)
    }

    /// Create a draft lesson written in the admin (no content file).
    pub async fn create_lesson(&self, author: &str, text: &str) -> Result<Saved, AppError> {
        let lesson = parse(text, None)?;
        let figures = figure_store::lesson_figures(self.db, &lesson.slug).await?;
        check_figures(text, &lesson, &figures)?;
        let rendered = serde_json::to_string(&content::render(&lesson, &figures))
            .map_err(AppError::internal)?;
        let mut tx = self.db.begin_write().await?;
        if lessons::find_course(&mut tx, &lesson.course)
            .await?
            .is_none()
        {
            return Err(unknown_course(&lesson.course, text));
        }
        if lessons::lesson_head(&mut tx, &lesson.slug).await?.is_some() {
            return Err(slug_taken(&lesson.slug));
        }
        let revision = NewRevision {
            slug: &lesson.slug,
            course: &lesson.course,
            position: lesson.position,
            source: text,
            rendered: &rendered,
            render_version: RENDER_VERSION,
            author,
        };
        match lessons::insert_lesson(&mut tx, &revision, Status::Draft, None).await {
            Ok(()) => {}
            Err(e) if users::is_unique_violation(&e) => return Err(slug_taken(&lesson.slug)),
            Err(e) => return Err(e.into()),
        }
        self.finish(tx).await?;
        Ok(Saved {
            slug: lesson.slug.into(),
            status: Status::Draft,
            revision: 1,
        })
    }

    /// A new revision of a lesson, live at once if the lesson is published.
    pub async fn update_lesson(
        &self,
        author: &str,
        slug: &str,
        text: &str,
    ) -> Result<Saved, AppError> {
        let lesson = parse(text, Some(slug))?;
        let figures = figure_store::lesson_figures(self.db, &lesson.slug).await?;
        check_figures(text, &lesson, &figures)?;
        let rendered = serde_json::to_string(&content::render(&lesson, &figures))
            .map_err(AppError::internal)?;
        let mut tx = self.db.begin_write().await?;
        let head = lessons::lesson_head(&mut tx, slug)
            .await?
            .ok_or(AppError::NotFound)?;
        if lessons::find_course(&mut tx, &lesson.course)
            .await?
            .is_none()
        {
            return Err(unknown_course(&lesson.course, text));
        }
        let revision = NewRevision {
            slug,
            course: &lesson.course,
            position: lesson.position,
            source: text,
            rendered: &rendered,
            render_version: RENDER_VERSION,
            author,
        };
        let number = lessons::add_revision(&mut tx, &revision, false).await?;
        self.finish(tx).await?;
        Ok(Saved {
            slug: slug.to_owned(),
            status: head.status,
            revision: number,
        })
    }

    /// Make an older revision current again, as a new revision.
    pub async fn restore_revision(
        &self,
        author: &str,
        slug: &str,
        revision: i64,
    ) -> Result<Saved, AppError> {
        let old = db_admin::revision(self.db, slug, revision)
            .await?
            .ok_or(AppError::NotFound)?;
        self.update_lesson(author, slug, &old.source).await
    }

    /// Publish (`true`) or unpublish a lesson.
    pub async fn set_published(&self, slug: &str, published: bool) -> Result<Status, AppError> {
        let status = if published {
            Status::Published
        } else {
            Status::Draft
        };
        let mut tx = self.db.begin_write().await?;
        if !db_admin::set_status(&mut tx, slug, status).await? {
            return Err(AppError::NotFound);
        }
        self.finish(tx).await?;
        Ok(status)
    }

    /// Delete a lesson and its revisions; learners' progress and certificates stay.
    pub async fn delete_lesson(&self, slug: &str) -> Result<(), AppError> {
        let mut tx = self.db.begin_write().await?;
        if !db_admin::delete_lesson(&mut tx, slug).await? {
            return Err(AppError::NotFound);
        }
        self.finish(tx).await
    }

    /// Create or change a course.
    pub async fn put_course(&self, slug: &str, title: &str, summary: &str) -> Result<(), AppError> {
        let mut fields = BTreeMap::new();
        if !Slug::is_valid(slug) {
            fields.insert(
                "slug".to_owned(),
                "A course slug is 1 to 80 characters of a-z, 0-9 and -.".to_owned(),
            );
        }
        let (title, summary) = (title.trim(), summary.trim());
        if title.is_empty() || title.chars().count() > 200 {
            fields.insert(
                "title".to_owned(),
                "A title is 1 to 200 characters.".to_owned(),
            );
        }
        if summary.is_empty() || summary.chars().count() > 1000 {
            fields.insert(
                "summary".to_owned(),
                "A summary is 1 to 1000 characters.".to_owned(),
            );
        }
        if !fields.is_empty() {
            return Err(AppError::InvalidInput {
                message: "Some fields need another look.".into(),
                fields,
            });
        }
        let mut tx = self.db.begin_write().await?;
        let position = match lessons::find_course(&mut tx, slug).await? {
            Some(course) => course.position,
            None => db_admin::next_course_position(&mut tx).await?,
        };
        let row = CourseRow {
            slug: slug.to_owned(),
            title: title.to_owned(),
            summary: summary.to_owned(),
            position,
        };
        lessons::upsert_course(&mut tx, &row).await?;
        self.finish(tx).await
    }
}

/// Change a user's plan, recording who did it.
pub async fn set_plan(db: &Db, author: &str, user_id: &str, plan: &str) -> Result<User, AppError> {
    let plan = Plan::parse(plan)
        .ok_or_else(|| AppError::invalid_field("plan", "The plan must be free, plus or pro."))?;
    let mut tx = db.begin_write().await?;
    let changed = crate::accounts::change_plan(&mut tx, user_id, plan, author).await?;
    tx.commit().await?;
    Ok(changed)
}
