//! Who is asking: the viewer of a page or API call.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::plans::Plan;

/// The reader behind a request. Anonymous readers are on the free plan.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub signed_in: bool,
    pub plan: Plan,
}

impl Viewer {
    pub fn anonymous() -> Viewer {
        Viewer {
            signed_in: false,
            plan: Plan::Free,
        }
    }
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = Ready<Result<Viewer, actix_web::Error>>;

    fn from_request(_req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Viewer::anonymous()))
    }
}
