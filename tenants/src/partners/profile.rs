//! A partner's profile: who to contact, the currency it prices in, and (for a reseller)
//! whether it fulfils orders from its own stock. Versioned: an update names the version it
//! read, and a stale one is refused ([`Error::Stale`]) instead of overwriting a newer change.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::entity::profiles;
use crate::catalog::money::Currency;
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::leads::Email;
use crate::registry::TenantKind;

/// A partner's profile as its console and its API show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub slug: String,
    /// `distributor` or `reseller`
    pub kind: String,
    /// `approved` (active), `pending` or `suspended`
    pub status: String,
    pub contact_name: String,
    pub contact_email: String,
    pub currency: String,
    /// Fulfils orders: always for a distributor; for a reseller, when it opted in.
    pub fulfils: bool,
    /// Hours it has to acknowledge a new order before the customer may pick another partner.
    pub ack_window_hours: u32,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// What a partner may change of its profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileInput {
    pub contact_name: String,
    pub contact_email: String,
    pub currency: String,
    /// A reseller's opt-in to fulfil (ignored for a distributor, which always fulfils).
    #[serde(default)]
    pub fulfils: Option<bool>,
    /// Hours to acknowledge a new order, 1 to 72 (`None`: unchanged; 4 for a new profile).
    #[serde(default)]
    pub ack_window_hours: Option<u32>,
}

/// The acknowledgement window of a new profile.
pub const DEFAULT_ACK_WINDOW_HOURS: u32 = 4;

/// The longest acknowledgement window a partner may set.
pub const MAX_ACK_WINDOW_HOURS: u32 = 72;

struct Checked {
    contact_name: String,
    contact_email: String,
    currency: Currency,
    ack_window_hours: Option<u32>,
}

fn check(input: &ProfileInput) -> Result<Checked> {
    let contact_name = crate::auth::users::parse_name(&input.contact_name)
        .map_err(|_| Error::validation("contact_name", "enter a name of 1 to 100 characters"))?;
    let contact_email = match Email::parse(&input.contact_email) {
        Ok(e) => e.as_str().to_owned(),
        Err(Error::Validation { message, .. }) => {
            return Err(Error::validation("contact_email", message));
        }
        Err(e) => return Err(e),
    };
    let currency = Currency::parse(&input.currency).ok_or_else(|| {
        Error::validation(
            "currency",
            "must be an ISO 4217 currency code such as EUR or USD",
        )
    })?;
    if let Some(h) = input.ack_window_hours
        && !(1..=MAX_ACK_WINDOW_HOURS).contains(&h)
    {
        return Err(Error::validation(
            "ack_window_hours",
            format!("from 1 to {MAX_ACK_WINDOW_HOURS} hours"),
        ));
    }
    Ok(Checked {
        contact_name,
        contact_email,
        currency,
        ack_window_hours: input.ack_window_hours,
    })
}

fn partner_kind(db: &TenantDb) -> Result<TenantKind> {
    match db.tenant().kind() {
        k @ (TenantKind::Distributor | TenantKind::Reseller) => Ok(k),
        TenantKind::Hub => Err(Error::NotFound("partner profile")),
    }
}

fn to_profile(db: &TenantDb, row: profiles::Model) -> Profile {
    let t = db.tenant();
    Profile {
        name: t.name().to_owned(),
        slug: t.slug().to_owned(),
        kind: t.kind().as_str().to_owned(),
        status: t.status().as_str().to_owned(),
        contact_name: row.contact_name,
        contact_email: row.contact_email,
        currency: row.currency,
        fulfils: t.kind() == TenantKind::Distributor || row.fulfils,
        ack_window_hours: u32::try_from(row.ack_window_hours).unwrap_or(DEFAULT_ACK_WINDOW_HOURS),
        version: row.version,
        updated_at: row.updated_at,
    }
}

/// The partner's profile; `NotFound` for a tenant that has none yet (a reseller that never
/// opened its partner settings) or is no partner (the hub).
pub async fn get(db: &TenantDb) -> Result<Profile> {
    partner_kind(db)?;
    let tx = db.begin().await?;
    let row = tx.find::<profiles::Entity>().one(tx.conn()).await?;
    tx.commit().await?;
    row.map(|r| to_profile(db, r))
        .ok_or(Error::NotFound("partner profile"))
}

/// Creates or replaces the profile. `expected_version` (what the caller read; `None` to
/// write whatever is there) must be the current one, or nothing changes ([`Error::Stale`]).
pub async fn put(
    db: &TenantDb,
    input: &ProfileInput,
    expected_version: Option<i64>,
) -> Result<Profile> {
    let kind = partner_kind(db)?;
    let c = check(input)?;
    let tx = db.begin_write().await?;
    let profile = put_in(&tx, kind, &c, input.fulfils, expected_version).await?;
    tx.commit().await?;
    Ok(to_profile(db, profile))
}

