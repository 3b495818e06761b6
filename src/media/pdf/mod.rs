//! Lesson and certificate PDFs, typeset by typst used as a library: real line breaking
//! and hyphenation, tables, footnotes and page numbers, in subset-embedded OFL fonts with
//! extractable text.
//!
//! Each PDF is a fixed template (`lesson.typ`, `certificate.typ`) compiled in a world of
//! its own (`world`) whose only other files are made here: the lesson as a JSON document
//! tree (`document`) and its figures from their stored bytes, the certificate's fields,
//! its QR code as SVG. Lesson text is data the template places as strings, so nothing an
//! author writes is evaluated.

pub mod document;
mod math;
mod world;

use serde_json::json;
use typst::foundations::Bytes;

use crate::content::figures::Figure;

use world::{PdfWorld, BODY_FONT, MATH_FONT, MONO_FONT};

const LESSON_TEMPLATE: &str = include_str!("lesson.typ");
const CERTIFICATE_TEMPLATE: &str = include_str!("certificate.typ");

/// What goes into a lesson's PDF.
pub struct PdfLesson<'a> {
    pub title: &'a str,
    /// The course's title, named in the footer.
    pub course: &'a str,
    pub meta: &'a str,
    pub objectives: &'a [String],
    /// The lesson body's Markdown (only the teaser for readers below its plan).
    pub body_markdown: &'a str,
    pub takeaways: &'a [String],
    /// A closing line, e.g. why the text stops early.
    pub note: Option<&'a str>,
    /// The figures the body shows, with their stored bytes.
    pub figures: &'a [PdfFigure],
}

/// A figure as the PDF embeds it: the path the body names it with, and its bytes.
pub struct PdfFigure {
    pub path: String,
    pub figure: Figure,
    pub bytes: Vec<u8>,
}

impl PdfFigure {
    /// Its file in the PDF's world.
    fn file(&self) -> String {
        format!("/figures/{}", self.figure.file_name())
    }
}

/// The figures as the template looks them up: by the path the body names them with.
fn figure_index(figures: &[PdfFigure]) -> serde_json::Value {
    let index: serde_json::Map<String, serde_json::Value> = figures
        .iter()
        .map(|f| {
            let entry =
                json!({"file": f.file(), "width": f.figure.width, "height": f.figure.height});
            (f.path.clone(), entry)
        })
        .collect();
    index.into()
}

/// The fonts' family names, as the templates ask for them.
fn fonts() -> serde_json::Value {
    json!({ "body": BODY_FONT, "mono": MONO_FONT, "math": MATH_FONT })
}

/// Typeset the lesson as an A4 PDF. CPU-heavy (tens of milliseconds and up): call it off
/// the async runtime.
pub fn render_lesson(lesson: &PdfLesson<'_>) -> anyhow::Result<Vec<u8>> {
    let data = json!({
        "title": lesson.title,
        "course": lesson.course,
        "meta": lesson.meta,
        "objectives": lesson.objectives,
        "body": document::blocks(lesson.body_markdown),
        "takeaways": lesson.takeaways,
        "note": lesson.note,
        "fonts": fonts(),
        "figures": figure_index(lesson.figures),
    });
    let figure_files: Vec<(String, Bytes)> = lesson
        .figures
        .iter()
        .map(|f| (f.file(), Bytes::new(f.bytes.clone())))
        .collect();
    let mut files = vec![("/lesson.json", Bytes::new(serde_json::to_vec(&data)?))];
    files.extend(
        figure_files
            .iter()
            .map(|(path, bytes)| (path.as_str(), bytes.clone())),
    );
    PdfWorld::new(LESSON_TEMPLATE, files).compile_pdf()
}

/// What goes onto a certificate of completion.
pub struct PdfCertificate<'a> {
    pub holder_name: &'a str,
    pub course_title: &'a str,
    /// The issue date as shown, e.g. `2026-11-29`.
    pub date: &'a str,
    pub id: &'a str,
    /// Printed, and drawn as a QR code.
    pub verify_url: &'a str,
}

