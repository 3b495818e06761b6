//! The admin's pages, as a browser without JavaScript uses them: admins only, forms with a
//! CSRF token, lessons saved, published, edited, restored, unpublished and deleted, courses
//! created, users found and their plan changed.

use reqwest::Method;

use crate::common::admin::{admin_token, call, lesson_source, ADMIN_EMAIL};
use crate::common::{send, spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    admin_pages_refuse_visitors_and_learners,
    the_index_lists_lessons_and_links_the_editors,
    a_form_preview_shows_html_and_tokens_without_saving,
    a_broken_source_is_shown_with_its_line_and_not_saved,
    a_form_without_the_csrf_token_is_refused,
    a_saved_form_is_a_draft_at_revision_1,
    a_published_form_lesson_is_served,
    an_edit_through_the_form_is_live,
    an_older_revision_is_viewed_and_restored_through_the_form,
    unpublishing_through_the_form_hides_it_from_readers,
    deleting_through_the_form_removes_it,
    a_course_form_with_a_bad_slug_shows_the_error_beside_it,
    a_course_form_creates_a_course,
    the_users_page_finds_by_email_and_shows_the_role,
    the_users_page_changes_a_plan,
    the_editors_script_is_served,
);

/// An admin signed in with the cookie, as a browser would be, on the admin index.
struct Admin {
    app: TestApp,
    /// The admin's Bearer token.
    token: String,
    /// The CSRF token the admin's forms carry.
    csrf: String,
    /// The admin index.
    index: String,
}

impl Admin {
    async fn sign_in(backend: Backend) -> Admin {
        Admin::sign_in_on(spawn(backend).await).await
    }

    /// Sign in on `app`: the cookie jar of `app.client` then holds the admin's session.
    async fn sign_in_on(app: TestApp) -> Admin {
        let token = admin_token(&app).await;
        let login = app
            .post("/login")
            .form(&[
                ("email", ADMIN_EMAIL),
                ("password", TEST_PASSWORD),
                ("next", "/admin"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 303);
        let (status, index) = app.get_text("/admin").await;
        assert_eq!(status, 200);
        let csrf = csrf_of(&index);
        Admin {
            app,
            token,
            csrf,
            index,
        }
    }

    /// A same-origin form post with the session cookie.
    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.app.post(path).form(fields).send().await.unwrap()
    }

    /// A form post carrying only the CSRF token (publish, unpublish, delete, restore).
    async fn button(&self, path: &str) -> reqwest::Response {
        self.form(path, &[("csrf_token", &self.csrf)]).await
    }

    /// The new-lesson form sent with `source` and `action` (preview or save).
    async fn new_lesson(&self, source: &str, action: &str) -> reqwest::Response {
        let fields = [
            ("csrf_token", self.csrf.as_str()),
            ("source", source),
            ("action", action),
        ];
        self.form("/admin/lessons/new", &fields).await
    }

    /// The form lesson saved as a draft.
    async fn save(&self) {
        let response = self.new_lesson(&source(), "save").await;
        assert_eq!(response.status(), 303);
    }

    /// The form lesson saved and published.
    async fn save_and_publish(&self) {
        self.save().await;
        let response = self.button("/admin/lessons/form-lesson/publish").await;
        assert_eq!(response.status(), 303);
    }

    /// The published form lesson saved again with "Goodbye" for "Hello".
    async fn save_edit(&self) {
        let edited = source().replace("Hello", "Goodbye");
        let fields = [
            ("csrf_token", self.csrf.as_str()),
            ("source", &edited),
            ("action", "save"),
        ];
        let response = self.form("/admin/lessons/form-lesson", &fields).await;
        assert_eq!(response.status(), 303);
    }
}

/// The CSRF token a page's forms carry.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf_token\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &page[at + "name=\"csrf_token\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The lesson the forms write.
fn source() -> String {
    lesson_source("form-lesson", "Form lesson", "Hello **from a form**.")
}

async fn admin_pages_refuse_visitors_and_learners(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (learner, _) = app.sign_up("learner@example.com").await;
    for page in [
        "/admin",
        "/admin/users",
        "/admin/lessons/new",
        "/admin/lessons/transformer-revolution",
    ] {
        let status = call(&app, Method::GET, page, None)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401, "{page}");
        let status = call(&app, Method::GET, page, Some(&learner))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 403, "{page}");
        let response = call(&app, Method::GET, page, Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{page}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains("href=\"/admin\""),
            "{page}: the header links the admin"
        );
    }
}

async fn the_index_lists_lessons_and_links_the_editors(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let index = &admin.index;
    assert!(index.contains("The Transformer Revolution &amp; How LLMs Work"));
    assert!(index.contains("href=\"/admin/lessons/new\""));
    assert!(index.contains("href=\"/admin/users\""));
}

async fn a_form_preview_shows_html_and_tokens_without_saving(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let response = admin.new_lesson(&source(), "preview").await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("<strong>from a form</strong>"), "{page}");
    assert!(page.contains("id=\"preview-tokens\">"));
    assert!(page.contains("/static/js/admin.js"));
    assert_eq!(
        call(
            &admin.app,
            Method::GET,
            "/api/v1/lessons/form-lesson",
            Some(&admin.token)
        )
        .send()
        .await
        .unwrap()
        .status(),
        404
    );
}

