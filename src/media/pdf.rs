//! Lesson PDFs, written directly: A4 pages of text in the PDF standard fonts (Helvetica,
//! Helvetica-Bold, Courier), which every reader has, so nothing is embedded and no PDF crate
//! is needed. Text is WinAnsi-encoded in uncompressed content streams, so `pdftotext` (and
//! any reader's search and copy) extracts it.

use std::fmt::Write as _;

/// What goes into a lesson's PDF.
pub struct PdfLesson<'a> {
    pub title: &'a str,
    pub meta: &'a str,
    pub objectives: &'a [String],
    /// The lesson body as rendered HTML (only the teaser for readers below its plan).
    pub body_html: &'a str,
    pub takeaways: &'a [String],
    /// A closing line, e.g. why the text stops early.
    pub note: Option<&'a str>,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const FOOTER_Y: f32 = 30.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }
}

/// A paragraph-like run of text with one style.
#[derive(Clone, Debug, PartialEq)]
struct Block {
    font: Font,
    size: f32,
    text: String,
    space_before: f32,
    indent: f32,
}

impl Block {
    fn new(font: Font, size: f32, text: impl Into<String>, space_before: f32) -> Block {
        Block {
            font,
            size,
            text: text.into(),
            space_before,
            indent: 0.0,
        }
    }
}

/// One positioned line of a page.
struct Line {
    font: Font,
    size: f32,
    x: f32,
    y: f32,
    text: String,
}

/// Render the lesson as PDF bytes.
pub fn render(lesson: &PdfLesson<'_>) -> Vec<u8> {
    let mut blocks = vec![
        Block::new(Font::Bold, 20.0, lesson.title, 0.0),
        Block::new(Font::Regular, 9.5, lesson.meta, 6.0),
    ];
    if !lesson.objectives.is_empty() {
        blocks.push(Block::new(Font::Bold, 13.0, "Learning objectives", 16.0));
        blocks.extend(lesson.objectives.iter().map(bullet));
    }
    blocks.extend(html_blocks(lesson.body_html));
    if !lesson.takeaways.is_empty() {
        blocks.push(Block::new(Font::Bold, 13.0, "Key takeaways", 16.0));
        blocks.extend(lesson.takeaways.iter().map(bullet));
    }
    if let Some(note) = lesson.note {
        blocks.push(Block::new(Font::Bold, 11.0, note, 14.0));
    }
    let pages = layout(&blocks);
    write_document(lesson.title, &pages)
}

fn bullet(text: &String) -> Block {
    let mut block = Block::new(Font::Regular, 11.0, format!("\u{2022} {text}"), 4.0);
    block.indent = 10.0;
    block
}

/// Break blocks into lines and lines into pages.
fn layout(blocks: &[Block]) -> Vec<Vec<Line>> {
    let mut pages = vec![Vec::new()];
    let mut y = PAGE_HEIGHT - MARGIN;
    for block in blocks {
        let leading = block.size * 1.35;
        let width = PAGE_WIDTH - 2.0 * MARGIN - block.indent;
        y -= block.space_before;
        let lines: Vec<String> = if block.font == Font::Mono {
            block
                .text
                .lines()
                .flat_map(|l| wrap(l, block.font, block.size, width))
                .collect()
        } else {
            wrap(&block.text, block.font, block.size, width)
        };
        for text in lines {
            if y - leading < MARGIN {
                pages.push(Vec::new());
                y = PAGE_HEIGHT - MARGIN;
            }
            y -= leading;
            pages.last_mut().expect("a page").push(Line {
                font: block.font,
                size: block.size,
                x: MARGIN + block.indent,
                y,
                text,
            });
        }
    }
    pages
}

/// Approximate advance width of `c` in 1/1000 em for the standard fonts.
fn char_width(c: char, font: Font) -> f32 {
    if font == Font::Mono {
        return 600.0;
    }
    let base = match c {
        'i' | 'j' | 'l' | '\'' | '|' => 222.0,
        ' ' | '.' | ',' | ':' | ';' | '!' | 'f' | 't' | 'I' | '/' | '(' | ')' | '[' | ']' => 278.0,
        'r' | '-' | '"' => 333.0,
        'm' | 'M' => 833.0,
        'w' | 'C' | 'D' | 'G' | 'H' | 'N' | 'O' | 'Q' | 'R' | 'U' => 722.0,
        'W' => 944.0,
        '@' | '%' => 889.0,
        c if c.is_ascii_uppercase() => 667.0,
        _ => 556.0,
    };
    if font == Font::Bold {
        base * 1.06
    } else {
        base
    }
}

