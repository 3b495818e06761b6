//! The JSON API under `/api/v1`: one table of routes, from which both the router and the
//! list that the OpenAPI document is checked against are made.

pub(crate) mod admin;
mod analytics;
mod auth;
mod billing;
pub(crate) mod body;
mod certificates;
mod file_bytes;
mod learning;
mod lessons;
mod links;
pub(crate) mod media;
pub mod openapi;
pub(crate) mod plans;
pub(crate) mod search;
mod tokenizer;
mod webhooks;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse, Scope};

use crate::error::AppError;
use crate::routes::error::ApiError;

/// `path [app data] => { METHOD => handler, … }`, one entry per path: each path becomes one
/// resource that answers its methods and 405 `method_not_allowed` (with `Allow`) to others.
macro_rules! api_routes {
    ($( $path:literal $([ $data:expr ])? => { $( $method:ident => $handler:path ),+ $(,)? } )+) => {
        /// Every `(method, path)` the API answers, paths relative to `/api/v1`.
        pub const ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path),)+)+];

        fn resources(scope: Scope) -> Scope {
            scope $(.service(
                web::resource($path)
                    $(.app_data($data))?
                    $(.route(web::method(Method::$method).to($handler)))+
                    .default_service(web::to(|req: HttpRequest| {
                        method_not_allowed(req, &[$(stringify!($method)),+])
                    })),
            ))+
        }
    };
}

api_routes! {
    "/openapi.json" => { GET => openapi::document }
    "/auth/signup" => { POST => auth::signup }
    "/auth/login" => { POST => auth::login }
    "/auth/logout" => { POST => auth::logout }
    "/auth/password-reset" => { POST => links::password_reset }
    "/auth/password-reset/confirm" => { POST => links::confirm_password_reset }
    "/auth/sign-in-link" => { POST => links::sign_in_link }
    "/auth/sign-in-link/confirm" => { POST => links::confirm_sign_in_link }
    "/auth/verify-email" => { POST => links::verify_email }
    "/auth/confirm-email" => { POST => links::confirm_email }
    "/me" => { GET => auth::me, DELETE => auth::delete }
    "/me/password" => { PUT => auth::change_password }
    "/me/email" => { PUT => links::change_email }
    "/me/email-verification" => { POST => links::request_verification }
    "/me/export" => { GET => auth::export }
    "/me/progress" => { GET => learning::my_progress }
    "/me/certificates" => { GET => certificates::mine }
    "/courses" => { GET => lessons::courses }
    "/courses/{slug}/certificate" => { POST => certificates::claim }
    "/lessons" => { GET => lessons::lessons }
    "/lessons/{slug}" => { GET => lessons::lesson }
    "/lessons/{slug}/progress" => { PUT => learning::put_progress }
    "/lessons/{slug}/bookmark" => { PUT => learning::put_bookmark, DELETE => learning::delete_bookmark }
    "/lessons/{slug}/quiz/attempts" => { POST => learning::post_attempt, GET => learning::list_attempts }
    "/lessons/{slug}/audio/preview" => { GET => media::preview }
    "/lessons/{slug}/audio" => { GET => media::stream }
    "/lessons/{slug}/audio/download" => { GET => media::download }
    "/lessons/{slug}/pdf" => { GET => media::pdf }
    "/plans" => { GET => plans::list }
    "/search" => { GET => search::search }
    "/certificates/{id}" => { GET => certificates::show }
    "/certificates/{id}/pdf" => { GET => certificates::pdf }
    "/tokenizer/encodings" => { GET => tokenizer::encodings }
    "/tokenize" [tokenizer::json_config()] => { POST => tokenizer::tokenize }
    "/billing/webhook" => { POST => billing::webhook }
    "/admin/lessons" => { GET => admin::lessons, POST => admin::create }
    "/admin/lessons/{slug}" => { GET => admin::show, PUT => admin::update, DELETE => admin::delete }
    "/admin/lessons/{slug}/revisions" => { GET => admin::revisions }
    "/admin/lessons/{slug}/revisions/{revision}" => { GET => admin::revision }
    "/admin/lessons/{slug}/revisions/{revision}/restore" => { POST => admin::restore }
    "/admin/lessons/{slug}/publish" => { POST => admin::publish }
    "/admin/lessons/{slug}/unpublish" => { POST => admin::unpublish }
    "/admin/lessons/{slug}/audio" => { PUT => admin::upload_audio }
    "/admin/lessons/{slug}/figures/{name}" => { PUT => admin::upload_figure }
    "/admin/lessons/{slug}/analytics" => { GET => analytics::lesson }
    "/admin/lessons/{slug}/quiz/reset" => { POST => analytics::reset }
    "/admin/courses/{slug}/gradebook.csv" => { GET => analytics::gradebook }
    "/admin/preview" => { POST => admin::preview }
    "/admin/courses/{slug}" => { PUT => admin::put_course }
    "/admin/users" => { GET => admin::users }
    "/admin/users/{id}/plan" => { PUT => admin::set_plan }
    "/admin/webhooks" => { GET => webhooks::list, POST => webhooks::register }
    "/admin/webhooks/{id}" => { DELETE => webhooks::delete }
    "/admin/webhooks/{id}/deliveries" => { GET => webhooks::deliveries }
    "/admin/webhooks/{id}/ping" => { POST => webhooks::ping }
    "/admin/webhooks/{id}/deliveries/{event_id}/retry" => { POST => webhooks::retry }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resources(web::scope("/api/v1")));
}

/// A known path asked with a method it does not answer.
async fn method_not_allowed(
    req: HttpRequest,
    allow: &'static [&'static str],
) -> Result<HttpResponse, ApiError> {
    Err(AppError::MethodNotAllowed {
        method: req.method().to_string(),
        allow: allow.to_vec(),
    }
    .into())
}
