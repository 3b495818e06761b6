//! HTML pages.

mod account;
mod admin;
mod admin_figures;
mod analytics;
mod auth;
mod catalog;
mod certificates;
mod glossary;
mod learning;
pub(crate) mod lesson;
mod links;
mod pricing;
mod search;
mod system;
mod webhooks;

use actix_web::{web, HttpResponse};
use serde_json::json;

pub(crate) use auth::safe_next;

use crate::auth::Viewer;
use crate::routes::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(catalog::show))
        .route("/courses/{slug}/glossary", web::get().to(glossary::show))
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
        .route("/forgot-password", web::get().to(links::forgot_page))
        .route("/forgot-password", web::post().to(links::forgot))
        .service(
            web::resource("/reset-password")
                .wrap(links::link_headers())
                .route(web::get().to(links::reset_page))
                .route(web::post().to(links::reset)),
        )
        .service(
            web::resource("/sign-in")
                .wrap(links::link_headers())
                .route(web::get().to(links::sign_in_page))
                .route(web::post().to(links::sign_in)),
        )
        .service(
            web::resource("/verify-email")
                .wrap(links::link_headers())
                .route(web::get().to(links::verify_page))
                .route(web::post().to(links::verify)),
        )
        .service(
            web::resource("/confirm-email")
                .wrap(links::link_headers())
                .route(web::get().to(links::confirm_page))
                .route(web::post().to(links::confirm)),
        )
        .route("/account", web::get().to(account::show))
        .route(
            "/account/password",
            web::post().to(account::change_password),
        )
        .route(
            "/account/email-verification",
            web::post().to(links::resend_verification),
        )
        .route("/account/email", web::post().to(links::change_email))
        .route("/account/export", web::get().to(account::export))
        .route("/account/delete", web::post().to(account::delete))
        .route("/account/certificates", web::post().to(certificates::claim))
        .route("/certificates/{id}", web::get().to(certificates::show))
        .route("/admin", web::get().to(admin::index))
        .route("/admin/courses", web::post().to(admin::put_course))
        .route("/admin/users", web::get().to(admin::users))
        .route("/admin/users/{id}/plan", web::post().to(admin::set_plan))
        .route("/admin/webhooks", web::get().to(webhooks::show))
        .route("/admin/webhooks", web::post().to(webhooks::add))
        .route(
            "/admin/webhooks/{id}/delete",
            web::post().to(webhooks::delete),
        )
        .route("/admin/webhooks/{id}/ping", web::post().to(webhooks::ping))
        .route(
            "/admin/webhooks/{id}/deliveries/{event_id}/retry",
            web::post().to(webhooks::retry),
        )
        .route("/admin/lessons/new", web::get().to(admin::new_lesson))
        .service(
            web::resource("/admin/lessons/new")
                .app_data(editor_form_config())
                .route(web::post().to(admin::create)),
        )
        .route("/admin/lessons/{slug}", web::get().to(admin::edit))
        .service(
            web::resource("/admin/lessons/{slug}")
                .app_data(editor_form_config())
                .route(web::post().to(admin::update)),
        )
        .route(
            "/admin/lessons/{slug}/figures",
            web::post().to(admin_figures::upload),
        )
        .route(
            "/admin/lessons/{slug}/publish",
            web::post().to(admin::publish),
        )
        .route(
            "/admin/lessons/{slug}/unpublish",
            web::post().to(admin::unpublish),
        )
        .route(
            "/admin/lessons/{slug}/delete",
            web::post().to(admin::delete),
        )
        .route(
            "/admin/lessons/{slug}/analytics",
            web::get().to(analytics::show),
        )
        .route(
            "/admin/lessons/{slug}/quiz/reset",
            web::post().to(analytics::reset),
        )
        .route(
            "/admin/lessons/{slug}/revisions/{revision}/restore",
            web::post().to(admin::restore),
        )
        .route("/pricing", web::get().to(pricing::show))
        .route("/search", web::get().to(search::show))
        .route("/healthz", web::get().to(system::healthz))
        .route("/metrics", web::get().to(system::metrics));
}

/// The editor's form carries a whole lesson source: up to the API's limit, plus room for
/// form encoding.
fn editor_form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(3 * crate::admin::MAX_SOURCE_BYTES)
        .error_handler(super::form_error)
}

fn html(body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::routes::page_cache::HTML)
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
