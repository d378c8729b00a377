//! The tenant registry: the hub itself, resellers and distributors. The `tenants` table is the
//! one table that is not tenant-owned; only this module reads it.

mod cache;
mod domains;
pub(crate) mod entity;
pub(crate) mod partners;
mod slug;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::Database;
use crate::error::{Error, Result};
use crate::ids::TenantId;

pub use cache::{Key as HostKey, RegistryCache};
pub use domains::{Domain, add_domain, domains_of, find_by_domain, remove_domain};
pub use entity::Entity as TenantEntity;
pub(crate) use partners::link_reseller as partners_link;
pub use partners::{PartnerPage, PartnerQuery, RESELLER_RELATION, list_resellers, reseller_of};
pub use slug::{RESERVED, Slug};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    Hub,
    Reseller,
    Distributor,
}

impl TenantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hub => "hub",
            Self::Reseller => "reseller",
            Self::Distributor => "distributor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hub" => Some(Self::Hub),
            "reseller" => Some(Self::Reseller),
            "distributor" => Some(Self::Distributor),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    Pending,
    /// Active.
    Approved,
    /// A distributor the hub paused: its console and API work, but it is offered no new
    /// orders or quotes (only active partners fulfil).
    Paused,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Paused => "paused",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "paused" => Some(Self::Paused),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// The slug the hub tenant is stored under. It is a reserved word, so no reseller can take it.
pub const HUB_SLUG: &str = "hub";

/// A tenant the registry resolved. Its fields are private and it has no public constructor:
/// holding one proves the tenant exists, which is what [`crate::TenantDb`] is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    id: TenantId,
    kind: TenantKind,
    slug: String,
    name: String,
    tagline: Option<String>,
    status: TenantStatus,
    version: i64,
}

impl Tenant {
    pub fn id(&self) -> TenantId {
        self.id
    }
    pub fn kind(&self) -> TenantKind {
        self.kind
    }
    pub fn slug(&self) -> &str {
        &self.slug
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn tagline(&self) -> Option<&str> {
        self.tagline.as_deref()
    }
    pub fn status(&self) -> TenantStatus {
        self.status
    }
    /// Bumped on every change to the tenant, so caches can tell a stale copy.
    pub fn version(&self) -> i64 {
        self.version
    }

    fn from_model(m: entity::Model) -> Result<Self> {
        let bad = |what: &str| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "tenant {} has an unknown {what}",
                m.id
            )))
        };
        Ok(Self {
            id: m.id.into(),
            kind: TenantKind::parse(&m.kind).ok_or_else(|| bad("kind"))?,
            status: TenantStatus::parse(&m.status).ok_or_else(|| bad("status"))?,
            slug: m.slug,
            name: m.name,
            tagline: m.tagline,
            version: m.version,
        })
    }
}

