//! Accounts: signing up, logging in and out, changing the password, exporting and deleting
//! what the site holds about a person. No HTTP here: handlers call these.

pub mod links;
pub mod validate;

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{Duration, Utc};
use serde::Serialize;

use crate::auth::password::{self, Passwords};
use crate::auth::token::{random_token, TokenKeys, SESSION_DAYS};
use crate::auth::Session;
use crate::db::login_failures;
use crate::db::users::{self, Role, User};
use crate::db::{Db, WriteTx};
use crate::error::AppError;
use crate::mail::{Letter, Mailer};
use crate::names::Email;
use crate::plans::Plan;
use crate::webhooks::{self, Event};

/// Failed log-ins allowed before the account backs off.
const FREE_FAILURES: i64 = 5;
/// Longest back-off, in seconds.
const MAX_BACKOFF_SECONDS: i64 = 15 * 60;

/// What signing in and out needs: the database, the password hasher, the keys that sign
/// session tokens, how many failed log-ins an address may make in a minute, and the mailer
/// that writes links and notices.
#[derive(Clone, Copy)]
pub struct Accounts<'a> {
    pub db: &'a Db,
    pub passwords: &'a Passwords,
    pub keys: &'a TokenKeys,
    pub failures_per_minute: u32,
    pub mailer: &'a Mailer,
}

/// A user with a fresh session token: the answer to sign-up and log-in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    pub user: User,
    pub token: String,
}

pub struct SignUp<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub name: &'a str,
}

/// Check every field of a sign-up at once, so a form can show each error beside its field.
fn validate_sign_up(form: &SignUp) -> Result<(Email, String), AppError> {
    let mut fields = BTreeMap::new();
    let email = Email::parse(form.email).map_err(|e| fields.insert("email".into(), e.into()));
    let name = validate::name(form.name).map_err(|e| fields.insert("name".into(), e.into()));
    if let Err(e) = validate::new_password(form.password) {
        fields.insert("password".into(), e.into());
    }
    match (email, name) {
        (Ok(email), Ok(name)) if fields.is_empty() => Ok((email, name)),
        _ => Err(AppError::InvalidInput {
            message: "Some fields need another look.".into(),
            fields,
        }),
    }
}