fn text_width(text: &str, font: Font, size: f32) -> f32 {
    text.chars().map(|c| char_width(c, font)).sum::<f32>() * size / 1000.0
}

/// Greedy word wrap; a word longer than a line is cut.
fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, font, size) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
        while text_width(&line, font, size) > width && line.chars().count() > 1 {
            let mut cut = String::new();
            for c in line.chars() {
                if text_width(&format!("{cut}{c}"), font, size) > width && !cut.is_empty() {
                    break;
                }
                cut.push(c);
            }
            line = line[cut.len()..].to_owned();
            lines.push(cut);
        }
    }
    if !line.is_empty() || lines.is_empty() && font == Font::Mono {
        lines.push(line);
    }
    lines
}

/// The body's blocks from its rendered (already sanitised) HTML.
fn html_blocks(html: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut font = Font::Regular;
    let mut size = 11.0;
    let mut space = 8.0;
    let mut indent = 0.0;
    let mut in_pre = false;
    let mut list_depth: usize = 0;
    let mut rest = html;
    let flush = |blocks: &mut Vec<Block>, text: &mut String, font, size, space, indent| {
        let content = if font == Font::Mono {
            text.trim_matches('\n').to_owned()
        } else {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        if !content.is_empty() {
            let mut block = Block::new(font, size, content, space);
            block.indent = indent;
            blocks.push(block);
        }
        text.clear();
    };
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            text.push_str(&decode_entities(rest));
            break;
        };
        text.push_str(&decode_entities(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "li" | "pre" | "blockquote" | "tr"
            | "div" | "table" | "ul" | "ol" | "br" | "summary" | "details" | "dt" | "dd" => {
                flush(&mut blocks, &mut text, font, size, space, indent);
                match (name.as_str(), closing) {
                    ("h1" | "h2", false) => (font, size, space) = (Font::Bold, 14.0, 14.0),
                    ("h3" | "h4" | "h5" | "h6", false) => {
                        (font, size, space) = (Font::Bold, 12.0, 10.0)
                    }
                    ("pre", false) => {
                        in_pre = true;
                        (font, size, space) = (Font::Mono, 9.0, 6.0);
                    }
                    ("pre", true) => in_pre = false,
                    ("ul" | "ol", false) => list_depth += 1,
                    ("ul" | "ol", true) => list_depth = list_depth.saturating_sub(1),
                    ("li", false) => text.push_str("\u{2022} "),
                    _ => {}
                }
                if closing
                    || !matches!(
                        name.as_str(),
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre"
                    )
                {
                    if !in_pre {
                        (font, size) = (Font::Regular, 11.0);
                    }
                    space = if name == "li" || name == "tr" {
                        3.0
                    } else {
                        8.0
                    };
                }
                indent = 12.0 * list_depth as f32;
            }
            "td" | "th" if !closing => text.push_str("  "),
            _ => {}
        }
    }
    flush(&mut blocks, &mut text, font, size, space, indent);
    blocks
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `text` as a PDF string literal in WinAnsiEncoding (characters outside it become `?`).
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        let byte = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{20ac}' => 0x80,
            '\u{2026}' => 0x85,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2122}' => 0x99,
            '\u{2192}' => b'>',
            '\t' => b' ',
            _ => b'?',
        };
        out.push(byte);
    }
    out.push(b')');
    out
}

/// Assemble the PDF file: catalog, page tree, fonts, and one content stream per page.
fn write_document(title: &str, pages: &[Vec<Line>]) -> Vec<u8> {
    let total = pages.len();
    let streams: Vec<Vec<u8>> = pages
        .iter()
        .enumerate()
        .map(|(index, lines)| {
            let mut stream = Vec::new();
            for line in lines {
                show(
                    &mut stream,
                    line.font,
                    line.size,
                    line.x,
                    line.y,
                    &line.text,
                );
            }
            let footer = format!("Page {} of {total}", index + 1);
            let x = (PAGE_WIDTH - text_width(&footer, Font::Regular, 9.0)) / 2.0;
            show(&mut stream, Font::Regular, 9.0, x, FOOTER_Y, &footer);
            stream
        })
        .collect();
    write_pages(title, (PAGE_WIDTH, PAGE_HEIGHT), &streams)
}

