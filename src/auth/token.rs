//! Session tokens: HS256 JWTs naming a user and a session row, plus the CSRF tokens that
//! HTML forms carry (an HMAC of the session id under a key derived from the same secret).

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use ring::hmac;
use serde::{Deserialize, Serialize};
use thread_local::ThreadLocal;

use crate::config::Settings;

/// 256 random bits, hex-encoded: session ids and generated secrets.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 14;

/// Shortest secret accepted, in bytes.
const MIN_SECRET_BYTES: usize = 32;
const SECRET_FILE: &str = "jwt-secret";
/// How many verified tokens each thread remembers before it starts over.
const VERIFIED_PER_THREAD: usize = 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session id; the token is valid only while that session row exists.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    csrf_key: hmac::Key,
    /// Tokens this key has verified, by thread: a reader's token is checked (signature,
    /// header, claims) on its first request to a thread, then only its expiry is.
    verified: ThreadLocal<RefCell<HashMap<String, Claims>>>,
}

impl TokenKeys {
    /// Keys from `LECTERN_JWT_SECRET`, else from the secret generated once in the data folder.
    pub fn load(settings: &Settings) -> anyhow::Result<TokenKeys> {
        let secret = match &settings.jwt_secret {
            Some(secret) => secret.expose().as_bytes().to_vec(),
            None => stored_secret(&settings.data_dir)?,
        };
        TokenKeys::from_secret(&secret)
    }

    pub fn from_secret(secret: &[u8]) -> anyhow::Result<TokenKeys> {
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "LECTERN_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            csrf_key: hmac::Key::new(
                hmac::HMAC_SHA256,
                hmac::sign(
                    &hmac::Key::new(hmac::HMAC_SHA256, secret),
                    b"lectern csrf key",
                )
                .as_ref(),
            ),
            verified: ThreadLocal::new(),
        })
    }

    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        expires_at: i64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_owned(),
            sid: session_id.to_owned(),
            iat: chrono::Utc::now().timestamp(),
            exp: expires_at,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing a token")
    }

    /// The claims of a valid, unexpired HS256 token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        self.verify_at(token, jsonwebtoken::get_current_timestamp())
    }

    /// `verify` at `now` (seconds since the epoch). A token seen before is looked up by its
    /// whole text, so only that exact string, once verified, skips the signature check.
    fn verify_at(&self, token: &str, now: u64) -> Option<Claims> {
        let unexpired = |claims: &Claims| u64::try_from(claims.exp).is_ok_and(|exp| exp >= now);
        let verified = self.verified.get_or_default();
        if let Some(claims) = verified.borrow().get(token) {
            return unexpired(claims).then(|| claims.clone());
        }
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        if !unexpired(&claims) {
            return None;
        }
        let mut verified = verified.borrow_mut();
        if verified.len() >= VERIFIED_PER_THREAD {
            verified.clear();
        }
        verified.insert(token.to_owned(), claims.clone());
        Some(claims)
    }

    /// The CSRF token HTML forms of this session carry.
    pub fn csrf_token(&self, session_id: &str) -> String {
        hex::encode(hmac::sign(&self.csrf_key, session_id.as_bytes()))
    }

    /// Constant-time check of a submitted CSRF token.
    pub fn csrf_matches(&self, session_id: &str, submitted: &str) -> bool {
        hex::decode(submitted).is_ok_and(|submitted| {
            hmac::verify(&self.csrf_key, session_id.as_bytes(), &submitted).is_ok()
        })
    }
}

