//! What an author learns about a lesson (API.md section 15): the reading funnel, the
//! quiz's totals and, per question, Moodle's item statistics on each learner's first
//! attempt. The database counts readers and attempts (`db::analytics`) and streams one
//! row per learner's first attempt; this folds those into sums, turns the sums into
//! indices and flags the questions that need a look.

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Lesson;
use crate::content::quiz::{Question, QuestionKind};
use crate::db::analytics::{self as store, Outcome, FUNNEL_STEPS};
use crate::db::Db;
use crate::error::AppError;

/// A facility above this is too easy to tell learners apart.
pub const EASY: f64 = 0.9;
/// A facility below this is too hard (or its key is wrong).
pub const HARD: f64 = 0.2;
/// A discrimination below this barely separates strong learners from weak ones.
pub const WEAK: f64 = 0.2;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LessonAnalytics {
    /// Signed-in readers with any progress on the lesson.
    pub readers: i64,
    /// Readers who completed it.
    pub completed: i64,
    pub funnel: Vec<FunnelStep>,
    /// `null` when the lesson has no quiz.
    pub quiz: Option<QuizAnalytics>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    pub percent: i64,
    /// Readers who reached at least `percent`.
    pub readers: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct QuizAnalytics {
    /// Learners with at least one attempt.
    pub learners: i64,
    pub attempts: i64,
    /// The share of learners (0..1) who passed at least once; `null` without learners.
    pub pass_rate: Option<f64>,
    /// The mean percent of all attempts; `null` without attempts.
    pub mean_percent: Option<f64>,
    pub questions: Vec<ItemAnalysis>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemAnalysis {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
    /// Learners whose first attempt asked this question.
    pub answered: i64,
    /// The share of them (0..1) who got it right; `null` when nobody was asked.
    pub facility: Option<f64>,
    /// The point-biserial correlation (-1..1) between getting this question right and the
    /// score on the attempt's other questions; `null` when either does not vary.
    pub discrimination: Option<f64>,
    pub choices: Vec<ChoicePicks>,
    /// What needs a look: `too_easy`, `too_hard`, `weak_discrimination`,
    /// `unpicked_distractor`.
    pub flags: Vec<Flag>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ChoicePicks {
    pub id: usize,
    pub text: String,
    pub correct: bool,
    /// First attempts that chose it.
    pub picked: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    TooEasy,
    TooHard,
    WeakDiscrimination,
    UnpickedDistractor,
}

impl Flag {
    pub fn describe(self) -> &'static str {
        match self {
            Flag::TooEasy => "Almost everyone gets it right (facility above 0.9).",
            Flag::TooHard => {
                "Few get it right (facility below 0.2): check the key and the wording."
            }
            Flag::WeakDiscrimination => {
                "It barely separates strong learners from weak ones (discrimination below 0.2)."
            }
            Flag::UnpickedDistractor => "A wrong choice that nobody picks adds nothing.",
        }
    }
}

/// Sums over learners' first attempts for one question, from which facility and the
/// point-biserial discrimination follow: `x` is 1 when the question was right, `y` the
/// number of the attempt's other (current) questions that were right.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemSums {
    /// First attempts that asked the question.
    pub n: i64,
    pub sum_x: i64,
    pub sum_y: i64,
    pub sum_xy: i64,
    pub sum_yy: i64,
}

/// A quiz's item sums and choice counts, added up one first attempt at a time. Only the
/// questions that still exist count, in an attempt's score as well.
struct Tally<'q> {
    index: HashMap<&'q str, usize>,
    sums: Vec<ItemSums>,
    /// Per question, how many first attempts picked each of its choices.
    picks: Vec<Vec<i64>>,
}

impl<'q> Tally<'q> {
    fn new(questions: &'q [Question]) -> Self {
        Tally {
            index: questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect(),
            sums: vec![ItemSums::default(); questions.len()],
            picks: questions.iter().map(|q| vec![0; q.choices.len()]).collect(),
        }
    }

