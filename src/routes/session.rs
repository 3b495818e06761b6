//! How a request says who it is: a Bearer token or the session cookie, and the extractors
//! that handlers use (`Viewer`, `CurrentUser`, `Admin`).

use std::future::Future;

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::auth::token;
use crate::auth::{Credential, Session, Viewer};
use crate::config::Settings;
use crate::db::users::{self, Role, User};
use crate::error::AppError;
use crate::routes::csrf;
use crate::routes::error::ForRequest;
use crate::routes::state::AppState;

/// The session cookie's name: `__Host-` prefixed on https sites.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.is_https() {
        "__Host-lectern_session"
    } else {
        "lectern_session"
    }
}

/// The cookie that carries a session token.
pub fn session_cookie(settings: &Settings, token: &str) -> Cookie<'static> {
    Cookie::build(cookie_name(settings), token.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .secure(settings.is_https())
        .max_age(Duration::days(token::SESSION_DAYS))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = session_cookie(settings, "");
    cookie.make_removal();
    cookie
}

/// The value of the first cookie named `name`, read as sent: a session token is never
/// percent-encoded, so the request's other cookies need not be parsed and decoded.
fn cookie_value<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Find the session behind a request. A bad Bearer token is 401; a bad cookie is no
/// session (a stale cookie must not lock a reader out of public pages). A request
/// authenticated by its cookie that changes state must come from this site.
/// Tokens in a URL are never looked at.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<Session>, AppError> {
    let found = authenticate_with(req, state, |claims| async move {
        Ok(users::by_session(&state.db, &claims.sid, &claims.sub)
            .await?
            .map(|user| (user, ())))
    });
    Ok(found.await?.map(|(session, ())| session))
}

/// Whether a request brings credentials of any kind, valid or not: a token or the session
/// cookie. Only a request without them is a visitor before it is looked at.
pub fn carries_credentials(req: &HttpRequest, state: &AppState) -> bool {
    req.headers().contains_key(header::AUTHORIZATION)
        || cookie_value(req, cookie_name(&state.settings)).is_some()
}

/// `authenticate`, where `find` looks up the user of a token's live session together with
/// something of theirs, in one read; that is returned beside the session.
pub async fn authenticate_with<T, F, Found>(
    req: &HttpRequest,
    state: &AppState,
    find: F,
) -> Result<Option<(Session, T)>, AppError>
where
    F: FnOnce(token::Claims) -> Found,
    Found: Future<Output = Result<Option<(User, T)>, AppError>>,
{
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim());
    let (token, credential) = match bearer {
        Some(token) => (token, Credential::Bearer),
        None => match cookie_value(req, cookie_name(&state.settings)) {
            Some(token) => (token, Credential::Cookie),
            None => return Ok(None),
        },
    };
    let found = match state.keys.verify(token) {
        Some(claims) => {
            let id = claims.sid.clone();
            find(claims).await?.map(|(user, also)| (user, id, also))
        }
        None => None,
    };
    match (found, credential) {
        (None, Credential::Bearer) => Err(AppError::Unauthenticated),
        (None, Credential::Cookie) => Ok(None),
        (Some(_), Credential::Cookie)
            if is_unsafe(req.method()) && !csrf::same_origin(req, &state.settings) =>
        {
            Err(AppError::CsrfFailed)
        }
        (Some((user, id, also)), credential) => Ok(Some((
            Session {
                user,
                id,
                credential,
            },
            also,
        ))),
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("application state missing")))
}

/// Resolve a request's session inside an extractor, errors shaped for the request's path.
fn extract<T: 'static>(
    req: &HttpRequest,
    build: fn(Option<Session>) -> Result<T, AppError>,
) -> LocalBoxFuture<'static, Result<T, actix_web::Error>> {
    let req = req.clone();
    Box::pin(async move {
        let result = async {
            let state = state_of(&req)?;
            build(authenticate(&req, &state).await?)
        }
        .await;
        result.map_err(|error| error.for_request(&req))
    })
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Viewer, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |session| Ok(Viewer(session)))
    }
}

/// A signed-in user; 401 otherwise.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Session);

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<CurrentUser, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |session| {
            session.map(CurrentUser).ok_or(AppError::Unauthenticated)
        })
    }
}

/// A signed-in admin; 401 for anonymous requests, 403 for other users.
#[derive(Clone, Debug)]
pub struct Admin(pub Session);

impl FromRequest for Admin {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Admin, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract(req, |session| match session {
            None => Err(AppError::Unauthenticated),
            Some(s) if s.user.role == Role::Admin => Ok(Admin(s)),
            Some(_) => Err(AppError::Forbidden),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_session_cookie_is_found_among_others_and_only_by_its_whole_name() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "theme=dark; lectern_session_old=stale"))
            .append_header((
                header::COOKIE,
                "lectern_session=a.b.c; lectern_session=later",
            ))
            .to_http_request();
        assert_eq!(cookie_value(&req, "lectern_session"), Some("a.b.c"));
        assert_eq!(cookie_value(&req, "theme"), Some("dark"));
        assert_eq!(cookie_value(&req, "lectern"), None);
        let none = TestRequest::default().to_http_request();
        assert_eq!(cookie_value(&none, "lectern_session"), None);
    }
}
