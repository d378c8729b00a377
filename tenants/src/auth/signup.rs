//! Sign-up: a reseller applying on the hub (a pending reseller tenant, its admin and the hub's
//! link to it, all in one transaction), and a customer joining a store.

use super::users::{self, NewUser};
use super::{Role, User};
use crate::db::{Database, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::registry::{self, Slug, Tenant, TenantKind, TenantStatus};

/// A reseller's application, as typed into the sign-up form.
pub struct ResellerApplication<'a> {
    pub company: &'a str,
    pub slug: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// Creates a pending reseller under the hub `hub`, with `app.email` as its first admin. Every
/// field is checked before anything is written; nothing is written unless all of it is.
pub async fn reseller(
    db: &Database,
    hub: &Tenant,
    app: ResellerApplication<'_>,
) -> Result<(Tenant, User)> {
    if hub.kind() != TenantKind::Hub {
        return Err(Error::NotFound("page"));
    }
    let company = registry::parse_name(app.company, "company")?;
    let slug = Slug::parse(app.slug)?;
    registry::slug_available(db, slug.as_str()).await?;
    let new = NewUser::parse(app.email, app.name, app.password, Role::ResellerAdmin).await?;

    let tx = db.begin_write().await?;
    let tenant = registry::create_in(&tx, TenantKind::Reseller, &slug, &company).await?;
    let hub_tx = TenantTx::bind(tx, db.backend(), hub.id()).await?;
    registry::partners_link(&hub_tx, &tenant).await?;
    let tx = hub_tx.rebind(tenant.id()).await?;
    let user = users::insert(&tx, &TenantDb::new(db, &tenant), new).await?;
    tx.commit().await?;
    Ok((tenant, user))
}

/// Creates a customer account in the store of `db`. Only live stores take customers.
pub async fn customer(db: &TenantDb, email: &str, name: &str, password: &str) -> Result<User> {
    let tenant = db.tenant();
    let shop = matches!(tenant.kind(), TenantKind::Hub | TenantKind::Reseller);
    if !shop || tenant.status() != TenantStatus::Approved {
        return Err(Error::NotFound("store"));
    }
    let new = NewUser::parse(email, name, password, Role::Customer).await?;
    users::create(db, new).await
}
