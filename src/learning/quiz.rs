//! Quiz checking: pure functions that validate a learner's answers against a quiz and
//! score them. The answer key never leaves the server except inside a scored result.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::content::quiz::{QuestionKind, Quiz};
use crate::error::AppError;

/// Answers as submitted: question id → choice ids (any integers, checked by `validate`).
pub type SubmittedAnswers = BTreeMap<String, Vec<i64>>;

/// Answers that passed validation: known questions, known choices, sorted, no duplicates.
pub type Answers = BTreeMap<String, Vec<usize>>;

/// How one question went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QuestionResult {
    pub question_id: String,
    pub correct: bool,
    /// What the learner chose (empty when the question was left out).
    pub chosen_choice_ids: Vec<usize>,
    pub correct_choice_ids: Vec<usize>,
    pub explanation: String,
}

/// A scored attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    for (question_id, choices) in submitted {
        let field = format!("answers.{question_id}");
        let Some(question) = quiz.questions.iter().find(|q| &q.id == question_id) else {
            problems.insert(
                field,
                format!("This quiz has no question with the id \"{question_id}\"."),
            );
            continue;
        };
        let mut ids = Vec::with_capacity(choices.len());
        let mut problem = None;
        for &choice in choices {
            match usize::try_from(choice)
                .ok()
                .filter(|&c| c < question.choices.len())
            {
                Some(c) if ids.contains(&c) => {
                    problem = Some(format!(
                        "Choice {choice} is given twice for question \"{question_id}\"."
                    ));
                }
                Some(c) => ids.push(c),
                None => {
                    problem = Some(format!(
                        "Question \"{question_id}\" has no choice {choice}; its choice ids are 0 to {}.",
                        question.choices.len().saturating_sub(1)
                    ));
                }
            }
        }
        if problem.is_none() && question.kind == QuestionKind::Single && ids.len() > 1 {
            problem = Some(format!(
                "Question \"{question_id}\" takes a single choice, but {} were given.",
                ids.len()
            ));
        }
        match problem {
            Some(message) => {
                problems.insert(field, message);
            }
            None => {
                ids.sort_unstable();
                answers.insert(question_id.clone(), ids);
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

/// Score validated answers. A question left out (or answered with no choice) is wrong.
pub fn score(quiz: &Quiz, answers: &Answers) -> Scored {
    let results: Vec<QuestionResult> = quiz
        .questions
        .iter()
        .map(|question| {
            let chosen = answers.get(&question.id).cloned().unwrap_or_default();
            let mut key = question.answer.clone();
            key.sort_unstable();
            key.dedup();
            QuestionResult {
                question_id: question.id.clone(),
                correct: !chosen.is_empty() && chosen == key,
                chosen_choice_ids: chosen,
                correct_choice_ids: key,
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
        }
    }

    fn submitted(pairs: &[(&str, &[i64])]) -> SubmittedAnswers {
        pairs
            .iter()
            .map(|(q, c)| ((*q).to_owned(), c.to_vec()))
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
        })
    }

    proptest! {
        #[test]
        fn scoring_never_panics_and_stays_in_range(
            quiz in arb_quiz(),
            answers in proptest::collection::btree_map(
                "q[0-7]", proptest::collection::vec(-2i64..10, 0..5), 0..8),
        ) {
            if let Ok(valid) = validate(&quiz, &answers) {
                let scored = score(&quiz, &valid);
                prop_assert!(scored.percent <= 100);
                prop_assert!(scored.score <= scored.total);
                prop_assert_eq!(scored.results.len(), quiz.questions.len());
            }
            // Scoring raw (unvalidated) choices must not panic either.
            let raw: Answers = answers
                .iter()
                .map(|(q, c)| (q.clone(), c.iter().map(|&x| x.unsigned_abs() as usize).collect()))
                .collect();
            let scored = score(&quiz, &raw);
            prop_assert!(scored.percent <= 100);
        }
    }
}
