//! One plan's index: every published lesson with the text that plan may read (the whole
//! body at or below the plan; title, summary and the part before `<!-- more -->` above it),
//! so locked words can neither match nor move the scores that plan sees.
//!
//! Ranking is in tiers, then BM25: each query word scores its best match (title, then
//! summary, then body; in each a whole word above a prefix), the tiers add up, and BM25
//! orders the lessons of one tier.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhrasePrefixQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{DocAddress, Index, IndexReader, TantivyDocument, Term};

use super::{analyzer, snippet, text, Hit, Query};
use crate::catalog::{Lesson, Snapshot};
use crate::plans::{self, Capability, Plan};

/// Title, summary, body: the order of the tiers.
const PARTS: usize = 3;
/// BM25 boost of a match in each part.
const BOOSTS: [f32; PARTS] = [3.0, 2.0, 1.0];
/// What the indexer may buffer while building (tantivy's smallest budget is 15 MB).
const WRITER_BUDGET: usize = 16_000_000;

pub struct PlanIndex {
    reader: IndexReader,
    /// Stemmed terms of each part.
    stemmed: [Field; PARTS],
    /// Folded, unstemmed terms of each part (prefixes).
    folded: [Field; PARTS],
    entries: Vec<Entry>,
}

struct Entry {
    lesson: Arc<Lesson>,
    locked: bool,
}

impl Entry {
    /// The body text this plan may read.
    fn readable_body(&self) -> String {
        let r = &self.lesson.rendered;
        if self.locked {
            r.teaser_html
                .as_deref()
                .map(text::of_html)
                .unwrap_or_default()
        } else {
            text::of_html(&r.html)
        }
    }
}

fn text_field(schema: &mut tantivy::schema::SchemaBuilder, name: &str, analyzer: &str) -> Field {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(analyzer)
        .set_index_option(IndexRecordOption::WithFreqs);
    schema.add_text_field(name, TextOptions::default().set_indexing_options(indexing))
}

impl PlanIndex {
    /// Index the snapshot's published lessons as `plan` may read them.
    pub fn build(snapshot: &Snapshot, plan: Plan) -> anyhow::Result<PlanIndex> {
        let started = Instant::now();
        let mut schema = Schema::builder();
        let names = ["title", "summary", "body"];
        let stemmed = names.map(|n| text_field(&mut schema, n, analyzer::STEMMED));
        let folded =
            names.map(|n| text_field(&mut schema, &format!("{n}_prefix"), analyzer::FOLDED));
        let entry_field = schema.add_u64_field("entry", FAST);
        let index = Index::create_in_ram(schema.build());
        for name in [analyzer::STEMMED, analyzer::FOLDED] {
            index.tokenizers().register(name, analyzer::analyzer(name));
        }
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, WRITER_BUDGET)?;
        let entries: Vec<Entry> = snapshot
            .published()
            .map(|lesson| Entry {
                locked: !plans::allows(plan, Capability::ReadLesson(lesson.rendered.access)),
                lesson: Arc::clone(lesson),
            })
            .collect();
        for (id, entry) in entries.iter().enumerate() {
            let r = &entry.lesson.rendered;
            let body = entry.readable_body();
            let parts = [r.title.as_str(), r.summary.as_str(), body.as_str()];
            let mut doc = TantivyDocument::default();
            for (part, text) in parts.iter().enumerate() {
                doc.add_text(stemmed[part], text);
                doc.add_text(folded[part], text);
            }
            doc.add_u64(entry_field, id as u64);
            writer.add_document(doc)?;
        }
        writer.commit()?;
        drop(writer);
        let reader = index.reader()?;
        tracing::info!(
            plan = plan.id(),
            lessons = entries.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "search index built"
        );
        Ok(PlanIndex {
            reader,
            stemmed,
            folded,
            entries,
        })
    }

    /// The lessons matching every word of `query` (the last also as a prefix), best first.
    pub fn search(&self, query: &Query, limit: usize) -> anyhow::Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let last = query.stems.len() - 1;
        // Per word, per part: the whole-word query, and for the last word the prefix one.
        let mut word_queries = Vec::new();
        let mut tiers: Vec<Vec<(u32, HashSet<DocAddress>)>> = Vec::new();
        for (i, stem) in query.stems.iter().enumerate() {
            let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
            let mut sets = Vec::new();
            for (part, (stemmed, folded)) in self.stemmed.iter().zip(&self.folded).enumerate() {
                let weight = 2 * (PARTS - part) as u32;
                let whole = TermQuery::new(
                    Term::from_field_text(*stemmed, stem),
                    IndexRecordOption::WithFreqs,
                );
                sets.push((weight, searcher.search(&whole, &DocSetCollector)?));
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(whole.clone()), BOOSTS[part])),
                ));
                if let (true, Some(prefix)) = (i == last, &query.prefix) {
                    let prefix =
                        PhrasePrefixQuery::new(vec![Term::from_field_text(*folded, prefix)]);
                    sets.push((weight - 1, searcher.search(&prefix, &DocSetCollector)?));
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(prefix.clone()), 0.1)),
                    ));
                }
            }
            word_queries.push((
                Occur::Must,
                Box::new(BooleanQuery::new(clauses)) as Box<dyn tantivy::query::Query>,
            ));
            tiers.push(sets);
        }
        let all = BooleanQuery::new(word_queries);
        let found = searcher.search(
            &all,
            &TopDocs::with_limit(self.entries.len().max(1)).order_by_score(),
        )?;
        let mut ranked = Vec::with_capacity(found.len());
        for (bm25, address) in found {
            let tier: u32 = tiers
                .iter()
                .map(|sets| {
                    sets.iter()
                        .filter(|(_, set)| set.contains(&address))
                        .map(|(weight, _)| *weight)
                        .max()
                        .unwrap_or(0)
                })
                .sum();
            let bm25 = f64::from(bm25.max(0.0));
            ranked.push((f64::from(tier) + bm25 / (bm25 + 1.0), address));
        }
        // Ties in catalog order (documents are added in it).
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut hits = Vec::with_capacity(limit);
        for (score, address) in ranked.into_iter().take(limit) {
            if let Some(entry) = self.entry_of(&searcher, address)? {
                hits.push(Hit {
                    snippet: self.snippet(entry, query),
                    lesson: Arc::clone(&entry.lesson),
                    locked: entry.locked,
                    score,
                });
            }
        }
        Ok(hits)
    }

    fn entry_of(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> anyhow::Result<Option<&Entry>> {
        let column = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64("entry")?;
        Ok(column
            .first(address.doc_id)
            .and_then(|id| usize::try_from(id).ok())
            .and_then(|id| self.entries.get(id)))
    }

    /// From the readable body where it matches, else from the summary.
    fn snippet(&self, entry: &Entry, query: &Query) -> String {
        let body = entry.readable_body();
        snippet::make(&body, query).unwrap_or_else(|| {
            snippet::make(&entry.lesson.rendered.summary, query)
                .unwrap_or_else(|| snippet::plain(&entry.lesson.rendered.summary))
        })
    }
}
