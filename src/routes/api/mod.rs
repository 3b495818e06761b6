//! The JSON API under `/api/v1`.

pub(crate) mod admin;
mod auth;
mod billing;
mod certificates;
mod learning;
mod lessons;
pub(crate) mod media;
pub(crate) mod plans;
mod tokenizer;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/auth/signup", web::post().to(auth::signup))
            .route("/auth/login", web::post().to(auth::login))
            .route("/auth/logout", web::post().to(auth::logout))
            .route("/me", web::get().to(auth::me))
            .route("/me", web::delete().to(auth::delete))
            .route("/me/password", web::put().to(auth::change_password))
            .route("/me/export", web::get().to(auth::export))
            .route("/courses", web::get().to(lessons::courses))
            .route("/lessons", web::get().to(lessons::lessons))
            .route("/lessons/{slug}", web::get().to(lessons::lesson))
            .route("/admin/lessons", web::get().to(admin::lessons))
            .route("/admin/lessons", web::post().to(admin::create))
            .route("/admin/lessons/{slug}", web::get().to(admin::show))
            .route("/admin/lessons/{slug}", web::put().to(admin::update))
            .route("/admin/lessons/{slug}", web::delete().to(admin::delete))
            .route(
                "/admin/lessons/{slug}/revisions",
                web::get().to(admin::revisions),
            )
            .route(
                "/admin/lessons/{slug}/revisions/{revision}",
                web::get().to(admin::revision),
            )
            .route(
                "/admin/lessons/{slug}/revisions/{revision}/restore",
                web::post().to(admin::restore),
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
                "/admin/lessons/{slug}/audio",
                web::put().to(admin::upload_audio),
            )
            .route("/admin/preview", web::post().to(admin::preview))
            .route("/admin/courses/{slug}", web::put().to(admin::put_course))
            .route("/admin/users", web::get().to(admin::users))
            .route("/admin/users/{id}/plan", web::put().to(admin::set_plan))
            .route(
                "/lessons/{slug}/audio/preview",
                web::get().to(media::preview),
            )
            .route("/lessons/{slug}/audio", web::get().to(media::stream))
            .route(
                "/lessons/{slug}/audio/download",
                web::get().to(media::download),
            )
            .route("/lessons/{slug}/pdf", web::get().to(media::pdf))
            .route("/plans", web::get().to(plans::list))
            .route(
                "/courses/{slug}/certificate",
                web::post().to(certificates::claim),
            )
            .route("/me/certificates", web::get().to(certificates::mine))
            .route("/certificates/{id}", web::get().to(certificates::show))
            .route("/certificates/{id}/pdf", web::get().to(certificates::pdf))
            .route("/billing/webhook", web::post().to(billing::webhook))
            .route("/tokenizer/encodings", web::get().to(tokenizer::encodings))
            .service(
                web::resource("/tokenize")
                    .app_data(
                        web::JsonConfig::default()
                            .limit(tokenizer::MAX_BODY_BYTES)
                            .error_handler(super::json_error),
                    )
                    .route(web::post().to(tokenizer::tokenize)),
            )
            .route("/me/progress", web::get().to(learning::my_progress))
            .route(
                "/lessons/{slug}/progress",
                web::put().to(learning::put_progress),
            )
            .route(
                "/lessons/{slug}/bookmark",
                web::put().to(learning::put_bookmark),
            )
            .route(
                "/lessons/{slug}/bookmark",
                web::delete().to(learning::delete_bookmark),
            )
            .route(
                "/lessons/{slug}/quiz/attempts",
                web::post().to(learning::post_attempt),
            )
            .route(
                "/lessons/{slug}/quiz/attempts",
                web::get().to(learning::list_attempts),
            ),
    );
}
