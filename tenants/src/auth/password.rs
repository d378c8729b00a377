//! Passwords: the rules a new one must meet, and argon2id hashing off the async runtime.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::{Error, Result};

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. Stored hashes weaker than this are
/// rehashed at the next successful log-in.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// How many common passwords are refused (the bundled list).
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// A password that met the rules for a new password. Only this type can be hashed, so no
/// code path stores a password that skipped them.
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    /// 8 to 128 characters, not in the common-password list. `field` names the form field the
    /// error is shown next to.
    pub fn parse(raw: &str, field: &'static str) -> Result<Self> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Error::validation(
                field,
                format!("must be at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(Error::validation(
                field,
                format!("must be at most {MAX_CHARS} characters"),
            ));
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(Error::validation(
                field,
                "is one of the most common passwords; choose one that is harder to guess",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// An already-accepted password, rehashed under today's costs without re-checking rules
    /// that may have changed since it was chosen.
    pub(crate) fn unchecked(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

fn hasher() -> Argon2<'static> {
    // The constants are within argon2's bounds; a failure here is a programming error caught
    // by the unit tests, so fall back to the library default (the same numbers) rather than panic.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "password hashing failed: {e}"
            )))
        })
}

/// A hash of a password nobody knows, verified against when the e-mail is unknown, so an
/// unknown account costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    let _ = getrandom::fill(&mut secret);
    hash_blocking(&hex::encode(secret)).unwrap_or_default()
});

/// Computes the dummy hash now (at start-up) instead of on the first unknown e-mail.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| DUMMY_HASH.len()).await;
}

/// Hashes a new password with argon2id, on the blocking pool.
pub async fn hash(password: NewPassword) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password.0))
        .await
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("hashing task failed: {e}"))))?
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    Yes { needs_rehash: bool },
    No,
}

/// Checks `candidate` against `stored`, or against the dummy hash when there is no account,
/// on the blocking pool. Always does the same amount of work.
pub async fn verify(candidate: String, stored: Option<String>) -> Verified {
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (DUMMY_HASH.as_str(), false),
        };
        let ok = hasher().verify_password(candidate.as_bytes(), phc).is_ok();
        match (ok, real) {
            (true, true) => Verified::Yes {
                needs_rehash: needs_rehash(phc),
            },
            _ => Verified::No,
        }
    })
    .await
    .unwrap_or(Verified::No)
}

/// True when `phc` is not argon2id with at least the current costs.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return true;
    };
    if hash.algorithm.as_str() != "argon2id" {
        return true;
    }
    let get = |k: &str| hash.params.get_decimal(k).unwrap_or(0);
    get("m") < M_COST_KIB || get("t") < T_COST || get("p") != P_COST
}

/// Hashes with explicit (possibly weaker) costs: for tests of the rehash path only.
#[doc(hidden)]
pub fn hash_with_costs(password: &str, m: u32, t: u32, p: u32) -> Result<String> {
    let params = Params::new(m, t, p, None)
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("bad argon2 costs: {e}"))))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "password hashing failed: {e}"
            )))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_is_large_enough() {
        assert!(
            common_password_count() >= 3000,
            "{}",
            common_password_count()
        );
    }

    /// The message shown next to the form's field, or None if the password is accepted.
    fn refusal(raw: &str, field: &'static str) -> Option<String> {
        match NewPassword::parse(raw, field) {
            Ok(_) => None,
            Err(Error::Validation { field: f, message }) if f == field => Some(message),
            Err(e) => panic!("{raw:?}: not a validation error of {field}: {e}"),
        }
    }

    #[test]
    fn rules() {
        const TOO_SHORT: &str = "must be at least 8 characters";
        const COMMON_MSG: &str =
            "is one of the most common passwords; choose one that is harder to guess";
        assert_eq!(refusal("short", "password").as_deref(), Some(TOO_SHORT));
        assert_eq!(
            refusal(&"x".repeat(129), "new_password").as_deref(),
            Some("must be at most 128 characters")
        );
        assert_eq!(refusal(&"x7!".repeat(42), "password"), None);
        assert_eq!(refusal("password", "password").as_deref(), Some(COMMON_MSG));
        // Compared without case.
        assert_eq!(
            refusal("PassWord123", "password").as_deref(),
            Some(COMMON_MSG)
        );
        assert_eq!(refusal("iloveyou", "password").as_deref(), Some(COMMON_MSG));
        assert_eq!(refusal("tangerine-rowboat-42", "password"), None);
        // Counted in characters, not bytes: 7 characters (14 bytes) are too few, 8 enough.
        assert_eq!(refusal("ééééééé", "password").as_deref(), Some(TOO_SHORT));
        assert_eq!(refusal("éééééééé", "password"), None);
    }

    #[test]
    fn params_are_at_least_the_baseline() {
        let phc = hash_blocking("tangerine-rowboat-42").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(phc.contains("m=19456,t=2,p=1"), "{phc}");
        assert!(!needs_rehash(&phc));
    }

    #[test]
    fn weaker_hashes_need_rehash() {
        let weak = hash_with_costs("tangerine-rowboat-42", 4096, 1, 1).unwrap();
        assert!(needs_rehash(&weak));
        assert!(needs_rehash("not a hash"));
    }

    #[tokio::test]
    async fn verify_matches_and_refuses() {
        let phc = hash(NewPassword::parse("tangerine-rowboat-42", "p").unwrap())
            .await
            .unwrap();
        assert_eq!(
            verify("tangerine-rowboat-42".into(), Some(phc.clone())).await,
            Verified::Yes {
                needs_rehash: false
            }
        );
        assert_eq!(verify("wrong".into(), Some(phc)).await, Verified::No);
        assert_eq!(
            verify("tangerine-rowboat-42".into(), None).await,
            Verified::No
        );
    }
}
