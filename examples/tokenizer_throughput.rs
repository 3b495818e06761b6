//! In-process throughput of the tokenizer, for `scripts/bench-tokenizer.sh`.
//!
//! ```text
//! tokenizer_throughput write-corpus PATH   # write the standard 1 MB prose
//! tokenizer_throughput [FILE]              # measure on FILE (default: that prose)
//! ```
//!
//! Prints one `RESULT <encoding> <what> <MB/s>` line per measurement (best of
//! several runs, after one warm-up run that fills the piece cache), the same
//! figures for `bpe-openai`'s own regex-based tokenizer as a baseline, the
//! worst cases in milliseconds, and the process's resident memory.
//!
//! Times are CPU time of the measuring thread (from
//! `/proc/thread-self/schedstat`), so that other work on a shared machine
//! does not distort them; wall-clock MB/s follow each result. Python's side
//! of `scripts/bench-tokenizer.sh` uses `time.thread_time()` to match.

use std::time::{Duration, Instant};

use lectern::tokenizer::{count, encode, warm, Encoding};

#[path = "../benches/corpus.rs"]
mod corpus;

/// CPU time used by this thread so far (wall time where unavailable).
fn thread_time(origin: Instant) -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or_else(|| origin.elapsed(), Duration::from_nanos)
}

/// Best CPU time and best wall time of `f` over at least `runs` runs and
/// `min_total` wall time, with the result of the last run.
fn best_time(
    runs: usize,
    min_total: Duration,
    mut f: impl FnMut() -> usize,
) -> (Duration, Duration, usize) {
    let origin = Instant::now();
    let (mut best_cpu, mut best_wall) = (Duration::MAX, Duration::MAX);
    let mut result = 0;
    let mut done = 0;
    while done < runs || origin.elapsed() < min_total {
        let (cpu, wall) = (thread_time(origin), Instant::now());
        result = std::hint::black_box(f());
        best_wall = best_wall.min(wall.elapsed());
        best_cpu = best_cpu.min(thread_time(origin) - cpu);
        done += 1;
    }
    (best_cpu, best_wall, result)
}

fn report(id: &str, what: &str, bytes: usize, cpu: Duration, wall: Duration) {
    println!(
        "RESULT {id} {what} {:.1} (wall {:.1})",
        mb_per_s(bytes, cpu),
        mb_per_s(bytes, wall)
    );
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

fn memory_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_memory(when: &str) {
    if let (Some(rss), Some(peak)) = (memory_kib("VmRSS:"), memory_kib("VmHWM:")) {
        println!(
            "MEMORY {when}: rss {:.1} MiB, peak {:.1} MiB",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
}

fn measure_text(text: &str) {
    let runs = 5;
    let min_total = Duration::from_secs(1);
    for encoding in Encoding::ALL {
        let id = encoding.id();
        let (cpu, wall, tokens) = best_time(1, Duration::ZERO, || count(encoding, text));
        report(id, "count-first-run", text.len(), cpu, wall);
        let (cpu, wall, n) = best_time(runs, min_total, || count(encoding, text));
        assert_eq!(n, tokens);
        report(id, "count", text.len(), cpu, wall);
        let (cpu, wall, n) = best_time(runs, min_total, || encode(encoding, text).len());
        assert_eq!(n, tokens);
        report(id, "encode", text.len(), cpu, wall);

        let baseline = match encoding {
            Encoding::O200kBase => bpe_openai::o200k_base(),
            Encoding::Cl100kBase => bpe_openai::cl100k_base(),
        };
        let (cpu, wall, _) = best_time(runs, min_total, || baseline.count(text));
        report(id, "bpe-openai-count", text.len(), cpu, wall);
        let (cpu, wall, _) = best_time(runs, min_total, || baseline.encode(text).len());
        report(id, "bpe-openai-encode", text.len(), cpu, wall);
        println!("TOKENS {id} {tokens} for {} bytes", text.len());
    }
}

fn measure_worst_cases() {
    let cases = [
        ("1MiB of 'a'", "a".repeat(1 << 20)),
        ("1MiB of spaces", " ".repeat(1 << 20)),
        ("100,000 emoji", "😀".repeat(100_000)),
        ("2MiB of 'a' (linearity)", "a".repeat(2 << 20)),
    ];
    for (name, text) in &cases {
        for encoding in Encoding::ALL {
            let (tc, _, n) = best_time(3, Duration::ZERO, || count(encoding, text));
            let (te, _, _) = best_time(3, Duration::ZERO, || encode(encoding, text).len());
            println!(
                "WORST {:<24} {:<12} count {:>7.1} ms  encode {:>7.1} ms CPU  ({n} tokens)",
                name,
                encoding.id(),
                tc.as_secs_f64() * 1e3,
                te.as_secs_f64() * 1e3
            );
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, path] = args.as_slice() {
        if cmd == "write-corpus" {
            return std::fs::write(path, corpus::prose(corpus::PROSE_BYTES, 42));
        }
    }
    let text = match args.first() {
        Some(path) => std::fs::read_to_string(path)?,
        None => corpus::prose(corpus::PROSE_BYTES, 42),
    };
    print_memory("at start");
    let t = Instant::now();
    warm(&Encoding::ALL);
    println!("WARM {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    print_memory("after warm");
    measure_text(&text);
    measure_worst_cases();
    print_memory("at end");
    Ok(())
}
