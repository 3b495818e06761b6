//! A lesson as a PDF: the whole lesson, or for a reader below its plan the part before
//! `<!-- more -->` with a line saying who may read the rest. Made once per revision and
//! variant, kept in the data folder, and named by an ETag that changes with either.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::catalog::{Lesson, Snapshot};
use crate::content::figures::{self, Figures};
use crate::db::{self, Db};
use crate::error::AppError;
use crate::media::{cached_pdf, kept_pdf, pdf, PDF_VERSION};
use crate::plans::{self, Capability, Plan};

/// A lesson's PDF as a reader on `plan` may have it.
pub struct LessonPdf {
    pub body: Vec<u8>,
    pub etag: String,
    pub file_name: String,
}

/// Which PDF of a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Whole,
    Teaser,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Whole => "full",
            Variant::Teaser => "teaser",
        }
    }
}

/// What names one PDF: the revision, the variant and the figures it shows (a figure
/// replaced under the same path makes another PDF of the same revision).
fn key(lesson: &Lesson, variant: Variant, figures: &Figures) -> String {
    let mut key = format!(
        "{}-r{}-{}-v{PDF_VERSION}",
        lesson.slug,
        lesson.revision,
        variant.name()
    );
    if !figures.is_empty() {
        let mut hash = Sha256::new();
        for (path, figure) in figures {
            hash.update(format!("{path}\n{}\n", figure.sha256));
        }
        key.push_str("-f");
        key.push_str(&hex::encode(hash.finalize())[..16]);
    }
    key
}

fn etag(key: &str) -> String {
    format!("pdf-{key}")
}

/// The cache file of one revision, variant and set of figures.
fn cache_path(data_dir: &Path, key: &str) -> PathBuf {
    data_dir
        .join("cache")
        .join("pdf")
        .join(format!("{key}.pdf"))
}

/// The figures `markdown` shows, with their bytes from the database.
async fn figures_of(
    db: &Db,
    markdown: &str,
    figures: &Figures,
) -> Result<Vec<pdf::PdfFigure>, AppError> {
    let mut out = Vec::new();
    for (path, figure) in figures::used_in(markdown, figures) {
        let bytes = db::media::blob(db, &figure.file_name())
            .await?
            .ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("figure {path:?} has no stored body"))
            })?;
        out.push(pdf::PdfFigure {
            path,
            figure,
            bytes,
        });
    }
    Ok(out)
}

/// The line under the title: course, position, reading time, date and plan.
fn meta_line(course: &str, lesson: &Lesson) -> String {
    let r = &lesson.rendered;
    format!(
        "{course} \u{b7} Lesson {} \u{b7} {} min read \u{b7} Updated {} \u{b7} {} lesson",
        r.position,
        r.reading_minutes,
        r.updated.format("%B %-d, %Y"),
        r.access.name()
    )
}

/// The PDF of `lesson` for a reader on `plan` (who may download PDFs: the caller checks).
pub async fn lesson_pdf(
    db: &Db,
    data_dir: &Path,
    catalog: &Snapshot,
    lesson: &Lesson,
    plan: Plan,
) -> Result<LessonPdf, AppError> {
    let r = &lesson.rendered;
    let read_lesson = Capability::ReadLesson(r.access);
    let variant = match plans::allows(plan, read_lesson) {
        true => Variant::Whole,
        false => Variant::Teaser,
    };
    let course = catalog
        .course(&r.course)
        .map_or(r.course.as_str(), |c| c.title.as_str())
        .to_owned();
    let meta = meta_line(&course, lesson);
    let (markdown, takeaways, note) = match variant {
        Variant::Whole => (r.markdown.clone(), r.takeaways.clone(), None),
        Variant::Teaser => (
            r.teaser_markdown.clone().unwrap_or_default(),
            Vec::new(),
            Some(format!(
                "The rest of this lesson is for {} readers.",
                plans::required_plan(read_lesson).name()
            )),
        ),
    };
    let (title, objectives) = (r.title.clone(), r.objectives.clone());
    let shown = figures::used_in(&markdown, &r.figures);
    let key = key(lesson, variant, &shown);
    let path = cache_path(data_dir, &key);
    // A kept PDF is served without reading its figures' bytes.
    let body = match kept_pdf(&path).await {
        Some(body) => body,
        None => {
            let figures = figures_of(db, &markdown, &shown).await?;
            cached_pdf(path, move || {
                pdf::render_lesson(&pdf::PdfLesson {
                    title: &title,
                    course: &course,
                    meta: &meta,
                    objectives: &objectives,
                    body_markdown: &markdown,
                    takeaways: &takeaways,
                    note: note.as_deref(),
                    figures: &figures,
                })
            })
            .await?
        }
    };
    Ok(LessonPdf {
        body,
        etag: etag(&key),
        file_name: format!("{}.pdf", lesson.slug),
    })
}