/// Typeset a one-page landscape A4 certificate. CPU-heavy, like `render_lesson`.
pub fn render_certificate(cert: &PdfCertificate<'_>) -> anyhow::Result<Vec<u8>> {
    let qr_svg = qrcode::QrCode::new(cert.verify_url.as_bytes())?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .build();
    let data = json!({
        "holder_name": cert.holder_name,
        "course_title": cert.course_title,
        "date": cert.date,
        "id": cert.id,
        "verify_url": cert.verify_url,
        "fonts": fonts(),
    });
    PdfWorld::new(
        CERTIFICATE_TEMPLATE,
        vec![
            ("/certificate.json", Bytes::new(serde_json::to_vec(&data)?)),
            ("/qr.svg", Bytes::from_string(qr_svg)),
        ],
    )
    .compile_pdf()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a poppler tool (`pdftotext`, `pdfinfo`) prints about the PDF, or `None` when
    /// it is not installed (never on CI).
    fn poppler(tool: &str, pdf: &[u8]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.pdf");
        std::fs::write(&path, pdf).unwrap();
        let mut command = std::process::Command::new(tool);
        command.arg(&path);
        if tool == "pdftotext" {
            command.arg("-");
        }
        let Ok(output) = command.output() else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "{tool} is required on CI"
            );
            eprintln!("skipping the check: {tool} is not installed");
            return None;
        };
        assert!(output.status.success(), "{tool} reads the PDF");
        Some(String::from_utf8(output.stdout).unwrap())
    }

    fn pdf_text(pdf: &[u8]) -> Option<String> {
        poppler("pdftotext", pdf)
    }

    fn lesson(title: &str, body: &str) -> Vec<u8> {
        render_lesson(&PdfLesson {
            title,
            course: "Demo course",
            meta: "Demo course · Lesson 1 · 3 min read",
            objectives: &["Explain attention.".to_owned()],
            body_markdown: body,
            takeaways: &["Tokens matter.".to_owned()],
            note: None,
            figures: &[],
        })
        .unwrap()
    }

    #[test]
    fn lesson_text_is_never_evaluated() {
        let dangerous =
            "#read(\"/etc/passwd\") #panic() \\$x\\$ \\<label> @ref #import \"@preview/x:0.1.0\"";
        let pdf = lesson(
            "#panic(\"title\") $y$ <title-label>",
            &format!(
                "{dangerous}\n\n## #panic() in a heading\n\n```typ\n#read(\"/etc/shadow\")\n```\n\n\
                 | `#panic()` | ] [ |\n|---|---|\n| }} {{  | #sys.inputs |\n"
            ),
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let Some(text) = pdf_text(&pdf) else { return };
        // Compared without whitespace: pdftotext guesses spaces from gaps, and a narrow
        // space in a table cell can escape it.
        let squashed: String = text.split_whitespace().collect();
        for verbatim in [
            "#panic(\"title\") $y$ <title-label>",
            "#read(\"/etc/passwd\") #panic() $x$ <label> @ref #import \"@preview/x:0.1.0\"",
            "#panic() in a heading",
            "#read(\"/etc/shadow\")",
            "] [",
            "} {",
            "#sys.inputs",
        ] {
            let verbatim: String = verbatim.split_whitespace().collect();
            assert!(squashed.contains(&verbatim), "{verbatim:?} in {text}");
        }
        assert!(!squashed.contains("root:"), "nothing was read: {squashed}");
    }

    #[test]
    fn formulas_are_typeset_as_math_and_code_keeps_its_text() {
        let pdf = lesson(
            "Formulas",
            "Inline $\\alpha + \\frac{a}{b}$ here.\n\n\
             $$\\sum_{i=1}^{n} \\sqrt{x_i} = \\log \\left( \\text{total} \\right)$$\n\n\
             Beyond the subset: $\\begin{cases} a & b \\end{cases}$.\n\n\
             ```rust\nfn main() { println!(\"hi\"); }\n```\n",
        );
        let Some(text) = pdf_text(&pdf) else { return };
        for symbol in ["α", "∑", "√", "log", "total", "fn main()", "println!"] {
            assert!(text.contains(symbol), "{symbol:?} in {text}");
        }
        let squashed: String = text.split_whitespace().collect();
        assert!(squashed.contains("\\begin{cases}a&b\\end{cases}"), "{text}");
        assert!(
            !text.contains("\\frac") && !text.contains("\\sum"),
            "{text}"
        );
    }

    #[test]
    fn long_lessons_are_paged_with_numbers() {
        let body: String = (0..300)
            .map(|i| format!("Paragraph number {i} with a few words to wrap.\n\n"))
            .collect();
        let pdf = lesson("Attention (and more)", &body);
        let Some(text) = pdf_text(&pdf) else { return };
        assert!(text.contains("Paragraph number 299 with a few words to wrap."));
        let pages: Vec<&str> = text.split_terminator('\u{c}').collect();
        assert!(pages.len() > 3, "{} pages", pages.len());
        for (index, page) in pages.iter().enumerate() {
            // The footer closes the page: "n / total" (spaces as pdftotext guesses them).
            let squashed: String = page.split_whitespace().collect();
            let number = format!("{}/{}", index + 1, pages.len());
            assert!(squashed.ends_with(&number), "{number} closes {page}");
        }
    }

    #[test]
    fn certificates_are_landscape_with_their_fields() {
        let pdf = render_certificate(&PdfCertificate {
            holder_name: "Ada Lovelace",
            course_title: "AI Foundations",
            date: "2026-11-29",
            id: "abc123",
            verify_url: "http://x/certificates/abc123",
        })
        .unwrap();
        let Some(text) = pdf_text(&pdf) else { return };
        for field in [
            "Ada Lovelace",
            "AI Foundations",
            "2026-11-29",
            "abc123",
            "http://x/certificates/abc123",
        ] {
            assert!(text.contains(field), "{field} in {text}");
        }
        let Some(info) = poppler("pdfinfo", &pdf) else {
            return;
        };
        assert!(info.contains("Pages:           1"), "{info}");
        assert!(
            info.contains("841.89 x 595.276 pts (A4)"),
            "landscape: {info}"
        );
    }
}
