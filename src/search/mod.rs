//! Search over the published catalog (API.md section 14): one in-memory tantivy index per
//! plan, holding only what that plan may read, built lazily for each catalog generation
//! (so it follows the catalog's freshness rule, `db::freshness`, with nothing of its own).
//!
//! Knows nothing of HTTP: it takes the catalog's snapshot and the viewer's plan.

mod analyzer;
mod index;
mod snippet;

use std::sync::{Arc, Mutex};

use crate::catalog::{Lesson, Snapshot};
use crate::plans::Plan;

use index::PlanIndex;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most results one search answers.
pub const MAX_LIMIT: usize = 50;
pub const DEFAULT_LIMIT: usize = 10;

/// A query's words, analyzed as the index analyzes text.
#[derive(Debug)]
pub struct Query {
    /// Each word's stem (what whole-word matches compare).
    pub stems: Vec<String>,
    /// The last word lower-cased and accent-folded, unstemmed (what a prefix compares).
    pub prefix: Option<String>,
}

/// Why a query is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
}

impl Query {
    /// Parse `q`: refused when blank or over [`MAX_QUERY_CHARS`]; a query with no words
    /// (only punctuation, emoji) is valid and finds nothing.
    pub fn parse(q: &str) -> Result<Query, QueryError> {
        if q.trim().is_empty() {
            return Err(QueryError::Empty);
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let stems = analyzer::terms(analyzer::STEMMED, q);
        let prefix = analyzer::terms(analyzer::FOLDED, q).pop();
        Ok(Query { stems, prefix })
    }
}

/// One lesson found.
#[derive(Debug)]
pub struct Hit {
    pub lesson: Arc<Lesson>,
    pub locked: bool,
    /// Escaped text with the matched words in `<mark>`.
    pub snippet: String,
    pub score: f64,
}

/// The indexes of the current generation, each built on first use.
#[derive(Default)]
pub struct Search {
    current: Mutex<Option<Arc<Generation>>>,
}

struct Generation {
    generation: i64,
    plans: [tokio::sync::OnceCell<Arc<PlanIndex>>; 3],
}

impl Search {
    /// The lessons `plan` finds with `query`, best first, at most `limit` (capped at
    /// [`MAX_LIMIT`]).
    pub async fn search(
        &self,
        snapshot: Arc<Snapshot>,
        plan: Plan,
        query: &Query,
        limit: usize,
    ) -> anyhow::Result<Vec<Hit>> {
        if query.stems.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let index = self.index(snapshot, plan).await?;
        index.search(query, limit.min(MAX_LIMIT))
    }

    async fn index(&self, snapshot: Arc<Snapshot>, plan: Plan) -> anyhow::Result<Arc<PlanIndex>> {
        let generation = {
            let mut current = match self.current.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            match current.as_ref() {
                Some(built) if built.generation == snapshot.generation => Arc::clone(built),
                _ => {
                    let built = Arc::new(Generation {
                        generation: snapshot.generation,
                        plans: Default::default(),
                    });
                    *current = Some(Arc::clone(&built));
                    built
                }
            }
        };
        let slot = Plan::ALL.iter().position(|p| *p == plan).unwrap_or(0);
        let index = generation.plans[slot]
            .get_or_try_init(|| async move {
                let built = tokio::task::spawn_blocking(move || PlanIndex::build(&snapshot, plan))
                    .await??;
                anyhow::Ok(Arc::new(built))
            })
            .await?;
        Ok(Arc::clone(index))
    }
}
