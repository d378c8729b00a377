//! Relationships between tenants, through the explicit `tenant_links` table: the hub owns a
//! link to each reseller that signed up with it. The hub's view of its resellers goes through
//! these links, never through a bypass of tenant scoping.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use super::entity::{self, links};
use super::{Tenant, TenantKind, TenantStatus};
use crate::db::{Database, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;

pub const RESELLER_RELATION: &str = "reseller";

/// Records that `partner` resells for the hub `tx` is bound to.
pub(crate) async fn link_reseller(tx: &TenantTx, partner: &Tenant) -> Result<()> {
    tx.insert(links::ActiveModel {
        tenant_id: Set(tx.tenant_id().as_uuid()),
        partner_id: Set(partner.id().as_uuid()),
        relation: Set(RESELLER_RELATION.to_owned()),
        created_at: Set(Utc::now()),
    })
    .await?;
    Ok(())
}

/// Filters for the hub's list of resellers.
#[derive(Clone, Debug, Default)]
pub struct PartnerQuery {
    pub status: Option<TenantStatus>,
    /// Matches name or slug, case-insensitively.
    pub search: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Debug)]
pub struct PartnerPage {
    pub items: Vec<Tenant>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// The resellers linked to the hub of `hub_db`, newest first.
pub async fn list_resellers(
    db: &Database,
    hub_db: &TenantDb,
    q: &PartnerQuery,
) -> Result<PartnerPage> {
    if hub_db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let tx = hub_db.begin().await?;
    let ids: Vec<_> = tx
        .find::<links::Entity>()
        .filter(links::Column::Relation.eq(RESELLER_RELATION))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|l| l.partner_id)
        .collect();
    tx.commit().await?;
    let mut select = entity::Entity::find()
        .filter(entity::Column::Id.is_in(ids))
        .order_by_desc(entity::Column::CreatedAt);
    if let Some(status) = q.status {
        select = select.filter(entity::Column::Status.eq(status.as_str()));
    }
    if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Lower-cased on both sides: LIKE is case-sensitive on PostgreSQL.
        let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
        let lower = |c: entity::Column| Expr::expr(Func::lower(Expr::col(c)));
        select = select.filter(
            Condition::any()
                .add(lower(entity::Column::Name).like(pattern.clone()))
                .add(lower(entity::Column::Slug).like(pattern)),
        );
    }
    let per_page = q.per_page.clamp(1, 100);
    let pages = select.paginate(db.conn(), per_page);
    let total = pages.num_items().await?;
    let items = pages
        .fetch_page(q.page)
        .await?
        .into_iter()
        .map(Tenant::from_model)
        .collect::<Result<Vec<_>>>()?;
    Ok(PartnerPage {
        items,
        total,
        page: q.page,
        per_page,
    })
}

/// The reseller `id`, if it is linked to the hub of `hub_db`; `NotFound` otherwise (also for
/// a tenant that exists but is not this hub's partner).
pub async fn reseller_of(db: &Database, hub_db: &TenantDb, id: TenantId) -> Result<Tenant> {
    if hub_db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let tx = hub_db.begin().await?;
    let link = tx
        .find::<links::Entity>()
        .filter(links::Column::PartnerId.eq(id.as_uuid()))
        .filter(links::Column::Relation.eq(RESELLER_RELATION))
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    if link.is_none() {
        return Err(Error::NotFound("reseller"));
    }
    super::find_by_id(db, id)
        .await?
        .ok_or(Error::NotFound("reseller"))
}
