//! The lesson source format (API.md section 10): TOML front matter between `+++` lines,
//! then a Markdown body. Parsing checks every rule and names the line at fault.

use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::content::quiz::{Question, QuestionKind, Quiz, Reveal};
use crate::names::Slug;
use crate::plans::Plan;
use crate::tokenizer::{self, Encoding};

/// The marker that ends the teaser shown to readers below a lesson's plan.
pub const MORE_MARKER: &str = "<!-- more -->";

/// What is wrong with a lesson source, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// 1-based line in the source file, when known.
    pub line: Option<usize>,
    /// The front-matter field at fault, when one is.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SourceError {}

/// How a lesson's video stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Video {
    None,
    ComingSoon,
    File(String),
}

impl Video {
    pub fn status(&self) -> &'static str {
        match self {
            Video::None => "none",
            Video::ComingSoon => "coming_soon",
            Video::File(_) => "available",
        }
    }
}

/// A parsed, validated lesson source.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonSource {
    pub slug: Slug,
    pub title: String,
    pub summary: String,
    pub course: String,
    pub position: i64,
    pub access: Plan,
    pub updated: chrono::NaiveDate,
    pub objectives: Vec<String>,
    pub takeaways: Vec<String>,
    pub audio: Option<String>,
    pub video: Video,
    pub quiz: Option<Quiz>,
    /// The Markdown body, after the front matter.
    pub body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    slug: Option<Spanned<String>>,
    summary: Spanned<String>,
    course: Spanned<String>,
    position: i64,
    access: Plan,
    updated: Spanned<toml::value::Datetime>,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    takeaways: Vec<String>,
    audio: Option<Spanned<String>>,
    video: Option<Spanned<String>>,
    quiz: Option<QuizFrontMatter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizFrontMatter {
    #[serde(default = "default_pass_percent")]
    pass_percent: Spanned<i64>,
    max_attempts: Option<Spanned<i64>>,
    reveal: Option<Spanned<String>>,
    #[serde(default)]
    shuffle_choices: bool,
    questions: Spanned<Vec<QuestionFrontMatter>>,
}

