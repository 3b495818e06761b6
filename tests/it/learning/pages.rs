//! The lesson page, the account dashboard and the catalog, as a browser without JavaScript
//! uses them: the quiz form, marking complete, bookmarks, and where to continue.

use serde_json::json;

use super::{choices, flagship_key, FREE_LESSON};
use crate::common::{bundled_content, spawn, Backend, TestApp, TEST_PASSWORD};

const LESSON: &str = "/lessons/transformer-revolution";

/// A reader signed up through the form (the app's cookie jar holds the session), with the
/// CSRF token of the lesson page's forms.
struct Reader {
    app: TestApp,
    csrf: String,
}

impl Reader {
    async fn sign_up_on(app: TestApp) -> Reader {
        let signup = app
            .post("/signup")
            .form(&[
                ("name", "Page Reader"),
                ("email", "pages@example.com"),
                ("password", TEST_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signup.status(), 303);
        let (_, page) = app.get_text(LESSON).await;
        let csrf = page
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        Reader { app, csrf }
    }

    async fn sign_up() -> Reader {
        Reader::sign_up_on(spawn(Backend::Sqlite).await).await
    }

    /// The quiz form with every answer right (checkboxes repeat their name).
    fn all_right(&self) -> Vec<(String, String)> {
        let mut form = vec![("csrf_token".to_owned(), self.csrf.clone())];
        for (id, answer) in &flagship_key() {
            match choices(answer) {
                Some(right) => form.extend(right.iter().map(|c| (id.clone(), c.to_string()))),
                None => form.push((id.clone(), answer.to_string())),
            }
        }
        form
    }

    async fn post_quiz(&self, form: &[(String, String)]) -> reqwest::Response {
        self.app
            .post(&format!("{LESSON}/quiz"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The quiz sent with every answer right; the scored page.
    async fn pass_the_quiz(&self) -> String {
        let scored = self.post_quiz(&self.all_right()).await;
        assert_eq!(scored.status(), 200);
        scored.text().await.unwrap()
    }

    /// The "Mark as complete" form.
    async fn complete(&self) -> reqwest::Response {
        self.app
            .post(&format!("{LESSON}/complete"))
            .form(&[("csrf_token", self.csrf.as_str())])
            .send()
            .await
            .unwrap()
    }

    /// The bookmark form with `fields` besides the CSRF token.
    async fn bookmark(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf_token", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.app
            .post(&format!("{LESSON}/bookmark"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Another lesson read part-way, as the page script records it (cookie, same origin).
    async fn read_half_of_another(&self) -> reqwest::Response {
        self.app
            .client
            .put(
                self.app
                    .url("/api/v1/lessons/tokens-and-embeddings/progress"),
            )
            .header("origin", &self.app.address)
            .json(&json!({"percent": 50}))
            .send()
            .await
            .unwrap()
    }
}

/// The start of an explanation of the flagship quiz, to look for on pages.
fn explanation_probe() -> String {
    let source = std::fs::read_to_string(
        bundled_content().join("ai-foundations/01-transformer-revolution.md"),
    )
    .unwrap();
    let explanation = source
        .lines()
        .find_map(|l| l.strip_prefix("explanation = \""))
        .map(|rest| rest.trim_end_matches('"'))
        .unwrap();
    explanation[..explanation.len().min(40)].to_owned()
}

/// Anonymous readers see the questions, disabled, and an invitation back to the quiz.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_see_disabled_questions_and_an_invitation() {
    let app = spawn(Backend::Sqlite).await;
    let (_, page) = app.get_text(LESSON).await;
    assert!(page.contains("disabled"));
    assert!(page.contains(&format!("/signup?next=/lessons/{FREE_LESSON}%23quiz")));
    assert!(
        !page.contains("progress.js"),
        "no progress script for anonymous readers"
    );
    let response = app
        .post(&format!("{LESSON}/quiz"))
        .form(&[("q1", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/signup?next=/lessons/{FREE_LESSON}%23quiz")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_reader_can_answer_and_sees_no_key_yet() {
    let app = spawn(Backend::Sqlite).await;
    // A visitor's page first: the kept page must not reach the reader.
    assert_eq!(app.get_text(LESSON).await.0, 200);
    let reader = Reader::sign_up_on(app).await;
    let (status, page) = reader.app.get_text(LESSON).await;
    assert_eq!(status, 200);
    assert!(page.contains("Mark as complete") && page.contains("Bookmark"));
    assert!(
        !page.contains("disabled"),
        "a signed-in reader's questions can be answered, though a visitor's page came first"
    );
    assert!(page.contains(&format!("data-progress-slug=\"{FREE_LESSON}\"")));
    assert!(page.contains("/static/js/progress.js?v="));
    assert!(
        !page.contains(&explanation_probe()),
        "no explanation before an attempt, signed in either"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_script_is_served() {
    let app = spawn(Backend::Sqlite).await;
    let (status, script) = app.get_text("/static/js/progress.js").await;
    assert_eq!(status, 200);
    assert!(script.contains("/progress"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quiz_form_refuses_a_wrong_csrf_token() {
    let reader = Reader::sign_up().await;
    let forged: Vec<_> = reader
        .all_right()
        .into_iter()
        .map(|(k, v)| {
            if k == "csrf_token" {
                (k, "00".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    let refused = reader.post_quiz(&forged).await;
    assert_eq!(refused.status(), 403, "a wrong CSRF token is refused");
}

/// The quiz: checkboxes repeat their name; the page comes back scored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quiz_form_comes_back_scored_with_explanations() {
    let reader = Reader::sign_up().await;
    let page = reader.pass_the_quiz().await;
    assert!(
        page.contains(&format!("{n} of {n} correct", n = flagship_key().len())),
        "score shown"
    );
    assert!(page.contains("you passed"));
    assert!(
        page.contains(&explanation_probe()),
        "explanations shown after the attempt"
    );
    assert!(page.contains("Correct answer"));
    assert!(page.contains("Best score 100% · 1 attempt"));
}

/// A retake with one wrong answer shows which one was wrong, and the best is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retake_shows_the_wrong_answer_and_keeps_the_best() {
    let reader = Reader::sign_up().await;
    reader.pass_the_quiz().await;
    let key = flagship_key();
    let (first_id, first_answer) = key.iter().next().unwrap();
    let right = choices(first_answer).expect("the first question has choices");
    let wrong = (0..4).find(|c| !right.contains(c)).unwrap();
    let retake = [
        ("csrf_token".to_owned(), reader.csrf.clone()),
        (first_id.clone(), wrong.to_string()),
    ];
    let page = reader.post_quiz(&retake).await.text().await.unwrap();
    assert!(
        page.contains("Incorrect") && page.contains("Your answer") && page.contains("Not answered")
    );
    assert!(page.contains("Best score 100% · 2 attempts"));
    // The page read afterwards shows the record, not the scored questions of an attempt.
    let (_, page) = reader.app.get_text(LESSON).await;
    assert!(page.contains("Your best score: 100% · passed · 2 attempts."));
    assert!(
        page.contains("<fieldset class=\"question\">"),
        "the questions, unscored"
    );
    // ("Your answer" alone is also the number question's label.)
    assert!(!page.contains("question-verdict") && !page.contains("Correct answer"));
}

/// Readers whose records read alike share the rendering of their own parts of the page
/// (it is kept), never their CSRF tokens: every form of each one's page, kept or not,
/// carries that reader's token, and no marker of the kept HTML is left in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_in_the_same_place_get_their_own_token_in_every_form() {
    let app = spawn(Backend::Sqlite).await;
    let mut tokens = Vec::new();
    for email in ["alike-1@example.com", "alike-2@example.com"] {
        let (bearer, _) = app.sign_up(email).await;
        // The second time, the reader's parts come from what the first rendering kept.
        for _ in 0..2 {
            let page = app
                .client
                .get(app.url(LESSON))
                .bearer_auth(&bearer)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains("Mark as complete") && page.contains("Bookmark"));
            assert!(!page.contains('\u{E000}'), "a hole's marker is left");
            let in_forms: std::collections::BTreeSet<&str> = page
                .split("name=\"csrf_token\" value=\"")
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap())
                .collect();
            assert!(page.matches("name=\"csrf_token\"").count() >= 3);
            assert_eq!(in_forms.len(), 1, "one token in every form: {in_forms:?}");
            tokens.extend(in_forms.into_iter().map(str::to_owned));
        }
    }
    assert_eq!(tokens[0], tokens[1]);
    assert_eq!(tokens[2], tokens[3]);
    assert_ne!(tokens[0], tokens[2], "each reader has a token of their own");
}

/// Mark as complete and bookmark, by form, each redirecting back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_and_bookmark_forms_redirect_back() {
    let reader = Reader::sign_up().await;
    reader.pass_the_quiz().await;
    let done = reader.complete().await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], format!("{LESSON}#progress"));
    let marked = reader.bookmark(&[("action", "add")]).await;
    assert_eq!(marked.status(), 303);
    let (_, page) = reader.app.get_text(LESSON).await;
    assert!(page.contains("You completed this lesson"));
    assert!(page.contains("Bookmarked"));
    assert!(page.contains("Your best score: 100%"));
}

/// Reading another lesson part-way makes it the one to continue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_shows_where_to_continue() {
    let reader = Reader::sign_up().await;
    reader.pass_the_quiz().await;
    assert_eq!(reader.complete().await.status(), 303);
    assert_eq!(reader.bookmark(&[("action", "add")]).await.status(), 303);
    let progress = reader.read_half_of_another().await;
    assert_eq!(
        progress.status(),
        200,
        "the page script's cookie request works"
    );

    let (status, account) = reader.app.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(account.contains("Continue where you left off"));
    assert!(account.contains("href=\"/lessons/tokens-and-embeddings\""));
    assert!(
        account.contains("1 of 8 lessons completed") || account.contains("1 of "),
        "course bar"
    );
    assert!(account.contains("Quiz best 100% · passed"));
    assert!(account.contains("In progress · 50%"));
    assert!(account.contains("id=\"bookmarks\""));
    assert!(account.contains(&format!("action=\"/lessons/{FREE_LESSON}/bookmark\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bookmark_is_removed_from_the_account_page() {
    let reader = Reader::sign_up().await;
    assert_eq!(reader.bookmark(&[("action", "add")]).await.status(), 303);
    let removed = reader
        .bookmark(&[("action", "remove"), ("back", "account")])
        .await;
    assert_eq!(removed.status(), 303);
    assert_eq!(removed.headers()["location"], "/account#bookmarks");
    let (_, account) = reader.app.get_text("/account").await;
    assert!(account.contains("No bookmarks yet"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_ticks_completed_lessons_and_shows_progress() {
    let reader = Reader::sign_up().await;
    assert_eq!(reader.complete().await.status(), 303);
    assert_eq!(reader.read_half_of_another().await.status(), 200);
    let (_, catalog) = reader.app.get_text("/").await;
    assert!(
        catalog.contains("learning-completed"),
        "the catalog ticks completed lessons"
    );
    assert!(catalog.contains("In progress · 50%"));
}