/// Append a text-showing operation to a content stream.
fn show(stream: &mut Vec<u8>, font: Font, size: f32, x: f32, y: f32, text: &str) {
    let mut op = String::new();
    let _ = write!(op, "BT /{} {size:.1} Tf {x:.1} {y:.1} Td ", font.resource());
    stream.extend_from_slice(op.as_bytes());
    stream.extend(pdf_string(text));
    stream.extend_from_slice(b" Tj ET\n");
}

/// Show `text` centred horizontally on a page `page_width` wide.
fn show_centred(stream: &mut Vec<u8>, font: Font, size: f32, page_width: f32, y: f32, text: &str) {
    let x = (page_width - text_width(text, font, size)) / 2.0;
    show(stream, font, size, x.max(0.0), y, text);
}

/// Write the file for pages of the given size (width, height in points), each with its
/// content stream.
fn write_pages(title: &str, (width, height): (f32, f32), streams: &[Vec<u8>]) -> Vec<u8> {
    let total = streams.len();
    let mut objects: Vec<Vec<u8>> = Vec::new();
    // 1: catalog, 2: pages, 3-5: fonts, 6: info, then page and content pairs.
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: String = (0..total)
        .map(|i| format!("{} 0 R", 7 + 2 * i))
        .collect::<Vec<_>>()
        .join(" ");
    objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {total} >>").into_bytes());
    for base in ["Helvetica", "Helvetica-Bold", "Courier"] {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"
            )
            .into_bytes(),
        );
    }
    let mut info = b"<< /Title ".to_vec();
    info.extend(pdf_string(title));
    info.extend_from_slice(b" /Producer (Lectern) >>");
    objects.push(info);
    for (index, stream) in streams.iter().enumerate() {
        let content_id = 8 + 2 * index;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {content_id} 0 R >>"
            )
            .into_bytes(),
        );
        let mut object = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        object.extend_from_slice(stream);
        object.extend_from_slice(b"\nendstream");
        objects.push(object);
    }

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// What goes onto a certificate of completion.
pub struct PdfCertificate<'a> {
    pub holder_name: &'a str,
    pub course_title: &'a str,
    /// The issue date as shown, e.g. `2026-11-29`.
    pub date: &'a str,
    pub id: &'a str,
    pub verify_url: &'a str,
    /// The QR code of the verify URL: `width` modules a side, row by row, true for dark.
    pub qr: (usize, &'a [bool]),
}