impl Accounts<'_> {
    pub async fn sign_up(&self, form: SignUp<'_>) -> Result<SignedIn, AppError> {
        let (email, name) = validate_sign_up(&form)?;
        let hash = self.passwords.hash(form.password).await?;
        let mut tx = self.db.begin_write().await?;
        let user = match users::insert(&mut tx, &email, &name, &hash, Role::Learner).await {
            Ok(user) => user,
            Err(e) if users::is_unique_violation(&e) => return Err(email_taken()),
            Err(e) => return Err(e.into()),
        };
        let token = self.start_session(&mut tx, &user).await?;
        self.queue_verification(&mut tx, &user).await?;
        webhooks::record(&mut tx, &Event::UserCreated { user_id: &user.id }).await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(SignedIn { user, token })
    }

    /// Log in from client address `from`. Failed log-ins are counted per address, in the
    /// database so that every instance sees them: past `failures_per_minute` failures in a
    /// minute, every log-in from that address is 429 until the oldest of them is a minute old,
    /// right password or wrong.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        from: IpAddr,
    ) -> Result<SignedIn, AppError> {
        let now_ms = Utc::now().timestamp_millis();
        let address = from.to_canonical().to_string();
        let (failures, counts_until) = login_failures::recent(self.db, &address, now_ms).await?;
        if failures >= i64::from(self.failures_per_minute) {
            let wait_ms = counts_until.map_or(login_failures::WINDOW_MS, |until| until - now_ms);
            return Err(AppError::RateLimited {
                retry_after: (wait_ms.max(0) as u64).div_ceil(1000).max(1),
            });
        }
        match self.check_and_sign_in(email, password).await {
            Err(AppError::InvalidCredentials) => {
                login_failures::record(self.db, &address, now_ms).await?;
                Err(AppError::InvalidCredentials)
            }
            other => other,
        }
    }

    /// Every failure is the same `invalid_credentials`, after the same work: an unknown
    /// email verifies a dummy hash, and an account backing off after repeated failures is
    /// checked against the dummy hash too.
    async fn check_and_sign_in(&self, email: &str, password: &str) -> Result<SignedIn, AppError> {
        let found = match Email::parse(email) {
            Ok(email) => users::credentials_by_email(self.db, &email).await?,
            Err(_) => None,
        };
        let now = Utc::now();
        let backing_off = found.as_ref().is_some_and(|c| {
            c.locked_until
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|until| until > now)
        });
        let checked_hash = found
            .as_ref()
            .filter(|_| !backing_off)
            .map(|c| c.password_hash.as_str());
        let ok = self.passwords.verify(password, checked_hash).await?;
        let Some(credentials) = found else {
            return Err(AppError::InvalidCredentials);
        };
        if !ok {
            if !backing_off {
                let failures = credentials.failed_logins + 1;
                let locked_until = (failures >= FREE_FAILURES).then(|| {
                    let seconds = 1i64 << (failures - FREE_FAILURES).min(10);
                    (now + Duration::seconds(seconds.min(MAX_BACKOFF_SECONDS)))
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                });
                users::record_failed_login(
                    self.db,
                    &credentials.user.id,
                    failures,
                    locked_until.as_deref(),
                )
                .await?;
            }
            return Err(AppError::InvalidCredentials);
        }
        // Hash before the write begins: on SQLite an open write transaction holds the one
        // writer, and a hash takes tens of milliseconds.
        let upgraded = match password::needs_upgrade(&credentials.password_hash) {
            true => Some(self.passwords.hash(password).await?),
            false => None,
        };
        let mut tx = self.db.begin_write().await?;
        users::clear_failed_logins(&mut tx, &credentials.user.id).await?;
        if let Some(upgraded) = &upgraded {
            users::set_password_hash(&mut tx, &credentials.user.id, upgraded).await?;
        }
        let token = self.start_session(&mut tx, &credentials.user).await?;
        tx.commit().await?;
        Ok(SignedIn {
            user: credentials.user,
            token,
        })
    }

    async fn start_session(&self, tx: &mut WriteTx, user: &User) -> Result<String, AppError> {
        let expires = Utc::now() + Duration::days(SESSION_DAYS);
        let expires_at = expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let session_id = random_token();
        users::create_session(tx, &session_id, &user.id, &expires_at).await?;
        self.keys
            .issue(&user.id, &session_id, expires.timestamp())
            .map_err(AppError::internal)
    }

    /// End the session the request used, everywhere.
    pub async fn log_out(&self, session: &Session) -> Result<(), AppError> {
        users::delete_session(self.db, &session.id).await?;
        Ok(())
    }

    /// Check the password a person re-typed to confirm something sensitive.
    async fn confirm_password(
        &self,
        user: &User,
        password: &str,
        field: &str,
    ) -> Result<(), AppError> {
        let hash = users::password_hash(self.db, &user.id).await?;
        if self.passwords.verify(password, hash.as_deref()).await? {
            Ok(())
        } else {
            Err(AppError::invalid_field(
                field,
                "That password is not right.",
            ))
        }
    }

    /// Change the password: every earlier session ends, and a new one is returned.
    pub async fn change_password(
        &self,
        session: &Session,
        current: &str,
        new: &str,
    ) -> Result<SignedIn, AppError> {
        validate::new_password(new).map_err(|e| AppError::invalid_field("new_password", e))?;
        self.confirm_password(&session.user, current, "current_password")
            .await?;
        let hash = self.passwords.hash(new).await?;
        let mut tx = self.db.begin_write().await?;
        users::set_password_hash(&mut tx, &session.user.id, &hash).await?;
        users::delete_sessions_of(&mut tx, &session.user.id).await?;
        let token = self.start_session(&mut tx, &session.user).await?;
        let notice = Letter::PasswordNotice { reset: false };
        self.mailer
            .queue(&mut tx, &session.user.email, &session.user.name, notice)
            .await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(SignedIn {
            user: session.user.clone(),
            token,
        })
    }

    /// Delete the account and its sessions, after the password is re-typed.
    pub async fn delete_account(&self, session: &Session, password: &str) -> Result<(), AppError> {
        self.confirm_password(&session.user, password, "password")
            .await?;
        let mut tx = self.db.begin_write().await?;
        users::delete(&mut tx, &session.user.id).await?;
        crate::db::outbox::forget_mail_to(&mut tx, &session.user.email).await?;
        let deleted = Event::UserDeleted {
            user_id: &session.user.id,
        };
        webhooks::record(&mut tx, &deleted).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn email_taken() -> AppError {
    AppError::Conflict {
        code: "email_taken",
        message: "An account with this email already exists.".into(),
        missing: None,
    }
}

/// Everything the site holds about a user (`GET /api/v1/me/export`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Export {
    pub exported_at: String,
    pub account: User,
    pub active_sessions: i64,
    #[schema(value_type = Vec<Object>)]
    pub progress: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub bookmarks: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub quiz_attempts: serde_json::Value,
    pub certificates: Vec<crate::certificates::Certificate>,
}

