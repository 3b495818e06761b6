//! Knowledge-check quizzes: the full definition (answer key included) kept on the server,
//! and the public view that readers receive before they attempt it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    Single,
    Multiple,
}

/// A quiz as the server knows it, answer key and explanations included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quiz {
    pub pass_percent: u8,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
    pub choices: Vec<String>,
    /// Indices of the correct choices, sorted.
    pub answer: Vec<usize>,
    pub explanation: String,
}

/// What a reader sees of a quiz before attempting it: no answers, no explanations.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicQuiz<'a> {
    pub pass_percent: u8,
    pub questions: Vec<PublicQuestion<'a>>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicQuestion<'a> {
    pub id: &'a str,
    pub prompt: &'a str,
    pub kind: QuestionKind,
    pub choices: Vec<PublicChoice<'a>>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicChoice<'a> {
    pub id: usize,
    pub text: &'a str,
}

impl Quiz {
    /// The quiz as an editor previews it: every question with its correct choices marked
    /// and its explanation (never shown to readers before an attempt).
    pub fn preview_html(&self) -> String {
        use crate::content::markdown::escape;
        let mut html = format!(
            "<section class=\"quiz-preview\" aria-label=\"Knowledge check\"><h2>Knowledge check</h2>\
             <p>{} questions · pass with {}%</p><ol>",
            self.questions.len(),
            self.pass_percent
        );
        for question in &self.questions {
            let hint = match question.kind {
                QuestionKind::Multiple => " <em>(choose all that apply)</em>",
                QuestionKind::Single => "",
            };
            html.push_str(&format!(
                "<li><p>{}{hint}</p><ul>",
                escape(&question.prompt)
            ));
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

    pub fn public(&self) -> PublicQuiz<'_> {
        PublicQuiz {
            pass_percent: self.pass_percent,
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
                })
                .collect(),
        }
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
            }],
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
            }],
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
}
