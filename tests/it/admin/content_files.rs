//! The README's rule: an unchanged file never overwrites a newer admin revision, a changed
//! file becomes a new revision, and a file never takes over a lesson written in the admin.

use std::path::PathBuf;

use reqwest::Method;
use serde_json::Value;

use crate::common::admin::{admin_token, call, create, edit, lesson_source};
use crate::common::{send, spawn_with, Backend, TestApp};

on_both_backends!(
    an_admin_edit_survives_a_reimport_of_the_unchanged_file,
    a_changed_file_becomes_a_new_revision,
    a_file_never_takes_over_a_lesson_written_in_the_admin,
);

/// An app serving a course of one file-backed lesson, `from-file`, with an admin.
struct Site {
    app: TestApp,
    token: String,
    content: tempfile::TempDir,
}

impl Site {
    async fn start(backend: Backend) -> Site {
        let content = tempfile::tempdir().unwrap();
        let course = content.path().join("ai-foundations");
        std::fs::create_dir_all(&course).unwrap();
        std::fs::write(
            course.join("course.toml"),
            "title = \"AI Foundations\"\nsummary = \"Demo.\"\n",
        )
        .unwrap();
        let file_source = lesson_source("from-file", "From the file", "File words.");
        std::fs::write(course.join("from-file.md"), &file_source).unwrap();
        let app = spawn_with(backend, content.path()).await;
        let token = admin_token(&app).await;
        Site {
            app,
            token,
            content,
        }
    }

    fn course(&self) -> PathBuf {
        self.content.path().join("ai-foundations")
    }

    /// Import the content folder again, as `lectern import` does.
    async fn import(&self) -> lectern::import::ImportReport {
        let db = lectern::db::Db::connect(&self.app.settings).await.unwrap();
        let report = lectern::import::import_dir(&db, self.content.path())
            .await
            .unwrap();
        db.close().await;
        report
    }

    /// The lesson as the admin sees it.
    async fn current(&self, slug: &str) -> Value {
        let path = format!("/api/v1/admin/lessons/{slug}");
        let (_, current) = send(call(&self.app, Method::GET, &path, Some(&self.token))).await;
        current
    }

    /// An admin edit of the file-backed lesson; its source.
    async fn edit_in_the_admin(&self) -> String {
        let edited = lesson_source("from-file", "From the file", "Admin words.");
        let (status, _) = edit(&self.app, &self.token, "from-file", &edited).await;
        assert_eq!(status, 200);
        edited
    }
}

async fn an_admin_edit_survives_a_reimport_of_the_unchanged_file(backend: Backend) {
    let site = Site::start(backend).await;
    let edited = site.edit_in_the_admin().await;
    let report = site.import().await;
    assert!(
        report.created.is_empty() && report.updated.is_empty(),
        "{report}"
    );
    let current = site.current("from-file").await;
    assert_eq!(
        (current["revision"].as_i64(), current["source"].as_str()),
        (Some(2), Some(edited.as_str()))
    );
}

async fn a_changed_file_becomes_a_new_revision(backend: Backend) {
    let site = Site::start(backend).await;
    site.edit_in_the_admin().await;
    let changed = lesson_source("from-file", "From the file", "New file words.");
    std::fs::write(site.course().join("from-file.md"), &changed).unwrap();
    let report = site.import().await;
    assert_eq!(report.updated, ["from-file"], "{report}");
    let current = site.current("from-file").await;
    assert_eq!(current["revision"], 3);
    assert_eq!(current["source"], changed.as_str());
}

/// A lesson written in the admin has no file, and a file with its slug is refused.
async fn a_file_never_takes_over_a_lesson_written_in_the_admin(backend: Backend) {
    let site = Site::start(backend).await;
    let admin_source = lesson_source("admin-only", "Admin only", "Admin text.");
    assert_eq!(create(&site.app, &site.token, &admin_source).await.0, 201);
    assert!(site.current("admin-only").await["source_path"].is_null());
    std::fs::write(
        site.course().join("admin-only.md"),
        lesson_source("admin-only", "Usurper", "File text."),
    )
    .unwrap();
    let report = site.import().await;
    assert_eq!(report.errors.len(), 1, "{report}");
    assert!(report.errors[0].contains("admin-only.md"), "{report}");
    let current = site.current("admin-only").await;
    assert_eq!(
        (current["revision"].as_i64(), current["source"].as_str()),
        (Some(1), Some(admin_source.as_str()))
    );
}
