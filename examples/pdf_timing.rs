//! How long typst takes to make the bundled lessons' PDFs and a certificate, and how big
//! they are. Run it in release, as the server runs:
//!
//!   cargo run --release --example pdf_timing [runs] [folder]
//!
//! Prints one `RESULT <what> first_ms=… median_ms=… bytes=…` line each: `first` includes
//! loading the fonts (done once per process), `median` is over the later runs. Before
//! each run typst's memo cache is emptied, so no run reuses the layout of the one before
//! (the server never makes the same PDF twice: it caches the file). With a folder, the
//! PDFs are written there too, to look at.

use std::path::{Path, PathBuf};
use std::time::Instant;

use lectern::content::source;
use lectern::media::pdf::{render_certificate, render_lesson, PdfCertificate, PdfLesson};

fn measure(what: &str, runs: usize, out: Option<&Path>, make: impl Fn() -> Vec<u8>) {
    let mut times = Vec::with_capacity(runs);
    let mut pdf = Vec::new();
    for _ in 0..runs.max(2) {
        typst::comemo::evict(0);
        let start = Instant::now();
        pdf = make();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    if let Some(folder) = out {
        std::fs::write(folder.join(format!("{what}.pdf")), &pdf).expect("a writable folder");
    }
    let bytes = pdf.len();
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("RESULT {what} first_ms={first:.0} median_ms={median:.0} bytes={bytes}");
}

fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(5), |s| s.parse())?;
    let out = std::env::args().nth(2).map(PathBuf::from);
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/content/ai-foundations");
    let mut files: Vec<_> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    for file in files {
        let lesson = source::parse(&std::fs::read_to_string(&file)?, None)?;
        let meta = format!("AI Foundations \u{b7} Lesson {}", lesson.position);
        measure(&lesson.slug, runs, out.as_deref(), || {
            render_lesson(&PdfLesson {
                title: &lesson.title,
                course: "AI Foundations",
                meta: &meta,
                objectives: &lesson.objectives,
                body_markdown: &lesson.body,
                takeaways: &lesson.takeaways,
                note: None,
                figures: &[],
            })
            .expect("the lesson's PDF")
        });
    }
    measure("certificate", runs, out.as_deref(), || {
        render_certificate(&PdfCertificate {
            holder_name: "Ada Lovelace",
            course_title: "AI Foundations",
            date: "2026-11-29",
            id: "0123456789abcdef0123456789abcdef",
            verify_url: "https://lectern.example/certificates/0123456789abcdef0123456789abcdef",
        })
        .expect("the certificate's PDF")
    });
    Ok(())
}
