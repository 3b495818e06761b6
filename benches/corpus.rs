//! Deterministic English technical prose for the tokenizer benchmarks, so the
//! Rust bench, the example binary and the Python comparison all measure the
//! same text. The word lists and templates are original; a seeded generator
//! composes them into paragraphs, lists and code spans, with a long tail of
//! made-up words and identifiers so that not every piece repeats.
//! Shared by `benches/tokenizer.rs` and `examples/tokenizer_throughput.rs`
//! through `#[path]`.

/// Size of the standard benchmark text in bytes.
pub const PROSE_BYTES: usize = 1_000_000;

const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "of", "to", "and", "in", "is", "that", "for", "it", "with", "as", "on", "be", "by",
    "this", "are", "or", "from", "at", "an", "which", "when", "not", "can", "but", "if", "each",
    "its", "into", "only", "than", "then", "so", "all", "we", "you", "they", "one", "more", "most",
    "also", "other", "some", "any", "there", "where", "while", "before", "after", "because",
    "every", "between", "without", "through", "over", "under", "both",
];

const NOUNS: &[&str] = &[
    "token",
    "tokenizer",
    "vocabulary",
    "encoder",
    "decoder",
    "buffer",
    "request",
    "response",
    "server",
    "client",
    "thread",
    "process",
    "allocation",
    "reference",
    "pointer",
    "value",
    "function",
    "method",
    "closure",
    "iterator",
    "trait",
    "module",
    "crate",
    "package",
    "dependency",
    "version",
    "release",
    "compiler",
    "runtime",
    "benchmark",
    "latency",
    "throughput",
    "cache",
    "memory",
    "page",
    "lesson",
    "student",
    "course",
    "quiz",
    "answer",
    "question",
    "chapter",
    "exercise",
    "database",
    "query",
    "index",
    "table",
    "column",
    "row",
    "transaction",
    "lock",
    "queue",
    "worker",
    "scheduler",
    "handler",
    "route",
    "endpoint",
    "header",
    "cookie",
    "session",
    "account",
    "password",
    "hash",
    "signature",
    "certificate",
    "byte",
    "character",
    "string",
    "slice",
    "vector",
    "array",
    "map",
    "set",
    "tree",
    "graph",
    "node",
    "edge",
    "path",
    "file",
    "directory",
    "stream",
    "socket",
    "packet",
    "protocol",
    "format",
    "schema",
    "field",
    "record",
    "message",
    "error",
    "warning",
    "panic",
    "test",
    "assertion",
    "fixture",
    "mock",
    "log",
    "metric",
    "trace",
    "span",
    "event",
    "signal",
    "model",
    "prompt",
    "context",
    "window",
    "embedding",
    "layer",
    "weight",
    "gradient",
    "batch",
    "epoch",
    "loss",
    "accuracy",
    "sample",
    "dataset",
    "pipeline",
    "stage",
    "step",
    "algorithm",
    "heuristic",
    "invariant",
    "boundary",
    "limit",
    "range",
    "offset",
    "length",
    "width",
    "height",
    "budget",
    "deadline",
    "estimate",
    "measurement",
    "regression",
];

const VERBS: &[&str] = &[
    "returns",
    "stores",
    "reads",
    "writes",
    "parses",
    "encodes",
    "decodes",
    "splits",
    "merges",
    "counts",
    "checks",
    "rejects",
    "accepts",
    "allocates",
    "frees",
    "borrows",
    "moves",
    "copies",
    "clones",
    "spawns",
    "joins",
    "waits",
    "blocks",
    "polls",
    "yields",
    "sends",
    "receives",
    "handles",
    "logs",
    "measures",
    "caches",
    "evicts",
    "loads",
    "saves",
    "compiles",
    "links",
    "runs",
    "fails",
    "retries",
    "validates",
    "normalizes",
    "renders",
    "serializes",
    "hashes",
    "signs",
    "verifies",
    "streams",
    "buffers",
    "flushes",
    "truncates",
    "extends",
    "replaces",
    "updates",
    "deletes",
    "inserts",
    "selects",
    "sorts",
    "filters",
    "groups",
    "limits",
    "scales",
    "shrinks",
    "grows",
    "matches",
    "skips",
    "keeps",
    "drops",
];

