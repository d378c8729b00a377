//! A distributor's auto-quote rules: whether the hub answers the product lines of a new RFQ
//! at once from its price list, how long such an answer is valid, and the largest order value
//! it will quote that way (a larger request waits for a person or its system).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::rules;
use crate::catalog::money::{Currency, Money};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// The validity of an automatic answer unless the rules set another, in days.
pub const DEFAULT_VALIDITY_DAYS: u32 = 14;
/// The longest validity a rule may set, in days.
pub const MAX_VALIDITY_DAYS: u32 = 365;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    pub enabled: bool,
    pub validity_days: u32,
    /// The largest total it answers automatically (`None`: no cap).
    pub cap: Option<Money>,
    /// 0 before the rules were first saved.
    pub version: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            enabled: false,
            validity_days: DEFAULT_VALIDITY_DAYS,
            cap: None,
            version: 0,
        }
    }
}

/// The rules as the console's form sends them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesInput {
    pub enabled: bool,
    pub validity_days: u32,
    /// A decimal amount in `currency` ("" for no cap).
    pub cap: String,
    pub currency: String,
}

fn to_rules(m: rules::Model) -> Rules {
    let cur = Currency::parse(&m.currency);
    Rules {
        enabled: m.enabled,
        validity_days: super::to_u32(i64::from(m.validity_days)),
        cap: m.cap_minor.zip(cur).map(|(c, cur)| Money::new(c, cur)),
        version: m.version,
    }
}

pub(crate) async fn get_in(tx: &TenantTx) -> Result<Rules> {
    Ok(tx
        .find::<rules::Entity>()
        .one(tx.conn())
        .await?
        .map(to_rules)
        .unwrap_or_default())
}

fn distributor(db: &TenantDb) -> Result<()> {
    if db.tenant().kind() == TenantKind::Distributor {
        Ok(())
    } else {
        Err(Error::NotFound("auto-quote rules"))
    }
}

/// The distributor's rules (off until it saves some).
pub async fn get(db: &TenantDb) -> Result<Rules> {
    distributor(db)?;
    let tx = db.begin().await?;
    let r = get_in(&tx).await?;
    tx.commit().await?;
    Ok(r)
}

/// Saves the rules if `expected_version` (what the caller read) is still current.
pub async fn put(
    db: &TenantDb,
    input: &RulesInput,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Rules> {
    distributor(db)?;
    if !(1..=MAX_VALIDITY_DAYS).contains(&input.validity_days) {
        return Err(Error::validation(
            "validity_days",
            format!("from 1 to {MAX_VALIDITY_DAYS} days"),
        ));
    }
    let currency = Currency::parse(&input.currency)
        .ok_or_else(|| Error::validation("currency", "must be an ISO 4217 code such as EUR"))?;
    let cap = super::parse_price("cap", &input.cap, currency)?;
    let tx = db.begin_write().await?;
    let current = tx.find::<rules::Entity>().one(tx.conn()).await?;
    let version = current.as_ref().map_or(0, |c| c.version);
    if let Some(v) = expected_version
        && v != version
    {
        return Err(Error::Stale { current: version });
    }
    let days = i32::try_from(input.validity_days).unwrap_or(i32::MAX);
    if current.is_some() {
        tx.update_many::<rules::Entity>()
            .col_expr(rules::Column::Enabled, Expr::value(input.enabled))
            .col_expr(rules::Column::ValidityDays, Expr::value(days))
            .col_expr(rules::Column::CapMinor, Expr::value(cap.map(|c| c.minor)))
            .col_expr(rules::Column::Currency, Expr::value(currency.code()))
            .col_expr(
                rules::Column::Version,
                Expr::col(rules::Column::Version).add(1),
            )
            .col_expr(rules::Column::UpdatedAt, Expr::value(now))
            .filter(rules::Column::Version.eq(version))
            .exec(tx.conn())
            .await?;
    } else {
        tx.insert(rules::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            enabled: Set(input.enabled),
            validity_days: Set(days),
            cap_minor: Set(cap.map(|c| c.minor)),
            currency: Set(currency.code().to_owned()),
            version: Set(1),
            updated_at: Set(now),
        })
        .await?;
    }
    let r = get_in(&tx).await?;
    tx.commit().await?;
    Ok(r)
}