/// Render a one-page landscape A4 certificate: the text, a frame and the QR code drawn as
/// filled squares.
pub fn render_certificate(cert: &PdfCertificate<'_>) -> Vec<u8> {
    let (width, height) = (PAGE_HEIGHT, PAGE_WIDTH);
    let mut stream = Vec::new();
    // A double frame.
    stream.extend_from_slice(
        format!(
            "0.2 0.3 0.5 RG 3 w 24 24 {:.1} {:.1} re S 1 w 32 32 {:.1} {:.1} re S 0 0 0 RG\n",
            width - 48.0,
            height - 48.0,
            width - 64.0,
            height - 64.0
        )
        .as_bytes(),
    );
    show_centred(
        &mut stream,
        Font::Bold,
        30.0,
        width,
        470.0,
        "Certificate of Completion",
    );
    show_centred(
        &mut stream,
        Font::Regular,
        14.0,
        width,
        425.0,
        "This certifies that",
    );
    show_centred(
        &mut stream,
        Font::Bold,
        26.0,
        width,
        385.0,
        cert.holder_name,
    );
    show_centred(
        &mut stream,
        Font::Regular,
        14.0,
        width,
        345.0,
        "has completed the course",
    );
    show_centred(
        &mut stream,
        Font::Bold,
        20.0,
        width,
        310.0,
        cert.course_title,
    );
    show_centred(
        &mut stream,
        Font::Regular,
        12.0,
        width,
        275.0,
        &format!("Issued on {}", cert.date),
    );
    show(
        &mut stream,
        Font::Regular,
        9.0,
        60.0,
        110.0,
        "Certificate ID",
    );
    show(&mut stream, Font::Mono, 8.0, 60.0, 96.0, cert.id);
    show(&mut stream, Font::Regular, 9.0, 60.0, 76.0, "Verify at");
    show(&mut stream, Font::Mono, 8.0, 60.0, 62.0, cert.verify_url);
    // The QR code in the lower right, with a quiet zone of four modules.
    let (modules, dark) = cert.qr;
    if modules > 0 {
        let size = 110.0;
        let module = size / (modules as f32 + 8.0);
        let (left, bottom) = (width - 60.0 - size, 50.0);
        let mut op = String::from("0 0 0 rg\n");
        for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
            let (row, col) = (i / modules, i % modules);
            let x = left + (col as f32 + 4.0) * module;
            let y = bottom + size - (row as f32 + 5.0) * module;
            let _ = write!(op, "{x:.2} {y:.2} {module:.2} {module:.2} re ");
        }
        op.push_str("f\n");
        stream.extend_from_slice(op.as_bytes());
    }
    write_pages("Certificate of Completion", (width, height), &[stream])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(body: &str) -> Vec<u8> {
        render(&PdfLesson {
            title: "Attention (and more)",
            meta: "Demo · Lesson 1 · 3 min read",
            objectives: &["Explain attention.".to_owned()],
            body_html: body,
            takeaways: &["Tokens matter.".to_owned()],
            note: None,
        })
    }

    #[test]
    fn html_becomes_styled_blocks() {
        let blocks = html_blocks(
            "<h2>Heading &amp; more</h2>\n<p>Some <strong>bold</strong>\ntext.</p>\
             <ul><li>One</li><li>Two</li></ul><pre><code>let x = 1;\nlet y = 2;\n</code></pre>",
        );
        let texts: Vec<_> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Heading & more",
                "Some bold text.",
                "\u{2022} One",
                "\u{2022} Two",
                "let x = 1;\nlet y = 2;"
            ]
        );
        assert_eq!(blocks[0].font, Font::Bold);
        assert_eq!(blocks[1].font, Font::Regular);
        assert_eq!(blocks[4].font, Font::Mono);
        assert!(blocks[2].indent > 0.0);
    }

    #[test]
    fn documents_are_well_formed_and_paged() {
        let long: String = (0..400)
            .map(|i| format!("<p>Paragraph number {i} with some words.</p>"))
            .collect();
        let pdf = sample(&long);
        assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("(Attention \\(and more\\)) Tj"));
        assert!(text.contains("(Paragraph number 399 with some words.) Tj"));
        let pages = text.matches("/Type /Page ").count();
        assert!(pages > 3, "{pages} pages");
        assert!(text.contains(&format!("(Page {pages} of {pages}) Tj")));
        // The xref offsets point at the objects.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
    }

    #[test]
    fn text_is_win_ansi() {
        assert_eq!(
            pdf_string("it\u{2019}s \u{2014} ok"),
            b"(it\x92s \x97 ok)".to_vec()
        );
        assert_eq!(pdf_string("\u{4e2d}"), b"(?)".to_vec());
        assert_eq!(
            decode_entities("a &lt;b&gt; &#39;c&#x27; &bogus"),
            "a <b> 'c' &bogus"
        );
    }

    #[test]
    fn certificates_are_landscape_with_text_and_squares() {
        let pdf = render_certificate(&PdfCertificate {
            holder_name: "Ada Lovelace",
            course_title: "AI Foundations",
            date: "2026-11-29",
            id: "abc123",
            verify_url: "http://x/certificates/abc123",
            qr: (2, &[true, false, false, true]),
        });
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/MediaBox [0 0 842 595]"));
        assert!(text.contains("(Ada Lovelace) Tj"));
        assert!(text.contains("(abc123) Tj"));
        assert_eq!(text.matches(" re ").count(), 2 + 2);
        assert!(pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn long_words_are_cut_to_fit() {
        let word = "x".repeat(500);
        for line in wrap(&word, Font::Regular, 11.0, 100.0) {
            assert!(text_width(&line, Font::Regular, 11.0) <= 100.0);
        }
    }
}
