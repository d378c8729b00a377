//! `Idempotency-Key` for the partner API's POSTs: the first answer to a key is kept (for
//! [`KEEP`]) and given again to a retry with the same body; a retry with another body is
//! refused; a retry while the first is still running is told so. A key is the partner's own
//! (`tenant_id` is part of the primary key), so two partners may use the same one.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::webhooks::entity::idempotency as ik;

/// How long a first answer is kept.
pub const KEEP: Duration = Duration::hours(24);
/// The longest key taken.
pub const MAX_KEY: usize = 255;

/// What to do with a request that carries a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or expired): run the request, then [`finish`] or [`abandon`].
    Run,
    /// The same request was answered: give this answer again.
    Replay { status: u16, body: String },
    /// The key was used with another body or route.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

fn hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Checks a key's shape: 1–255 visible ASCII characters.
pub fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::validation(
            "Idempotency-Key",
            "1 to 255 visible ASCII characters, e.g. a UUID",
        ));
    }
    Ok(())
}

/// Takes `key` for a request to `route` with `body`, or says what was answered before.
pub async fn claim(
    db: &TenantDb,
    key: &str,
    route: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Claim> {
    check_key(key)?;
    let h = hash(body);
    let tx = db.begin_write().await?;
    let existing = tx
        .find::<ik::Entity>()
        .filter(ik::Column::Key.eq(key))
        .one(tx.conn())
        .await?;
    let claim = match existing {
        Some(e) if e.created_at + KEEP > now => {
            if e.route != route || e.request_hash != h {
                Claim::Mismatch
            } else if e.status == 0 {
                Claim::InFlight
            } else {
                Claim::Replay {
                    status: u16::try_from(e.status).unwrap_or(500),
                    body: e.body,
                }
            }
        }
        Some(_) => {
            tx.update_many::<ik::Entity>()
                .filter(ik::Column::Key.eq(key))
                .col_expr(ik::Column::Route, Expr::value(route))
                .col_expr(ik::Column::RequestHash, Expr::value(h))
                .col_expr(ik::Column::Status, Expr::value(0))
                .col_expr(ik::Column::Body, Expr::value(""))
                .col_expr(ik::Column::CreatedAt, Expr::value(now))
                .exec(tx.conn())
                .await?;
            Claim::Run
        }
        None => {
            tx.insert(ik::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                key: Set(key.to_owned()),
                route: Set(route.to_owned()),
                request_hash: Set(h),
                status: Set(0),
                body: Set(String::new()),
                created_at: Set(now),
            })
            .await
            .map_err(|e| Error::on_unique_violation(e, "in flight"))?;
            Claim::Run
        }
    };
    match tx.commit().await {
        Ok(()) => Ok(claim),
        // Two first requests at once: the other one won the insert.
        Err(e) => Err(Error::from(e)),
    }
}

/// Keeps the answer to a request that ran after [`Claim::Run`].
pub async fn finish(db: &TenantDb, key: &str, status: u16, body: &str) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.update_many::<ik::Entity>()
        .filter(ik::Column::Key.eq(key))
        .col_expr(ik::Column::Status, Expr::value(i32::from(status)))
        .col_expr(ik::Column::Body, Expr::value(body))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets a key whose request did not get an answer worth keeping (a server error): a retry
/// runs again.
pub async fn abandon(db: &TenantDb, key: &str) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.delete_many::<ik::Entity>()
        .filter(ik::Column::Key.eq(key))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(check_key("0193a1b2-7c1d-7000-8000-000000000000").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key("has space").is_err());
        assert!(check_key(&"k".repeat(256)).is_err());
        assert!(check_key("ключ").is_err());
    }
}
