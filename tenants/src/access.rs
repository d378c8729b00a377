//! Who may reach which tenant's rows: the only way code outside this crate gets a
//! [`TenantDb`].
//!
//! The server turns a request into a [`Caller`]: the tenant its host resolved to (a [`Tenant`]
//! only the registry makes) and the principal its session cookie proved (a [`Principal`] only
//! session verification makes). A caller becomes a guard by passing one check, and the guard
//! is what holds the tenant's handle:
//!
//! | guard | who | where |
//! | --- | --- | --- |
//! | [`Visitor`] | anyone, signed in or not | any tenant's host |
//! | [`Shopper`] | anyone, signed in or not | a store's host (or the hub's own store) |
//! | [`HubVisitor`] | anyone, signed in or not | the hub's host |
//! | [`Member`] | any signed-in user | their own tenant's host |
//! | [`Customer`] | a signed-in customer | a store's host (or the hub's own store) |
//! | [`StoreStaff`] | reseller admin or staff | their store's host |
//! | [`StoreAdmin`] | reseller admin | their store's host |
//! | [`DistributorStaff`] | distributor admin or staff | their distributor's host |
//! | [`HubAdmin`] | a hub administrator | the hub's host |
//! | [`PartnerSystem`] | a partner's system, by API key | the partner API (any host) |
//!
//! A check that fails says why ([`Denied`]): no session (401), the wrong role (403), or the
//! wrong kind of host for this function (404: a hub console function on a store's host does
//! not exist there).
//!
//! Other tenants' data is reached only through an explicit relationship: a store reads the
//! hub's master catalog through a read-only [`MasterView`], and partners through a [`Link`]
//! (a row in `tenant_links`). Tools that act as the operator (the CLI, the seed, the
//! benchmark's data generator) open handles with [`operator`]; the `app` crate, which holds
//! the public endpoints, is forbidden that function (`app/clippy.toml`).
//!
//! ```compile_fail,E0624
//! // A handle cannot be made from a tenant without a guard:
//! fn sneak(db: &tenants::Database, t: &tenants::Tenant) -> tenants::TenantDb {
//!     tenants::TenantDb::new(db, t)
//! }
//! ```
//!
//! ```compile_fail,E0451
//! // Nor can a principal be made up to pass a guard:
//! fn forge(p: tenants::auth::Principal) -> tenants::auth::Principal {
//!     tenants::auth::Principal { role: tenants::auth::Role::HubAdmin, ..p }
//! }
//! ```

use crate::auth::{Principal, Role};
use crate::db::{Database, TenantDb};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::registry::{self, Tenant, TenantKind};

/// Why a caller did not pass a guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// No session: log in first (401).
    #[error("please log in first")]
    Unauthenticated,
    /// Signed in, but not in a role that may do this (403).
    #[error("you are not allowed to do that")]
    Forbidden,
    /// This kind of tenant has no such function at all (404).
    #[error("not found")]
    NotHere,
}

/// A request as the server established it: the host's tenant and the verified principal.
#[derive(Clone, Debug)]
pub struct Caller {
    db: Database,
    tenant: Tenant,
    principal: Option<Principal>,
}

