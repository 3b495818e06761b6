//! The JSON API under `/api/v1`.

mod lessons;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/courses", web::get().to(lessons::courses))
            .route("/lessons", web::get().to(lessons::lessons))
            .route("/lessons/{slug}", web::get().to(lessons::lesson)),
    );
}
