//! HTML pages.

mod catalog;
mod lesson;
mod system;

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::auth::Viewer;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(catalog::show))
        .route("/lessons/{slug}", web::get().to(lesson::show))
        .route("/healthz", web::get().to(system::healthz))
        .route("/metrics", web::get().to(system::metrics));
}

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn viewer_json(viewer: &Viewer) -> serde_json::Value {
    json!({ "signed_in": viewer.signed_in, "plan": viewer.plan })
}
