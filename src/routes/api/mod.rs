//! The JSON API under `/api/v1`.

mod auth;
mod learning;
mod lessons;

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
