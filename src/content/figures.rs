//! Figures in lesson bodies (API.md section 13): `![alt](figures/name.svg "Caption")`
//! names an image file next to the lesson, inside its course folder. Each is checked by its
//! bytes (PNG, JPEG, WebP, GIF or SVG, at most [`MAX_FIGURE_BYTES`]), measured, and named
//! by its content hash, so its URL never needs to change and can be cached for good.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::content::markdown;

/// The largest figure file accepted.
pub const MAX_FIGURE_BYTES: usize = 5 * 1024 * 1024;

/// The folder, next to the lesson, that a lesson source names uploaded figures in.
pub const UPLOAD_FOLDER: &str = "figures/";

/// The path under which figures are served, before `<sha256>.<ext>`.
pub const URL_PREFIX: &str = "/figures/";

/// The image formats a figure may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    Png,
    Jpeg,
    Webp,
    Gif,
    Svg,
}

impl FigureKind {
    const ALL: [FigureKind; 5] = [
        FigureKind::Png,
        FigureKind::Jpeg,
        FigureKind::Webp,
        FigureKind::Gif,
        FigureKind::Svg,
    ];

    /// The extension of its stored and served name.
    pub fn ext(self) -> &'static str {
        match self {
            FigureKind::Png => "png",
            FigureKind::Jpeg => "jpg",
            FigureKind::Webp => "webp",
            FigureKind::Gif => "gif",
            FigureKind::Svg => "svg",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FigureKind::Png => "image/png",
            FigureKind::Jpeg => "image/jpeg",
            FigureKind::Webp => "image/webp",
            FigureKind::Gif => "image/gif",
            FigureKind::Svg => "image/svg+xml",
        }
    }

    /// The kind whose stored name ends in `ext`.
    pub fn from_ext(ext: &str) -> Option<FigureKind> {
        FigureKind::ALL.into_iter().find(|k| k.ext() == ext)
    }

    /// The kind as the database stores it.
    pub fn id(self) -> &'static str {
        match self {
            FigureKind::Jpeg => "jpeg",
            other => other.ext(),
        }
    }

    pub fn from_id(id: &str) -> Option<FigureKind> {
        FigureKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The kind of `bytes`, told by their content and never by a file name.
    pub fn sniff(bytes: &[u8]) -> Option<FigureKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FigureKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FigureKind::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(FigureKind::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(FigureKind::Webp)
        } else if std::str::from_utf8(bytes).is_ok_and(|text| text.contains("<svg")) {
            Some(FigureKind::Svg)
        } else {
            None
        }
    }
}

/// A stored figure: its hash names its body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub sha256: String,
    pub kind: FigureKind,
    pub width: u32,
    pub height: u32,
}

impl Figure {
    /// Its stored and served name, `<sha256>.<ext>`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.sha256, self.kind.ext())
    }

    /// Its content-addressed URL.
    pub fn url(&self) -> String {
        format!("{URL_PREFIX}{}", self.file_name())
    }
}

/// A lesson's figures by the path its body names them with (e.g. `figures/x.svg`).
pub type Figures = BTreeMap<String, Figure>;

/// A figure and its bytes, checked and measured.
#[derive(Clone, Debug)]
pub struct FigureFile {
    pub figure: Figure,
    pub bytes: Vec<u8>,
}

/// Check and measure an image: its kind by its bytes, its size, its width and height.
pub fn inspect(bytes: Vec<u8>) -> Result<FigureFile, String> {
    if bytes.is_empty() {
        return Err("the figure file is empty".into());
    }
    if bytes.len() > MAX_FIGURE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let kind = FigureKind::sniff(&bytes)
        .ok_or("the file is not a PNG, JPEG, WebP, GIF or SVG image (by its content)")?;
    let (width, height) = measure(kind, &bytes)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(FigureFile {
        figure: Figure {
            sha256,
            kind,
            width,
            height,
        },
        bytes,
    })
}

fn too_large(bytes: u64) -> String {
    format!("the figure file has {bytes} bytes; at most {MAX_FIGURE_BYTES} (5 MiB) are allowed")
}

/// Width and height in pixels (an SVG's in its user units, rounded up).
fn measure(kind: FigureKind, bytes: &[u8]) -> Result<(u32, u32), String> {
    let format = match kind {
        FigureKind::Png => image::ImageFormat::Png,
        FigureKind::Jpeg => image::ImageFormat::Jpeg,
        FigureKind::Webp => image::ImageFormat::WebP,
        FigureKind::Gif => image::ImageFormat::Gif,
        FigureKind::Svg => {
            let tree = usvg::Tree::from_data(bytes, &usvg::Options::default())
                .map_err(|e| format!("the SVG does not parse: {e}"))?;
            let size = tree.size();
            return Ok((size.width().ceil() as u32, size.height().ceil() as u32));
        }
    };
    image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| format!("the {} image does not decode: {e}", kind.id()))
}

