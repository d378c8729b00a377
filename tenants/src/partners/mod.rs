//! The partner network: the tenants that fulfil orders (every distributor, and resellers that
//! opt in), what they sell at which price ([`price_list`]), where they ship ([`territories`]),
//! who to contact ([`profile`]), and the keys their own systems use ([`api_keys`]).
//!
//! Relationships are rows in `tenant_links`, one in each tenant's own rows, written in one
//! transaction: the hub owns a `distributor` link to each distributor; a distributor that
//! supplies a reseller owns a `supplies` link to it and the reseller owns a `supplier` link
//! back. Each side reads only its own links.

pub mod api_keys;
pub(crate) mod entity;
pub mod fulfilment;
pub mod idempotency;
pub mod price_csv;
pub mod price_list;
pub mod profile;
pub mod staff;
pub mod territories;

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use crate::auth::users::{self, NewUser};
use crate::auth::{Role, User};
use crate::db::{Database, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::registry::entity::links;
use crate::registry::{self, Slug, Tenant, TenantKind, TenantStatus};

/// The hub's link to a distributor.
pub const DISTRIBUTOR_RELATION: &str = "distributor";
/// A distributor's link to a reseller it supplies.
pub const SUPPLIES_RELATION: &str = "supplies";
/// A reseller's link to a distributor that supplies it.
pub const SUPPLIER_RELATION: &str = "supplier";

/// A new distributor, as the hub admin (or `hub distributor create`) describes it.
pub struct NewDistributor<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub profile: profile::ProfileInput,
    /// Its first admin: name, e-mail and password.
    pub admin_name: &'a str,
    pub admin_email: &'a str,
    pub admin_password: &'a str,
}

/// Creates an active distributor with its profile, its first admin and the hub's link to it,
/// in one transaction; every field is checked before anything is written.
pub async fn create_distributor(
    db: &Database,
    hub: &TenantDb,
    new: NewDistributor<'_>,
) -> Result<(Tenant, User)> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let name = registry::parse_name(new.name, "name")?;
    let slug = Slug::parse(new.slug)?;
    profile::validate(&new.profile)?;
    registry::slug_available(db, slug.as_str()).await?;
    let admin = NewUser::parse(
        new.admin_email,
        new.admin_name,
        new.admin_password,
        Role::DistributorAdmin,
    )
    .await?;

    let tx = db.begin_write().await?;
    let tenant = registry::create_in(&tx, TenantKind::Distributor, &slug, &name).await?;
    let hub_tx = TenantTx::bind(tx, db.backend(), hub.tenant_id()).await?;
    hub_tx
        .insert(links::ActiveModel {
            tenant_id: Set(hub.tenant_id().as_uuid()),
            partner_id: Set(tenant.id().as_uuid()),
            relation: Set(DISTRIBUTOR_RELATION.to_owned()),
            created_at: Set(Utc::now()),
        })
        .await?;
    let tx = hub_tx.rebind(tenant.id()).await?;
    profile::create_in(&tx, TenantKind::Distributor, &new.profile).await?;
    let user = users::insert(&tx, &TenantDb::new(db, &tenant), admin).await?;
    tx.commit().await?;
    Ok((tenant, user))
}

/// The hub sets one of its distributors active (`Approved`), `Paused` (no new orders or
/// quotes; its console and API keep working) or `Suspended` (its host and its keys stop
/// answering). Only through the hub's link to it.
pub async fn set_distributor_status(
    db: &Database,
    hub: &TenantDb,
    distributor: TenantId,
    status: TenantStatus,
) -> Result<Tenant> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    if !matches!(
        status,
        TenantStatus::Approved | TenantStatus::Paused | TenantStatus::Suspended
    ) {
        return Err(Error::validation(
            "status",
            "a distributor is active, paused or suspended",
        ));
    }
    let link =
        crate::access::Link::find(hub, distributor, crate::access::Relation::Distributor).await?;
    registry::set_status(db, link.partner(), status).await
}

/// A partner as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerRef {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub status: String,
}

impl From<&Tenant> for PartnerRef {
    fn from(t: &Tenant) -> Self {
        Self {
            id: t.id(),
            slug: t.slug().to_owned(),
            name: t.name().to_owned(),
            kind: t.kind().as_str().to_owned(),
            status: t.status().as_str().to_owned(),
        }
    }
}

/// The hub links `distributor` to `reseller` (the reseller may ask it for quotes and
/// transfer carts to it): a row in each of the two tenants' links, in one transaction.
/// Linking twice changes nothing.
pub async fn link_supplier(
    hub: &TenantDb,
    distributor: TenantId,
    reseller: TenantId,
) -> Result<()> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let db = hub.db();
    let d = registry::find_by_id(db, distributor)
        .await?
        .filter(|t| t.kind() == TenantKind::Distributor)
        .ok_or(Error::NotFound("distributor"))?;
    let r = registry::find_by_id(db, reseller)
        .await?
        .filter(|t| t.kind() == TenantKind::Reseller)
        .ok_or(Error::NotFound("reseller"))?;
    let now = Utc::now();
    let tx = db.begin_write().await?;
    let dtx = TenantTx::bind(tx, db.backend(), d.id()).await?;
    upsert_link(&dtx, r.id(), SUPPLIES_RELATION, now).await?;
    let rtx = dtx.rebind(r.id()).await?;
    upsert_link(&rtx, d.id(), SUPPLIER_RELATION, now).await?;
    rtx.commit().await?;
    Ok(())
}

async fn upsert_link(
    tx: &TenantTx,
    partner: TenantId,
    relation: &str,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    tx.upsert_many::<_, links::Entity>(
        vec![links::ActiveModel {
            tenant_id: Set(tx.tenant_id().as_uuid()),
            partner_id: Set(partner.as_uuid()),
            relation: Set(relation.to_owned()),
            created_at: Set(now),
        }],
        sea_orm::sea_query::OnConflict::columns([
            links::Column::TenantId,
            links::Column::PartnerId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .await?;
    Ok(())
}

/// The partners this tenant's own links name under `relation`, by name.
pub async fn linked(db: &TenantDb, relation: &str) -> Result<Vec<PartnerRef>> {
    Ok(linked_tenants(db, relation)
        .await?
        .iter()
        .map(PartnerRef::from)
        .collect())
}

/// The tenants this tenant's own links name under `relation`, by name.
/// Whether `db`'s own links name `partner` under `relation`.
pub(crate) async fn is_linked(db: &TenantDb, relation: &str, partner: TenantId) -> Result<bool> {
    let tx = db.begin().await?;
    let linked = is_linked_in(&tx, relation, partner).await?;
    tx.commit().await?;
    Ok(linked)
}

/// [`is_linked`] in a transaction bound to the tenant whose links are read.
pub(crate) async fn is_linked_in(tx: &TenantTx, relation: &str, partner: TenantId) -> Result<bool> {
    Ok(tx
        .find::<links::Entity>()
        .filter(links::Column::Relation.eq(relation))
        .filter(links::Column::PartnerId.eq(partner.as_uuid()))
        .one(tx.conn())
        .await?
        .is_some())
}

pub(crate) async fn linked_tenants(db: &TenantDb, relation: &str) -> Result<Vec<Tenant>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<links::Entity>()
        .filter(links::Column::Relation.eq(relation))
        .order_by_asc(links::Column::CreatedAt)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    let ids: Vec<TenantId> = rows.iter().map(|r| r.partner_id.into()).collect();
    let mut out = registry::find_many(db.db(), &ids).await?;
    out.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(out)
}