fn default_pass_percent() -> Spanned<i64> {
    Spanned::new(0..0, 70)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFrontMatter {
    id: Spanned<String>,
    kind: Option<Spanned<String>>,
    prompt: Spanned<String>,
    choices: Option<Spanned<Vec<String>>>,
    answer: Option<Spanned<Vec<i64>>>,
    answer_number: Option<Spanned<f64>>,
    tolerance: Option<Spanned<f64>>,
    text: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    explanation: String,
}

/// The longest text a `token_count` question may ask about, in characters.
pub const MAX_TOKEN_COUNT_TEXT: usize = 10_000;

/// The most attempts a quiz may allow (more is the same as unlimited).
const MAX_ATTEMPTS: i64 = 1000;

/// Parse a lesson file. `default_slug` (the file name) is used when the front matter has none.
pub fn parse(text: &str, default_slug: Option<&str>) -> Result<LessonSource, SourceError> {
    let (toml_text, body) = split_front_matter(text)?;
    // The TOML starts on the file's second line.
    let at = |span: Range<usize>| Some(line_of(toml_text, span.start) + 1);
    let error = |span: Range<usize>, field: &str, message: String| SourceError {
        line: at(span),
        field: Some(field.to_owned()),
        message,
    };

    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| SourceError {
        line: e.span().and_then(at),
        field: None,
        message: format!("invalid front matter: {}", e.message()),
    })?;

    let slug = match (&front.slug, default_slug) {
        (Some(slug), _) => slug.clone(),
        (None, Some(name)) => Spanned::new(0..0, name.to_owned()),
        (None, None) => {
            return Err(SourceError {
                line: Some(1),
                field: Some("slug".into()),
                message: "the front matter needs a `slug`".into(),
            })
        }
    };
    let Some(parsed_slug) = Slug::parse(slug.get_ref()) else {
        return Err(error(
            slug.span(),
            "slug",
            format!(
                "slug {:?} must be 1 to 80 characters of a-z, 0-9 and -",
                slug.get_ref()
            ),
        ));
    };
    for (field, value) in [
        ("title", &front.title),
        ("summary", &front.summary),
        ("course", &front.course),
    ] {
        if value.get_ref().trim().is_empty() {
            return Err(error(
                value.span(),
                field,
                format!("`{field}` must not be empty"),
            ));
        }
    }
    let updated = front.updated.get_ref();
    let updated = match (updated.date, updated.time) {
        (Some(date), None) => chrono::NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        ),
        _ => None,
    }
    .ok_or_else(|| {
        error(
            front.updated.span(),
            "updated",
            "`updated` must be a date such as 2026-04-28".into(),
        )
    })?;
    let video = match front.video.as_ref().map(|v| v.get_ref().as_str()) {
        None | Some("none") => Video::None,
        Some("coming_soon") => Video::ComingSoon,
        Some(file) => Video::File(file_name(file).ok_or_else(|| {
            let span = front.video.as_ref().map(|v| v.span()).unwrap_or(0..0);
            error(
                span,
                "video",
                "`video` must be none, coming_soon or a file name".into(),
            )
        })?),
    };
    let audio = match &front.audio {
        None => None,
        Some(audio) => Some(file_name(audio.get_ref()).ok_or_else(|| {
            error(
                audio.span(),
                "audio",
                "`audio` must be a file name next to the lesson".into(),
            )
        })?),
    };
    let quiz = match front.quiz {
        None => None,
        Some(quiz) => Some(parse_quiz(quiz, &error)?),
    };
    super::math::check(body).map_err(|e| SourceError {
        // The body is the end of the file.
        line: Some(line_of(text, text.len() - body.len() + e.offset)),
        field: None,
        message: e.to_string(),
    })?;
    Ok(LessonSource {
        slug: parsed_slug,
        title: front.title.into_inner().trim().to_owned(),
        summary: front.summary.into_inner().trim().to_owned(),
        course: front.course.into_inner(),
        position: front.position,
        access: front.access,
        updated,
        objectives: front.objectives,
        takeaways: front.takeaways,
        audio,
        video,
        quiz,
        body: body.to_owned(),
    })
}

fn parse_quiz(
    quiz: QuizFrontMatter,
    error: &impl Fn(Range<usize>, &str, String) -> SourceError,
) -> Result<Quiz, SourceError> {
    let pass_percent = *quiz.pass_percent.get_ref();
    if !(0..=100).contains(&pass_percent) {
        return Err(error(
            quiz.pass_percent.span(),
            "quiz.pass_percent",
            "`pass_percent` must be between 0 and 100".into(),
        ));
    }
    let max_attempts = match &quiz.max_attempts {
        None => None,
        Some(n) => Some(
            u32::try_from(*n.get_ref())
                .ok()
                .filter(|&n| (1..=MAX_ATTEMPTS).contains(&i64::from(n)))
                .ok_or_else(|| {
                    error(
                        n.span(),
                        "quiz.max_attempts",
                        format!("`max_attempts` must be a whole number from 1 to {MAX_ATTEMPTS}"),
                    )
                })?,
        ),
    };
    let reveal = match &quiz.reveal {
        None => Reveal::Always,
        Some(value) => Reveal::parse(value.get_ref()).ok_or_else(|| {
            error(
                value.span(),
                "quiz.reveal",
                "`reveal` must be always, after_passing, after_last_attempt or never".into(),
            )
        })?,
    };
    if let (Reveal::AfterLastAttempt, None, Some(value)) = (reveal, max_attempts, &quiz.reveal) {
        return Err(error(
            value.span(),
            "quiz.reveal",
            "`reveal = \"after_last_attempt\"` needs `max_attempts`".into(),
        ));
    }
    let questions_span = quiz.questions.span();
    let mut questions: Vec<Question> = Vec::new();
    for q in quiz.questions.into_inner() {
        let id = q.id.get_ref().trim();
        if id.is_empty() || id.len() > 64 {
            return Err(error(
                q.id.span(),
                "quiz.questions.id",
                "a question id must be 1 to 64 characters".into(),
            ));
        }
        if questions.iter().any(|other| other.id == id) {
            return Err(error(
                q.id.span(),
                "quiz.questions.id",
                format!("duplicate question id {id:?}"),
            ));
        }
        if q.prompt.get_ref().trim().is_empty() {
            let field = format!("quiz.questions.{id}.prompt");
            return Err(error(
                q.prompt.span(),
                &field,
                "a question needs a prompt".into(),
            ));
        }
        questions.push(parse_question(id.to_owned(), q, error)?);
    }
    if questions.is_empty() {
        return Err(error(
            questions_span,
            "quiz.questions",
            "a quiz needs at least one question".into(),
        ));
    }
    Ok(Quiz {
        pass_percent: pass_percent as u8,
        max_attempts,
        reveal,
        shuffle_choices: quiz.shuffle_choices,
        questions,
    })
}

