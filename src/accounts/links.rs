//! What mailed links do (API.md section 12): reset a password, sign in, verify an address,
//! move an account to a new address.
//!
//! A link's token is 256 random bits, stored only as its SHA-256 hash, spent by the one
//! statement that checks it (`db::mail_links::spend`), inside the transaction of what it
//! does. A request for a link answers the same whether or not an account has the address.

use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use super::{email_taken, validate, Accounts, SignedIn};
use crate::auth::token::random_token;
use crate::auth::Session;
use crate::db::mail_links::{self, NewLink, Purpose};
use crate::db::users::{self, User};
use crate::db::{now, WriteTx};
use crate::error::AppError;
use crate::mail::Letter;
use crate::names::Email;

/// How long each kind of link works.
fn lifetime(purpose: Purpose) -> Duration {
    match purpose {
        Purpose::PasswordReset => Duration::minutes(30),
        Purpose::SignIn => Duration::minutes(15),
        Purpose::VerifyEmail | Purpose::ConfirmEmail => Duration::hours(24),
    }
}

/// The page each kind of link opens.
fn page(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::PasswordReset => "/reset-password",
        Purpose::SignIn => "/sign-in",
        Purpose::VerifyEmail => "/verify-email",
        Purpose::ConfirmEmail => "/confirm-email",
    }
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn stamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A signed-in answer to a sign-in link, with where the link leads.
pub struct LinkSignIn {
    pub signed_in: SignedIn,
    pub next: Option<String>,
}

/// What a new link carries besides its user and purpose.
#[derive(Default)]
struct Extra<'a> {
    new_email: Option<&'a str>,
    next: Option<&'a str>,
}

