//! The one-use tokens of mailed links, stored only as their SHA-256 hash.

use sqlx::Row as _;

use super::WriteTx;

/// What a link is for; a token works only for its own purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    SignIn,
    VerifyEmail,
    ConfirmEmail,
}

impl Purpose {
    pub fn id(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::SignIn => "sign_in",
            Purpose::VerifyEmail => "verify_email",
            Purpose::ConfirmEmail => "confirm_email",
        }
    }
}

pub struct NewLink<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub purpose: Purpose,
    pub new_email: Option<&'a str>,
    pub next: Option<&'a str>,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

pub async fn insert(tx: &mut WriteTx, link: &NewLink<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mail_links (token_hash, user_id, purpose, new_email, next, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(link.token_hash)
    .bind(link.user_id)
    .bind(link.purpose.id())
    .bind(link.new_email)
    .bind(link.next)
    .bind(link.created_at)
    .bind(link.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a spent link carried.
#[derive(Debug)]
pub struct Spent {
    pub user_id: String,
    pub new_email: Option<String>,
    pub next: Option<String>,
}

/// Spend the unexpired, unused link with this hash and purpose: one statement, so two
/// requests racing with one token cannot both spend it. `None` when there is no such link.
pub async fn spend(
    tx: &mut WriteTx,
    token_hash: &str,
    purpose: Purpose,
    now: &str,
) -> Result<Option<Spent>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE mail_links SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 \
         AND used_at IS NULL AND expires_at > $3 RETURNING user_id, new_email, next",
    )
    .bind(token_hash)
    .bind(purpose.id())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| {
        Ok(Spent {
            user_id: row.try_get("user_id")?,
            new_email: row.try_get("new_email")?,
            next: row.try_get("next")?,
        })
    })
    .transpose()
}

/// Forget links that expired a day ago or more (used or not): nothing can spend them.
pub async fn forget_expired(tx: &mut WriteTx, before: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM mail_links WHERE expires_at < $1")
        .bind(before)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
