//! `GET /api/v1/plans`: the entitlement matrix as the pricing page shows it.

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::plans::{self, Plan};

/// A plan with the features it lists.
#[derive(Serialize, ToSchema)]
pub struct PlanInfo {
    id: Plan,
    name: &'static str,
    features: Vec<&'static str>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    plans: Vec<PlanInfo>,
}

/// Every plan with the features it lists, cheapest first.
pub fn catalog() -> Vec<PlanInfo> {
    Plan::ALL
        .into_iter()
        .map(|plan| PlanInfo {
            id: plan,
            name: plan.name(),
            features: plans::features(plan),
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, description = "The plans, cheapest first", body = PlanList)))]
pub async fn list() -> HttpResponse {
    HttpResponse::Ok().json(PlanList { plans: catalog() })
}
