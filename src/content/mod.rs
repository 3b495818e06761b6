//! Lesson content: the source format, Markdown rendering, quizzes and course glossaries
//! (`crate::import` stores them from `content/`).

pub mod figures;
pub mod glossary;
pub mod highlight;
pub mod markdown;
pub mod math;
pub mod quiz;
pub mod source;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::plans::Plan;
use crate::tokenizer::{self, Encoding};
use quiz::Quiz;
use source::{LessonSource, Video, MORE_MARKER};

/// Bumped whenever rendering changes, so stored renders are redone at the next start.
pub const RENDER_VERSION: i64 = 5;

/// Reading speed used for "N min read".
const WORDS_PER_MINUTE: usize = 220;

/// A lesson revision rendered once, at import or publish, and served from memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderedLesson {
    pub title: String,
    pub summary: String,
    pub course: String,
    pub position: i64,
    pub access: Plan,
    pub updated: chrono::NaiveDate,
    pub reading_minutes: u32,
    pub objectives: Vec<String>,
    pub takeaways: Vec<String>,
    /// The whole body.
    pub html: String,
    /// The part before `<!-- more -->`, when the body has the marker.
    pub teaser_html: Option<String>,
    /// The whole body's Markdown, for the PDF (which typesets from it, not from HTML).
    pub markdown: String,
    /// The Markdown before `<!-- more -->`, when the body has the marker.
    pub teaser_markdown: Option<String>,
    pub token_count: TokenCount,
    pub quiz: Option<Quiz>,
    pub audio: Option<String>,
    pub video: Video,
    /// The figures the body shows, by the path it names them with (the PDF embeds them).
    #[serde(default)]
    pub figures: figures::Figures,
}

/// Tokens of the lesson's Markdown body, per encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TokenCount {
    pub o200k_base: usize,
    pub cl100k_base: usize,
}

impl TokenCount {
    pub fn of(text: &str) -> TokenCount {
        TokenCount {
            o200k_base: tokenizer::count(Encoding::O200kBase, text),
            cl100k_base: tokenizer::count(Encoding::Cl100kBase, text),
        }
    }
}

/// Render a parsed source into everything a page or the API shows; `figures` are the
/// lesson's stored figures by path (a body's image not among them stays as written).
pub fn render(source: &LessonSource, figures: &figures::Figures) -> RenderedLesson {
    let teaser = split_at_more(&source.body).map(|(teaser, _)| teaser);
    RenderedLesson {
        title: source.title.clone(),
        summary: source.summary.clone(),
        course: source.course.clone(),
        position: source.position,
        access: source.access,
        updated: source.updated,
        reading_minutes: reading_minutes(&source.body),
        objectives: source.objectives.clone(),
        takeaways: source.takeaways.clone(),
        html: markdown::render_with_figures(&source.body, figures),
        teaser_html: teaser.map(|teaser| markdown::render_with_figures(teaser, figures)),
        markdown: source.body.clone(),
        teaser_markdown: teaser.map(str::to_owned),
        token_count: TokenCount::of(&source.body),
        quiz: source.quiz.clone(),
        audio: source.audio.clone(),
        video: source.video.clone(),
        figures: figures::used_in(&source.body, figures),
    }
}

/// Split a body at the `<!-- more -->` marker line (outside code blocks).
fn split_at_more(body: &str) -> Option<(&str, &str)> {
    let mut offset = 0;
    let mut fence: Option<&str> = None;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        match fence {
            Some(open) if trimmed.starts_with(open) => fence = None,
            Some(_) => {}
            None if trimmed.starts_with("```") => fence = Some("```"),
            None if trimmed.starts_with("~~~") => fence = Some("~~~"),
            None if trimmed == MORE_MARKER => {
                return Some((&body[..offset], &body[offset + line.len()..]));
            }
            None => {}
        }
        offset += line.len();
    }
    None
}

fn reading_minutes(body: &str) -> u32 {
    let words = body.split_whitespace().count();
    words.div_ceil(WORDS_PER_MINUTE).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_teaser_stops_at_the_marker_but_not_inside_code() {
        let body = "Intro\n\n```text\n<!-- more -->\n```\n\nMiddle\n<!-- more -->\nSecret part\n";
        let (teaser, rest) = split_at_more(body).unwrap();
        assert!(teaser.contains("Middle") && !teaser.contains("Secret"));
        assert_eq!(rest, "Secret part\n");
        assert!(split_at_more("no marker here").is_none());
    }

    #[test]
    fn reading_time_counts_words() {
        assert_eq!(reading_minutes("word"), 1);
        assert_eq!(reading_minutes(&"word ".repeat(2640)), 12);
        assert_eq!(reading_minutes(&"word ".repeat(2641)), 13);
    }
}
