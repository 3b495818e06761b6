//! Password hashing with Argon2id, off the async workers, with a bound on concurrent hashes
//! so a log-in storm cannot starve page requests.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// OWASP's recommendation for Argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified when an email is unknown so timing reveals nothing.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now(&crate::auth::random_token()).unwrap_or_default());

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .and_then(|parsed| argon2().verify_password(password.as_bytes(), &parsed))
        .is_ok()
}

/// Whether a stored hash is weaker than today's parameters (and should be redone).
pub fn needs_upgrade(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    let param = |name: &str| parsed.params.get_decimal(name).unwrap_or(0);
    parsed.algorithm.as_str() != "argon2id"
        || param("m") < MEMORY_KIB
        || param("t") < ITERATIONS
        || param("p") < LANES
}

/// Hashes and verifies passwords, a few at a time, on the blocking thread pool.
pub struct Passwords {
    permits: Semaphore,
}

impl Passwords {
    pub fn new(max_concurrent: usize) -> Passwords {
        LazyLock::force(&DUMMY_HASH);
        Passwords {
            permits: Semaphore::new(max_concurrent.max(1)),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// Check `password` against `hash`; with no hash (unknown email) the dummy hash is
    /// checked instead and the answer is false.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let password = password.to_owned();
        let known = hash.is_some();
        let hash = hash.unwrap_or(&DUMMY_HASH).to_owned();
        let matches = tokio::task::spawn_blocking(move || verify_now(&password, &hash))
            .await
            .map_err(AppError::internal)?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let hash = hash_now("correct horse battery staple").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now("correct horse battery staple", &hash));
        assert!(!verify_now("correct horse battery stapl", &hash));
        assert!(!needs_upgrade(&hash));
    }

    #[test]
    fn weaker_hashes_are_flagged_for_upgrade() {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &salt)
        .unwrap()
        .to_string();
        assert!(needs_upgrade(&weak));
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string();
        assert!(needs_upgrade(&argon2i));
        assert!(needs_upgrade("not a hash"));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let long = "ü".repeat(128);
        let hash = hash_now(&long).unwrap();
        let mut almost = "ü".repeat(127);
        almost.push('u');
        assert!(!verify_now(&almost, &hash));
        assert!(verify_now(&long, &hash));
    }
}
