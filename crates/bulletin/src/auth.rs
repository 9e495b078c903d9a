//! Accounts, in one place a reviewer can read:
//! - passwords are hashed with Argon2id (RustCrypto's defaults: 19 MiB,
//!   2 passes, a random salt per password) and only the PHC string is stored;
//! - a session is a random 256-bit token in a cookie (`HttpOnly`,
//!   `SameSite=Lax`, `Secure` when served over HTTPS); the store keeps only
//!   its SHA-256, so a leaked database does not sign anyone in;
//! - every form carries a CSRF token: the session's own once signed in, and a
//!   double-submit cookie on the sign-in form; compared in constant time;
//! - failed sign-ins are throttled per client address and per account name;
//! - API tokens are random 256-bit secrets, stored by SHA-256, sent as
//!   `Authorization: Bearer …`.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use bulletin_store::{Session, Store, StoreResult, User};
use chrono::{DateTime, Duration, Utc};
use ring::rand::SecureRandom;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "bulletin_session";
/// The sign-in form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "bulletin_login_csrf";
/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 30;

/// Failed sign-ins allowed per window, per address and per account name.
const MAX_FAILURES: usize = 5;
/// The window failures are counted over.
const FAILURE_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error("the system random number generator failed")]
    Random,
}

/// An Argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string (false for a
/// malformed one).
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The Argon2id hash of a random password, made once: checked against when
/// a sign-in names no account, so that takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let password = new_token().unwrap_or_else(|_| "unguessable only if random".into());
        hash_password(&password).unwrap_or_default()
    })
}

/// A new random token: 32 bytes as hex.
pub fn new_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AuthError::Random)?;
    Ok(hex(&bytes))
}

/// What the store keeps of a token: its SHA-256, as hex.
pub fn token_hash(token: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets without revealing where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

/// Signs `user` in: stores a new session and returns the cookie's token.
pub async fn start_session(
    store: &dyn Store,
    user: &User,
    now: DateTime<Utc>,
) -> Result<String, anyhow::Error> {
    let token = new_token()?;
    store
        .create_session(Session {
            token_hash: token_hash(&token),
            user: user.id,
            csrf_token: new_token()?,
            created_at: now,
            expires_at: now + Duration::days(SESSION_DAYS),
        })
        .await?;
    Ok(token)
}

/// The signed-in session for a cookie's token, if it is valid.
pub async fn session_for(store: &dyn Store, token: &str) -> StoreResult<Option<(Session, User)>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    store.session(token_hash(token), Utc::now()).await
}

/// The `Set-Cookie` value for a cookie that lives `max_age_seconds` (0
/// removes it).
pub fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A cookie's value from a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Counts failed sign-ins so guessing is slow: after `MAX_FAILURES` in
/// `FAILURE_WINDOW` from one address, or against one account name, further
/// attempts are refused until the oldest failure leaves the window. Kept in
/// memory: each web process counts its own.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    /// How long the client must wait before trying again, if it must.
    pub fn wait(&self, address: &str, name: &str) -> Option<std::time::Duration> {
        let mut failures = self.failures.lock().ok()?;
        let now = Instant::now();
        let mut longest = None;
        for key in [
            format!("addr:{address}"),
            format!("user:{}", name.to_lowercase()),
        ] {
            let Some(list) = failures.get_mut(&key) else {
                continue;
            };
            list.retain(|t| now.duration_since(*t) < FAILURE_WINDOW);
            if list.len() >= MAX_FAILURES
                && let Some(oldest) = list.first()
            {
                let wait = FAILURE_WINDOW.saturating_sub(now.duration_since(*oldest));
                longest = Some(longest.map_or(wait, |l: std::time::Duration| l.max(wait)));
            }
        }
        longest
    }

    pub fn failed(&self, address: &str, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            let now = Instant::now();
            for key in [
                format!("addr:{address}"),
                format!("user:{}", name.to_lowercase()),
            ] {
                failures.entry(key).or_default().push(now);
            }
            // Forget old entries now and then, so the map stays small.
            if failures.len() > 10_000 {
                failures.retain(|_, list| {
                    list.last()
                        .is_some_and(|t| now.duration_since(*t) < FAILURE_WINDOW)
                });
            }
        }
    }

    pub fn succeeded(&self, address: &str, name: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&format!("user:{}", name.to_lowercase()));
            failures.remove(&format!("addr:{address}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse").unwrap(),
            "a new salt each time"
        );
    }

    #[test]
    fn tokens_are_random_and_stored_by_hash() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &new_token().unwrap()));
        assert!(!same_secret(&a, ""));
    }

    #[test]
    fn reads_cookies() {
        let header = "a=1; bulletin_session=abc; b=2";
        assert_eq!(cookie_value(header, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie_value(header, "c"), None);
        let set = cookie(SESSION_COOKIE, "abc", 60, true);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.ends_with("Secure")
        );
        assert!(!cookie(SESSION_COOKIE, "abc", 60, false).contains("Secure"));
    }

    #[test]
    fn throttles_repeated_failures_by_address_and_by_name() {
        let throttle = LoginThrottle::default();
        for _ in 0..MAX_FAILURES {
            assert!(throttle.wait("1.2.3.4", "ana").is_none());
            throttle.failed("1.2.3.4", "ana");
        }
        assert!(
            throttle.wait("1.2.3.4", "bob").is_some(),
            "the address is throttled"
        );
        assert!(
            throttle.wait("5.6.7.8", "ANA").is_some(),
            "the account is throttled"
        );
        assert!(throttle.wait("5.6.7.8", "bob").is_none());
        throttle.succeeded("1.2.3.4", "ana");
        assert!(throttle.wait("1.2.3.4", "ana").is_none());
    }
}
