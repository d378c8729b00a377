//! API keys for a partner's systems. A key is `hub_live_…` or `hub_test_…` followed by 32
//! random bytes in hex: shown once when created, stored as its SHA-256 only. The key names its
//! tenant (it is looked up by its hash before any tenant is known), its scopes and its mode; a
//! revoked key is refused at once.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::entity::api_keys;
use crate::db::{Database, TenantDb};
use crate::error::{Error, Result};
use crate::registry::{self, Tenant, TenantKind, TenantStatus};

/// Keys per partner, at most (revoked ones included).
pub const MAX_KEYS: usize = 50;
/// Characters of the secret kept in the clear after the mode prefix, to tell keys apart.
const SHOWN: usize = 6;

/// Live keys act on real data; test keys on the partner's sandbox, never on real orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Live,
    Test,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "live" => Some(Self::Live),
            "test" => Some(Self::Test),
            _ => None,
        }
    }
}

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "profile:read")]
    ProfileRead,
    #[serde(rename = "profile:write")]
    ProfileWrite,
    #[serde(rename = "prices:read")]
    PricesRead,
    #[serde(rename = "prices:write")]
    PricesWrite,
    #[serde(rename = "territories:read")]
    TerritoriesRead,
    #[serde(rename = "territories:write")]
    TerritoriesWrite,
    #[serde(rename = "webhooks:read")]
    WebhooksRead,
    #[serde(rename = "webhooks:write")]
    WebhooksWrite,
    #[serde(rename = "orders:read")]
    OrdersRead,
    #[serde(rename = "orders:write")]
    OrdersWrite,
    #[serde(rename = "rfqs:read")]
    RfqsRead,
    #[serde(rename = "rfqs:write")]
    RfqsWrite,
}

