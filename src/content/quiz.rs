//! Knowledge-check quizzes: the full definition (answer key included) kept on the server,
//! its policies (attempts, when the key is revealed, shuffled choices), and the public view
//! that readers receive before they attempt it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    #[default]
    Single,
    Multiple,
    /// The answer is one number, right within `tolerance` of `answer_number`.
    Number,
    /// A number question whose key is the token count of `text`, computed at import.
    TokenCount,
}

impl QuestionKind {
    /// Whether the answer is one number rather than a set of choices.
    pub fn is_number(self) -> bool {
        matches!(self, QuestionKind::Number | QuestionKind::TokenCount)
    }
}

/// When an attempt's results show the answer key and the explanations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reveal {
    #[default]
    Always,
    /// Once any attempt of the reader has passed.
    AfterPassing,
    /// On the attempt that uses the last one allowed.
    AfterLastAttempt,
    Never,
}

impl Reveal {
    pub fn parse(value: &str) -> Option<Reveal> {
        [
            ("always", Reveal::Always),
            ("after_passing", Reveal::AfterPassing),
            ("after_last_attempt", Reveal::AfterLastAttempt),
            ("never", Reveal::Never),
        ]
        .into_iter()
        .find_map(|(name, reveal)| (name == value).then_some(reveal))
    }

    /// Whether an attempt shows the key: `passed_ever` counts this attempt, and
    /// `attempts_left` is what is left after it (`None` when unlimited).
    pub fn shows_key(self, passed_ever: bool, attempts_left: Option<i64>) -> bool {
        match self {
            Reveal::Always => true,
            Reveal::AfterPassing => passed_ever,
            Reveal::AfterLastAttempt => attempts_left == Some(0),
            Reveal::Never => false,
        }
    }

    /// What a reader is told before attempting.
    pub fn describe(self) -> &'static str {
        match self {
            Reveal::Always => "The answers and explanations are shown after each attempt.",
            Reveal::AfterPassing => "The answers and explanations are shown once you pass.",
            Reveal::AfterLastAttempt => {
                "The answers and explanations are shown after your last attempt."
            }
            Reveal::Never => {
                "The answers are not shown; each question says whether you got it right."
            }
        }
    }
}

/// A quiz as the server knows it, answer key and explanations included.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quiz {
    pub pass_percent: u8,
    /// `None`: unlimited.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub reveal: Reveal,
    #[serde(default)]
    pub shuffle_choices: bool,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
    /// Empty for number kinds.
    pub choices: Vec<String>,
    /// Indices of the correct choices, sorted; empty for number kinds.
    pub answer: Vec<usize>,
    /// The key of a number kind (for `token_count`, the count computed at import).
    #[serde(default)]
    pub answer_number: Option<f64>,
    /// How far from `answer_number` an answer may be and still be right (inclusive).
    #[serde(default)]
    pub tolerance: f64,
    /// The text whose tokens a `token_count` question asks for.
    #[serde(default)]
    pub text: Option<String>,
    /// The encoding a `token_count` question counts with (an `Encoding` id).
    #[serde(default)]
    pub encoding: Option<String>,
    pub explanation: String,
}

/// What a reader sees of a quiz before attempting it: no answers, no explanations.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicQuiz<'a> {
    pub pass_percent: u8,
    /// `null` when unlimited.
    pub max_attempts: Option<u32>,
    pub reveal: Reveal,
    pub questions: Vec<PublicQuestion<'a>>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicQuestion<'a> {
    pub id: &'a str,
    pub prompt: &'a str,
    pub kind: QuestionKind,
    pub choices: Vec<PublicChoice<'a>>,
    /// The text to count (`token_count` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    /// The encoding to count with (`token_count` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'a str>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicChoice<'a> {
    pub id: usize,
    pub text: &'a str,
}

impl Quiz {
    /// The quiz as an editor previews it: every question with its key marked and its
    /// explanation (never shown to readers before an attempt).
    pub fn preview_html(&self) -> String {
        use crate::content::markdown::escape;
        let attempts = match self.max_attempts {
            Some(n) => format!(" · {n} attempt{}", if n == 1 { "" } else { "s" }),
            None => String::new(),
        };
        let mut html = format!(
            "<section class=\"quiz-preview\" aria-label=\"Knowledge check\"><h2>Knowledge check</h2>\
             <p>{} questions · pass with {}%{attempts}</p><ol>",
            self.questions.len(),
            self.pass_percent
        );
        for question in &self.questions {
            let hint = match question.kind {
                QuestionKind::Multiple => " <em>(choose all that apply)</em>",
                _ => "",
            };
            html.push_str(&format!(
                "<li><p>{}{hint}</p><ul>",
                escape(&question.prompt)
            ));
            if let Some(text) = &question.text {
                html.push_str(&format!("<li><code>{}</code></li>", escape(text)));
            }
            if let Some(key) = question.answer_number {
                html.push_str(&format!(
                    "<li><strong>✓ {}</strong></li>",
                    number_with_tolerance(key, question.tolerance)
                ));
            }
            for (i, choice) in question.choices.iter().enumerate() {
                if question.answer.contains(&i) {
                    html.push_str(&format!("<li><strong>✓ {}</strong></li>", escape(choice)));
                } else {
                    html.push_str(&format!("<li>{}</li>", escape(choice)));
                }
            }
            html.push_str(&format!(
                "</ul><p><em>{}</em></p></li>",
                escape(&question.explanation)
            ));
        }
        html.push_str("</ol></section>");
        html
    }

