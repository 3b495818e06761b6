//! `GET /api/v1/plans`: the entitlement matrix as the pricing page shows it.

use actix_web::HttpResponse;
use serde_json::json;

use crate::plans::{self, Plan};

/// Every plan with the features it lists, cheapest first.
pub fn catalog() -> serde_json::Value {
    let plans: Vec<_> = Plan::ALL
        .into_iter()
        .map(|plan| json!({ "id": plan.id(), "name": plan.name(), "features": plans::features(plan) }))
        .collect();
    json!(plans)
}

pub async fn list() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "plans": catalog() }))
}