    fn add(&mut self, attempt: &[Outcome]) {
        let asked: Vec<(usize, &Outcome)> = attempt
            .iter()
            .filter_map(|o| self.index.get(o.question_id.as_str()).map(|&i| (i, o)))
            .collect();
        let right = asked.iter().filter(|(_, o)| o.correct).count() as i64;
        for (i, outcome) in asked {
            let x = i64::from(outcome.correct);
            let y = right - x;
            let sums = &mut self.sums[i];
            sums.n += 1;
            sums.sum_x += x;
            sums.sum_y += y;
            sums.sum_xy += x * y;
            sums.sum_yy += y * y;
            for &choice in &outcome.picks {
                // A choice the question no longer has is not counted.
                if let Some(picked) = self.picks[i].get_mut(choice) {
                    *picked += 1;
                }
            }
        }
    }
}

/// The share `part / whole`, or `None` when `whole` is 0.
fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Pearson's r between `x` (0 or 1) and `y` from their sums; `None` when either is
/// constant.
pub fn point_biserial(sums: &ItemSums) -> Option<f64> {
    let n = i128::from(sums.n);
    let (sx, sy) = (i128::from(sums.sum_x), i128::from(sums.sum_y));
    // x is 0 or 1, so the sum of x² is the sum of x.
    let var_x = n * sx - sx * sx;
    let var_y = n * i128::from(sums.sum_yy) - sy * sy;
    if n < 2 || var_x <= 0 || var_y <= 0 {
        return None;
    }
    let cov = n * i128::from(sums.sum_xy) - sx * sy;
    Some(cov as f64 / ((var_x as f64) * (var_y as f64)).sqrt())
}

fn flags(item: &ItemAnalysis) -> Vec<Flag> {
    let mut flags = Vec::new();
    match item.facility {
        Some(f) if f > EASY => flags.push(Flag::TooEasy),
        Some(f) if f < HARD => flags.push(Flag::TooHard),
        _ => {}
    }
    if item.discrimination.is_some_and(|d| d < WEAK) {
        flags.push(Flag::WeakDiscrimination);
    }
    if item.answered > 0 && item.choices.iter().any(|c| !c.correct && c.picked == 0) {
        flags.push(Flag::UnpickedDistractor);
    }
    flags
}

fn item(question: &Question, sums: &ItemSums, picks: &[i64]) -> ItemAnalysis {
    let mut item = ItemAnalysis {
        id: question.id.clone(),
        prompt: question.prompt.clone(),
        kind: question.kind,
        answered: sums.n,
        facility: share(sums.sum_x, sums.n),
        discrimination: point_biserial(sums),
        choices: question
            .choices
            .iter()
            .zip(picks)
            .enumerate()
            .map(|(id, (text, &picked))| ChoicePicks {
                id,
                text: text.clone(),
                correct: question.answer.contains(&id),
                picked,
            })
            .collect(),
        flags: Vec::new(),
    };
    item.flags = flags(&item);
    item
}

