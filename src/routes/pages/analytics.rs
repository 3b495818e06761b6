//! `/admin/lessons/{slug}/analytics`: what `GET /api/v1/admin/lessons/{slug}/analytics`
//! answers, as a page: charts drawn here as SVG (no JavaScript), the same numbers in
//! tables, the questions that need a look, and a fresh start for learners out of attempts.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use tera::Context;

use super::admin::{context, page, see_other};
use crate::db::analytics as store;
use crate::error::AppError;
use crate::learning::analytics::{self, ItemAnalysis, LessonAnalytics};
use crate::routes::error::PageError;
use crate::routes::session::Admin;
use crate::routes::state::AppState;

/// Learners out of attempts listed for a fresh start.
const LOCKED_OUT_SHOWN: i64 = 50;

/// The width of a chart's bar area, in SVG units.
const BAR_AREA: f64 = 300.0;

#[derive(Serialize)]
struct Bar {
    label: String,
    value: String,
    /// The bar's width in SVG units, and its top.
    width: f64,
    y: u32,
}

/// Horizontal bars of `values` (each with its label), scaled to the largest of `max`
/// and the values.
fn bars(values: impl IntoIterator<Item = (String, f64, String)>, max: f64) -> Vec<Bar> {
    let values: Vec<_> = values.into_iter().collect();
    let max = values.iter().map(|v| v.1).fold(max, f64::max);
    values
        .into_iter()
        .zip(0u32..)
        .map(|((label, value, shown), i)| Bar {
            label,
            value: shown,
            width: if max > 0.0 {
                (value.max(0.0) / max * BAR_AREA).round()
            } else {
                0.0
            },
            y: i * 28,
        })
        .collect()
}

fn decimal(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

#[derive(Serialize)]
struct QuestionView<'a> {
    item: &'a ItemAnalysis,
    facility: String,
    discrimination: String,
    flags: Vec<&'static str>,
    picks: Vec<Bar>,
}

fn question_view(item: &ItemAnalysis) -> QuestionView<'_> {
    QuestionView {
        item,
        facility: decimal(item.facility),
        discrimination: decimal(item.discrimination),
        flags: item.flags.iter().map(|f| f.describe()).collect(),
        picks: bars(
            item.choices.iter().map(|c| {
                let label = format!("{}{}", if c.correct { "✓ " } else { "" }, c.text);
                (label, c.picked as f64, c.picked.to_string())
            }),
            0.0,
        ),
    }
}

/// `GET /admin/lessons/{slug}/analytics`
pub async fn show(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let catalog = state.catalog().await?;
    let lesson = catalog.lesson(&slug).ok_or(AppError::NotFound)?;
    let report: LessonAnalytics = analytics::lesson(&state.db, lesson).await?;
    let mut context: Context = context(&state, &admin);
    context.insert(
        "lesson",
        &serde_json::json!({
            "slug": lesson.slug,
            "title": lesson.rendered.title,
            "course": lesson.rendered.course,
        }),
    );
    context.insert(
        "funnel",
        &bars(
            report.funnel.iter().map(|step| {
                (
                    format!("{} %", step.percent),
                    step.readers as f64,
                    step.readers.to_string(),
                )
            }),
            report.readers as f64,
        ),
    );
    context.insert("report", &report);
    if let Some(quiz) = &report.quiz {
        context.insert(
            "pass_rate",
            &quiz
                .pass_rate
                .map_or_else(|| "—".to_owned(), |r| format!("{:.0} %", r * 100.0)),
        );
        context.insert(
            "mean_percent",
            &quiz
                .mean_percent
                .map_or_else(|| "—".to_owned(), |m| format!("{m:.1} %")),
        );
        let questions: Vec<_> = quiz.questions.iter().map(question_view).collect();
        context.insert("questions", &questions);
        context.insert(
            "facility",
            &bars(
                quiz.questions
                    .iter()
                    .map(|q| (q.id.clone(), q.facility.unwrap_or(0.0), decimal(q.facility))),
                1.0,
            ),
        );
    }
    let max_attempts = lesson.rendered.quiz.as_ref().and_then(|q| q.max_attempts);
    let locked_out = match max_attempts {
        Some(max) => store::locked_out(&state.db, &lesson.slug, i64::from(max), LOCKED_OUT_SHOWN)
            .await?
            .into_iter()
            .map(|l| serde_json::json!({"id": l.user_id, "name": l.name, "email": l.email, "attempts": l.attempts}))
            .collect(),
        None => Vec::new(),
    };
    context.insert("max_attempts", &max_attempts);
    context.insert("locked_out", &locked_out);
    page(&state, "admin/analytics.html", context, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ResetForm {
    csrf_token: String,
    user_id: String,
}

/// `POST /admin/lessons/{slug}/quiz/reset`: a learner's fresh start, back to the page.
pub async fn reset(
    state: web::Data<AppState>,
    admin: Admin,
    slug: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    admin.0.check_form_token(&state.keys, &form.csrf_token)?;
    let catalog = state.catalog().await?;
    let lesson = catalog.lesson(&slug).ok_or(AppError::NotFound)?;
    crate::learning::reset_quiz(&state.db, lesson, &form.user_id).await?;
    Ok(see_other(&format!(
        "/admin/lessons/{slug}/analytics#fresh-start"
    )))
}
