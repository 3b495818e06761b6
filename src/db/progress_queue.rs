//! Progress writes waiting for SQLite's single writer connection (`learning::save_progress`
//! commits them). Data only: this file knows no connection.

use std::sync::{Arc, Mutex, OnceLock};

/// A learner's progress through one lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressRow {
    pub slug: String,
    pub percent: i64,
    pub completed_at: Option<String>,
    pub updated_at: String,
}

/// One progress write waiting for a group commit. Completions are not queued: each has a
/// transaction of its own, which records its event (see `learning::save_progress`).
#[derive(Clone, Debug)]
pub struct ProgressWrite {
    pub user_id: String,
    pub slug: String,
    pub percent: i64,
    pub at: String,
}

/// Where the writer that commits a batch leaves each queued write's stored row.
pub type Slot = Arc<OnceLock<ProgressRow>>;

/// Progress writes waiting for SQLite's single writer connection.
///
/// SQLite with `synchronous = FULL` pays one fsync per commit, which caps a one-row-per-
/// transaction design at a few hundred writes a second. Writers queue here; whoever holds
/// the writer connection next commits every queued write in one `BEGIN IMMEDIATE`
/// transaction and hands each writer its row. Every write is still durable before its
/// request is answered; only the fsync is shared. A batch that fails hands out nothing:
/// each of its writers then writes on its own and meets its own error.
#[derive(Debug, Default)]
pub struct ProgressQueue {
    pending: Mutex<Vec<(ProgressWrite, Slot)>>,
}

impl ProgressQueue {
    pub fn push(&self, write: ProgressWrite, slot: Slot) {
        self.lock().push((write, slot));
    }

    pub fn take(&self) -> Vec<(ProgressWrite, Slot)> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ProgressWrite, Slot)>> {
        match self.pending.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}
