//! HTML pages.

mod account;
mod auth;
mod catalog;
mod learning;
mod lesson;
mod system;

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::auth::Viewer;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(catalog::show))
        .route("/lessons/{slug}", web::get().to(lesson::show))
        .route(
            "/lessons/{slug}/complete",
            web::post().to(learning::complete),
        )
        .route(
            "/lessons/{slug}/bookmark",
            web::post().to(learning::bookmark),
        )
        .route("/lessons/{slug}/quiz", web::post().to(learning::quiz))
        .route("/signup", web::get().to(auth::signup_page))
        .route("/signup", web::post().to(auth::signup))
        .route("/login", web::get().to(auth::login_page))
        .route("/login", web::post().to(auth::login))
        .route("/logout", web::post().to(auth::logout))
        .route("/account", web::get().to(account::show))
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route("/account/export", web::get().to(account::export))
        .route("/account/delete", web::post().to(account::delete))
        .route("/healthz", web::get().to(system::healthz))
        .route("/metrics", web::get().to(system::metrics));
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// What templates know of the viewer; signed-in viewers get their forms' CSRF token.
fn viewer_json(state: &AppState, viewer: &Viewer) -> serde_json::Value {
    match &viewer.0 {
        Some(session) => json!({
            "signed_in": true,
            "name": session.user.name,
            "plan": session.user.plan,
            "is_admin": viewer.is_admin(),
            "csrf_token": state.keys.csrf_token(&session.id),
        }),
        None => json!({ "signed_in": false, "plan": crate::plans::Plan::Free }),
    }
}
