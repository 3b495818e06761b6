//! The parts of a lesson page that many readers share, rendered once per catalog
//! generation and kept: the header, the lesson as a plan shows it, the quiz's questions,
//! the token box with its example and the lessons that follow. The header and the lesson
//! go into the page's frame (`frame.rs`); the others fill its holes on each request.

use std::sync::Arc;

use serde_json::json;
use tera::Context;

use super::token_box::{self, TokenQuery};
use crate::catalog::{Course, Lesson};
use crate::error::AppError;
use crate::lesson_view::{LessonSummary, LessonView};
use crate::plans::{self, Capability, Plan};
use crate::state::AppState;

/// What the parts of one reader's page are rendered from.
pub struct Source<'a> {
    pub lesson: &'a Lesson,
    pub course: &'a Course,
    pub view: &'a LessonView<'a>,
    /// The plan `view` was cut for.
    pub plan: Plan,
    pub signed_in: bool,
    pub query: &'a TokenQuery,
    /// A scored quiz attempt to show in the questions (never kept: it is the reader's).
    pub quiz_result: Option<&'a serde_json::Value>,
    /// The lessons "Recommended for you" shows.
    pub recommended: &'a [Arc<Lesson>],
    /// Whether they were chosen for this reader (never kept) or are the next in the catalog.
    pub personal: bool,
}

/// Rendered parts, as the page template places them.
pub struct Parts {
    pub header: Arc<str>,
    pub content: Arc<str>,
    pub questions: Option<Arc<str>>,
    pub tokens: Arc<str>,
    pub recommended: Arc<str>,
}

impl Parts {
    /// The parts for `source`: kept ones where the catalog is unchanged, the rest rendered
    /// (and kept, unless they hold something of this reader's).
    pub fn of(state: &AppState, generation: i64, source: &Source) -> Result<Parts, AppError> {
        let slug = &source.lesson.slug;
        let audience = if source.signed_in {
            "reader"
        } else {
            "visitor"
        };
        // The full lesson context is built only if some part has to be rendered.
        let mut context = None;
        let mut part = |template: &str, key: Option<String>| -> Result<Arc<str>, AppError> {
            let kept = key.as_deref();
            if let Some(html) = kept.and_then(|key| state.lesson_parts.get(key, generation)) {
                return Ok(html);
            }
            let context = match &mut context {
                Some(context) => context,
                empty => empty.insert(source.context()?),
            };
            let html: Arc<str> = state.templates.render_part(template, context)?.into();
            if let Some(key) = kept {
                state.lesson_parts.put(key, generation, html.clone());
            }
            Ok(html)
        };
        Ok(Parts {
            header: part("lesson/header.html", Some(format!("{slug}:header")))?,
            content: part(
                "lesson/content.html",
                Some(format!("{slug}:content:{}:{audience}", source.plan.id())),
            )?,
            questions: match source.view.quiz {
                None => None,
                Some(_) => Some(part(
                    "lesson/questions.html",
                    source
                        .quiz_result
                        .is_none()
                        .then(|| format!("{slug}:questions:{audience}")),
                )?),
            },
            tokens: part(
                "lesson/tokens.html",
                source.query.is_empty().then(|| format!("{slug}:tokens")),
            )?,
            recommended: part(
                "lesson/recommended.html",
                (!source.personal).then(|| format!("{slug}:recommended")),
            )?,
        })
    }
}

impl Source<'_> {
    /// Everything the part templates read.
    fn context(&self) -> Result<Context, AppError> {
        let view = self.view;
        let r = &self.lesson.rendered;
        let mut lesson = serde_json::to_value(view).map_err(AppError::internal)?;
        lesson["updated"] = json!(r.updated.format("%Y-%m-%d").to_string());
        lesson["updated_label"] = json!(r.updated.format("%B %-d, %Y").to_string());
        lesson["required_plan_name"] = json!(r.access.name());
        lesson["tokens"] = json!(r.token_count.o200k_base);

        let mut context = Context::new();
        context.insert("lesson", &lesson);
        context.insert(
            "course",
            &json!({ "slug": self.course.slug, "title": self.course.title }),
        );
        context.insert("viewer", &json!({ "signed_in": self.signed_in }));
        context.insert("quiz", &view.quiz);
        context.insert("quiz_result", &self.quiz_result);
        context.insert(
            "media",
            &json!({
                "audio_available": view.media.audio.available,
                "audio_stream": view.media.audio.stream,
                "audio_download": view.media.audio.download,
                "pdf": view.media.pdf,
                "stream_plan": plans::required_plan(Capability::StreamAudio).name(),
                "download_plan": plans::required_plan(Capability::DownloadMp3).name(),
                "pdf_plan": plans::required_plan(Capability::DownloadPdf).name(),
                "preview_seconds": view.media.audio.preview_seconds,
                "video_status": view.media.video.status,
            }),
        );
        context.insert("tokens", &token_box::token_widget(self.query)?);
        let recommended: Vec<_> = self
            .recommended
            .iter()
            .map(|l| LessonSummary::of(l))
            .collect();
        context.insert("recommended", &recommended);
        Ok(context)
    }
}
