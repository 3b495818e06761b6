//! Who is asking, once a request has been looked at: a signed-in user and their session,
//! or a visitor. How a request is looked at is HTTP's business (`routes::session`).

use crate::auth::token::TokenKeys;
use crate::db::users::{Role, User};
use crate::error::AppError;
use crate::plans::Plan;

/// How a request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    Bearer,
    Cookie,
}

/// A signed-in user and the session their token names.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub id: String,
    pub credential: Credential,
}

impl Session {
    /// Check the CSRF token an HTML form carried.
    pub fn check_form_token(&self, keys: &TokenKeys, submitted: &str) -> Result<(), AppError> {
        if keys.csrf_matches(&self.id, submitted) {
            Ok(())
        } else {
            Err(AppError::CsrfFailed)
        }
    }
}

/// The reader behind a request, signed in or not. Anonymous readers are on the free plan.
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<Session>);

impl Viewer {
    pub fn plan(&self) -> Plan {
        self.0.as_ref().map_or(Plan::Free, |s| s.user.plan)
    }

    pub fn signed_in(&self) -> bool {
        self.0.is_some()
    }

    pub fn is_admin(&self) -> bool {
        self.0.as_ref().is_some_and(|s| s.user.role == Role::Admin)
    }
}
