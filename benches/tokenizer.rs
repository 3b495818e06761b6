//! Criterion benchmarks of the tokenizer: MB/s on 1 MB of generated English
//! technical prose for both encodings, and the linear worst cases (1 MiB of
//! one letter, 1 MiB of spaces, 100,000 emoji).
//!
//! Run with `cargo bench --bench tokenizer`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lectern::tokenizer::{count, encode, segments_limited, warm, Encoding, DEFAULT_MAX_SEGMENTS};

#[path = "corpus.rs"]
mod corpus;

fn prose(c: &mut Criterion) {
    warm(&Encoding::ALL);
    let text = corpus::prose(corpus::PROSE_BYTES, 42);
    let mut group = c.benchmark_group("prose_1MB");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(text.len() as u64));
    for encoding in Encoding::ALL {
        group.bench_with_input(BenchmarkId::new("count", encoding.id()), &text, |b, t| {
            b.iter(|| count(encoding, t))
        });
        group.bench_with_input(BenchmarkId::new("encode", encoding.id()), &text, |b, t| {
            b.iter(|| encode(encoding, t))
        });
    }
    group.bench_with_input(
        BenchmarkId::new("segments_capped", "o200k_base"),
        &text,
        |b, t| b.iter(|| segments_limited(Encoding::O200kBase, t, DEFAULT_MAX_SEGMENTS)),
    );
    group.finish();
}

fn worst_cases(c: &mut Criterion) {
    warm(&Encoding::ALL);
    let cases = [
        ("1MiB_a", "a".repeat(1 << 20)),
        ("1MiB_spaces", " ".repeat(1 << 20)),
        ("100k_emoji", "😀".repeat(100_000)),
    ];
    let mut group = c.benchmark_group("worst_case");
    group.sample_size(10);
    for (name, text) in &cases {
        group.throughput(Throughput::Bytes(text.len() as u64));
        for encoding in Encoding::ALL {
            let id = format!("{name}/{}", encoding.id());
            group.bench_with_input(BenchmarkId::new("count", &id), text, |b, t| {
                b.iter(|| count(encoding, t))
            });
            group.bench_with_input(BenchmarkId::new("encode", &id), text, |b, t| {
                b.iter(|| encode(encoding, t))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, prose, worst_cases);
criterion_main!(benches);