    /// The quiz as everyone sees it: choices in the author's order.
    pub fn public(&self) -> PublicQuiz<'_> {
        PublicQuiz {
            pass_percent: self.pass_percent,
            max_attempts: self.max_attempts,
            reveal: self.reveal,
            questions: self
                .questions
                .iter()
                .map(|q| PublicQuestion {
                    id: &q.id,
                    prompt: &q.prompt,
                    kind: q.kind,
                    choices: q
                        .choices
                        .iter()
                        .enumerate()
                        .map(|(id, text)| PublicChoice { id, text })
                        .collect(),
                    text: q.text.as_deref(),
                    encoding: q.encoding.as_deref(),
                })
                .collect(),
        }
    }

    /// The quiz as one reader sees it: with `shuffle_choices`, each question's choices in
    /// an order of that reader's own (the same on every visit; the ids do not change).
    pub fn public_for(&self, reader: &str) -> PublicQuiz<'_> {
        let mut quiz = self.public();
        if self.shuffle_choices {
            for question in &mut quiz.questions {
                let seed = format!("{reader}\u{0}{}", question.id);
                question
                    .choices
                    .sort_by_cached_key(|choice| choice_rank(&seed, choice.id));
            }
        }
        quiz
    }
}

/// Where a choice goes in a reader's shuffled order: a hash, so the order is stable and
/// unrelated between readers and questions.
fn choice_rank(seed: &str, choice: usize) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(seed.as_bytes());
    hash.update(choice.to_le_bytes());
    hash.finalize().into()
}

/// `3`, `3.5` or `3 ± 0.5`, for people.
pub fn number_with_tolerance(value: f64, tolerance: f64) -> String {
    if tolerance > 0.0 {
        format!("{value} ± {tolerance}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_view_holds_no_answer_key() {
        let quiz = Quiz {
            pass_percent: 70,
            questions: vec![Question {
                id: "q1".into(),
                prompt: "Pick".into(),
                kind: QuestionKind::Single,
                choices: vec!["a".into(), "b".into()],
                answer: vec![1],
                explanation: "SECRET-EXPLANATION".into(),
                ..Question::default()
            }],
            ..Quiz::default()
        };
        let json = serde_json::to_string(&quiz.public()).unwrap();
        assert!(!json.contains("answer"));
        assert!(!json.contains("SECRET-EXPLANATION"));
        assert!(json.contains(r#"{"id":1,"text":"b"}"#));
    }

    #[test]
    fn the_editor_preview_marks_the_answers_and_escapes_text() {
        let quiz = Quiz {
            pass_percent: 70,
            questions: vec![Question {
                id: "q1".into(),
                prompt: "Which <tag>?".into(),
                kind: QuestionKind::Multiple,
                choices: vec!["a".into(), "b & c".into(), "d".into()],
                answer: vec![1, 2],
                explanation: "Because.".into(),
                ..Question::default()
            }],
            ..Quiz::default()
        };
        let html = quiz.preview_html();
        assert!(html.contains("Which &lt;tag&gt;?"), "{html}");
        assert!(
            html.contains("<li><strong>✓ b &amp; c</strong></li>"),
            "{html}"
        );
        assert!(
            html.contains("<li><strong>✓ d</strong></li><") && html.contains("<li>a</li>"),
            "{html}"
        );
        assert!(html.contains("Because."), "{html}");
    }

    fn choice_question(id: &str, choices: usize) -> Question {
        Question {
            id: id.into(),
            prompt: "Pick".into(),
            choices: (0..choices).map(|c| format!("choice {c}")).collect(),
            answer: vec![0],
            ..Question::default()
        }
    }

    #[test]
    fn shuffled_choices_are_stable_per_reader_and_differ_between_readers() {
        let quiz = Quiz {
            shuffle_choices: true,
            questions: vec![choice_question("q1", 6), choice_question("q2", 6)],
            ..Quiz::default()
        };
        let order = |reader: &str, q: usize| -> Vec<usize> {
            quiz.public_for(reader).questions[q]
                .choices
                .iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(
            order("ada", 0),
            order("ada", 0),
            "the same reader, the same order"
        );
        let mut ids = order("ada", 0);
        ids.sort_unstable();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5], "every choice once, ids unchanged");
        let readers = ["ada", "bob", "cy", "dee", "eve", "fay"];
        let orders: std::collections::BTreeSet<_> = readers.iter().map(|r| order(r, 0)).collect();
        assert!(orders.len() > 1, "readers see different orders");
        assert!(
            readers.iter().any(|r| order(r, 0) != order(r, 1)),
            "questions are shuffled independently"
        );
        // The text stays with its id.
        let public = quiz.public_for("bob");
        for choice in &public.questions[0].choices {
            assert_eq!(choice.text, format!("choice {}", choice.id));
        }
        let unshuffled = Quiz {
            shuffle_choices: false,
            ..quiz.clone()
        };
        let ids: Vec<usize> = unshuffled.public_for("bob").questions[0]
            .choices
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn the_reveal_policy_decides_when_the_key_shows() {
        assert!(Reveal::Always.shows_key(false, Some(2)));
        assert!(!Reveal::AfterPassing.shows_key(false, None));
        assert!(Reveal::AfterPassing.shows_key(true, None));
        assert!(!Reveal::AfterLastAttempt.shows_key(true, Some(1)));
        assert!(Reveal::AfterLastAttempt.shows_key(false, Some(0)));
        assert!(!Reveal::Never.shows_key(true, Some(0)));
        for name in ["always", "after_passing", "after_last_attempt", "never"] {
            let reveal = Reveal::parse(name).unwrap();
            assert_eq!(serde_json::to_value(reveal).unwrap(), name);
        }
        assert_eq!(Reveal::parse("sometimes"), None);
    }
}
