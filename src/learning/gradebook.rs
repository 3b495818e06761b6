//! A course's gradebook as CSV (RFC 4180): one row per learner with progress in the
//! course, streamed in chunks as the database hands the rows over, so memory stays flat
//! however many learners there are. Cells that a spreadsheet would run as a formula are
//! made inert.

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::catalog::Course;
use crate::db::analytics::{self as store, GradeRow};
use crate::db::Db;
use crate::error::AppError;

/// Bytes gathered before a chunk is handed on.
const CHUNK: usize = 32 * 1024;
/// Chunks in flight between the database and the response.
const IN_FLIGHT: usize = 4;

/// One CSV cell: quoted when it holds a comma, a quote or a line break, and prefixed with
/// `'` when it begins with a character that starts a spreadsheet formula.
pub fn cell(value: &str) -> String {
    let inert = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    if inert.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", inert.replace('"', "\"\""))
    } else {
        inert
    }
}

fn line(cells: impl IntoIterator<Item = String>) -> String {
    let mut line = cells.into_iter().collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The header row: `name,email,plan`, then three columns per lesson in order.
pub fn header(slugs: &[String]) -> String {
    let fixed = ["name", "email", "plan"].map(str::to_owned);
    line(fixed.into_iter().chain(slugs.iter().flat_map(|slug| {
        [
            cell(&format!("{slug} read %")),
            cell(&format!("{slug} best quiz %")),
            cell(&format!("{slug} passed")),
        ]
    })))
}

/// A learner's row from their records of the course's lessons.
fn learner_line(slugs: &[String], quizzes: &[bool], rows: &[GradeRow]) -> String {
    let first = &rows[0];
    let by_slug: HashMap<&str, &GradeRow> = rows.iter().map(|r| (r.slug.as_str(), r)).collect();
    let mut cells = vec![cell(&first.name), cell(&first.email), cell(&first.plan)];
    for (slug, has_quiz) in slugs.iter().zip(quizzes) {
        let row = by_slug.get(slug.as_str());
        cells.push(row.and_then(|r| r.percent).unwrap_or(0).to_string());
        let best = row.and_then(|r| r.best_percent);
        cells.push(best.map(|b| b.to_string()).unwrap_or_default());
        cells.push(match (has_quiz, row.and_then(|r| r.passed)) {
            (false, _) => String::new(),
            (true, Some(true)) => "yes".into(),
            (true, _) => "no".into(),
        });
    }
    line(cells)
}

/// The course's gradebook, in chunks; the task stops when the receiver is dropped.
pub fn stream(db: Db, course: &Course) -> mpsc::Receiver<Result<String, AppError>> {
    let slugs: Vec<String> = course.lessons.iter().map(|l| l.slug.to_string()).collect();
    let quizzes: Vec<bool> = course
        .lessons
        .iter()
        .map(|l| l.rendered.quiz.is_some())
        .collect();
    let (sender, receiver) = mpsc::channel(IN_FLIGHT);
    tokio::spawn(async move {
        let mut chunk = header(&slugs);
        let mut learner: Vec<GradeRow> = Vec::new();
        let outcome = store::each_grade_row(&db, &slugs, |row| {
            let mut full = None;
            if learner.first().is_some_and(|r| r.user_id != row.user_id) {
                chunk.push_str(&learner_line(&slugs, &quizzes, &learner));
                learner.clear();
                if chunk.len() >= CHUNK {
                    full = Some(std::mem::take(&mut chunk));
                }
            }
            learner.push(row);
            let sender = &sender;
            async move {
                match full {
                    Some(chunk) => sender.send(Ok(chunk)).await.is_ok(),
                    None => true,
                }
            }
        })
        .await;
        let last = match outcome {
            Ok(()) => {
                if !learner.is_empty() {
                    chunk.push_str(&learner_line(&slugs, &quizzes, &learner));
                }
                Ok(chunk)
            }
            Err(error) => Err(AppError::internal(error)),
        };
        let _ = sender.send(last).await;
    });
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_inert_and_special_characters_quoted() {
        assert_eq!(cell("Ada"), "Ada");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell(""), "");
    }
}