/// One question, by its kind: choices with an answer key, or a number (given, or counted
/// by the tokenizer).
fn parse_question(
    id: String,
    q: QuestionFrontMatter,
    error: &impl Fn(Range<usize>, &str, String) -> SourceError,
) -> Result<Question, SourceError> {
    let field = |name: &str| format!("quiz.questions.{id}.{name}");
    let kind = match &q.kind {
        None => None,
        Some(kind) => Some(
            [
                ("single", QuestionKind::Single),
                ("multiple", QuestionKind::Multiple),
                ("number", QuestionKind::Number),
                ("token_count", QuestionKind::TokenCount),
            ]
            .into_iter()
            .find_map(|(name, k)| (name == kind.get_ref()).then_some(k))
            .ok_or_else(|| {
                error(
                    kind.span(),
                    &field("kind"),
                    format!(
                        "kind {:?} of question {id:?} is not one of single, multiple, number and token_count",
                        kind.get_ref()
                    ),
                )
            })?,
        ),
    };
    let mut question = Question {
        prompt: q.prompt.get_ref().trim().to_owned(),
        explanation: q.explanation.trim().to_owned(),
        ..Question::default()
    };
    match kind {
        Some(kind @ (QuestionKind::Number | QuestionKind::TokenCount)) => {
            for (name, span) in [
                ("choices", q.choices.as_ref().map(Spanned::span)),
                ("answer", q.answer.as_ref().map(Spanned::span)),
            ] {
                if let Some(span) = span {
                    return Err(error(
                        span,
                        &field(name),
                        format!("a {} question has no `{name}`", kind_name(kind)),
                    ));
                }
            }
            let tolerance = match &q.tolerance {
                None => 0.0,
                Some(t) if t.get_ref().is_finite() && *t.get_ref() >= 0.0 => *t.get_ref(),
                Some(t) => {
                    return Err(error(
                        t.span(),
                        &field("tolerance"),
                        "`tolerance` must be a number of 0 or more".into(),
                    ))
                }
            };
            question.tolerance = tolerance;
            question.kind = kind;
            if kind == QuestionKind::Number {
                let Some(key) = &q.answer_number else {
                    return Err(error(
                        q.id.span(),
                        &field("answer_number"),
                        format!("number question {id:?} needs `answer_number`"),
                    ));
                };
                if !key.get_ref().is_finite() {
                    return Err(error(
                        key.span(),
                        &field("answer_number"),
                        "`answer_number` must be a finite number".into(),
                    ));
                }
                question.answer_number = Some(*key.get_ref());
            } else {
                if let Some(key) = &q.answer_number {
                    return Err(error(
                        key.span(),
                        &field("answer_number"),
                        "a token_count question's key is counted by Lectern; leave out `answer_number`"
                            .into(),
                    ));
                }
                let Some(text) = &q.text else {
                    return Err(error(
                        q.id.span(),
                        &field("text"),
                        format!("token_count question {id:?} needs the `text` to count"),
                    ));
                };
                let chars = text.get_ref().chars().count();
                if text.get_ref().is_empty() || chars > MAX_TOKEN_COUNT_TEXT {
                    return Err(error(
                        text.span(),
                        &field("text"),
                        format!(
                            "`text` must be 1 to {MAX_TOKEN_COUNT_TEXT} characters (it has {chars})"
                        ),
                    ));
                }
                let encoding = match &q.encoding {
                    None => Encoding::O200kBase,
                    Some(name) => Encoding::parse(name.get_ref()).ok_or_else(|| {
                        error(
                            name.span(),
                            &field("encoding"),
                            format!(
                                "encoding {:?} is not one of o200k_base and cl100k_base",
                                name.get_ref()
                            ),
                        )
                    })?,
                };
                question.answer_number = Some(tokenizer::count(encoding, text.get_ref()) as f64);
                question.text = Some(text.get_ref().clone());
                question.encoding = Some(encoding.id().to_owned());
            }
        }
        kind => {
            for (name, span) in [
                ("answer_number", q.answer_number.as_ref().map(Spanned::span)),
                ("tolerance", q.tolerance.as_ref().map(Spanned::span)),
                ("text", q.text.as_ref().map(Spanned::span)),
                ("encoding", q.encoding.as_ref().map(Spanned::span)),
            ] {
                if let Some(span) = span {
                    return Err(error(
                        span,
                        &field(name),
                        format!(
                            "a choice question has no `{name}`; set `kind` for a number question"
                        ),
                    ));
                }
            }
            let (Some(choices), Some(answer)) = (&q.choices, &q.answer) else {
                return Err(error(
                    q.id.span(),
                    &field(if q.choices.is_none() {
                        "choices"
                    } else {
                        "answer"
                    }),
                    format!("question {id:?} needs `choices` and `answer`"),
                ));
            };
            let choices_list = choices.get_ref();
            if choices_list.len() < 2 {
                return Err(error(
                    choices.span(),
                    &field("choices"),
                    format!("question {id:?} needs at least two choices"),
                ));
            }
            let mut key = Vec::new();
            for &index in answer.get_ref() {
                let index = usize::try_from(index)
                    .ok()
                    .filter(|&i| i < choices_list.len())
                    .ok_or_else(|| {
                        error(
                            answer.span(),
                            &field("answer"),
                            format!(
                                "answer {index} of question {id:?} is out of range (choices are numbered 0 to {})",
                                choices_list.len() - 1
                            ),
                        )
                    })?;
                if key.contains(&index) {
                    return Err(error(
                        answer.span(),
                        &field("answer"),
                        format!("answer {index} of question {id:?} is listed twice"),
                    ));
                }
                key.push(index);
            }
            if key.is_empty() {
                return Err(error(
                    answer.span(),
                    &field("answer"),
                    format!("question {id:?} needs at least one correct answer"),
                ));
            }
            if kind == Some(QuestionKind::Single) && key.len() > 1 {
                return Err(error(
                    answer.span(),
                    &field("answer"),
                    format!(
                        "single-choice question {id:?} has {} correct answers",
                        key.len()
                    ),
                ));
            }
            key.sort_unstable();
            question.kind = match kind {
                Some(kind) => kind,
                None if key.len() > 1 => QuestionKind::Multiple,
                None => QuestionKind::Single,
            };
            question.choices = choices_list.clone();
            question.answer = key;
        }
    }
    question.id = id;
    Ok(question)
}