/// A lesson's analytics.
pub async fn lesson(db: &Db, lesson: &Lesson) -> Result<LessonAnalytics, AppError> {
    let questions = lesson
        .rendered
        .quiz
        .as_ref()
        .map_or(&[][..], |quiz| &quiz.questions[..]);
    let mut tally = Tally::new(questions);
    // Three independent reads, each on a connection of its own.
    let (reading, totals, ()) = tokio::try_join!(
        store::reading(db, &lesson.slug),
        store::quiz_totals(db, &lesson.slug),
        async {
            if questions.is_empty() {
                return Ok(());
            }
            store::each_first_attempt(db, &lesson.slug, |attempt| tally.add(&attempt)).await
        },
    )?;
    let funnel = FUNNEL_STEPS
        .iter()
        .zip(reading.reached)
        .map(|(&percent, readers)| FunnelStep { percent, readers })
        .collect();
    let quiz = lesson.rendered.quiz.as_ref().map(|_| QuizAnalytics {
        learners: totals.learners,
        attempts: totals.attempts,
        pass_rate: share(totals.passed_learners, totals.learners),
        mean_percent: totals.mean_percent,
        questions: questions
            .iter()
            .zip(tally.sums.iter().zip(&tally.picks))
            .map(|(question, (sums, picks))| item(question, sums, picks))
            .collect(),
    });
    Ok(LessonAnalytics {
        readers: reading.readers,
        completed: reading.completed,
        funnel,
        quiz,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(pairs: &[(i64, i64)]) -> ItemSums {
        ItemSums {
            n: pairs.len() as i64,
            sum_x: pairs.iter().map(|p| p.0).sum(),
            sum_y: pairs.iter().map(|p| p.1).sum(),
            sum_xy: pairs.iter().map(|p| p.0 * p.1).sum(),
            sum_yy: pairs.iter().map(|p| p.1 * p.1).sum(),
        }
    }

    fn question(id: &str, choices: usize) -> Question {
        Question {
            id: id.into(),
            prompt: id.into(),
            kind: QuestionKind::Single,
            choices: (0..choices).map(|c| c.to_string()).collect(),
            answer: vec![0],
            answer_number: None,
            tolerance: 0.0,
            text: None,
            encoding: None,
            explanation: String::new(),
        }
    }

    fn outcome(id: &str, correct: bool, picks: &[usize]) -> Outcome {
        Outcome {
            question_id: id.into(),
            correct,
            picks: picks.to_vec(),
        }
    }

    #[test]
    fn a_tally_counts_only_the_questions_and_choices_that_still_exist() {
        let questions = [question("a", 2), question("b", 3)];
        let mut tally = Tally::new(&questions);
        // "gone" was removed from the quiz: it is neither an item nor part of the score;
        // choice 7 of "b" no longer exists either.
        tally.add(&[
            outcome("a", true, &[0]),
            outcome("gone", true, &[1]),
            outcome("b", true, &[0, 7]),
        ]);
        tally.add(&[outcome("a", false, &[1])]);
        assert_eq!(
            tally.sums[0],
            ItemSums {
                n: 2,
                sum_x: 1,
                sum_y: 1,
                sum_xy: 1,
                sum_yy: 1
            }
        );
        assert_eq!(
            tally.sums[1],
            ItemSums {
                n: 1,
                sum_x: 1,
                sum_y: 1,
                sum_xy: 1,
                sum_yy: 1
            }
        );
        assert_eq!(tally.picks, vec![vec![1, 1], vec![1, 0, 0]]);
    }

    #[test]
    fn point_biserial_is_pearsons_r_and_null_when_a_side_is_constant() {
        // x = [1, 1, 0, 0], y = [2, 1, 1, 0]: means 0.5 and 1; cov = (0.5 + 0 + 0 + 0.5) / 4,
        // sd_x = 0.5, sd_y = sqrt(0.5): r = 0.25 / (0.5 * 0.7071…) = 0.7071…
        let r = point_biserial(&sums(&[(1, 2), (1, 1), (0, 1), (0, 0)])).unwrap();
        assert!((r - 0.5f64.sqrt()).abs() < 1e-12, "{r}");
        let r = point_biserial(&sums(&[(0, 2), (1, 0)])).unwrap();
        assert!((r + 1.0).abs() < 1e-12, "{r}");
        assert_eq!(
            point_biserial(&sums(&[(1, 2), (1, 0)])),
            None,
            "everyone right"
        );
        assert_eq!(
            point_biserial(&sums(&[(1, 1), (0, 1)])),
            None,
            "the rest is constant"
        );
        assert_eq!(point_biserial(&sums(&[(1, 1)])), None, "one learner");
    }
}