impl Caller {
    /// `principal` must be the one session verification returned for `tenant`; one of another
    /// tenant counts as none.
    pub fn new(db: &Database, tenant: Tenant, principal: Option<Principal>) -> Self {
        let principal = principal.filter(|p| p.tenant_id == tenant.id());
        Self {
            db: db.clone(),
            tenant,
            principal,
        }
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    fn handle(&self) -> TenantDb {
        TenantDb::new(&self.db, &self.tenant)
    }

    fn signed_in_as(&self, roles: &[Role]) -> Result<Principal, Denied> {
        let p = self.principal.clone().ok_or(Denied::Unauthenticated)?;
        if roles.contains(&p.role) {
            Ok(p)
        } else {
            Err(Denied::Forbidden)
        }
    }

    fn on(&self, kinds: &[TenantKind]) -> Result<(), Denied> {
        if kinds.contains(&self.tenant.kind()) {
            Ok(())
        } else {
            Err(Denied::NotHere)
        }
    }

    /// Anyone on this host: storefront reads, carts, log-in, sign-up.
    pub fn visitor(&self) -> Result<Visitor, Denied> {
        Ok(Visitor {
            db: self.handle(),
            principal: self.principal.clone(),
        })
    }

    /// Anyone on a host with a storefront: a store's, or the hub's own store.
    pub fn shopper(&self) -> Result<Shopper, Denied> {
        self.on(&[TenantKind::Hub, TenantKind::Reseller])?;
        Ok(Shopper {
            db: self.handle(),
            principal: self.principal.clone(),
        })
    }

    /// Anyone on the hub's host (the partner programme: leads, applications).
    pub fn hub_visitor(&self) -> Result<HubVisitor, Denied> {
        self.on(&[TenantKind::Hub])?;
        Ok(HubVisitor {
            db: self.handle(),
            principal: self.principal.clone(),
        })
    }

    /// Any signed-in user of this host's tenant.
    pub fn member(&self) -> Result<Member, Denied> {
        let principal = self.signed_in_as(&Role::ALL)?;
        Ok(Member {
            db: self.handle(),
            principal,
        })
    }

    /// A signed-in customer of this store (or of the hub's own store).
    pub fn customer(&self) -> Result<Customer, Denied> {
        self.on(&[TenantKind::Hub, TenantKind::Reseller])?;
        let principal = self.signed_in_as(&[Role::Customer])?;
        Ok(Customer {
            db: self.handle(),
            principal,
        })
    }

    /// A reseller's admin or staff, on the reseller's own host.
    pub fn store_staff(&self) -> Result<StoreStaff, Denied> {
        self.on(&[TenantKind::Reseller])?;
        let principal = self.signed_in_as(&[Role::ResellerAdmin, Role::ResellerStaff])?;
        Ok(StoreStaff {
            db: self.handle(),
            principal,
        })
    }

    /// A reseller's admin, on the reseller's own host.
    pub fn store_admin(&self) -> Result<StoreAdmin, Denied> {
        self.on(&[TenantKind::Reseller])?;
        let principal = self.signed_in_as(&[Role::ResellerAdmin])?;
        Ok(StoreAdmin {
            db: self.handle(),
            principal,
        })
    }

    /// A distributor's admin or staff, on the distributor's own host.
    pub fn distributor_staff(&self) -> Result<DistributorStaff, Denied> {
        self.on(&[TenantKind::Distributor])?;
        let principal = self.signed_in_as(&[Role::DistributorAdmin, Role::DistributorStaff])?;
        Ok(DistributorStaff {
            db: self.handle(),
            principal,
        })
    }

    /// A distributor's admin, on the distributor's own host.
    pub fn distributor_admin(&self) -> Result<DistributorAdmin, Denied> {
        self.on(&[TenantKind::Distributor])?;
        let principal = self.signed_in_as(&[Role::DistributorAdmin])?;
        Ok(DistributorAdmin {
            db: self.handle(),
            principal,
        })
    }

    /// A hub administrator, on the hub's own host.
    pub fn hub_admin(&self) -> Result<HubAdmin, Denied> {
        self.on(&[TenantKind::Hub])?;
        let principal = self.signed_in_as(&[Role::HubAdmin])?;
        Ok(HubAdmin {
            db: self.handle(),
            principal,
        })
    }
}

macro_rules! guard {
    ($(#[$doc:meta])* $name:ident, principal: $p:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            db: TenantDb,
            principal: $p,
        }

        impl $name {
            /// The handle of the caller's own tenant.
            pub fn db(&self) -> &TenantDb {
                &self.db
            }

            pub fn tenant(&self) -> &Tenant {
                self.db.tenant()
            }

            pub fn principal(&self) -> &$p {
                &self.principal
            }
        }
    };
}

guard!(
    /// Anyone on a tenant's host, with their principal if they are signed in.
    Visitor, principal: Option<Principal>
);
guard!(
    /// Anyone on a host with a storefront, with their principal if they are signed in.
    Shopper, principal: Option<Principal>
);
guard!(
    /// Anyone on the hub's host, with their principal if they are signed in.
    HubVisitor, principal: Option<Principal>
);
guard!(
    /// A signed-in user of the host's tenant.
    Member, principal: Principal
);
guard!(
    /// A signed-in customer of a store.
    Customer, principal: Principal
);
guard!(
    /// A reseller's admin or staff on its own store's host.
    StoreStaff, principal: Principal
);
guard!(
    /// A reseller's admin on its own store's host.
    StoreAdmin, principal: Principal
);
guard!(
    /// A distributor's admin or staff on its own host.
    DistributorStaff, principal: Principal
);
guard!(
    /// A distributor's admin on its own host.
    DistributorAdmin, principal: Principal
);
guard!(
    /// A hub administrator on the hub's host.
    HubAdmin, principal: Principal
);

impl StoreStaff {
    /// The hub's master catalog, read-only: what this store sells from.
    pub async fn master(&self) -> Result<MasterView> {
        MasterView::for_store(self.db.db()).await
    }
}

impl StoreAdmin {
    /// The hub's master catalog, read-only: what this store sells from.
    pub async fn master(&self) -> Result<MasterView> {
        MasterView::for_store(self.db.db()).await
    }
}

impl HubAdmin {
    /// The hub's own master catalog, through the same read-only view the stores get.
    pub fn master(&self) -> MasterView {
        MasterView(self.db.clone())
    }
}

impl Shopper {
    /// The hub's master catalog, read-only (a storefront shows it through its store's view).
    pub async fn master(&self) -> Result<MasterView> {
        if self.db.tenant().kind() == TenantKind::Hub {
            return Ok(MasterView(self.db.clone()));
        }
        MasterView::for_store(self.db.db()).await
    }
}

/// The hub's master catalog, read-only. Only reading functions of the catalog take one; a
/// store's request never holds a handle that a writing function would accept for the hub.
#[derive(Clone, Debug)]
pub struct MasterView(TenantDb);

impl MasterView {
    async fn for_store(db: &Database) -> Result<Self> {
        let hub = registry::hub(db).await?.ok_or(Error::NotFound("the hub"))?;
        Ok(Self(TenantDb::new(db, &hub)))
    }

