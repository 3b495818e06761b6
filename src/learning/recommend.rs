//! "Recommended for you": built from the reader's own progress for plans that include it
//! (continue what they started, then what follows what they finished), plain next lessons
//! otherwise.

use std::collections::HashSet;
use std::sync::Arc;

use crate::catalog::{Lesson, Snapshot};
use crate::db::learning::ProgressRow;

/// Up to `count` lessons for a reader on `current`, from their progress (most recently
/// read first, as `db::learning::progress_of` orders it).
pub fn personal(
    snapshot: &Snapshot,
    current: &str,
    progress: &[ProgressRow],
    count: usize,
) -> Vec<Arc<Lesson>> {
    let done: HashSet<&str> = progress
        .iter()
        .filter(|p| p.completed_at.is_some())
        .map(|p| p.slug.as_str())
        .collect();
    let mut picks: Vec<Arc<Lesson>> = Vec::new();
    let mut add = |lesson: &Arc<Lesson>| {
        if picks.len() < count
            && lesson.slug != current
            && lesson.is_published()
            && !picks.iter().any(|p| p.slug == lesson.slug)
        {
            picks.push(Arc::clone(lesson));
        }
    };
    for row in progress.iter().filter(|p| p.completed_at.is_none()) {
        if let Some(lesson) = snapshot.lesson(&row.slug) {
            add(lesson);
        }
    }
    for course in &snapshot.courses {
        for (i, lesson) in course.lessons.iter().enumerate() {
            if done.contains(lesson.slug.as_str()) {
                if let Some(next) = course.lessons[i + 1..]
                    .iter()
                    .find(|l| !done.contains(l.slug.as_str()))
                {
                    add(next);
                }
            }
        }
    }
    for lesson in snapshot.next_lessons(current, snapshot.published().count()) {
        if !done.contains(lesson.slug.as_str()) {
            add(&lesson);
        }
    }
    picks
}
