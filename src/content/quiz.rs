//! Knowledge-check quizzes: the full definition (answer key included) kept on the server,
//! and the public view that readers receive before they attempt it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize)]
pub struct PublicQuiz<'a> {
    pub pass_percent: u8,
    pub questions: Vec<PublicQuestion<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PublicQuestion<'a> {
    pub id: &'a str,
    pub prompt: &'a str,
    pub kind: QuestionKind,
    pub choices: Vec<PublicChoice<'a>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PublicChoice<'a> {
    pub id: usize,
    pub text: &'a str,
}

impl Quiz {
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
}
