//! A course's glossary: imported from `glossary.md`, served at `/courses/{slug}/glossary`,
//! linked from the catalog and the course's lessons, and never counted as a lesson.

use std::path::Path;

use crate::common;
use common::{spawn, spawn_with, test_settings, Backend};
use lectern::catalog::Catalog;
use lectern::db::Db;
use lectern::import::import_dir;

on_both_backends!(
    the_bundled_glossary_is_a_page_of_the_course,
    a_course_without_a_glossary_has_no_glossary_page,
    a_glossary_is_imported_checked_and_removed_with_its_file,
);

const COURSE: &str = "ai-foundations";

/// The glossary's terms as the file writes them: every line that starts in bold.
fn bundled_terms() -> Vec<String> {
    let text = std::fs::read_to_string(common::bundled_content().join(COURSE).join("glossary.md"))
        .unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("**"))
        .filter_map(|l| l.split_once("**:"))
        .map(|(term, _)| term.to_owned())
        .collect()
}

async fn the_bundled_glossary_is_a_page_of_the_course(backend: Backend) {
    let app = spawn(backend).await;
    let terms = bundled_terms();
    assert!(
        terms.len() >= 20,
        "at least 20 terms, found {}",
        terms.len()
    );

    let (status, html) = app.get_text(&format!("/courses/{COURSE}/glossary")).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<h1").count(), 1);
    assert_eq!(
        html.matches("<dt id=\"").count(),
        terms.len(),
        "one entry per term"
    );
    for term in [
        "logit",
        "parameter",
        "gradient",
        "softmax",
        "embedding",
        "token",
    ] {
        assert!(
            html.contains(&format!("<dt id=\"{term}\">")),
            "{term} has an entry with an anchor"
        );
    }
    assert!(html.contains("<dt id=\"context-window\">"));
    assert!(
        html.contains("href=\"/#course-ai-foundations\""),
        "back to the course"
    );

    // Linked from the catalog and from every lesson of the course.
    let (_, catalog) = app.get_text("/").await;
    let link = format!("href=\"/courses/{COURSE}/glossary\"");
    assert!(catalog.contains(&link), "the catalog links the glossary");
    let (_, lesson) = app.get_text("/lessons/attention-step-by-step").await;
    assert!(
        lesson.contains(&link),
        "a lesson links its course's glossary"
    );

    // A page of the course, not a lesson: the course lists exactly its lesson files.
    let lesson_files = std::fs::read_dir(common::bundled_content().join(COURSE))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !p.ends_with("glossary.md"))
        .count();
    let (_, courses) = app.get_json("/api/v1/courses").await;
    let lessons = courses["courses"][0]["lessons"].as_array().unwrap();
    assert_eq!(lessons.len(), lesson_files);
    assert!(lessons.iter().all(|l| l["slug"] != "glossary"));
    let (status, _) = app.get_json("/api/v1/lessons/glossary").await;
    assert_eq!(status, 404, "the glossary is no lesson");

    let (status, _) = app.get_text("/courses/no-such-course/glossary").await;
    assert_eq!(status, 404);
}

fn write_course(dir: &Path) {
    let course = dir.join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"A demo course.\"\n",
    )
    .unwrap();
    std::fs::write(
        course.join("a.md"),
        "+++\ntitle = \"First\"\nslug = \"first\"\nsummary = \"One.\"\ncourse = \"demo\"\n\
         position = 1\naccess = \"free\"\nupdated = 2026-05-01\n+++\nBody.\n",
    )
    .unwrap();
}

async fn a_course_without_a_glossary_has_no_glossary_page(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path());
    let app = spawn_with(backend, content.path()).await;
    let (status, _) = app.get_text("/courses/demo/glossary").await;
    assert_eq!(status, 404);
    let (_, catalog) = app.get_text("/").await;
    assert!(
        !catalog.contains("/courses/demo/glossary"),
        "no link to a missing page"
    );

    // With a glossary file, the same course serves the page and its lessons link it.
    std::fs::write(
        content.path().join("demo/glossary.md"),
        "**token**: a piece of text <script>alert(1)</script>\n\n**logit**: a raw score.\n",
    )
    .unwrap();
    let app = spawn_with(backend, content.path()).await;
    let (status, html) = app.get_text("/courses/demo/glossary").await;
    assert_eq!(status, 200);
    assert!(html.contains("<dt id=\"token\">token</dt>") && html.contains("a raw score."));
    assert!(!html.contains("<script>alert"), "definitions are sanitised");
    let (_, lesson) = app.get_text("/lessons/first").await;
    assert!(lesson.contains("href=\"/courses/demo/glossary\""));
}

async fn a_glossary_is_imported_checked_and_removed_with_its_file(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path());
    let glossary = content.path().join("demo/glossary.md");
    std::fs::write(&glossary, "Intro.\n\n**token** a piece of text\n").unwrap();
    let (settings, _data) = test_settings(backend, content.path()).await;
    let db = Db::connect(&settings).await.unwrap();

    // A broken glossary is reported with its line; the lessons still import.
    let report = import_dir(&db, content.path()).await.unwrap();
    assert!(
        report.errors.iter().any(|e| e.contains("glossary.md:3:")),
        "{report}"
    );
    assert_eq!(report.created, ["first"], "{report}");
    let catalog = Catalog::load(&db).await.unwrap();
    assert!(catalog
        .snapshot()
        .course("demo")
        .unwrap()
        .glossary
        .is_none());

    std::fs::write(&glossary, "**token**: a piece of text.\n").unwrap();
    let report = import_dir(&db, content.path()).await.unwrap();
    assert_eq!(report.updated, ["glossary demo"], "{report}");
    let snapshot = catalog.reload(&db).await.unwrap();
    let course = snapshot.course("demo").unwrap();
    assert_eq!(course.glossary.as_ref().unwrap().terms[0].id, "token");
    assert_eq!(course.lessons.len(), 1, "the glossary is no lesson");
    assert!(!import_dir(&db, content.path()).await.unwrap().changed());

    std::fs::remove_file(&glossary).unwrap();
    let report = import_dir(&db, content.path()).await.unwrap();
    assert_eq!(report.updated, ["glossary demo"], "{report}");
    let snapshot = catalog.reload(&db).await.unwrap();
    assert!(snapshot.course("demo").unwrap().glossary.is_none());
    db.close().await;
}
