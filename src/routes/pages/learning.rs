//! The lesson page's forms, which work without JavaScript: "Mark as complete", bookmarks
//! (also used from `/account`) and the quiz.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::lesson::{self, TokenQuery};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::learning::{self, quiz::SubmittedAnswers};
use crate::routes::error::PageError;
use crate::routes::state::AppState;

#[derive(Deserialize)]
pub struct CompleteForm {
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct BookmarkForm {
    csrf_token: String,
    /// `add` or `remove`.
    action: String,
    /// `account` to go back to the dashboard; the lesson otherwise.
    #[serde(default)]
    back: Option<String>,
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

fn to_login(slug: &str, anchor: &str) -> HttpResponse {
    see_other(&format!("/login?next=/lessons/{slug}%23{anchor}"))
}

/// `POST /lessons/{slug}/complete`: mark the lesson as complete, then back to it.
pub async fn complete(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<CompleteForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(to_login(&slug, "progress"));
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    learning::save_progress(&state.db, &session.user, lesson, None, true).await?;
    Ok(see_other(&format!("/lessons/{}#progress", lesson.slug)))
}

/// `POST /lessons/{slug}/bookmark`: add or remove a bookmark, then back where it came from.
pub async fn bookmark(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<BookmarkForm>,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(to_login(&slug, "progress"));
    };
    session.check_form_token(&state.keys, &form.csrf_token)?;
    let catalog = state.catalog().await?;
    match form.action.as_str() {
        "add" => {
            let lesson = learning::published(&catalog, &slug)?;
            learning::add_bookmark(&state.db, &session.user, lesson).await?;
        }
        "remove" => learning::remove_bookmark(&state.db, &session.user, &catalog, &slug).await?,
        _ => return Err(AppError::invalid_field("action", "Choose add or remove.").into()),
    }
    Ok(match form.back.as_deref() {
        Some("account") => see_other("/account#bookmarks"),
        _ => see_other(&format!("/lessons/{slug}#progress")),
    })
}

/// `POST /lessons/{slug}/quiz`: score the quiz and show the page with the results.
/// Checkboxes repeat their name, so the form is read as a list of pairs.
pub async fn quiz(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let Some(session) = &viewer.0 else {
        return Ok(see_other(&format!("/signup?next=/lessons/{slug}%23quiz")));
    };
    let token = form
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map_or("", |(_, v)| v.as_str());
    session.check_form_token(&state.keys, token)?;
    let catalog = state.catalog().await?;
    let lesson = learning::published(&catalog, &slug)?;
    let numeric = |id: &str| {
        (lesson.rendered.quiz.as_ref())
            .and_then(|quiz| quiz.questions.iter().find(|q| q.id == id))
            .is_some_and(|q| q.kind.is_number())
    };
    let mut answers = SubmittedAnswers::new();
    let mut choices: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for (question, value) in form.iter().filter(|(k, _)| k != "csrf_token") {
        let value = value.trim();
        let field = format!("answers.{question}");
        if numeric(question) {
            // An empty number box is a question left out.
            if value.is_empty() {
                continue;
            }
            let number = value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .ok_or_else(|| {
                    AppError::invalid_field(&field, format!("\"{value}\" is not a number."))
                })?;
            answers.insert(question.clone(), serde_json::Value::Number(number));
            continue;
        }
        let choice: i64 = value.parse().map_err(|_| {
            AppError::invalid_field(&field, format!("\"{value}\" is not a choice id."))
        })?;
        choices.entry(question).or_default().push(choice.into());
    }
    for (question, ids) in choices {
        answers.insert(question.to_owned(), serde_json::Value::Array(ids));
    }
    let outcome = learning::attempt_quiz(&state.db, &session.user, lesson, &answers).await?;
    let record = learning::lesson_record(&state.db, &session.user, &slug).await?;
    lesson::render(
        &state,
        &req,
        &slug,
        &viewer,
        Some(&record),
        &TokenQuery::default(),
        Some(&outcome),
    )
    .await
}