impl Accounts<'_> {
    /// Store a new link for `user` in `tx`; its URL, to be mailed.
    async fn new_link(
        &self,
        tx: &mut WriteTx,
        user: &User,
        purpose: Purpose,
        extra: Extra<'_>,
    ) -> Result<String, AppError> {
        let token = random_token();
        let created = Utc::now();
        mail_links::forget_expired(tx, &stamp(created - Duration::days(1))).await?;
        mail_links::insert(
            tx,
            &NewLink {
                token_hash: &hash(&token),
                user_id: &user.id,
                purpose,
                new_email: extra.new_email,
                next: extra.next,
                created_at: &stamp(created),
                expires_at: &stamp(created + lifetime(purpose)),
            },
        )
        .await?;
        Ok(self.mailer.link(page(purpose), &token))
    }

    /// Mail a link of `purpose` to the account with `email`, if there is one.
    async fn mail_link_to(
        &self,
        email: &str,
        purpose: Purpose,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|e| AppError::invalid_field("email", e))?;
        let mut tx = self.db.begin_write().await?;
        let Some(user) = users::by_email_in(&mut tx, &email).await? else {
            return Ok(());
        };
        let link = self
            .new_link(
                &mut tx,
                &user,
                purpose,
                Extra {
                    next,
                    ..Extra::default()
                },
            )
            .await?;
        let letter = match purpose {
            Purpose::PasswordReset => Letter::PasswordReset { link: &link },
            _ => Letter::SignIn { link: &link },
        };
        self.mailer
            .queue(&mut tx, &user.email, &user.name, letter)
            .await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(())
    }

    /// `POST /auth/password-reset`: mail a reset link if an account has this address.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), AppError> {
        self.mail_link_to(email, Purpose::PasswordReset, None).await
    }

    /// `POST /auth/sign-in-link`: mail a link that signs in once.
    pub async fn request_sign_in_link(
        &self,
        email: &str,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        self.mail_link_to(email, Purpose::SignIn, next).await
    }

    /// Spend a link inside `tx`; the user it was for.
    async fn spend(
        &self,
        tx: &mut WriteTx,
        token: &str,
        purpose: Purpose,
    ) -> Result<(User, mail_links::Spent), AppError> {
        let spent = mail_links::spend(tx, &hash(token.trim()), purpose, &now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        let user = users::by_id_in(tx, &spent.user_id)
            .await?
            .ok_or(AppError::InvalidToken)?;
        Ok((user, spent))
    }

    /// Choose a new password with a reset link: every earlier session ends, and the reader
    /// is signed in. A refused password leaves the link usable.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<SignedIn, AppError> {
        validate::new_password(new_password)
            .map_err(|e| AppError::invalid_field("new_password", e))?;
        let hash = self.passwords.hash(new_password).await?;
        let mut tx = self.db.begin_write().await?;
        let (mut user, _) = self.spend(&mut tx, token, Purpose::PasswordReset).await?;
        users::set_password_hash(&mut tx, &user.id, &hash).await?;
        users::delete_sessions_of(&mut tx, &user.id).await?;
        users::clear_failed_logins(&mut tx, &user.id).await?;
        // The link came to this address: it reaches its owner.
        users::set_email_verified(&mut tx, &user.id).await?;
        user.email_verified = true;
        let token = self.start_session(&mut tx, &user).await?;
        self.mailer
            .queue(
                &mut tx,
                &user.email,
                &user.name,
                Letter::PasswordNotice { reset: true },
            )
            .await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(SignedIn { user, token })
    }

    /// Sign in with a sign-in link. Other sessions go on.
    pub async fn sign_in_with_link(&self, token: &str) -> Result<LinkSignIn, AppError> {
        let mut tx = self.db.begin_write().await?;
        let (mut user, spent) = self.spend(&mut tx, token, Purpose::SignIn).await?;
        users::set_email_verified(&mut tx, &user.id).await?;
        user.email_verified = true;
        let token = self.start_session(&mut tx, &user).await?;
        tx.commit().await?;
        Ok(LinkSignIn {
            signed_in: SignedIn { user, token },
            next: spent.next,
        })
    }

    /// Queue a verification link for `user` in `tx` (sign-up does this).
    pub(super) async fn queue_verification(
        &self,
        tx: &mut WriteTx,
        user: &User,
    ) -> Result<(), AppError> {
        let link = self
            .new_link(tx, user, Purpose::VerifyEmail, Extra::default())
            .await?;
        self.mailer
            .queue(
                tx,
                &user.email,
                &user.name,
                Letter::VerifyEmail { link: &link },
            )
            .await?;
        Ok(())
    }

    /// `POST /me/email-verification`: mail the signed-in user a verification link.
    pub async fn request_verification(&self, user: &User) -> Result<(), AppError> {
        let mut tx = self.db.begin_write().await?;
        let user = users::by_id_in(&mut tx, &user.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        self.queue_verification(&mut tx, &user).await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(())
    }

    /// Spend a verification link: the address is verified.
    pub async fn verify_email(&self, token: &str) -> Result<User, AppError> {
        let mut tx = self.db.begin_write().await?;
        let (mut user, _) = self.spend(&mut tx, token, Purpose::VerifyEmail).await?;
        users::set_email_verified(&mut tx, &user.id).await?;
        tx.commit().await?;
        user.email_verified = true;
        Ok(user)
    }

    /// `PUT /me/email`: mail the new address a link that makes the change, and the old one a
    /// notice. Nothing changes until the link is used.
    pub async fn request_email_change(
        &self,
        session: &Session,
        new_email: &str,
        password: &str,
    ) -> Result<(), AppError> {
        let new_email =
            Email::parse(new_email).map_err(|e| AppError::invalid_field("new_email", e))?;
        self.confirm_password(&session.user, password, "password")
            .await?;
        let mut tx = self.db.begin_write().await?;
        let user = users::by_id_in(&mut tx, &session.user.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if new_email.as_str() == user.email.as_str() {
            return Err(AppError::invalid_field(
                "new_email",
                "That is already the address of your account.",
            ));
        }
        if users::by_email_in(&mut tx, &new_email).await?.is_some() {
            return Err(email_taken());
        }
        let extra = Extra {
            new_email: Some(&new_email),
            ..Extra::default()
        };
        let link = self
            .new_link(&mut tx, &user, Purpose::ConfirmEmail, extra)
            .await?;
        let letter = Letter::ConfirmEmail {
            link: &link,
            new_email: &new_email,
        };
        self.mailer
            .queue(&mut tx, &new_email, &user.name, letter)
            .await?;
        let notice = Letter::EmailChangeNotice {
            new_email: &new_email,
        };
        self.mailer
            .queue(&mut tx, &user.email, &user.name, notice)
            .await?;
        tx.commit().await?;
        self.mailer.wake();
        Ok(())
    }

    /// Spend an email-change link: the account moves to the new, now verified, address.
    pub async fn confirm_email_change(&self, token: &str) -> Result<User, AppError> {
        let mut tx = self.db.begin_write().await?;
        let (mut user, spent) = self.spend(&mut tx, token, Purpose::ConfirmEmail).await?;
        let new_email = spent.new_email.ok_or(AppError::InvalidToken)?;
        match users::set_email(&mut tx, &user.id, &new_email).await {
            Ok(()) => {}
            Err(e) if users::is_unique_violation(&e) => return Err(email_taken()),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        user.email = Email::stored(new_email);
        user.email_verified = true;
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_last_as_the_contract_says() {
        assert_eq!(lifetime(Purpose::PasswordReset), Duration::minutes(30));
        assert_eq!(lifetime(Purpose::SignIn), Duration::minutes(15));
        assert_eq!(lifetime(Purpose::VerifyEmail), Duration::hours(24));
        assert_eq!(lifetime(Purpose::ConfirmEmail), Duration::hours(24));
    }

    #[test]
    fn a_token_is_stored_as_its_hash_only() {
        let token = random_token();
        assert_eq!(token.len(), 64, "256 bits, hex");
        let stored = hash(&token);
        assert_eq!(stored.len(), 64);
        assert_ne!(stored, token);
        assert_eq!(stored, hash(&token));
    }
}
