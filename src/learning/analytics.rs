//! What an author learns about a lesson (API.md section 15): the reading funnel, the
//! quiz's totals and, per question, Moodle's item statistics on each learner's first
//! attempt. The database does the counting (`db::analytics`); this turns sums into
//! indices and flags the questions that need a look.

use std::collections::HashMap;

use serde::Serialize;

use crate::catalog::Lesson;
use crate::content::quiz::{Question, QuestionKind};
use crate::db::analytics::{self as store, ItemSums, FUNNEL_STEPS};
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

fn item(
    question: &Question,
    sums: Option<&ItemSums>,
    picks: &HashMap<(&str, i64), i64>,
) -> ItemAnalysis {
    let answered = sums.map_or(0, |s| s.n);
    let mut item = ItemAnalysis {
        id: question.id.clone(),
        prompt: question.prompt.clone(),
        kind: question.kind,
        answered,
        facility: sums.and_then(|s| share(s.sum_x, s.n)),
        discrimination: sums.and_then(point_biserial),
        choices: question
            .choices
            .iter()
            .enumerate()
            .map(|(id, text)| ChoicePicks {
                id,
                text: text.clone(),
                correct: question.answer.contains(&id),
                picked: i64::try_from(id)
                    .ok()
                    .and_then(|c| picks.get(&(question.id.as_str(), c)))
                    .copied()
                    .unwrap_or(0),
            })
            .collect(),
        flags: Vec::new(),
    };
    item.flags = flags(&item);
    item
}

/// A lesson's analytics.
pub async fn lesson(db: &Db, lesson: &Lesson) -> Result<LessonAnalytics, AppError> {
    let ids: Vec<&str> = match &lesson.rendered.quiz {
        Some(quiz) => quiz.questions.iter().map(|q| q.id.as_str()).collect(),
        None => Vec::new(),
    };
    // Four independent reads, each on a connection of its own.
    let (reading, totals, sums, picks) = tokio::try_join!(
        store::reading(db, &lesson.slug),
        store::quiz_totals(db, &lesson.slug),
        store::item_sums(db, &lesson.slug, &ids),
        store::first_picks(db, &lesson.slug, &ids),
    )?;
    let funnel = FUNNEL_STEPS
        .iter()
        .zip(reading.reached)
        .map(|(&percent, readers)| FunnelStep { percent, readers })
        .collect();
    let quiz = lesson.rendered.quiz.as_ref().map(|quiz| {
        let picks: HashMap<(&str, i64), i64> = picks
            .iter()
            .map(|(q, c, n)| ((q.as_str(), *c), *n))
            .collect();
        let sums: HashMap<&str, &ItemSums> =
            sums.iter().map(|s| (s.question_id.as_str(), s)).collect();
        QuizAnalytics {
            learners: totals.learners,
            attempts: totals.attempts,
            pass_rate: share(totals.passed_learners, totals.learners),
            mean_percent: totals.mean_percent,
            questions: quiz
                .questions
                .iter()
                .map(|q| item(q, sums.get(q.id.as_str()).copied(), &picks))
                .collect(),
        }
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
            question_id: "q".into(),
            n: pairs.len() as i64,
            sum_x: pairs.iter().map(|p| p.0).sum(),
            sum_y: pairs.iter().map(|p| p.1).sum(),
            sum_xy: pairs.iter().map(|p| p.0 * p.1).sum(),
            sum_yy: pairs.iter().map(|p| p.1 * p.1).sum(),
        }
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