/// The export of `user`; `public_url` makes the certificates' verify links.
pub async fn export(db: &Db, public_url: &str, user: &User) -> Result<Export, AppError> {
    let mut learning = crate::learning::export(db, user).await?;
    Ok(Export {
        exported_at: crate::db::now(),
        account: user.clone(),
        active_sessions: users::session_count(db, &user.id).await?,
        progress: learning["progress"].take(),
        bookmarks: learning["bookmarks"].take(),
        quiz_attempts: learning["quiz_attempts"].take(),
        certificates: crate::certificates::of_user(db, public_url, user).await?,
    })
}

/// Create an admin, or promote an existing user (setting the given password). The user is
/// looked up inside the write, so a sign-up racing with it cannot be missed.
pub async fn create_admin(
    db: &Db,
    passwords: &Passwords,
    email: &str,
    name: &str,
    password: &str,
) -> Result<User, AppError> {
    let (email, name) = validate_sign_up(&SignUp {
        email,
        password,
        name,
    })?;
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin_write().await?;
    let user = match users::by_email_in(&mut tx, &email).await? {
        Some(mut user) => {
            users::set_role(&mut tx, &user.id, Role::Admin).await?;
            users::set_password_hash(&mut tx, &user.id, &hash).await?;
            users::delete_sessions_of(&mut tx, &user.id).await?;
            user.role = Role::Admin;
            user
        }
        None => {
            let user = users::insert(&mut tx, &email, &name, &hash, Role::Admin).await?;
            webhooks::record(&mut tx, &Event::UserCreated { user_id: &user.id }).await?;
            user
        }
    };
    tx.commit().await?;
    Ok(user)
}

/// Change the plan of the user with this email.
pub async fn set_plan(db: &Db, email: &str, plan: Plan) -> Result<User, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::invalid_field("email", e))?;
    let mut tx = db.begin_write().await?;
    let user = users::by_email_in(&mut tx, &email)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = change_plan(&mut tx, &user.id, plan, "lectern set-plan").await?;
    tx.commit().await?;
    Ok(user)
}

/// Change a user's plan and record who changed it: the one way a plan changes. The old
/// plan is read inside the transaction, so the record names what the plan really was.
pub async fn change_plan(
    tx: &mut WriteTx,
    user_id: &str,
    plan: Plan,
    author: &str,
) -> Result<User, AppError> {
    let before = users::by_id_in(tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.plan == plan {
        return Ok(before);
    }
    let changed = users::set_plan(tx, user_id, plan)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::db::admin::record_plan_change(tx, user_id, before.plan, plan, author).await?;
    let event = Event::PlanChanged {
        user_id,
        from: before.plan,
        to: plan,
    };
    webhooks::record(tx, &event).await?;
    Ok(changed)
}
