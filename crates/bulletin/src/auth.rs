//! Accounts, in one place a reviewer can read:
//! - passwords are hashed with Argon2id (RustCrypto's defaults: 19 MiB,
//!   2 passes, a random salt per password) and only the PHC string is stored;
//! - a session is a random 256-bit token in a cookie (`HttpOnly`,
//!   `SameSite=Lax`, `Secure` when served over HTTPS); the store keeps only
//!   its SHA-256, so a leaked database does not sign anyone in;
//! - every form carries a CSRF token: the session's own once signed in, and a
//!   double-submit cookie on the sign-in form; compared in constant time;
//! - failed sign-ins are throttled per (account, address), per account and
//!   per address, with growing waits, counted in the store (so shared by
//!   every process on PostgreSQL);
//! - API tokens are random 256-bit secrets, stored by SHA-256, sent as
//!   `Authorization: Bearer …`.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use bulletin_pipeline::secret;
use bulletin_store::{Session, Store, StoreResult, User};
use chrono::{DateTime, Duration, Utc};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "bulletin_session";
/// The sign-in form's double-submit cookie.
pub const LOGIN_CSRF_COOKIE: &str = "bulletin_login_csrf";
/// How long a sign-in lasts.
pub const SESSION_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error(transparent)]
    Random(#[from] secret::NoRandomness),
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
        // Only the time the check takes matters: a sign-in that names no
        // account fails whatever this hash is.
        let password = secret::random_hex(32).unwrap_or_default();
        hash_password(&password).unwrap_or_default()
    })
}