/// The hub tenant, created on first use with `name` and `tagline`; an existing hub is
/// returned unchanged.
pub async fn ensure_hub(db: &Database, name: &str, tagline: &str) -> Result<Tenant> {
    if let Some(hub) = hub(db).await? {
        return Ok(hub);
    }
    let now = Utc::now();
    let model = entity::ActiveModel {
        id: Set(TenantId::generate().as_uuid()),
        kind: Set(TenantKind::Hub.as_str().to_owned()),
        slug: Set(HUB_SLUG.to_owned()),
        name: Set(name.to_owned()),
        tagline: Set(Some(tagline.to_owned())),
        status: Set(TenantStatus::Approved.as_str().to_owned()),
        version: Set(1),
        catalog_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match model.insert(db.conn()).await {
        Ok(m) => Tenant::from_model(m),
        // Two processes starting at once: the other one won, use its row.
        Err(e) => match hub(db).await? {
            Some(hub) => Ok(hub),
            None => Err(Error::Db(e)),
        },
    }
}

/// The hub tenant, if the deployment has one yet.
pub async fn hub(db: &Database) -> Result<Option<Tenant>> {
    find_by_slug(db, HUB_SLUG).await
}

/// The tenant whose slug is `slug` (compared in lower case).
pub async fn find_by_slug(db: &Database, slug: &str) -> Result<Option<Tenant>> {
    entity::Entity::find()
        .filter(entity::Column::Slug.eq(slug.to_ascii_lowercase()))
        .one(db.conn())
        .await?
        .map(Tenant::from_model)
        .transpose()
}

/// The tenant with id `id`.
pub async fn find_by_id(db: &Database, id: TenantId) -> Result<Option<Tenant>> {
    entity::Entity::find_by_id(id.as_uuid())
        .one(db.conn())
        .await?
        .map(Tenant::from_model)
        .transpose()
}

/// The tenants with these ids (in one query; unknown ids are left out).
pub async fn find_many(db: &Database, ids: &[TenantId]) -> Result<Vec<Tenant>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    entity::Entity::find()
        .filter(entity::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
        .all(db.conn())
        .await?
        .into_iter()
        .map(Tenant::from_model)
        .collect()
}

/// Every tenant of one of `kinds`, by name.
pub async fn all_of_kinds(db: &Database, kinds: &[TenantKind]) -> Result<Vec<Tenant>> {
    use sea_orm::QueryOrder as _;
    entity::Entity::find()
        .filter(entity::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())))
        .order_by_asc(entity::Column::Name)
        .all(db.conn())
        .await?
        .into_iter()
        .map(Tenant::from_model)
        .collect()
}

