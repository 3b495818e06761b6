//! One plan's index: every published lesson with the text that plan may read (the whole
//! body at or below the plan; title, summary and the part before `<!-- more -->` above it),
//! so locked words can neither match nor move the scores that plan sees.
//!
//! Ranking is in tiers, then BM25: each query word scores its best match (title, then
//! summary, then body; in each a whole word above a prefix), the tiers add up, and BM25
//! orders the lessons of one tier.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::{
    Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur,
    PhrasePrefixQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{DocAddress, Index, IndexReader, Searcher, TantivyDocument, Term};

use super::{analyzer, snippet, Hit, Query};
use crate::catalog::{Lesson, Snapshot};
use crate::content::text;
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
    /// The folded words of the readable text by stem, for marking snippets.
    forms: HashMap<String, Vec<String>>,
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
        let mut words = HashSet::new();
        for (id, entry) in entries.iter().enumerate() {
            let r = &entry.lesson.rendered;
            let body = entry.readable_body();
            let parts = [r.title.as_str(), r.summary.as_str(), body.as_str()];
            let mut doc = TantivyDocument::default();
            for (part, text) in parts.iter().enumerate() {
                doc.add_text(stemmed[part], text);
                doc.add_text(folded[part], text);
                analyzer::each_word(analyzer::FOLDED, text, |word, _| {
                    if !words.contains(word) {
                        words.insert(word.to_owned());
                    }
                });
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
            forms: analyzer::by_stem(words),
        })
    }

    /// The lessons matching every word of `query` (the last also as a prefix), best first.
    pub fn search(&self, query: &Query, limit: usize) -> anyhow::Result<Vec<Hit>> {
        if self.entries.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let ranking = self.ranking(&searcher, query)?;
        let found = searcher.search(&ranking, &TopDocs::with_limit(limit).order_by_score())?;
        let marks = self.marks(query);
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            if let Some(entry) = self.entry_of(&searcher, address)? {
                hits.push(Hit {
                    snippet: self.snippet(entry, &marks),
                    lesson: Arc::clone(&entry.lesson),
                    locked: entry.locked,
                    score: f64::from(score),
                });
            }
        }
        Ok(hits)
    }

    /// One query whose score is a lesson's tier plus its BM25 scaled below one half, so
    /// that tiers rank first and BM25 orders the lessons of one tier. Every word must
    /// match, each counting the tier of its best match (a constant score per part, the
    /// greatest taken); the words' whole matches add their BM25, divided by the most the
    /// query's terms could score. Ties come in catalog order (tantivy breaks them by
    /// ascending address, and documents were added in that order).
    fn ranking(&self, searcher: &Searcher, query: &Query) -> tantivy::Result<BooleanQuery> {
        let last = query.stems.len() - 1;
        let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = Vec::new();
        let mut relevance = Vec::new();
        let mut most = 0.0;
        for (i, stem) in query.stems.iter().enumerate() {
            let mut tiers: Vec<Box<dyn tantivy::query::Query>> = Vec::new();
            for (part, boost) in BOOSTS.into_iter().enumerate() {
                let tier = (2 * (PARTS - part)) as f32;
                let whole = Term::from_field_text(self.stemmed[part], stem);
                let matches = TermQuery::new(whole.clone(), IndexRecordOption::Basic);
                tiers.push(Box::new(ConstScoreQuery::new(Box::new(matches), tier)));
                if let (true, Some(prefix)) = (i == last, &query.prefix) {
                    let prefix = PhrasePrefixQuery::new(vec![Term::from_field_text(
                        self.folded[part],
                        prefix,
                    )]);
                    tiers.push(Box::new(ConstScoreQuery::new(Box::new(prefix), tier - 1.0)));
                }
                most += Bm25Weight::for_terms(searcher, std::slice::from_ref(&whole))?
                    .boost_by(boost)
                    .max_score();
                relevance.push((whole, boost));
            }
            clauses.push((Occur::Must, Box::new(DisjunctionMaxQuery::new(tiers)) as _));
        }
        let scale = if most > 0.0 && most.is_finite() {
            0.5 / most
        } else {
            0.0
        };
        for (term, boost) in relevance {
            let scored = TermQuery::new(term, IndexRecordOption::WithFreqs);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(scored), boost * scale)) as _,
            ));
        }
        Ok(BooleanQuery::new(clauses))
    }

    fn entry_of(&self, searcher: &Searcher, address: DocAddress) -> anyhow::Result<Option<&Entry>> {
        let column = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64("entry")?;
        Ok(column
            .first(address.doc_id)
            .and_then(|id| usize::try_from(id).ok())
            .and_then(|id| self.entries.get(id)))
    }

    /// What the snippets of `query` mark.
    fn marks<'a>(&'a self, query: &'a Query) -> snippet::Marks<'a> {
        snippet::Marks {
            words: (query.stems.iter())
                .filter_map(|stem| self.forms.get(stem))
                .flatten()
                .map(String::as_str)
                .collect(),
            prefix: query.prefix.as_deref(),
        }
    }

    /// From the readable body where it matches, else from the summary.
    fn snippet(&self, entry: &Entry, marks: &snippet::Marks) -> String {
        let body = entry.readable_body();
        snippet::make(&body, marks).unwrap_or_else(|| {
            snippet::make(&entry.lesson.rendered.summary, marks)
                .unwrap_or_else(|| snippet::plain(&entry.lesson.rendered.summary))
        })
    }
}