const ADJECTIVES: &[&str] = &[
    "fast",
    "slow",
    "small",
    "large",
    "empty",
    "full",
    "valid",
    "invalid",
    "stale",
    "fresh",
    "shared",
    "unique",
    "mutable",
    "immutable",
    "static",
    "dynamic",
    "lazy",
    "eager",
    "concurrent",
    "parallel",
    "sequential",
    "linear",
    "quadratic",
    "constant",
    "bounded",
    "unbounded",
    "safe",
    "unsafe",
    "public",
    "private",
    "internal",
    "external",
    "optional",
    "required",
    "default",
    "custom",
    "previous",
    "next",
    "first",
    "last",
    "whole",
    "partial",
    "exact",
    "approximate",
    "stable",
    "nightly",
    "deterministic",
    "random",
    "hidden",
    "visible",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ser", "tran", "vel", "qu", "ix", "zor", "pen", "dra", "gul", "fen", "tor",
    "bis", "mel", "cor", "ath", "nex", "ul", "ry", "sta", "plin", "gor", "ve", "quo",
];

const OPENERS: &[&str] = &[
    "In practice,",
    "However,",
    "For example,",
    "Note that",
    "By default,",
    "In this lesson,",
    "As a rule,",
    "Under load,",
    "At startup,",
    "In the next chapter,",
];

/// A small xorshift generator: deterministic across platforms and versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An index skewed towards the front of a list, like word frequencies.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.skewed(words.len())]
    }
}

fn made_up_word(rng: &mut Rng) -> String {
    (0..2 + rng.below(3))
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

fn identifier(rng: &mut Rng) -> String {
    let (a, b) = (rng.pick(VERBS), rng.pick(NOUNS));
    match rng.below(4) {
        0 => format!("{}_{b}", a.trim_end_matches('s')),
        1 => format!("{}{}", capitalize(b), capitalize(rng.pick(NOUNS))),
        2 => format!("{b}.{}()", a.trim_end_matches('s')),
        _ => format!("{}::{}", b, made_up_word(rng)),
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

fn word(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=39 => rng.pick(FUNCTION_WORDS).to_owned(),
        40..=64 => rng.pick(NOUNS).to_owned(),
        65..=79 => rng.pick(VERBS).to_owned(),
        80..=91 => rng.pick(ADJECTIVES).to_owned(),
        92..=94 => made_up_word(rng),
        95..=96 => format!("`{}`", identifier(rng)),
        97 => format!("{}", rng.below(100_000)),
        98 => format!("{}.{}", rng.below(100), rng.below(1000)),
        _ => format!("{}s", rng.pick(NOUNS)),
    }
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let words = 6 + rng.below(18);
    if rng.chance(15) {
        out.push_str(OPENERS[rng.below(OPENERS.len())]);
        out.push(' ');
        out.push_str(&word(rng));
    } else {
        out.push_str(&capitalize(&word(rng)));
    }
    for _ in 1..words {
        out.push_str(if rng.chance(8) { ", " } else { " " });
        if rng.chance(3) {
            out.push('(');
            out.push_str(&word(rng));
            out.push(')');
        } else {
            out.push_str(&word(rng));
        }
    }
    out.push_str(match rng.below(20) {
        0 => "?",
        1 => ":",
        2 => ";",
        _ => ".",
    });
}

/// `bytes` bytes (ASCII) of generated prose for `seed`.
pub fn prose(bytes: usize, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let mut out = String::with_capacity(bytes + 512);
    while out.len() < bytes {
        if rng.chance(10) {
            out.push_str("## ");
            out.push_str(&capitalize(rng.pick(NOUNS)));
            out.push(' ');
            out.push_str(rng.pick(NOUNS));
            out.push_str("\n\n");
        }
        if rng.chance(15) {
            for _ in 0..2 + rng.below(4) {
                out.push_str("- ");
                sentence(&mut rng, &mut out);
                out.push('\n');
            }
        } else {
            for i in 0..3 + rng.below(5) {
                if i > 0 {
                    out.push(' ');
                }
                sentence(&mut rng, &mut out);
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out.truncate(bytes);
    out
}