/// A tenant display name: tidied, 2 to 120 characters.
pub fn parse_name(raw: &str, field: &'static str) -> Result<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = name.chars().count();
    if !(2..=120).contains(&len) {
        return Err(Error::validation(field, "must be 2 to 120 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name)
}

/// Registers a reseller or distributor under `slug`. Resellers start pending (the hub
/// approves them); distributors are created by the hub and start approved.
pub async fn create(db: &Database, kind: TenantKind, slug: &str, name: &str) -> Result<Tenant> {
    create_in(
        db.conn(),
        kind,
        &Slug::parse(slug)?,
        &parse_name(name, "name")?,
    )
    .await
}

pub(crate) async fn create_in(
    conn: &impl ConnectionTrait,
    kind: TenantKind,
    slug: &Slug,
    name: &str,
) -> Result<Tenant> {
    if kind == TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let status = match kind {
        TenantKind::Distributor => TenantStatus::Approved,
        _ => TenantStatus::Pending,
    };
    let now = Utc::now();
    let model = entity::ActiveModel {
        id: Set(TenantId::generate().as_uuid()),
        kind: Set(kind.as_str().to_owned()),
        slug: Set(slug.as_str().to_owned()),
        name: Set(name.to_owned()),
        tagline: Set(None),
        status: Set(status.as_str().to_owned()),
        version: Set(1),
        catalog_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let m = model.insert(conn).await.map_err(|e| {
        Error::on_unique_violation(
            e,
            format!("the address '{}' is already taken", slug.as_str()),
        )
    })?;
    Tenant::from_model(m)
}

/// Whether `slug` could be registered now: `Ok(())`, or the reason it cannot.
pub async fn slug_available(db: &Database, slug: &str) -> Result<()> {
    let slug = Slug::parse(slug)?;
    if find_by_slug(db, slug.as_str()).await?.is_some() {
        return Err(Error::Conflict(format!(
            "the address '{}' is already taken",
            slug.as_str()
        )));
    }
    Ok(())
}

/// Approves, suspends or reinstates a tenant, bumping its version. The hub itself cannot be
/// suspended. `tenant` may be a stale copy: the version is bumped in SQL and the tenant is
/// answered as it is after the change.
pub async fn set_status(db: &Database, tenant: &Tenant, status: TenantStatus) -> Result<Tenant> {
    if tenant.kind == TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let tx = db.begin_write().await?;
    bumped(entity::Column::Status, status.as_str())
        .filter(entity::Column::Id.eq(tenant.id.as_uuid()))
        .exec(&tx)
        .await?;
    let updated = reread(&tx, tenant.id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// `UPDATE tenants SET {column} = {value}, version = version + 1, updated_at = now`: the
/// version moves on from what the row holds, not from a copy read earlier, so two changes
/// made from the same copy (in one process or two) count twice.
fn bumped(column: entity::Column, value: &str) -> sea_orm::UpdateMany<entity::Entity> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    entity::Entity::update_many()
        .col_expr(column, Expr::value(value.to_owned()))
        .col_expr(
            entity::Column::Version,
            Expr::col(entity::Column::Version).add(1),
        )
        .col_expr(entity::Column::UpdatedAt, Expr::value(Utc::now()))
}

/// The tenant as the transaction sees it now.
async fn reread(conn: &impl ConnectionTrait, id: TenantId) -> Result<Tenant> {
    entity::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or(Error::NotFound("tenant"))
        .and_then(Tenant::from_model)
}

/// How many tenants of `kind` have `status`: the hub's own view over its partners.
pub async fn count(db: &Database, kind: TenantKind, status: TenantStatus) -> Result<u64> {
    Ok(entity::Entity::find()
        .filter(entity::Column::Kind.eq(kind.as_str()))
        .filter(entity::Column::Status.eq(status.as_str()))
        .count(db.conn())
        .await?)
}

/// Moves a reseller's store to another address (the store wizard's subdomain step). The old
/// address stops answering at once for this process once the caller invalidates the cache.
/// Moving to the address the store already has changes nothing.
pub async fn set_slug(db: &Database, tenant: &Tenant, slug: &str) -> Result<Tenant> {
    if tenant.kind != TenantKind::Reseller {
        return Err(Error::Forbidden);
    }
    let slug = Slug::parse(slug)?;
    let tx = db.begin_write().await?;
    // Compared with the row, not with `tenant`, which may be a stale copy.
    bumped(entity::Column::Slug, slug.as_str())
        .filter(entity::Column::Id.eq(tenant.id.as_uuid()))
        .filter(entity::Column::Slug.ne(slug.as_str()))
        .exec(&tx)
        .await
        .map_err(|e| {
            Error::on_unique_violation(
                e,
                format!("the address '{}' is already taken", slug.as_str()),
            )
        })?;
    let updated = reread(&tx, tenant.id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Renames a reseller's store (the wizard's name step). The name is checked like a new
/// tenant's; the tenant's version moves on, so cached pages showing the old name are not
/// served again. Renaming to the current name changes nothing. The caller invalidates the
/// registry cache.
pub async fn rename(db: &Database, tenant: &Tenant, name: &str) -> Result<Tenant> {
    if tenant.kind != TenantKind::Reseller {
        return Err(Error::Forbidden);
    }
    let name = parse_name(name, "name")?;
    let tx = db.begin_write().await?;
    bumped(entity::Column::Name, &name)
        .filter(entity::Column::Id.eq(tenant.id.as_uuid()))
        .filter(entity::Column::Name.ne(name.as_str()))
        .exec(&tx)
        .await?;
    let updated = reread(&tx, tenant.id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// The catalog versions of `ids` (the hub's master and a store): one indexed read, the only
/// query a warm storefront makes. A missing tenant is left out.
pub async fn catalog_versions(db: &Database, ids: &[TenantId]) -> Result<Vec<(TenantId, i64)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(uuid::Uuid, i64)> = entity::Entity::find()
        .select_only()
        .column(entity::Column::Id)
        .column(entity::Column::CatalogVersion)
        .filter(entity::Column::Id.is_in(ids.iter().map(|i| i.as_uuid())))
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(|(id, v)| (id.into(), v)).collect())
}

/// Marks the catalog of the transaction's tenant changed (same transaction as the change, so
/// a reader never sees the change without the new version, nor the reverse).
pub(crate) async fn bump_catalog_version(tx: &crate::db::TenantTx) -> Result<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    entity::Entity::update_many()
        .col_expr(
            entity::Column::CatalogVersion,
            Expr::col(entity::Column::CatalogVersion).add(1),
        )
        .filter(entity::Column::Id.eq(tx.tenant_id().as_uuid()))
        .exec(tx.conn())
        .await?;
    Ok(())
}