async fn a_broken_source_is_shown_with_its_line_and_not_saved(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let broken = source().replace("access = \"free\"", "access = \"gold\"");
    let response = admin.new_lesson(&broken, "save").await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(page.contains("line 7"), "{page}");
    assert!(
        page.contains("access = &quot;gold&quot;"),
        "the source is kept in the textarea"
    );
}

async fn a_form_without_the_csrf_token_is_refused(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let source = source();
    let response = admin
        .form(
            "/admin/lessons/new",
            &[
                ("csrf_token", "bad"),
                ("source", &source),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
}

async fn a_saved_form_is_a_draft_at_revision_1(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let response = admin.new_lesson(&source(), "save").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/lessons/form-lesson");
    let (status, editor) = admin.app.get_text("/admin/lessons/form-lesson").await;
    assert_eq!(status, 200);
    assert!(editor.contains("Draft") && editor.contains("Revision 1</a> by admin@example.com"));
}

async fn a_published_form_lesson_is_served(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    admin.save().await;
    let response = admin.button("/admin/lessons/form-lesson/publish").await;
    assert_eq!(response.status(), 303);
    assert_eq!(admin.app.get("/lessons/form-lesson").await.status(), 200);
}

async fn an_edit_through_the_form_is_live(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    admin.save_and_publish().await;
    admin.save_edit().await;
    let (_, page) = admin.app.get_text("/lessons/form-lesson").await;
    assert!(page.contains("Goodbye"));
}

async fn an_older_revision_is_viewed_and_restored_through_the_form(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    admin.save_and_publish().await;
    admin.save_edit().await;
    let (status, old) = admin
        .app
        .get_text("/admin/lessons/form-lesson?revision=1")
        .await;
    assert_eq!(status, 200);
    assert!(old.contains("You are viewing revision 1") && old.contains("Hello **from a form**"));
    let response = admin
        .button("/admin/lessons/form-lesson/revisions/1/restore")
        .await;
    assert_eq!(response.status(), 303);
    let (_, page) = admin.app.get_text("/lessons/form-lesson").await;
    assert!(page.contains("Hello <strong>from a form</strong>"));
    let (_, editor) = admin.app.get_text("/admin/lessons/form-lesson").await;
    assert!(editor.contains("Revision 3</a> by admin@example.com"));
}

async fn unpublishing_through_the_form_hides_it_from_readers(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    admin.save_and_publish().await;
    let response = admin.button("/admin/lessons/form-lesson/unpublish").await;
    assert_eq!(response.status(), 303);
    let reader = call(&admin.app, Method::GET, "/lessons/form-lesson", None)
        .send()
        .await
        .unwrap();
    assert_eq!(reader.status(), 404, "readers no longer see it");
    assert_eq!(
        admin.app.get("/lessons/form-lesson").await.status(),
        200,
        "admins see drafts"
    );
}

async fn deleting_through_the_form_removes_it(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    admin.save().await;
    let response = admin.button("/admin/lessons/form-lesson/delete").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        admin.app.get("/admin/lessons/form-lesson").await.status(),
        404
    );
}

async fn a_course_form_with_a_bad_slug_shows_the_error_beside_it(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let response = admin
        .form(
            "/admin/courses",
            &[
                ("csrf_token", &admin.csrf),
                ("slug", "Bad Slug"),
                ("title", "T"),
                ("summary", "S"),
            ],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("slug-error"));
}

async fn a_course_form_creates_a_course(backend: Backend) {
    let admin = Admin::sign_in(backend).await;
    let response = admin
        .form(
            "/admin/courses",
            &[
                ("csrf_token", &admin.csrf),
                ("slug", "new-course"),
                ("title", "New course"),
                ("summary", "Fresh."),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, index) = admin.app.get_text("/admin").await;
    assert!(index.contains("<strong>New course</strong> <code>new-course</code>"));
}

async fn the_users_page_finds_by_email_and_shows_the_role(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("learner@example.com").await;
    let admin = Admin::sign_in_on(app).await;
    let (status, users) = admin.app.get_text("/admin/users?q=learner").await;
    assert_eq!(status, 200);
    assert!(users.contains("learner@example.com") && users.contains("learner</td>"));
    assert!(!users.contains(ADMIN_EMAIL));
}

async fn the_users_page_changes_a_plan(backend: Backend) {
    let app = spawn(backend).await;
    let (learner, learner_user) = app.sign_up("learner@example.com").await;
    let admin = Admin::sign_in_on(app).await;
    let id = learner_user["id"].as_str().unwrap();
    let response = admin
        .form(
            &format!("/admin/users/{id}/plan"),
            &[
                ("csrf_token", &admin.csrf),
                ("plan", "plus"),
                ("q", "learner"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/users?q=learner");
    let (_, me) = send(call(&admin.app, Method::GET, "/api/v1/me", Some(&learner))).await;
    assert_eq!(me["plan"], "plus");
}

async fn the_editors_script_is_served(backend: Backend) {
    let app = spawn(backend).await;
    let response = app.get("/static/js/admin.js").await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("data-preview"));
}