fn kind_name(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Single => "single",
        QuestionKind::Multiple => "multiple",
        QuestionKind::Number => "number",
        QuestionKind::TokenCount => "token_count",
    }
}

/// Split `+++\n<toml>\n+++\n<body>`.
fn split_front_matter(text: &str) -> Result<(&str, &str), SourceError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let missing = |line, message: &str| SourceError {
        line: Some(line),
        field: None,
        message: message.to_owned(),
    };
    let rest = text
        .strip_prefix("+++\r\n")
        .or_else(|| text.strip_prefix("+++\n"))
        .ok_or_else(|| {
            missing(
                1,
                "a lesson must start with a `+++` line opening its TOML front matter",
            )
        })?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let body = &rest[offset + line.len()..];
            return Ok((&rest[..offset], body));
        }
        offset += line.len();
    }
    Err(missing(
        text.lines().count().max(1),
        "the front matter is not closed by a `+++` line",
    ))
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A plain file name (no folders, no `..`), as media files next to a lesson must be.
fn file_name(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"+++
title = "How Attention Works"
summary = "One sentence."
course = "ai-foundations"
position = 2
access = "plus"
updated = 2026-04-28
objectives = ["Explain attention"]
takeaways = ["Attention relates tokens"]
video = "coming_soon"

[quiz]
pass_percent = 70

[[quiz.questions]]
id = "q1"
prompt = "What does self-attention relate?"
choices = ["Pixels", "Tokens to tokens", "Files"]
answer = [1]
explanation = "Every token attends to every other."

[[quiz.questions]]
id = "q2"
prompt = "Select all that apply."
choices = ["a", "b", "c"]
answer = [2, 0]
+++
Teaser.

<!-- more -->
The rest.
"#;

    #[test]
    fn parses_a_complete_lesson() {
        let lesson = parse(GOOD, Some("attention")).unwrap();
        assert_eq!(lesson.slug, "attention");
        assert_eq!(lesson.access, Plan::Plus);
        assert_eq!(lesson.updated.to_string(), "2026-04-28");
        assert_eq!(lesson.video, Video::ComingSoon);
        let quiz = lesson.quiz.unwrap();
        assert_eq!(quiz.pass_percent, 70);
        assert_eq!(quiz.questions[0].kind, QuestionKind::Single);
        assert_eq!(quiz.questions[1].kind, QuestionKind::Multiple);
        assert_eq!(quiz.questions[1].answer, vec![0, 2]);
        assert!(lesson.body.starts_with("Teaser."));
    }

    #[test]
    fn a_formula_that_does_not_parse_names_its_line() {
        let text = GOOD.replace("The rest.", "Fine $x^2$.\n\nThe rest: $\\frac{a}$.");
        let line = text.lines().position(|l| l.contains("frac")).unwrap() + 1;
        let err = parse(&text, Some("attention")).unwrap_err();
        assert_eq!(err.line, Some(line), "{err}");
        assert!(err.to_string().contains("\\frac{a}"), "{err}");
        assert!(parse(&GOOD.replace("The rest.", "$$\\sqrt{2}$$"), Some("a")).is_ok());
    }

    fn error_of(text: &str) -> SourceError {
        parse(text, Some("x")).unwrap_err()
    }

    #[test]
    fn an_unknown_access_names_its_line() {
        let err = error_of(&GOOD.replace("access = \"plus\"", "access = \"gold\""));
        assert_eq!(err.line, Some(6), "{err}");
        assert!(err.message.contains("gold"), "{err}");
    }

    #[test]
    fn an_answer_out_of_range_names_its_line_and_field() {
        let err = error_of(&GOOD.replace("answer = [1]", "answer = [3]"));
        assert_eq!(err.line, Some(19), "{err}");
        assert_eq!(err.field.as_deref(), Some("quiz.questions.q1.answer"));
    }

    #[test]
    fn broken_toml_names_its_line() {
        let err = error_of(&GOOD.replace("position = 2", "position = = 2"));
        assert_eq!(err.line, Some(5), "{err}");
    }

    #[test]
    fn rejects_bad_slugs_duplicates_and_missing_fences() {
        assert_eq!(
            error_of(&GOOD.replacen("title", "slug = \"Bad Slug!\"\ntitle", 1))
                .field
                .as_deref(),
            Some("slug")
        );
        let dup = GOOD.replace("id = \"q2\"", "id = \"q1\"");
        assert!(error_of(&dup).message.contains("duplicate question id"));
        let no_choices = GOOD.replace(
            "choices = [\"Pixels\", \"Tokens to tokens\", \"Files\"]",
            "choices = []",
        );
        assert!(error_of(&no_choices).message.contains("two choices"));
        assert_eq!(error_of("no front matter").line, Some(1));
        assert!(error_of("+++\ntitle = \"x\"\n")
            .message
            .contains("not closed"));
        assert!(error_of(&GOOD.replace("title = ", "titel = "))
            .message
            .contains("titel"));
    }

    #[test]
    fn media_names_cannot_leave_the_lesson_folder() {
        let err =
            error_of(&GOOD.replace("video = \"coming_soon\"", "audio = \"../../etc/passwd\""));
        assert_eq!(err.field.as_deref(), Some("audio"));
    }

    #[test]
    fn slugs() {
        assert!(Slug::is_valid("transformer-revolution"));
        assert!(!Slug::is_valid(""));
        assert!(!Slug::is_valid("Upper"));
        assert!(!Slug::is_valid(&"a".repeat(81)));
    }

    const POLICIES: &str = r#"+++
title = "Tokens"
summary = "One sentence."
course = "ai-foundations"
position = 1
access = "free"
updated = 2026-04-28

[quiz]
max_attempts = 3
reveal = "after_last_attempt"
shuffle_choices = true

[[quiz.questions]]
id = "q7"
kind = "number"
prompt = "How many heads?"
answer_number = 12
tolerance = 0.5

[[quiz.questions]]
id = "q8"
kind = "token_count"
prompt = "How many o200k_base tokens is the text below?"
text = "Hello, world!"
encoding = "o200k_base"
+++
Body.
"#;

    #[test]
    fn number_and_token_count_questions_and_policies_parse() {
        let quiz = parse(POLICIES, Some("tokens")).unwrap().quiz.unwrap();
        assert_eq!(quiz.max_attempts, Some(3));
        assert_eq!(quiz.reveal, Reveal::AfterLastAttempt);
        assert!(quiz.shuffle_choices);
        let [number, count] = &quiz.questions[..] else {
            panic!("two questions")
        };
        assert_eq!(number.kind, QuestionKind::Number);
        assert_eq!((number.answer_number, number.tolerance), (Some(12.0), 0.5));
        assert!(number.choices.is_empty());
        assert_eq!(count.kind, QuestionKind::TokenCount);
        let expected = tokenizer::count(Encoding::O200kBase, "Hello, world!");
        assert_eq!(count.answer_number, Some(expected as f64));
        assert_eq!(count.text.as_deref(), Some("Hello, world!"));
    }

    #[test]
    fn bad_question_kinds_and_keys_are_import_errors_with_their_line() {
        let err = error_of(&POLICIES.replace("kind = \"number\"", "kind = \"essay\""));
        assert_eq!(err.line, Some(16), "{err}");
        assert_eq!(err.field.as_deref(), Some("quiz.questions.q7.kind"));
        assert!(err.message.contains("essay"), "{err}");

        let err = error_of(&POLICIES.replace("answer_number = 12\n", ""));
        assert_eq!(err.line, Some(15), "{err}");
        assert_eq!(
            err.field.as_deref(),
            Some("quiz.questions.q7.answer_number")
        );

        let long = "a".repeat(MAX_TOKEN_COUNT_TEXT + 1);
        let err = error_of(&POLICIES.replace("\"Hello, world!\"", &format!("\"{long}\"")));
        assert_eq!(err.line, Some(25), "{err}");
        assert_eq!(err.field.as_deref(), Some("quiz.questions.q8.text"));
        assert!(err.message.contains("10000"), "{err}");

        let err = error_of(&POLICIES.replace("max_attempts = 3\n", ""));
        assert_eq!(err.field.as_deref(), Some("quiz.reveal"), "{err}");
        let err = error_of(&POLICIES.replace("max_attempts = 3", "max_attempts = 0"));
        assert_eq!(err.field.as_deref(), Some("quiz.max_attempts"), "{err}");
        let err = error_of(&POLICIES.replace("\"o200k_base\"\n+++", "\"p50k_base\"\n+++"));
        assert_eq!(
            err.field.as_deref(),
            Some("quiz.questions.q8.encoding"),
            "{err}"
        );
        let err = error_of(&POLICIES.replace("tolerance = 0.5", "tolerance = -1"));
        assert_eq!(
            err.field.as_deref(),
            Some("quiz.questions.q7.tolerance"),
            "{err}"
        );
        let err = error_of(&POLICIES.replace("tolerance = 0.5", "choices = [\"a\", \"b\"]"));
        assert_eq!(
            err.field.as_deref(),
            Some("quiz.questions.q7.choices"),
            "{err}"
        );
        let err = error_of(&GOOD.replace("answer = [2, 0]", "answer = [2, 0]\nkind = \"single\""));
        assert_eq!(
            err.field.as_deref(),
            Some("quiz.questions.q2.answer"),
            "{err}"
        );
    }
}