/// Check the name of an uploaded figure against its kind: a name of `a-z`, `0-9`, `-` and
/// `_` (at most 80), then the extension of the kind its bytes are (`jpeg` for JPEG too).
pub fn check_upload_name(name: &str, kind: FigureKind) -> Result<(), String> {
    let (stem, ext) = name
        .rsplit_once('.')
        .ok_or("a figure's name needs an extension, such as plot.png")?;
    let stem_ok = !stem.is_empty()
        && stem.len() <= 80
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !stem_ok {
        return Err(format!(
            "figure name {name:?} must be 1 to 80 characters of a-z, 0-9, - and _ before its extension"
        ));
    }
    let matches = ext == kind.ext() || (kind == FigureKind::Jpeg && ext == "jpeg");
    if !matches {
        return Err(format!(
            "figure name {name:?} does not match its content, which is {}: name it .{}",
            kind.media_type(),
            kind.ext()
        ));
    }
    Ok(())
}

/// A figure reference in a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The path as written.
    pub path: String,
    pub alt: String,
    /// 1-based line in the body.
    pub line: usize,
}

/// Every image a Markdown body names, in order.
pub fn references(body: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut open: Option<Reference> = None;
    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match (&mut open, event) {
            (None, Event::Start(Tag::Image { dest_url, .. })) => {
                open = Some(Reference {
                    path: dest_url.into_string(),
                    alt: String::new(),
                    line: body[..range.start].matches('\n').count() + 1,
                });
            }
            (Some(_), Event::End(TagEnd::Image)) => out.extend(open.take()),
            (Some(r), Event::Text(text) | Event::Code(text)) => r.alt.push_str(&text),
            _ => {}
        }
    }
    out
}

/// The file a reference names, as a path inside the course folder, refusing remote URLs,
/// absolute paths and paths that leave the folder. Lessons sit at the folder's top.
pub fn course_path(written: &str) -> Result<PathBuf, String> {
    let scheme = written.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if scheme || written.starts_with("//") {
        return Err(format!(
            "figure {written:?} is a URL; figures live with their lesson, in its course folder"
        ));
    }
    let mut path = PathBuf::new();
    for part in Path::new(written).components() {
        match part {
            Component::CurDir => {}
            Component::Normal(name) => path.push(name),
            Component::ParentDir if path.pop() => {}
            Component::ParentDir => {
                return Err(format!("figure {written:?} leaves the course folder"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "figure {written:?} must be a path relative to the lesson file"
                ));
            }
        }
    }
    if path.as_os_str().is_empty() {
        return Err("a figure needs a file name".into());
    }
    Ok(path)
}

/// The rules a reference keeps by itself: alternative text, and a path inside the course
/// folder.
pub fn check_reference(reference: &Reference) -> Result<(), String> {
    if reference.alt.trim().is_empty() {
        return Err(format!(
            "figure {:?} needs alternative text: ![what it shows]({})",
            reference.path, reference.path
        ));
    }
    course_path(&reference.path).map(drop)
}

/// Read, check and measure the figure `written` names in `course_folder`.
pub fn load(course_folder: &Path, written: &str) -> Result<FigureFile, String> {
    let file = course_folder.join(course_path(written)?);
    let missing = |e: std::io::Error| format!("figure {written:?} cannot be read: {e}");
    let real = file.canonicalize().map_err(missing)?;
    let root = course_folder.canonicalize().map_err(missing)?;
    if !real.starts_with(&root) {
        return Err(format!("figure {written:?} leaves the course folder"));
    }
    let size = std::fs::metadata(&real).map_err(missing)?.len();
    if size > MAX_FIGURE_BYTES as u64 {
        return Err(format!("figure {written:?}: {}", too_large(size)));
    }
    let bytes = std::fs::read(&real).map_err(missing)?;
    inspect(bytes).map_err(|e| format!("figure {written:?}: {e}"))
}

/// Check every figure of `body` in `course_folder`; an `Err` is `(line in the body, message)`.
pub fn load_all(
    course_folder: &Path,
    body: &str,
) -> Result<Vec<(String, FigureFile)>, (usize, String)> {
    let mut out: Vec<(String, FigureFile)> = Vec::new();
    for reference in references(body) {
        check_reference(&reference).map_err(|e| (reference.line, e))?;
        if out.iter().any(|(path, _)| *path == reference.path) {
            continue;
        }
        let file = load(course_folder, &reference.path).map_err(|e| (reference.line, e))?;
        out.push((reference.path, file));
    }
    Ok(out)
}