    /// A read-only view from the hub's own handle (the hub admin's and the operator's tools).
    /// Any other tenant's handle is refused.
    pub fn of_hub(hub: &TenantDb) -> Result<Self> {
        if hub.tenant().kind() != TenantKind::Hub {
            return Err(Error::Forbidden);
        }
        Ok(Self(hub.clone()))
    }

    /// The hub's handle, for this crate's reading functions only.
    pub(crate) fn hub(&self) -> &TenantDb {
        &self.0
    }

    pub fn hub_id(&self) -> TenantId {
        self.0.tenant_id()
    }
}

/// What a link between two tenants means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The owner (the hub) has this partner as a reseller.
    Reseller,
    /// The owner (the hub) has this partner as a distributor.
    Distributor,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reseller => registry::partners::RESELLER_RELATION,
            Self::Distributor => crate::partners::DISTRIBUTOR_RELATION,
        }
    }
}

/// A relationship the owner tenant has with a partner, proven by a row in the owner's
/// `tenant_links`: the only way to act on another tenant's record.
#[derive(Clone, Debug)]
pub struct Link {
    owner: TenantId,
    partner: Tenant,
    relation: Relation,
}

impl Link {
    /// The owner's link to `partner` under `relation`; `NotFound` when there is none (also
    /// for a tenant that exists but is not the owner's partner).
    pub async fn find(owner: &TenantDb, partner: TenantId, relation: Relation) -> Result<Self> {
        use sea_orm::{ColumnTrait, QueryFilter};

        use crate::registry::entity::links;
        let tx = owner.begin().await?;
        let row = tx
            .find::<links::Entity>()
            .filter(links::Column::PartnerId.eq(partner.as_uuid()))
            .filter(links::Column::Relation.eq(relation.as_str()))
            .one(tx.conn())
            .await?;
        tx.commit().await?;
        if row.is_none() {
            return Err(Error::NotFound("partner"));
        }
        let partner = registry::find_by_id(owner.db(), partner)
            .await?
            .ok_or(Error::NotFound("partner"))?;
        Ok(Self {
            owner: owner.tenant_id(),
            partner,
            relation,
        })
    }

    pub fn owner(&self) -> TenantId {
        self.owner
    }

    pub fn partner(&self) -> &Tenant {
        &self.partner
    }

    pub fn relation(&self) -> Relation {
        self.relation
    }
}

/// A partner's own system, calling the partner API with one of its keys: the key (looked up
/// by its hash) names the tenant, so nothing it does reaches another tenant; its scopes say
/// what it may do and its mode whether it may touch live data.
#[derive(Clone, Debug)]
pub struct PartnerSystem {
    db: TenantDb,
    key: crate::partners::api_keys::KeyInfo,
}

impl PartnerSystem {
    /// The partner whose key `raw` is, if the key is well-formed, known, not revoked, and its
    /// partner (a distributor or a reseller) active.
    pub async fn authenticate(
        db: &Database,
        raw: &str,
    ) -> std::result::Result<Self, crate::partners::api_keys::KeyRefused> {
        use crate::partners::api_keys::{self, KeyRefused};
        let (tenant, key) = api_keys::authenticate(db, raw).await?;
        if tenant.kind() == TenantKind::Hub {
            return Err(KeyRefused::Invalid);
        }
        Ok(Self {
            db: TenantDb::new(db, &tenant),
            key,
        })
    }

    /// The handle of the key's own tenant, if the key has `scope`.
    pub fn with(
        &self,
        scope: crate::partners::api_keys::Scope,
    ) -> std::result::Result<&TenantDb, Denied> {
        if self.key.scopes.contains(&scope) {
            Ok(&self.db)
        } else {
            Err(Denied::Forbidden)
        }
    }

    pub fn tenant(&self) -> &Tenant {
        self.db.tenant()
    }

    pub fn key(&self) -> &crate::partners::api_keys::KeyInfo {
        &self.key
    }

    /// The key's tenant, for the API's records of the key's own requests (the answers kept
    /// for `Idempotency-Key`), which every key may write whatever its scopes. Never for the
    /// partner's data: that goes through [`with`](Self::with).
    pub fn bookkeeping(&self) -> &TenantDb {
        &self.db
    }
}

/// A handle for the operator's own tools (the CLI, the demo seed, the benchmark's data
/// generator), which act with the hub owner's authority from a shell on the server. Public
/// endpoints never call this: the `app` crate is forbidden it by clippy's `disallowed-methods`
/// (`app/clippy.toml`), and `make lint` runs with `-D warnings`.
pub fn operator(db: &Database, tenant: &Tenant) -> TenantDb {
    TenantDb::new(db, tenant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_say_what_is_missing() {
        assert_eq!(Denied::Unauthenticated.to_string(), "please log in first");
        assert_eq!(Denied::NotHere.to_string(), "not found");
    }
}