async fn put_in(
    tx: &TenantTx,
    kind: TenantKind,
    c: &Checked,
    fulfils: Option<bool>,
    expected_version: Option<i64>,
) -> Result<profiles::Model> {
    let now = Utc::now();
    let current = tx.find::<profiles::Entity>().one(tx.conn()).await?;
    let fulfils = kind == TenantKind::Distributor
        || fulfils.unwrap_or_else(|| current.as_ref().is_some_and(|r| r.fulfils));
    match current {
        None => {
            if let Some(v) = expected_version
                && v != 0
            {
                return Err(Error::Stale { current: 0 });
            }
            Ok(tx
                .insert(profiles::ActiveModel {
                    tenant_id: Set(tx.tenant_id().as_uuid()),
                    contact_name: Set(c.contact_name.clone()),
                    contact_email: Set(c.contact_email.clone()),
                    currency: Set(c.currency.code().to_owned()),
                    fulfils: Set(fulfils),
                    ack_window_hours: Set(c
                        .ack_window_hours
                        .unwrap_or(DEFAULT_ACK_WINDOW_HOURS)
                        .try_into()
                        .unwrap_or(4)),
                    version: Set(1),
                    updated_at: Set(now),
                })
                .await?)
        }
        Some(row) => {
            if let Some(v) = expected_version
                && v != row.version
            {
                return Err(Error::Stale {
                    current: row.version,
                });
            }
            // The version moves in SQL, and only from the one read: a writer that read the
            // same version at the same moment changes nothing and is told so.
            let done = tx
                .update_many::<profiles::Entity>()
                .col_expr(
                    profiles::Column::ContactName,
                    Expr::value(c.contact_name.clone()),
                )
                .col_expr(
                    profiles::Column::ContactEmail,
                    Expr::value(c.contact_email.clone()),
                )
                .col_expr(profiles::Column::Currency, Expr::value(c.currency.code()))
                .col_expr(profiles::Column::Fulfils, Expr::value(fulfils))
                .col_expr(
                    profiles::Column::AckWindowHours,
                    Expr::value(
                        c.ack_window_hours
                            .and_then(|h| i32::try_from(h).ok())
                            .unwrap_or(row.ack_window_hours),
                    ),
                )
                .col_expr(profiles::Column::UpdatedAt, Expr::value(now))
                .col_expr(
                    profiles::Column::Version,
                    Expr::col(profiles::Column::Version).add(1),
                )
                .filter(profiles::Column::Version.eq(row.version))
                .exec(tx.conn())
                .await?;
            if done.rows_affected == 0 {
                return Err(Error::Stale {
                    current: row.version + 1,
                });
            }
            tx.find::<profiles::Entity>()
                .one(tx.conn())
                .await?
                .ok_or(Error::NotFound("partner profile"))
        }
    }
}

/// The profile written in the transaction that creates the partner (see
/// [`super::create_distributor`]).
pub(crate) async fn create_in(tx: &TenantTx, kind: TenantKind, input: &ProfileInput) -> Result<()> {
    let c = check(input)?;
    put_in(tx, kind, &c, input.fulfils, None).await?;
    Ok(())
}

/// The acknowledgement window of the partner `tx` is bound to (the default without a profile).
pub(crate) async fn ack_window_in(tx: &TenantTx) -> Result<chrono::Duration> {
    let hours = tx
        .find::<profiles::Entity>()
        .one(tx.conn())
        .await?
        .map_or(DEFAULT_ACK_WINDOW_HOURS as i32, |p| p.ack_window_hours);
    Ok(chrono::Duration::hours(i64::from(
        hours.clamp(1, MAX_ACK_WINDOW_HOURS as i32),
    )))
}

/// The partner's contact (name, e-mail), read in a transaction bound to it; `None` before it
/// has a profile.
pub(crate) async fn contact_in(tx: &TenantTx) -> Result<Option<(String, String)>> {
    Ok(tx
        .find::<profiles::Entity>()
        .one(tx.conn())
        .await?
        .map(|p| (p.contact_name, p.contact_email)))
}

pub(crate) fn validate(input: &ProfileInput) -> Result<()> {
    check(input).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_checked_and_named() {
        let good = ProfileInput {
            contact_name: "Nora North".into(),
            contact_email: "Orders@North.example".into(),
            currency: "eur".into(),
            fulfils: None,
            ack_window_hours: None,
        };
        let c = check(&good).expect("valid");
        assert_eq!(c.contact_email, "orders@north.example");
        assert_eq!(c.currency.code(), "EUR");
        for (bad, field) in [
            (
                ProfileInput {
                    ack_window_hours: Some(73),
                    ..good.clone()
                },
                "ack_window_hours",
            ),
            (
                ProfileInput {
                    contact_name: " ".into(),
                    ..good.clone()
                },
                "contact_name",
            ),
            (
                ProfileInput {
                    contact_email: "nobody".into(),
                    ..good.clone()
                },
                "contact_email",
            ),
            (
                ProfileInput {
                    currency: "EURO".into(),
                    ..good.clone()
                },
                "currency",
            ),
        ] {
            match check(&bad) {
                Err(Error::Validation { field: f, .. }) => assert_eq!(f, field),
                Err(other) => panic!("{field}: expected a validation error, got {other:?}"),
                Ok(_) => panic!("{field}: accepted"),
            }
        }
    }
}
