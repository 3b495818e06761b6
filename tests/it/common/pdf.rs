//! Reading PDFs as a person's tools do: poppler's `pdftotext`, `pdffonts`, `pdfimages` and
//! `pdftoppm` (package poppler-utils), and zbar's `zbarimg` for QR codes. A missing tool
//! skips the check with a printed reason, except under `CI=true`, where it fails the test.

use std::path::Path;
use std::process::Command;

fn on_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Run `tool` with `args`; `None` (with the reason printed) when it is not installed.
fn run(tool: &str, args: &[&Path]) -> Option<String> {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            assert!(!on_ci(), "{tool} is required on CI");
            eprintln!("skipping a PDF check: {tool} is not installed");
            return None;
        }
        Err(error) => panic!("{tool} could not run: {error}"),
    };
    assert!(
        output.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

/// The PDF written to a temporary folder, for tools that read files.
fn written(pdf: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    (dir, path)
}

/// The PDF's text in reading order, pages ending in a form feed.
pub fn text(pdf: &[u8]) -> Option<String> {
    let (_dir, path) = written(pdf);
    run("pdftotext", &[&path, Path::new("-")])
}

/// The width and height of each raster image the PDF holds (`pdfimages -list`), soft
/// masks left out.
pub fn images(pdf: &[u8]) -> Option<Vec<(u32, u32)>> {
    let (_dir, path) = written(pdf);
    let table = run("pdfimages", &[Path::new("-list"), &path])?;
    // page, num, type, width, height, …
    let sizes = table
        .lines()
        .skip(2)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|columns| columns.get(2) == Some(&"image"))
        .map(|columns| (columns[3].parse().unwrap(), columns[4].parse().unwrap()))
        .collect();
    Some(sizes)
}

/// Assert that the PDF uses fonts and embeds every one of them (`pdffonts`' `emb` column).
pub fn assert_fonts_embedded(pdf: &[u8]) {
    let (_dir, path) = written(pdf);
    let Some(table) = run("pdffonts", &[&path]) else {
        return;
    };
    // name, type (one or two words), encoding, emb, sub, uni, object, ID.
    let fonts: Vec<&str> = table.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "the PDF names its fonts: {table}");
    for font in fonts {
        let columns: Vec<&str> = font.split_whitespace().collect();
        let emb = columns[columns.len() - 5];
        assert_eq!(emb, "yes", "every font is embedded: {table}");
    }
}

/// The QR codes `zbarimg` reads off the PDF's first page rendered at 150 dpi.
pub fn qr_codes(pdf: &[u8]) -> Option<Vec<String>> {
    let (dir, path) = written(pdf);
    let prefix = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            Path::new("-r"),
            Path::new("150"),
            Path::new("-png"),
            Path::new("-f"),
            Path::new("1"),
            Path::new("-singlefile"),
            &path,
            &prefix,
        ],
    )?;
    let decoded = run(
        "zbarimg",
        &[
            Path::new("--raw"),
            Path::new("-q"),
            &prefix.with_extension("png"),
        ],
    )?;
    Some(decoded.lines().map(str::to_owned).collect())
}
