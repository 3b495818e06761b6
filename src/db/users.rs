//! Users and their sign-in sessions.

use std::sync::LazyLock;

use serde::Serialize;
use sqlx::Row as _;

use super::lessons::Tx;
use super::{now, Db, Row};
use crate::names::{Email, UserId};
use crate::plans::Plan;

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Learner,
    Admin,
}

impl Role {
    pub fn parse(id: &str) -> Option<Role> {
        match id {
            "learner" => Some(Role::Learner),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Admin => "admin",
        }
    }
}

/// The contract's `user`: `{id, email, name, plan, role, created_at, email_verified}`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub plan: Plan,
    pub role: Role,
    pub created_at: String,
    /// Whether a mailed link has shown that the address reaches its owner.
    pub email_verified: bool,
}

/// A user with what log-in needs to check.
#[derive(Debug)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.email, u.name, u.plan, u.role, u.created_at, u.email_verified";

/// The user `u` of live session `s`: session id `$1`, user id `$2`, unexpired at `$3`.
pub(crate) const LIVE_SESSION: &str = "sessions s JOIN users u ON u.id = s.user_id \
     AND s.id = $1 AND s.user_id = $2 AND s.expires_at > $3";

pub(crate) fn user_from(row: &Row) -> Result<User, sqlx::Error> {
    Ok(User {
        id: UserId::stored(row.try_get("id")?),
        email: Email::stored(row.try_get("email")?),
        name: row.try_get("name")?,
        plan: decode_with(row, "plan", Plan::parse)?,
        role: decode_with(row, "role", Role::parse)?,
        created_at: row.try_get("created_at")?,
        email_verified: row.try_get::<i64, _>("email_verified")? != 0,
    })
}

/// A text column parsed into its type; a value the type does not know is a decode error
/// (a database written by a newer version, or by hand), never a silent default.
fn decode_with<T>(row: &Row, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unknown {column} {text:?}").into(),
    })
}

/// Whether an error is a unique-constraint violation (an email already taken).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

pub async fn insert(
    tx: &mut Tx,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
) -> Result<User, sqlx::Error> {
    let at = now();
    let id = UserId::new();
    sqlx::query(
        "INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id.as_str())
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(role.id())
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(User {
        id,
        email: Email::stored(email.to_owned()),
        name: name.to_owned(),
        plan: Plan::Free,
        role,
        created_at: at,
        email_verified: false,
    })
}

pub async fn credentials_by_email(
    db: &Db,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, u.password_hash, u.failed_logins, u.locked_until \
         FROM users u WHERE u.email = $1"
    ))
    .bind(email)
    .fetch_optional(&db.read)
    .await?;
    row.map(|row| {
        Ok(Credentials {
            user: user_from(&row)?,
            password_hash: row.try_get("password_hash")?,
            failed_logins: row.try_get("failed_logins")?,
            locked_until: row.try_get("locked_until")?,
        })
    })
    .transpose()
}

pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.read)
        .await?
        .map(|row| row.try_get("password_hash"))
        .transpose()
}

/// The user with this email, read inside a write that depends on it.
pub async fn by_email_in(tx: &mut Tx, email: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
    ))
    .bind(email)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(user_from)
    .transpose()
}

/// The user with this id, read inside a write that depends on it.
pub async fn by_id_in(tx: &mut Tx, id: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(user_from)
    .transpose()
}

/// The user of a live session: the one check that makes a token valid.
pub async fn by_session(
    db: &Db,
    session_id: &str,
    user_id: &str,
) -> Result<Option<User>, sqlx::Error> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM {LIVE_SESSION}"));
    sqlx::query(&SQL)
        .bind(session_id)
        .bind(user_id)
        .bind(now())
        .fetch_optional(&db.read)
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
}

/// Start session `id` (drawn by the caller) for a user.
pub async fn create_session(
    tx: &mut Tx,
    id: &str,
    user_id: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(user_id)
    .bind(now())
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, session_id: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn delete_sessions_of(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_password_hash(tx: &mut Tx, user_id: &str, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Record a failed log-in; `locked_until` is when the next attempt may be checked.
pub async fn record_failed_login(
    db: &Db,
    user_id: &str,
    failed_logins: i64,
    locked_until: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
        .bind(failed_logins)
        .bind(locked_until)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

pub async fn clear_failed_logins(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Change a user's plan; `None` when no user has that id.
pub async fn set_plan(tx: &mut Tx, user_id: &str, plan: Plan) -> Result<Option<User>, sqlx::Error> {
    sqlx::query(
        "UPDATE users SET plan = $1, updated_at = $2 WHERE id = $3 \
         RETURNING id, email, name, plan, role, created_at, email_verified",
    )
    .bind(plan.id())
    .bind(now())
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(user_from)
    .transpose()
}

pub async fn set_role(tx: &mut Tx, user_id: &str, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.id())
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Mark the user's address as shown to reach them.
pub async fn set_email_verified(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email_verified = 1, updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Move the user to a new address, which the link that asked for it has verified. A taken
/// address is a unique violation.
pub async fn set_email(tx: &mut Tx, user_id: &str, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email = $1, email_verified = 1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many live sessions a user has (for the data export).
pub async fn session_count(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1 AND expires_at > $2")
        .bind(user_id)
        .bind(now())
        .fetch_one(&db.read)
        .await?
        .try_get("n")
}
