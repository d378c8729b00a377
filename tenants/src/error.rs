//! The domain's error type. The web layer maps each variant to a status and a safe message;
//! `Db` carries the cause for the log and is never shown to a user.

use std::fmt;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {message}")]
    Validation {
        field: &'static str,
        message: String,
    },
    #[error("forbidden")]
    Forbidden,
    /// The record changed since the caller read it (it named version `n`, the record is now
    /// at `current`): read it again before changing it.
    #[error("changed since you read it (now at version {current})")]
    Stale { current: i64 },
    /// Too many failed attempts at something guarded (a password check): come back later.
    #[error("too many failed attempts; try again in {} s", retry_after.as_secs())]
    Throttled { retry_after: std::time::Duration },
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

impl Error {
    pub fn validation(field: &'static str, message: impl fmt::Display) -> Self {
        Self::Validation {
            field,
            message: message.to_string(),
        }
    }

    /// Turns a unique-key violation into a `Conflict` with a message a user can act on;
    /// any other database error stays internal.
    pub fn on_unique_violation(err: sea_orm::DbErr, message: impl Into<String>) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::Conflict(message.into()),
            _ => Self::Db(err),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
