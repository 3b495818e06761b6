//! Quiz checking: pure functions that validate a learner's answers against a quiz and
//! score them, and the view of a scored result that the quiz's `reveal` policy allows.
//! The answer key never leaves the server except inside a result that may show it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::content::quiz::{Question, QuestionKind, Quiz};
use crate::error::AppError;

/// Answers as submitted: question id → a list of choice ids, or one number (checked
/// against the question's kind by `validate`).
pub type SubmittedAnswers = BTreeMap<String, serde_json::Value>;

/// One validated answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// Known choices, sorted, no duplicates.
    Choices(Vec<usize>),
    Number(f64),
}

/// Answers that passed validation, by question id.
pub type Answers = BTreeMap<String, Answer>;

/// How one question went, as stored with the attempt (the key included).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub question_id: String,
    pub correct: bool,
    /// What the learner chose (empty when the question was left out or takes a number).
    pub chosen_choice_ids: Vec<usize>,
    pub correct_choice_ids: Vec<usize>,
    /// The number given (number kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_number: Option<f64>,
    /// The key (number kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_number: Option<f64>,
    pub explanation: String,
}

/// How one question went, as the reader is shown it: the key and the explanation are
/// `null` while the quiz's `reveal` policy hides them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ResultView<'a> {
    pub question_id: &'a str,
    pub correct: bool,
    pub chosen_choice_ids: &'a [usize],
    pub chosen_number: Option<f64>,
    pub correct_choice_ids: Option<&'a [usize]>,
    pub correct_number: Option<f64>,
    pub explanation: Option<&'a str>,
}

impl QuestionResult {
    pub fn view(&self, shows_key: bool) -> ResultView<'_> {
        ResultView {
            question_id: &self.question_id,
            correct: self.correct,
            chosen_choice_ids: &self.chosen_choice_ids,
            chosen_number: self.chosen_number,
            correct_choice_ids: shows_key.then_some(&self.correct_choice_ids[..]),
            correct_number: self.correct_number.filter(|_| shows_key),
            explanation: shows_key.then_some(self.explanation.as_str()),
        }
    }
}

/// A scored attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub score: u32,
    pub total: u32,
    /// `score / total` as a whole percentage, rounded down: always within 0..=100.
    pub percent: u8,
    pub passed: bool,
    pub results: Vec<QuestionResult>,
}

/// Check submitted answers against the quiz. Every problem is reported, each under the
/// field `answers.<question id>`; nothing is scored when there is any.
pub fn validate(quiz: &Quiz, submitted: &SubmittedAnswers) -> Result<Answers, AppError> {
    let mut problems = BTreeMap::new();
    let mut answers = Answers::new();
    for (question_id, given) in submitted {
        let checked = match quiz.questions.iter().find(|q| &q.id == question_id) {
            None => Err(format!(
                "This quiz has no question with the id \"{question_id}\"."
            )),
            Some(question) if question.kind.is_number() => match given.as_f64() {
                Some(number) if given.is_number() => Ok(Answer::Number(number)),
                _ => Err(format!(
                    "Question \"{question_id}\" takes one number, such as {{\"{question_id}\": 3}}."
                )),
            },
            Some(question) => choices_of(question, given).map(Answer::Choices),
        };
        match checked {
            Ok(answer) => {
                answers.insert(question_id.clone(), answer);
            }
            Err(message) => {
                problems.insert(format!("answers.{question_id}"), message);
            }
        }
    }
    match problems.first_key_value() {
        None => Ok(answers),
        Some((_, first)) => Err(AppError::InvalidInput {
            message: if problems.len() == 1 {
                first.clone()
            } else {
                format!("{first} ({} problems in all.)", problems.len())
            },
            fields: problems,
        }),
    }
}

