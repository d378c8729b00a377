//! A store's side of the catalog: branding, selection, pricing rule and per-field overrides,
//! and the hub's policy over them (locked fields, allowed price range). Every change bumps
//! the store's catalog version in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::entity::{overrides, policy, products, selection, settings};
use super::master::{
    Product, check_description, check_name, normalise_sku, to_product, valid_media_name,
};
use super::money::{Money, PricingRule, Rounding};
use crate::access::MasterView;
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ProductId};
use crate::registry::{TenantKind, bump_catalog_version};

/// A product field a store may override.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Price,
    Name,
    Description,
    Featured,
    Hidden,
    Sort,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Self::Price,
        Self::Name,
        Self::Description,
        Self::Featured,
        Self::Hidden,
        Self::Sort,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Name => "name",
            Self::Description => "description",
            Self::Featured => "featured",
            Self::Hidden => "hidden",
            Self::Sort => "sort",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Name => "name",
            Self::Description => "description",
            Self::Featured => "featured",
            Self::Hidden => "hidden",
            Self::Sort => "sort order",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// An override's value, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Price(i64),
    Text(String),
    Flag(bool),
    Sort(i32),
}

impl Value {
    fn encode(&self) -> String {
        match self {
            Self::Price(m) => m.to_string(),
            Self::Text(t) => t.clone(),
            Self::Flag(b) => b.to_string(),
            Self::Sort(s) => s.to_string(),
        }
    }

    /// Decodes a stored value; `None` for a row this version cannot read (ignored).
    pub fn decode(field: Field, raw: &str) -> Option<Self> {
        match field {
            Field::Price => raw.parse().ok().map(Self::Price),
            Field::Name | Field::Description => Some(Self::Text(raw.to_owned())),
            Field::Featured | Field::Hidden => raw.parse().ok().map(Self::Flag),
            Field::Sort => raw.parse().ok().map(Self::Sort),
        }
    }
}

/// The hub's rules for stores: price overrides must stay within a range of the list price,
/// and locked fields cannot be overridden at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub price_min_pct: i32,
    pub price_max_pct: i32,
    pub locked: Vec<Field>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            price_min_pct: 90,
            price_max_pct: 150,
            locked: Vec::new(),
        }
    }
}

impl Policy {
    pub fn is_locked(&self, f: Field) -> bool {
        self.locked.contains(&f)
    }

    /// The allowed price range for a list price.
    pub fn price_range(&self, list: Money) -> (Money, Money) {
        (
            list.percent(i64::from(self.price_min_pct)),
            list.percent(i64::from(self.price_max_pct)),
        )
    }

    /// Whether a store may sell a product listed at `list` for `minor` (same currency).
    pub fn allows_price(&self, list: Money, minor: i64) -> bool {
        let (lo, hi) = self.price_range(list);
        (lo.minor..=hi.minor).contains(&minor)
    }
}

/// The hub's policy (defaults until the hub sets one).
pub async fn policy(master: &MasterView) -> Result<Policy> {
    let tx = master.hub().begin().await?;
    let p = policy_in(&tx).await?;
    tx.commit().await?;
    Ok(p)
}

pub(crate) async fn policy_in(tx: &TenantTx) -> Result<Policy> {
    let row = tx.find::<policy::Entity>().one(tx.conn()).await?;
    Ok(row.map_or_else(Policy::default, |r| Policy {
        price_min_pct: r.price_min_pct,
        price_max_pct: r.price_max_pct,
        locked: r
            .locked_fields
            .split(',')
            .filter_map(Field::parse)
            .collect(),
    }))
}

/// Sets the hub's policy. Locks take effect in every store at once (a locked field shows the
/// master's value whatever a store had set).
pub async fn set_policy(hub: &TenantDb, p: &Policy) -> Result<Policy> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    if !(1..=100).contains(&p.price_min_pct) {
        return Err(Error::validation(
            "price_min_pct",
            "must be between 1 % and 100 %",
        ));
    }
    if !(100..=1000).contains(&p.price_max_pct) {
        return Err(Error::validation(
            "price_max_pct",
            "must be between 100 % and 1000 %",
        ));
    }
    let mut locked = p.locked.clone();
    locked.sort();
    locked.dedup();
    let tx = hub.begin_write().await?;
    tx.delete_many::<policy::Entity>().exec(tx.conn()).await?;
    tx.insert(policy::ActiveModel {
        tenant_id: Set(hub.tenant_id().as_uuid()),
        price_min_pct: Set(p.price_min_pct),
        price_max_pct: Set(p.price_max_pct),
        locked_fields: Set(locked
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(",")),
        updated_at: Set(Utc::now()),
    })
    .await?;
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(Policy {
        locked,
        ..p.clone()
    })
}

mod branding;
mod override_rules;
mod pricing;
mod saved;
#[cfg(test)]
mod tests;

pub use branding::*;
pub use override_rules::*;
pub use pricing::*;
pub use saved::*;
