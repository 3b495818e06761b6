//! Importing `content/`: idempotent, changed files become revisions, broken files are
//! reported with path and line while the rest still import.

use crate::common;

use std::path::Path;

use common::{test_settings, Backend};
use lectern::catalog::Catalog;
use lectern::db::Db;
use lectern::import::import_dir;

on_both_backends!(import_is_idempotent_and_reports_broken_files);

fn lesson(slug: &str, title: &str, position: u32, access: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nslug = \"{slug}\"\nsummary = \"About {title}.\"\ncourse = \"demo\"\n\
         position = {position}\naccess = \"{access}\"\nupdated = 2026-05-01\n\n[quiz]\npass_percent = 50\n\n\
         [[quiz.questions]]\nid = \"q1\"\nprompt = \"Pick one\"\nchoices = [\"a\", \"b\"]\nanswer = [1]\n\
         explanation = \"b.\"\n+++\n## Hello\n\nBody of {title}.\n"
    )
}

fn write_course(dir: &Path) {
    let course = dir.join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"A demo course.\"\n",
    )
    .unwrap();
    std::fs::write(course.join("a.md"), lesson("first", "First", 1, "free")).unwrap();
    std::fs::write(course.join("b.md"), lesson("second", "Second", 2, "gold")).unwrap();
    std::fs::write(
        course.join("c.md"),
        lesson("third", "Third", 3, "free").replace("answer = [1]", "answer = [7]"),
    )
    .unwrap();
}

async fn import_is_idempotent_and_reports_broken_files(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path());
    let (settings, _data) = test_settings(backend, content.path()).await;
    let db = Db::connect(&settings).await.unwrap();

    let first = import_dir(&db, content.path()).await.unwrap();
    assert_eq!(first.created, ["first"]);
    assert_eq!(first.errors.len(), 2, "{first}");
    let gold = first.errors.iter().find(|e| e.contains("b.md")).unwrap();
    assert!(
        gold.contains("b.md:7:") && gold.contains("gold"),
        "path and line of the bad access: {gold}"
    );
    let range = first.errors.iter().find(|e| e.contains("c.md")).unwrap();
    assert!(
        range.contains("c.md:17:") && range.contains("out of range"),
        "{range}"
    );

    let again = import_dir(&db, content.path()).await.unwrap();
    assert!(!again.changed(), "a second import changes nothing: {again}");
    assert_eq!(again.unchanged, 1);

    let catalog = Catalog::load(&db).await.unwrap();
    let generation = catalog.snapshot().generation;
    let first_lesson = catalog.snapshot().lesson("first").cloned().unwrap();
    assert_eq!(first_lesson.revision, 1);

    std::fs::write(
        content.path().join("demo/a.md"),
        lesson("first", "First, revised", 1, "free"),
    )
    .unwrap();
    let changed = import_dir(&db, content.path()).await.unwrap();
    assert_eq!(changed.updated, ["first"]);
    let snapshot = catalog.reload(&db).await.unwrap();
    assert!(
        snapshot.generation > generation,
        "the catalog generation moves on change"
    );
    let revised = snapshot.lesson("first").unwrap();
    assert_eq!(revised.revision, 2);
    assert_eq!(revised.rendered.title, "First, revised");
    assert!(revised
        .rendered
        .html
        .contains("<h2 id=\"hello\">Hello</h2>"));
}

#[test]
fn the_import_command_reports_errors_and_fails() {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path());
    let data = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .arg("import")
        .arg(content.path())
        .env("LECTERN_DATA_DIR", data.path())
        .env_remove("LECTERN_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "broken files make the command fail"
    );
    assert!(
        stdout.contains("1 new") && stdout.contains("2 skipped"),
        "{stdout}"
    );
    assert!(stdout.contains("b.md:7:"), "{stdout}");
    assert!(data.path().join("lectern.db").exists());
}