/// The choice ids of an answer to a choice question: a list of known ids, each once (and
/// only one for a single-choice question).
fn choices_of(question: &Question, given: &serde_json::Value) -> Result<Vec<usize>, String> {
    let question_id = &question.id;
    let Some(list) = given.as_array() else {
        return Err(format!(
            "Question \"{question_id}\" takes a list of choice ids, such as [0]."
        ));
    };
    let mut ids = Vec::with_capacity(list.len());
    for item in list {
        let Some(choice) = item.as_i64() else {
            return Err(format!(
                "Question \"{question_id}\" takes whole choice ids; {item} is not one."
            ));
        };
        match usize::try_from(choice)
            .ok()
            .filter(|&c| c < question.choices.len())
        {
            Some(c) if ids.contains(&c) => {
                return Err(format!(
                    "Choice {choice} is given twice for question \"{question_id}\"."
                ));
            }
            Some(c) => ids.push(c),
            None => {
                return Err(format!(
                    "Question \"{question_id}\" has no choice {choice}; its choice ids are 0 to {}.",
                    question.choices.len().saturating_sub(1)
                ));
            }
        }
    }
    if question.kind == QuestionKind::Single && ids.len() > 1 {
        return Err(format!(
            "Question \"{question_id}\" takes a single choice, but {} were given.",
            ids.len()
        ));
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Whether `given` is within `tolerance` of `key`, inclusive (with room for the rounding
/// of decimal fractions, so 3.1 is within 0.1 of 3).
fn within(given: f64, key: f64, tolerance: f64) -> bool {
    (given - key).abs() <= tolerance + 1e-9 * key.abs().max(1.0)
}

/// Score validated answers. A question left out (or answered with no choice) is wrong.
pub fn score(quiz: &Quiz, answers: &Answers) -> Scored {
    let results: Vec<QuestionResult> = quiz
        .questions
        .iter()
        .map(|question| {
            let mut key = question.answer.clone();
            key.sort_unstable();
            key.dedup();
            let (chosen, number) = match answers.get(&question.id) {
                Some(Answer::Choices(ids)) => (ids.clone(), None),
                Some(Answer::Number(n)) => (Vec::new(), Some(*n)),
                None => (Vec::new(), None),
            };
            let correct = match (question.answer_number, number) {
                (Some(expected), Some(given)) => within(given, expected, question.tolerance),
                (Some(_), None) => false,
                (None, _) => !chosen.is_empty() && chosen == key,
            };
            QuestionResult {
                question_id: question.id.clone(),
                correct,
                chosen_choice_ids: chosen,
                correct_choice_ids: key,
                chosen_number: number,
                correct_number: question.answer_number,
                explanation: question.explanation.clone(),
            }
        })
        .collect();
    let total = u32::try_from(results.len()).unwrap_or(u32::MAX);
    let score = u32::try_from(results.iter().filter(|r| r.correct).count()).unwrap_or(u32::MAX);
    let percent = if total == 0 {
        0
    } else {
        u8::try_from(u64::from(score) * 100 / u64::from(total)).unwrap_or(100)
    };
    // Compared exactly, so 2 of 3 never passes a 67% bar through rounding.
    let passed =
        total > 0 && u64::from(score) * 100 >= u64::from(quiz.pass_percent) * u64::from(total);
    Scored {
        score,
        total,
        percent,
        passed,
        results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::quiz::Question;
    use proptest::prelude::*;

    fn question(id: &str, kind: QuestionKind, choices: usize, answer: &[usize]) -> Question {
        Question {
            id: id.into(),
            prompt: format!("Prompt {id}"),
            kind,
            choices: (0..choices).map(|c| format!("choice {c}")).collect(),
            answer: answer.to_vec(),
            explanation: format!("Because of {id}."),
            ..Question::default()
        }
    }

    fn quiz() -> Quiz {
        Quiz {
            pass_percent: 70,
            questions: vec![
                question("q1", QuestionKind::Single, 3, &[1]),
                question("q2", QuestionKind::Multiple, 4, &[0, 2]),
                question("q3", QuestionKind::Single, 2, &[0]),
            ],
            ..Quiz::default()
        }
    }

    fn submitted(pairs: &[(&str, &[i64])]) -> SubmittedAnswers {
        pairs
            .iter()
            .map(|(q, c)| ((*q).to_owned(), serde_json::json!(c)))
            .collect()
    }

    #[test]
    fn all_right_passes_and_order_of_choices_does_not_matter() {
        let quiz = quiz();
        let answers = validate(
            &quiz,
            &submitted(&[("q1", &[1]), ("q2", &[2, 0]), ("q3", &[0])]),
        )
        .unwrap();
        let scored = score(&quiz, &answers);
        assert_eq!((scored.score, scored.total, scored.percent), (3, 3, 100));
        assert!(scored.passed);
        assert_eq!(scored.results[1].correct_choice_ids, [0, 2]);
        assert_eq!(scored.results[1].explanation, "Because of q2.");
    }

    #[test]
    fn left_out_and_partial_answers_are_wrong() {
        let quiz = quiz();
        let answers = validate(&quiz, &submitted(&[("q1", &[1]), ("q2", &[0])])).unwrap();
        let scored = score(&quiz, &answers);
        assert_eq!((scored.score, scored.total, scored.percent), (1, 3, 33));
        assert!(!scored.passed);
        assert!(
            !scored.results[1].correct,
            "half of a multiple answer is wrong"
        );
        assert!(!scored.results[2].correct, "left out");
        assert!(scored.results[2].chosen_choice_ids.is_empty());
    }

    #[test]
    fn pass_mark_is_compared_exactly() {
        let mut quiz = quiz();
        quiz.pass_percent = 67;
        let answers = validate(&quiz, &submitted(&[("q1", &[1]), ("q3", &[0])])).unwrap();
        let scored = score(&quiz, &answers);
        assert_eq!(scored.percent, 66);
        assert!(!scored.passed, "2/3 is below 67%");
        quiz.pass_percent = 66;
        assert!(score(&quiz, &answers).passed, "2/3 is above 66%");
    }

    #[test]
    fn bad_answers_are_named_clearly() {
        let quiz = quiz();
        type Case<'a> = (&'a [(&'a str, &'a [i64])], &'a str, &'a str);
        let cases: [Case; 5] = [
            (
                &[("q9", &[0])],
                "answers.q9",
                "no question with the id \"q9\"",
            ),
            (&[("q1", &[3])], "answers.q1", "has no choice 3"),
            (&[("q1", &[-1])], "answers.q1", "has no choice -1"),
            (&[("q2", &[0, 0])], "answers.q2", "given twice"),
            (&[("q1", &[0, 1])], "answers.q1", "takes a single choice"),
        ];
        for (answers, field, text) in cases {
            match validate(&quiz, &submitted(answers)) {
                Err(AppError::InvalidInput { message, fields }) => {
                    assert!(message.contains(text), "{message}");
                    assert!(fields.contains_key(field), "{fields:?}");
                }
                other => panic!("expected invalid input for {answers:?}, got {other:?}"),
            }
        }
    }

    fn arb_quiz() -> impl Strategy<Value = Quiz> {
        let arb_question = (
            1usize..6,
            any::<bool>(),
            proptest::collection::vec(0usize..8, 0..4),
        );
        (0u8..=100, proptest::collection::vec(arb_question, 0..6)).prop_map(|(pass, qs)| Quiz {
            pass_percent: pass,
            questions: qs
                .into_iter()
                .enumerate()
                .map(|(i, (choices, multiple, answer))| {
                    let kind = if multiple {
                        QuestionKind::Multiple
                    } else {
                        QuestionKind::Single
                    };
                    question(&format!("q{i}"), kind, choices, &answer)
                })
                .collect(),
            ..Quiz::default()
        })
    }

    proptest! {
        #[test]
        fn scoring_never_panics_and_stays_in_range(
            quiz in arb_quiz(),
            answers in proptest::collection::btree_map(
                "q[0-7]", proptest::collection::vec(-2i64..10, 0..5), 0..8),
        ) {
            let answers: SubmittedAnswers = answers
                .into_iter()
                .map(|(q, c)| (q, serde_json::json!(c)))
                .collect();
            if let Ok(valid) = validate(&quiz, &answers) {
                let scored = score(&quiz, &valid);
                prop_assert!(scored.percent <= 100);
                prop_assert!(scored.score <= scored.total);
                prop_assert_eq!(scored.results.len(), quiz.questions.len());
            }
            // Scoring raw (unvalidated) choices must not panic either.
            let raw: Answers = answers
                .iter()
                .map(|(q, c)| {
                    let ids = c.as_array().into_iter().flatten();
                    (q.clone(), Answer::Choices(ids.filter_map(|x| x.as_u64()).map(|x| x as usize).collect()))
                })
                .collect();
            let scored = score(&quiz, &raw);
            prop_assert!(scored.percent <= 100);
        }
    }

    fn number_quiz(tolerance: f64) -> Quiz {
        Quiz {
            pass_percent: 50,
            questions: vec![Question {
                id: "q7".into(),
                prompt: "How many?".into(),
                kind: QuestionKind::Number,
                answer_number: Some(3.0),
                tolerance,
                ..Question::default()
            }],
            ..Quiz::default()
        }
    }

    fn number_answer(quiz: &Quiz, value: serde_json::Value) -> Result<Scored, AppError> {
        let answers = validate(quiz, &SubmittedAnswers::from([("q7".to_owned(), value)]))?;
        Ok(score(quiz, &answers))
    }

    #[test]
    fn number_questions_are_right_within_their_tolerance_inclusive() {
        let exact = number_quiz(0.0);
        assert!(number_answer(&exact, serde_json::json!(3)).unwrap().passed);
        assert!(
            number_answer(&exact, serde_json::json!(3.0))
                .unwrap()
                .passed
        );
        assert!(
            !number_answer(&exact, serde_json::json!(3.01))
                .unwrap()
                .passed
        );
        assert!(!number_answer(&exact, serde_json::json!(4)).unwrap().passed);
        let loose = number_quiz(0.1);
        assert!(
            number_answer(&loose, serde_json::json!(3.1))
                .unwrap()
                .passed,
            "the edge is inside"
        );
        assert!(
            number_answer(&loose, serde_json::json!(2.9))
                .unwrap()
                .passed
        );
        assert!(
            !number_answer(&loose, serde_json::json!(3.2))
                .unwrap()
                .passed
        );
        let scored = number_answer(&loose, serde_json::json!(3.05)).unwrap();
        assert_eq!(scored.results[0].chosen_number, Some(3.05));
        assert_eq!(scored.results[0].correct_number, Some(3.0));
        // Left out: wrong.
        assert!(!score(&loose, &Answers::new()).results[0].correct);
    }

    #[test]
    fn an_answer_of_the_wrong_shape_for_its_kind_is_invalid() {
        let quiz = number_quiz(0.0);
        for wrong in [
            serde_json::json!([3]),
            serde_json::json!("3"),
            serde_json::json!(null),
        ] {
            match number_answer(&quiz, wrong.clone()) {
                Err(AppError::InvalidInput { fields, message }) => {
                    assert!(fields.contains_key("answers.q7"), "{fields:?}");
                    assert!(message.contains("one number"), "{message}");
                }
                other => panic!("{wrong} was taken: {other:?}"),
            }
        }
        let choices = self::quiz();
        for wrong in [
            serde_json::json!(1),
            serde_json::json!([1.5]),
            serde_json::json!({"a": 1}),
        ] {
            let given = SubmittedAnswers::from([("q1".to_owned(), wrong.clone())]);
            assert!(
                matches!(
                    validate(&choices, &given),
                    Err(AppError::InvalidInput { .. })
                ),
                "{wrong} was taken"
            );
        }
    }

    #[test]
    fn a_hidden_result_shows_whether_it_was_right_but_not_the_key() {
        let quiz = quiz();
        let answers = validate(&quiz, &submitted(&[("q1", &[0])])).unwrap();
        let result = &score(&quiz, &answers).results[0];
        let hidden = serde_json::to_value(result.view(false)).unwrap();
        assert_eq!(hidden["correct"], false);
        assert_eq!(hidden["chosen_choice_ids"], serde_json::json!([0]));
        assert!(hidden["correct_choice_ids"].is_null() && hidden["explanation"].is_null());
        let shown = serde_json::to_value(result.view(true)).unwrap();
        assert_eq!(shown["correct_choice_ids"], serde_json::json!([1]));
        assert_eq!(shown["explanation"], "Because of q1.");
    }
}
