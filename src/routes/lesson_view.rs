//! What a viewer may see of a lesson: the contract's `lesson_summary` and `lesson` shapes
//! (API.md section 4), cut at `<!-- more -->` for viewers below the lesson's plan.

use serde::Serialize;

use crate::auth::Viewer;
use crate::catalog::{Course, Lesson};
use crate::content::quiz::PublicQuiz;
use crate::content::TokenCount;
use crate::plans::{self, Capability, Plan};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonSummary<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub course: &'a str,
    pub position: i64,
    pub access: Plan,
    pub reading_minutes: u32,
    pub updated_at: &'a str,
    pub has_audio: bool,
    pub has_video: bool,
}

impl<'a> LessonSummary<'a> {
    pub fn of(lesson: &'a Lesson) -> LessonSummary<'a> {
        let r = &lesson.rendered;
        LessonSummary {
            slug: &lesson.slug,
            title: &r.title,
            summary: &r.summary,
            course: &r.course,
            position: r.position,
            access: r.access,
            reading_minutes: r.reading_minutes,
            updated_at: &lesson.updated_at,
            has_audio: lesson.has_audio,
            has_video: r.video.status() == "available",
        }
    }
}

/// A course with its published lessons, in order: the one shape of a course, for the API
/// and for the catalog page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CourseView<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    /// The reading time of all its published lessons, in minutes.
    pub reading_minutes: u32,
    /// Whether the course has a glossary page (`/courses/{slug}/glossary`).
    pub has_glossary: bool,
    pub lessons: Vec<LessonSummary<'a>>,
}

impl<'a> CourseView<'a> {
    pub fn of(course: &'a Course) -> CourseView<'a> {
        CourseView {
            slug: &course.slug,
            title: &course.title,
            summary: &course.summary,
            reading_minutes: course
                .lessons
                .iter()
                .map(|l| l.rendered.reading_minutes)
                .sum(),
            has_glossary: course.glossary.is_some(),
            lessons: course
                .lessons
                .iter()
                .map(|l| LessonSummary::of(l))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LessonView<'a> {
    #[serde(flatten)]
    pub summary: LessonSummary<'a>,
    pub html: &'a str,
    /// The Markdown the viewer may read, cut like `html` (for the PDF; not in the JSON).
    #[serde(skip)]
    pub markdown: &'a str,
    pub locked: bool,
    pub objectives: &'a [String],
    pub takeaways: &'a [String],
    pub token_count: TokenCount,
    pub quiz: Option<PublicQuiz<'a>>,
    pub media: Media,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Media {
    pub audio: Audio,
    pub pdf: bool,
    pub video: VideoMedia,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Audio {
    pub available: bool,
    pub preview_seconds: u32,
    pub stream: bool,
    pub download: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VideoMedia {
    #[schema(value_type = String, pattern = "^(none|coming_soon|available)$")]
    pub status: &'static str,
}

impl<'a> LessonView<'a> {
    /// The lesson as `viewer` may see it.
    pub fn of(lesson: &'a Lesson, viewer: &Viewer) -> LessonView<'a> {
        let r = &lesson.rendered;
        let locked = !plans::allows(viewer.plan(), Capability::ReadLesson(r.access));
        let may = |capability| !locked && plans::allows(viewer.plan(), capability);
        let has_audio = lesson.has_audio;
        LessonView {
            summary: LessonSummary::of(lesson),
            html: if locked {
                r.teaser_html.as_deref().unwrap_or("")
            } else {
                &r.html
            },
            markdown: if locked {
                r.teaser_markdown.as_deref().unwrap_or("")
            } else {
                &r.markdown
            },
            locked,
            objectives: &r.objectives,
            takeaways: if locked { &[] } else { &r.takeaways },
            token_count: r.token_count,
            quiz: match (&r.quiz, &viewer.0) {
                _ if locked => None,
                (Some(quiz), Some(session)) => {
                    Some(quiz.public_for(&format!("{}/{}", session.user.id, lesson.slug)))
                }
                (quiz, None) => quiz.as_ref().map(|q| q.public()),
                (None, _) => None,
            },
            media: Media {
                audio: Audio {
                    available: has_audio,
                    preview_seconds: if has_audio {
                        plans::AUDIO_PREVIEW_SECONDS
                    } else {
                        0
                    },
                    stream: has_audio && may(Capability::StreamAudio),
                    download: has_audio && may(Capability::DownloadMp3),
                },
                // A PDF of a locked lesson holds its open part only, like the page.
                pdf: plans::allows(viewer.plan(), Capability::DownloadPdf),
                video: VideoMedia {
                    status: r.video.status(),
                },
            },
        }
    }
}