/// Read the generated secret, creating it (mode 0600) on first start.
fn stored_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => return Ok(text.trim().as_bytes().to_vec()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("could not read {}", path.display()))
        }
        Err(_) => {}
    }
    let secret = crate::auth::random_token() + &crate::auth::random_token();
    // Written whole and synced under a temporary name, then linked into place: a crash or a
    // full disk never leaves a short secret that would stop the next start.
    let tmp = data_dir.join(format!(
        "{SECRET_FILE}.tmp-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let written =
        write_synced(&tmp, secret.as_bytes()).and_then(|()| std::fs::hard_link(&tmp, &path));
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(secret.into_bytes()),
        // Another instance sharing the data folder stored one first: use it.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => stored_secret(data_dir),
        Err(e) => Err(e).with_context(|| format!("could not create {}", path.display())),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> TokenKeys {
        TokenKeys::from_secret(&[7u8; 32]).unwrap()
    }

    fn in_an_hour() -> i64 {
        chrono::Utc::now().timestamp() + 3600
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKeys::from_secret(&[1u8; 31]).is_err());
    }

    #[test]
    fn a_fresh_token_verifies() {
        let token = keys().issue("u1", "s1", in_an_hour()).unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.sid.as_str()), ("u1", "s1"));
    }

    #[test]
    fn forged_tokens_are_rejected() {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let payload = format!(
            r#"{{"sub":"u1","sid":"s1","iat":0,"exp":{}}}"#,
            in_an_hour()
        );
        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&payload)
        );
        assert!(keys().verify(&none).is_none(), "alg none");

        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &Claims {
                sub: "u1".into(),
                sid: "s1".into(),
                iat: 0,
                exp: in_an_hour(),
            },
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .unwrap();
        assert!(keys().verify(&hs512).is_none(), "another algorithm");

        let other = TokenKeys::from_secret(&[8u8; 32])
            .unwrap()
            .issue("u1", "s1", in_an_hour())
            .unwrap();
        assert!(keys().verify(&other).is_none(), "a wrong key");

        let token = keys().issue("u1", "s1", in_an_hour()).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let tampered = b64(&payload.replace("u1", "u2"));
        parts[1] = &tampered;
        assert!(
            keys().verify(&parts.join(".")).is_none(),
            "a tampered payload"
        );

        let expired = keys()
            .issue("u1", "s1", chrono::Utc::now().timestamp() - 1)
            .unwrap();
        assert!(keys().verify(&expired).is_none(), "expired, no leeway");

        let no_exp = encode(
            &Header::new(Algorithm::HS256),
            &serde_json::json!({ "sub": "u1", "sid": "s1" }),
            &EncodingKey::from_secret(&[7u8; 32]),
        )
        .unwrap();
        assert!(keys().verify(&no_exp).is_none(), "exp is required");
    }

    #[test]
    fn a_remembered_token_still_expires_and_no_other_text_passes_for_it() {
        let keys = keys();
        let exp = in_an_hour();
        let token = keys.issue("u1", "s1", exp).unwrap();
        let now = |at: i64| u64::try_from(at).unwrap();
        assert!(keys.verify_at(&token, now(exp - 10)).is_some());
        assert!(
            keys.verify_at(&token, now(exp)).is_some(),
            "valid to its last second"
        );
        assert!(
            keys.verify_at(&token, now(exp + 1)).is_none(),
            "expired once seen"
        );
        let mut altered = token.clone();
        altered.push('A');
        assert!(keys.verify(&altered).is_none(), "a longer signature");
        let truncated = &token[..token.len() - 1];
        assert!(keys.verify(truncated).is_none(), "a shorter signature");
        assert!(keys.verify(&token).is_some());
    }

    #[test]
    fn csrf_tokens_match_the_ones_issued_before_the_keys_moved_to_ring() {
        // HMAC-SHA256 of "lectern csrf key" under the secret, then of the session id under
        // that (computed with Python's hmac module), as the hmac crate made them before.
        assert_eq!(
            keys().csrf_token("s1"),
            "cd99bbb18a48875f1804bc29783de695f13f30b5751bf032acc34cf2fbf9c542"
        );
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        let keys = keys();
        let token = keys.csrf_token("s1");
        assert!(keys.csrf_matches("s1", &token));
        assert!(!keys.csrf_matches("s2", &token));
        assert!(!keys.csrf_matches("s1", "zz"));
    }

    #[test]
    fn the_generated_secret_is_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = stored_secret(dir.path()).unwrap();
        let second = stored_secret(dir.path()).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= 32);
        let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
