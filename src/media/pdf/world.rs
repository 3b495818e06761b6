//! The typst world a PDF is compiled in: one fixed template as the main file, a few
//! virtual data files made in memory, and the bundled fonts. No real file system, no
//! packages, no clock: any other path is not found.

use std::sync::LazyLock;

use anyhow::anyhow;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The font families the templates use: the body's, the code's and the formulas'.
pub const BODY_FONT: &str = "Libertinus Serif";
pub const MONO_FONT: &str = "DejaVu Sans Mono";
pub const MATH_FONT: &str = "New Computer Modern Math";

/// The fonts, parsed once for every compile: the three families above from
/// `typst-assets` (all under the SIL Open Font License).
struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .filter(|font| [BODY_FONT, MONO_FONT, MATH_FONT].contains(&font.info().family.as_str()))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// A file's id by its absolute path in the (only) project root.
fn file_id(path: &str) -> FileId {
    let path = VirtualPath::new(path).expect("our own virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

/// One compile's world.
pub struct PdfWorld {
    main: Source,
    files: Vec<(FileId, Bytes)>,
}

impl PdfWorld {
    /// A world whose main file is `template` (at `/main.typ`) and whose only other files
    /// are `files`, by absolute path.
    pub fn new(template: &'static str, files: Vec<(&str, Bytes)>) -> PdfWorld {
        PdfWorld {
            main: Source::new(file_id("/main.typ"), template.to_owned()),
            files: files
                .into_iter()
                .map(|(path, bytes)| (file_id(path), bytes))
                .collect(),
        }
    }

    /// Lay the document out and write it as PDF.
    pub fn compile_pdf(&self) -> anyhow::Result<Vec<u8>> {
        let document: PagedDocument = typst::compile(self).output.map_err(describe)?;
        let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(describe);
        // Memoised results of older compiles are of no use to the next lesson; keep the
        // cache from growing with every PDF made.
        typst::comemo::evict(2);
        pdf
    }
}

fn describe(diagnostics: typst::ecow::EcoVec<SourceDiagnostic>) -> anyhow::Error {
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    anyhow!("typst could not make the PDF: {}", messages.join("; "))
}

impl World for PdfWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_given_files_exist() {
        let world = PdfWorld::new("", vec![("/data.json", Bytes::from_string("{}"))]);
        assert_eq!(world.file(file_id("/data.json")).unwrap().as_slice(), b"{}");
        for path in ["/etc/passwd", "/main.json", "/data.json/x", "/Cargo.toml"] {
            assert!(
                matches!(world.file(file_id(path)), Err(FileError::NotFound(_))),
                "{path}"
            );
        }
        assert!(world.source(file_id("/data.json")).is_err());
        let package = typst::syntax::package::PackageSpec {
            namespace: "preview".into(),
            name: "anything".into(),
            version: typst::syntax::package::PackageVersion {
                major: 0,
                minor: 1,
                patch: 0,
            },
        };
        let in_package = RootedPath::new(
            VirtualRoot::Package(package),
            VirtualPath::new("/lib.typ").unwrap(),
        )
        .intern();
        assert!(world.source(in_package).is_err());
        assert!(world.file(in_package).is_err());
    }

    #[test]
    fn the_three_font_families_are_loaded_once() {
        let families: std::collections::BTreeSet<&str> = FONTS
            .fonts
            .iter()
            .map(|f| f.info().family.as_str())
            .collect();
        assert_eq!(
            families,
            [MONO_FONT, BODY_FONT, MATH_FONT].into_iter().collect()
        );
    }
}