impl Scope {
    pub const ALL: [Scope; 12] = [
        Self::ProfileRead,
        Self::ProfileWrite,
        Self::PricesRead,
        Self::PricesWrite,
        Self::TerritoriesRead,
        Self::TerritoriesWrite,
        Self::WebhooksRead,
        Self::WebhooksWrite,
        Self::OrdersRead,
        Self::OrdersWrite,
        Self::RfqsRead,
        Self::RfqsWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProfileRead => "profile:read",
            Self::ProfileWrite => "profile:write",
            Self::PricesRead => "prices:read",
            Self::PricesWrite => "prices:write",
            Self::TerritoriesRead => "territories:read",
            Self::TerritoriesWrite => "territories:write",
            Self::WebhooksRead => "webhooks:read",
            Self::WebhooksWrite => "webhooks:write",
            Self::OrdersRead => "orders:read",
            Self::OrdersWrite => "orders:write",
            Self::RfqsRead => "rfqs:read",
            Self::RfqsWrite => "rfqs:write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// A key as its console lists it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub id: Uuid,
    pub name: String,
    /// e.g. `hub_live_3f9a0c…`
    pub prefix: String,
    pub mode: Mode,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new key: the secret is in `key`, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKey {
    pub key: String,
    pub info: KeyInfo,
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn info(r: api_keys::Model) -> KeyInfo {
    KeyInfo {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        mode: Mode::parse(&r.mode).unwrap_or(Mode::Test),
        scopes: r.scopes.split(',').filter_map(Scope::parse).collect(),
        created_at: r.created_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}

fn partner(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Distributor | TenantKind::Reseller => Ok(()),
        TenantKind::Hub => Err(Error::NotFound("API keys")),
    }
}

/// Creates a key for the partner of `db`.
pub async fn create(db: &TenantDb, name: &str, mode: Mode, scopes: &[Scope]) -> Result<NewKey> {
    partner(db)?;
    let name = registry::parse_name(name, "name")?;
    if scopes.is_empty() {
        return Err(Error::validation("scopes", "choose at least one scope"));
    }
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| Error::Conflict(format!("no randomness: {e}")))?;
    let secret = hex::encode(secret);
    let key = format!("hub_{}_{secret}", mode.as_str());
    let prefix = format!("hub_{}_{}", mode.as_str(), &secret[..SHOWN]);
    let tx = db.begin_write().await?;
    let count = tx.find::<api_keys::Entity>().count(tx.conn()).await?;
    if count >= MAX_KEYS as u64 {
        return Err(Error::Conflict(format!(
            "a partner has at most {MAX_KEYS} keys: delete old ones first"
        )));
    }
    let row = tx
        .insert(api_keys::ActiveModel {
            tenant_id: Set(tx.tenant_id().as_uuid()),
            id: Set(Uuid::new_v4()),
            name: Set(name),
            prefix: Set(prefix),
            hash: Set(hash(&key)),
            mode: Set(mode.as_str().to_owned()),
            scopes: Set(scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")),
            created_at: Set(Utc::now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
        })
        .await?;
    tx.commit().await?;
    Ok(NewKey {
        key,
        info: info(row),
    })
}

pub async fn list(db: &TenantDb) -> Result<Vec<KeyInfo>> {
    partner(db)?;
    let tx = db.begin().await?;
    let rows = tx
        .find::<api_keys::Entity>()
        .order_by_desc(api_keys::Column::CreatedAt)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(info).collect())
}

/// Revokes a key of this partner (at once: the next request with it is refused).
pub async fn revoke(db: &TenantDb, id: Uuid) -> Result<KeyInfo> {
    partner(db)?;
    let tx = db.begin_write().await?;
    tx.update_many::<api_keys::Entity>()
        .col_expr(
            api_keys::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(tx.conn())
        .await?;
    let row = tx
        .find::<api_keys::Entity>()
        .filter(api_keys::Column::Id.eq(id))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("API key"))?;
    tx.commit().await?;
    Ok(info(row))
}

/// Why a key was refused: said the same way for every cause, so a caller learns nothing of
/// other tenants' keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefused {
    #[error("the API key is missing, malformed, unknown or revoked")]
    Invalid,
    /// The key is valid but its partner is not active (pending or suspended).
    #[error("this partner account is not active")]
    Inactive,
}

/// Whether `raw` has a key's shape (`hub_live_` or `hub_test_` and 64 hex digits).
pub fn well_formed(raw: &str) -> bool {
    let rest = raw
        .strip_prefix("hub_live_")
        .or_else(|| raw.strip_prefix("hub_test_"));
    rest.is_some_and(|r| {
        r.len() == 64
            && r.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

/// The key's tenant and record, for [`crate::access::PartnerSystem`]. Marks the key used
/// (at most once a minute, to spare the writes).
pub(crate) async fn authenticate(
    db: &Database,
    raw: &str,
) -> std::result::Result<(Tenant, KeyInfo), KeyRefused> {
    if !well_formed(raw) {
        return Err(KeyRefused::Invalid);
    }
    let row = api_keys::Entity::find()
        .filter(api_keys::Column::Hash.eq(hash(raw)))
        .one(db.conn())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "API key lookup failed");
            KeyRefused::Invalid
        })?
        .ok_or(KeyRefused::Invalid)?;
    if row.revoked_at.is_some() {
        return Err(KeyRefused::Invalid);
    }
    let tenant = registry::find_by_id(db, row.tenant_id.into())
        .await
        .ok()
        .flatten()
        .ok_or(KeyRefused::Invalid)?;
    // A paused partner's systems still keep its data; pending and suspended ones are refused.
    if !matches!(
        tenant.status(),
        TenantStatus::Approved | TenantStatus::Paused
    ) {
        return Err(KeyRefused::Inactive);
    }
    let now = Utc::now();
    if row
        .last_used_at
        .is_none_or(|t| now - t > chrono::TimeDelta::minutes(1))
    {
        let scoped = TenantDb::new(db, &tenant);
        if let Ok(tx) = scoped.begin_write().await {
            let _ = tx
                .update_many::<api_keys::Entity>()
                .col_expr(
                    api_keys::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(api_keys::Column::Id.eq(row.id))
                .exec(tx.conn())
                .await;
            let _ = tx.commit().await;
        }
    }
    Ok((tenant, info(row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_one_shape() {
        let good = format!("hub_live_{}", "a1".repeat(32));
        assert!(well_formed(&good));
        assert!(well_formed(&format!("hub_test_{}", "0f".repeat(32))));
        for bad in [
            String::new(),
            "hub_live_".into(),
            format!("hub_prod_{}", "a1".repeat(32)),
            format!("hub_live_{}", "A1".repeat(32)),
            format!("hub_live_{}x", "a1".repeat(32)),
            format!(" hub_live_{}", "a1".repeat(32)),
        ] {
            assert!(!well_formed(&bad), "{bad:?}");
        }
        assert_eq!(Scope::parse("prices:write"), Some(Scope::PricesWrite));
        assert_eq!(Scope::parse("orders:write"), Some(Scope::OrdersWrite));
        assert_eq!(Scope::parse("quotes:write"), None);
    }
}