/// The Fever key of an account's app password, as Fever defines it:
/// md5 of `name:password`, in lowercase hex.
pub fn fever_key(name: &str, password: &str) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(format!("{name}:{password}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a Fever key (so a copy of the database does
/// not hold keys that sign in).
pub fn fever_key_hash(key: &str) -> String {
    secret::sha256_hex(&key.trim().to_ascii_lowercase())
}

/// What the store keeps of an account's new app password: its Argon2id
/// hash, and the hash of its Fever key.
pub fn app_password_hashes(name: &str, password: &str) -> Result<(String, String), AuthError> {
    Ok((
        hash_password(password)?,
        fever_key_hash(&fever_key(name, password)),
    ))
}

/// Signs `user` in: stores a new session and returns the cookie's token.
pub async fn start_session(
    store: &dyn Store,
    user: &User,
    now: DateTime<Utc>,
) -> Result<String, anyhow::Error> {
    let token = secret::random_hex(32)?;
    store
        .create_session(Session {
            token_hash: secret::sha256_hex(&token),
            user: user.id,
            csrf_token: secret::random_hex(32)?,
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
    store.session(secret::sha256_hex(token), Utc::now()).await
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

/// How far back failed sign-ins count.
pub const FAILURE_WINDOW_MINUTES: i64 = 60;
/// Failures one address may make against one account before it waits.
const PAIR_FREE: u32 = 5;
/// Failures against one account, from all addresses together, that mean a
/// sustained attack: then every address waits, a fresh one too.
const ACCOUNT_FREE: u32 = 50;
/// Failures one address may make against all accounts together (spraying
/// one password over many names) before it waits. High enough that a
/// newsroom behind one proxy does not reach it with typos.
const ADDRESS_FREE: u32 = 30;
/// The longest wait.
const MAX_WAIT_SECONDS: i64 = 15 * 60;

/// How long a sign-in attempt must wait, given the failures counted for
/// its account and address over the window, if it must. Each count has
/// its own allowance; past it the wait doubles with every further failure
/// (30 s, 1 min, 2 min … up to 15 min), counted from the latest failure.
/// So a typing mistake on one account from one address never locks out
/// anyone else, and a correct password from another address still works
/// unless the account is under a sustained attack.
pub fn sign_in_wait(
    failures: &bulletin_store::LoginFailures,
    now: DateTime<Utc>,
) -> Option<std::time::Duration> {
    let wait = |count: u32, free: u32, last: Option<DateTime<Utc>>| -> Option<Duration> {
        let last = last?;
        if count < free {
            return None;
        }
        let doublings = (count - free).min(12);
        let wait = Duration::seconds((30i64 << doublings).min(MAX_WAIT_SECONDS));
        let left = last + wait - now;
        (left > Duration::zero()).then_some(left)
    };
    [
        wait(failures.pair, PAIR_FREE, failures.pair_last),
        wait(failures.account, ACCOUNT_FREE, failures.account_last),
        wait(failures.address, ADDRESS_FREE, failures.address_last),
    ]
    .into_iter()
    .flatten()
    .max()
    .and_then(|d| d.to_std().ok())
}

/// The account key failures are counted under.
pub fn failure_account(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The client's address: the peer's, or, when the peer is a trusted
/// reverse proxy, the nearest address in `X-Forwarded-For` that is not
/// one of the trusted proxies.
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = forwarded_for
        .unwrap_or("")
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
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
    fn fever_keys_are_md5_of_name_and_password() {
        assert_eq!(
            fever_key("ana", "secret"),
            "8bb54329fa7e1fc4a1cf493f24623075"
        );
        assert_eq!(fever_key("", ""), "853ae90f0351324bd73ea615e6487517");
        assert_eq!(
            fever_key_hash(" 8BB54329FA7E1FC4A1CF493F24623075"),
            fever_key_hash("8bb54329fa7e1fc4a1cf493f24623075")
        );
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

    fn failures(
        pair: u32,
        account: u32,
        address: u32,
        last: DateTime<Utc>,
    ) -> bulletin_store::LoginFailures {
        bulletin_store::LoginFailures {
            pair,
            pair_last: Some(last),
            account,
            account_last: Some(last),
            address,
            address_last: Some(last),
        }
    }

    #[test]
    fn a_few_typos_cost_nothing_then_waits_double() {
        let now = Utc::now();
        assert!(sign_in_wait(&failures(4, 4, 4, now), now).is_none());
        let first = sign_in_wait(&failures(5, 5, 5, now), now).unwrap();
        let second = sign_in_wait(&failures(6, 6, 6, now), now).unwrap();
        assert_eq!((first.as_secs(), second.as_secs()), (30, 60));
        let capped = sign_in_wait(&failures(40, 40, 40, now), now).unwrap();
        assert_eq!(capped.as_secs(), 15 * 60);
        // The wait runs from the latest failure.
        let later = now + Duration::seconds(31);
        assert!(sign_in_wait(&failures(5, 5, 5, now), later).is_none());
    }

    #[test]
    fn a_fresh_address_is_held_only_when_the_account_is_under_attack() {
        let now = Utc::now();
        // Someone failed 20 times at the admin's account from elsewhere:
        // the admin, from a fresh address, is not held.
        assert!(sign_in_wait(&failures(0, 20, 0, now), now).is_none());
        // A sustained attack from many addresses holds every address.
        assert!(sign_in_wait(&failures(0, ACCOUNT_FREE, 0, now), now).is_some());
        // One address spraying many accounts is held.
        assert!(sign_in_wait(&failures(1, 1, ADDRESS_FREE, now), now).is_some());
    }

    #[test]
    fn reads_the_client_behind_a_trusted_proxy_only() {
        let proxy: std::net::IpAddr = "10.0.0.5".parse().unwrap();
        let peer_direct: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let xff = Some("198.51.100.1, 192.0.2.7");
        assert_eq!(
            client_address(peer_direct, xff, &[proxy]),
            peer_direct,
            "untrusted peer"
        );
        assert_eq!(
            client_address(proxy, xff, &[proxy]),
            "192.0.2.7".parse::<std::net::IpAddr>().unwrap(),
            "the nearest untrusted hop"
        );
        assert_eq!(client_address(proxy, None, &[proxy]), proxy);
        assert_eq!(client_address(proxy, Some("junk"), &[proxy]), proxy);
    }
}
