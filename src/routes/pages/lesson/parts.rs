//! The parts of a lesson page that many readers share, rendered once per catalog
//! generation and kept: the header, the lesson as a plan shows it, the quiz's questions,
//! the token box with its example and the lessons that follow. They go into the page's
//! frame (`frame.rs`, `FrameParts`); where a request brings its own questions, token box
//! or recommendations (`Shared`), the frame has a hole that the request fills (`Parts`).

use std::sync::Arc;

use serde_json::json;
use tera::Context;

use super::frame::Hole;
use super::token_box::{self, TokenQuery};
use crate::catalog::{Course, Lesson};
use crate::error::AppError;
use crate::plans::{self, Plan};
use crate::routes::lesson_view::{LessonSummary, LessonView};
use crate::routes::state::AppState;

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

/// A part that readers share, unless a request brings its own: the quiz's questions (a
/// reader's scored attempt), the token box (a submitted text) and the recommendations
/// (chosen for a Plus or Pro reader).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    Questions,
    Tokens,
    Recommended,
}

impl Shared {
    pub const ALL: [Shared; 3] = [Shared::Questions, Shared::Tokens, Shared::Recommended];

    /// Where the frame takes a request's own.
    pub fn hole(self) -> Hole {
        match self {
            Shared::Questions => Hole::Questions,
            Shared::Tokens => Hole::Tokens,
            Shared::Recommended => Hole::Recommended,
        }
    }

    fn template(self) -> &'static str {
        match self {
            Shared::Questions => "lesson/questions.html",
            Shared::Tokens => "lesson/tokens.html",
            Shared::Recommended => "lesson/recommended.html",
        }
    }
}

/// The parts a request renders for itself, to fill its frame's holes.
pub struct Parts {
    own: [Option<String>; 3],
}

impl Parts {
    pub fn of(state: &AppState, source: &Source) -> Result<Parts, AppError> {
        let mut context = None;
        let mut own = [None, None, None];
        for (slot, part) in own.iter_mut().zip(Shared::ALL) {
            if source.owns(part) {
                let context = match &mut context {
                    Some(context) => context,
                    empty => empty.insert(source.context()?),
                };
                *slot = Some(state.templates.render_part(part.template(), context)?);
            }
        }
        Ok(Parts { own })
    }

    /// The request's own `part`; empty where it has none (the frame has no hole there).
    pub fn get(&self, part: Shared) -> &str {
        self.own[part as usize].as_deref().unwrap_or("")
    }
}

/// The parts a frame is rendered around, needed only when the frame is not kept: the
/// header, the lesson, and each shared part the request does not bring its own of
/// (`None`: the frame gets a hole there).
pub struct FrameParts {
    pub header: Arc<str>,
    pub content: Arc<str>,
    shared: [Option<Arc<str>>; 3],
}

impl FrameParts {
    pub fn of(state: &AppState, generation: i64, source: &Source) -> Result<FrameParts, AppError> {
        let slug = &source.lesson.slug;
        let audience = source.audience();
        let mut kept = Kept::new(state, generation, source);
        let mut shared = [None, None, None];
        for (slot, part) in shared.iter_mut().zip(Shared::ALL) {
            if source.owns(part) {
                continue;
            }
            *slot = Some(match part {
                Shared::Questions if source.view.quiz.is_none() => Arc::from(""),
                Shared::Questions => {
                    kept.part(part.template(), format!("{slug}:questions:{audience}"))?
                }
                Shared::Tokens => kept.part(part.template(), format!("{slug}:tokens"))?,
                Shared::Recommended => kept.part(part.template(), format!("{slug}:recommended"))?,
            });
        }
        Ok(FrameParts {
            header: kept.part("lesson/header.html", format!("{slug}:header"))?,
            content: kept.part(
                "lesson/content.html",
                format!("{slug}:content:{}:{audience}", source.plan.id()),
            )?,
            shared,
        })
    }

    pub fn shared(&self, part: Shared) -> Option<&str> {
        self.shared[part as usize].as_deref()
    }
}

/// Parts looked up in `state.lesson_parts`, or rendered and kept there.
struct Kept<'a> {
    state: &'a AppState,
    generation: i64,
    source: &'a Source<'a>,
    /// The full lesson context, built only if some part has to be rendered.
    context: Option<Context>,
}

impl<'a> Kept<'a> {
    fn new(state: &'a AppState, generation: i64, source: &'a Source<'a>) -> Kept<'a> {
        Kept {
            state,
            generation,
            source,
            context: None,
        }
    }

    fn part(&mut self, template: &str, key: String) -> Result<Arc<str>, AppError> {
        if let Some(html) = self.state.lesson_parts.get(&key, self.generation) {
            return Ok(html);
        }
        let context = match &mut self.context {
            Some(context) => context,
            empty => empty.insert(self.source.context()?),
        };
        let html: Arc<str> = self.state.templates.render_part(template, context)?.into();
        self.state
            .lesson_parts
            .put(&key, self.generation, html.clone());
        Ok(html)
    }
}

impl Source<'_> {
    /// Whether this request shows its own `part` rather than the shared one.
    pub fn owns(&self, part: Shared) -> bool {
        match part {
            // Shuffled choices are in the reader's own order.
            Shared::Questions => {
                self.quiz_result.is_some()
                    || (self.signed_in
                        && (self.lesson.rendered.quiz.as_ref()).is_some_and(|q| q.shuffle_choices))
            }
            Shared::Tokens => !self.query.is_empty(),
            Shared::Recommended => self.personal,
        }
    }

    fn audience(&self) -> &'static str {
        if self.signed_in {
            "reader"
        } else {
            "visitor"
        }
    }

    /// The media features `plan` adds, when it is above the reader's plan.
    fn media_above(&self, plan: Plan) -> Vec<&'static str> {
        if self.plan < plan {
            plans::media_added_by(plan)
        } else {
            Vec::new()
        }
    }

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
            &json!({
                "slug": self.course.slug,
                "title": self.course.title,
                "glossary": self.course.glossary.is_some(),
            }),
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
                // What the plans above the reader's add: the box's one "paid features" note.
                "plus_adds": self.media_above(Plan::Plus),
                "pro_adds": self.media_above(Plan::Pro),
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