/// The figures of `figures` that `body` names.
pub fn used_in(body: &str, figures: &Figures) -> Figures {
    references(body)
        .into_iter()
        .filter_map(|r| figures.get(&r.path).map(|f| (r.path, f.clone())))
        .collect()
}

/// Replace each known image with its `<img>` (sized, lazy, at its content-addressed URL);
/// one with a caption becomes a `<figure>`, standing in for a paragraph it is alone in.
/// Unknown images are left as they are.
pub(crate) fn place<'a>(events: Vec<Event<'a>>, figures: &Figures) -> Vec<Event<'a>> {
    if figures.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let alone = matches!(events[i], Event::Start(Tag::Paragraph))
            && matches!(events.get(i + 1), Some(Event::Start(Tag::Image { title, .. })) if !title.is_empty());
        let at = if alone { i + 1 } else { i };
        if let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &events[at]
        {
            if let Some(figure) = figures.get(dest_url.as_ref()) {
                let end = (at..events.len())
                    .find(|&j| matches!(events[j], Event::End(TagEnd::Image)))
                    .unwrap_or(events.len() - 1);
                let closes = matches!(events.get(end + 1), Some(Event::End(TagEnd::Paragraph)));
                if !alone || closes {
                    let alt: String = events[at + 1..end]
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    let html = markup(figure, &alt, title);
                    out.push(if alone {
                        Event::Html(CowStr::from(html + "\n"))
                    } else {
                        Event::InlineHtml(CowStr::from(html))
                    });
                    i = if alone { end + 2 } else { end + 1 };
                    continue;
                }
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// A figure's HTML.
fn markup(figure: &Figure, alt: &str, caption: &str) -> String {
    let img = format!(
        "<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\">",
        figure.url(),
        markdown::escape(alt),
        figure.width,
        figure.height
    );
    match caption.trim() {
        "" => img,
        caption => format!(
            "<figure class=\"figure\">{img}<figcaption>{}</figcaption></figure>",
            markdown::escape(caption)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_bytes() {
        assert_eq!(
            FigureKind::sniff(b"\x89PNG\r\n\x1a\nxx"),
            Some(FigureKind::Png)
        );
        assert_eq!(FigureKind::sniff(b"GIF89a.."), Some(FigureKind::Gif));
        assert_eq!(
            FigureKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FigureKind::Webp)
        );
        assert_eq!(
            FigureKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(FigureKind::Jpeg)
        );
        assert_eq!(
            FigureKind::sniff(b"<?xml version=\"1.0\"?><svg></svg>"),
            Some(FigureKind::Svg)
        );
        assert_eq!(FigureKind::sniff(b"just text"), None);
    }

    #[test]
    fn paths_stay_in_the_course_folder() {
        assert_eq!(
            course_path("figures/a.png").unwrap(),
            Path::new("figures/a.png")
        );
        assert_eq!(course_path("./x/../b.png").unwrap(), Path::new("b.png"));
        for bad in [
            "../a.png",
            "figures/../../a.png",
            "/etc/passwd",
            "https://example.com/a.png",
            "//example.com/a.png",
            "data:image/png;base64,AAAA",
            "",
        ] {
            assert!(course_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn references_carry_their_line_and_alt() {
        let refs =
            references("Intro\n\n![A *bold* plot](figures/p.png \"Cap\")\n\nText ![](x.svg)\n");
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].path, "figures/p.png");
        assert_eq!(refs[0].alt, "A bold plot");
        assert_eq!(refs[0].line, 3);
        assert_eq!(refs[1].alt, "");
        assert_eq!(refs[1].line, 5);
    }

    #[test]
    fn upload_names_are_plain_and_match_their_bytes() {
        assert!(check_upload_name("plot-1.png", FigureKind::Png).is_ok());
        assert!(check_upload_name("photo.jpeg", FigureKind::Jpeg).is_ok());
        assert!(check_upload_name("plot.svg", FigureKind::Png).is_err());
        assert!(check_upload_name("../x.png", FigureKind::Png).is_err());
        assert!(check_upload_name("Plot.png", FigureKind::Png).is_err());
        assert!(check_upload_name("plot", FigureKind::Png).is_err());
    }

    #[test]
    fn svg_is_measured() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40.5"></svg>"#;
        let file = inspect(svg.to_vec()).unwrap();
        assert_eq!((file.figure.width, file.figure.height), (120, 41));
        assert_eq!(file.figure.kind, FigureKind::Svg);
        assert!(inspect(b"not an image".to_vec()).is_err());
        assert!(inspect(vec![b' '; MAX_FIGURE_BYTES + 1]).is_err());
    }
}
