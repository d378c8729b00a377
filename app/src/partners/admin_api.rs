//! The hub admin's console: resellers (approve, suspend, reinstate) and account unlocks.
//! Every function here requires a hub admin on the hub's own host.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResellerRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub store_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResellerPage {
    pub items: Vec<ResellerRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[cfg(feature = "ssr")]
fn row(t: &tenants::Tenant) -> ResellerRow {
    ResellerRow {
        id: t.id().to_string(),
        slug: t.slug().to_owned(),
        name: t.name().to_owned(),
        status: t.status().as_str().to_owned(),
        store_url: crate::context::store_url(t.slug(), "/"),
    }
}

/// Hub admin: the hub's resellers, newest first, filtered by status and a search text.
#[server(prefix = "/api", endpoint = "admin/resellers", input = GetUrl, output = crate::codec::Answer)]
pub async fn list_resellers(
    status: Option<String>,
    search: Option<String>,
    page: Option<u64>,
) -> Result<ResellerPage, ApiError> {
    use tenants::registry::{PartnerQuery, list_resellers};

    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let status = match status.as_deref().filter(|s| !s.is_empty() && *s != "all") {
            None => None,
            Some(s) => {
                Some(
                    tenants::TenantStatus::parse(s).ok_or_else(|| ApiError::Validation {
                        field: "status".into(),
                        message: "must be pending, approved, suspended or all".into(),
                    })?,
                )
            }
        };
        let result = list_resellers(
            &state.db,
            admin.db(),
            &PartnerQuery {
                status,
                search,
                page: page.unwrap_or(0),
                per_page: 25,
            },
        )
        .await?;
        Ok(ResellerPage {
            items: result.items.iter().map(row).collect(),
            total: result.total,
            page: result.page,
            per_page: result.per_page,
        })
    })
    .await
}

/// Hub admin: approves, suspends or reinstates one of the hub's resellers. The store's host
/// reflects the change on its next request.
#[server(prefix = "/api", endpoint = "admin/reseller-status", output = crate::codec::Answer)]
pub async fn set_reseller_status(id: String, status: String) -> Result<ResellerRow, ApiError> {
    use tenants::TenantStatus;

    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let id = tenants::TenantId::parse(&id).ok_or(ApiError::NotFound)?;
        let status = match status.as_str() {
            "approved" => TenantStatus::Approved,
            "suspended" => TenantStatus::Suspended,
            _ => {
                return Err(ApiError::Validation {
                    field: "status".into(),
                    message: "must be approved or suspended".into(),
                });
            }
        };
        let tenant = tenants::registry::reseller_of(&state.db, admin.db(), id).await?;
        let updated = tenants::registry::set_status(&state.db, &tenant, status).await?;
        state.registry.invalidate(&updated).await;
        tracing::info!(tenant = %updated.id(), status = status.as_str(), "reseller status changed");
        Ok(row(&updated))
    })
    .await
}

/// Hub admin: lifts the log-in lock of an account at one of the hub's stores (or the hub's
/// own, with store "hub"). Answers whether the account had failed attempts recorded.
#[server(prefix = "/api", endpoint = "admin/unlock", output = crate::codec::Answer)]
pub async fn unlock_account(store: String, email: String) -> Result<bool, ApiError> {
    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let store = store.trim().to_ascii_lowercase();
        let tenant = if store == tenants::registry::HUB_SLUG || store.is_empty() {
            admin.tenant().clone()
        } else {
            let t = tenants::registry::find_by_slug(&state.db, &store)
                .await?
                .ok_or_else(|| ApiError::Validation {
                    field: "store".into(),
                    message: format!("there is no store '{store}'"),
                })?;
            tenants::registry::reseller_of(&state.db, admin.db(), t.id())
                .await
                .map_err(|_| ApiError::Validation {
                    field: "store".into(),
                    message: format!("there is no store '{store}'"),
                })?
        };
        let email = tenants::leads::Email::parse(&email)?;
        let had = state.throttle.unlock(tenant.id(), email.as_str());
        tracing::info!(tenant = %tenant.id(), "account unlocked by hub admin");
        Ok(had)
    })
    .await
}

/// A distributor as the hub admin's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub console_url: String,
}

/// Hub admin: the hub's distributors, by name.
#[server(prefix = "/api", endpoint = "admin/distributors", input = GetUrl, output = crate::codec::Answer)]
pub async fn list_distributors() -> Result<Vec<DistributorRow>, ApiError> {
    use tenants::access::HubAdmin;

    use crate::context::run;
    run(|admin: HubAdmin| async move {
        let mut list =
            tenants::partners::linked(admin.db(), tenants::partners::DISTRIBUTOR_RELATION).await?;
        list.sort_by_key(|a| a.name.to_lowercase());
        Ok(list
            .into_iter()
            .map(|p| DistributorRow {
                id: p.id.to_string(),
                console_url: crate::context::store_url(&p.slug, "/console/partner"),
                slug: p.slug,
                name: p.name,
                status: p.status,
            })
            .collect())
    })
    .await
}

/// The hub admin's new distributor form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorFields {
    pub name: String,
    pub slug: String,
    pub contact_name: String,
    pub contact_email: String,
    pub currency: String,
    pub admin_name: String,
    pub admin_email: String,
    pub admin_password: String,
}

/// Hub admin: creates a distributor (its profile, its first admin with the password given,
/// and the hub's link to it), all in one transaction.
#[server(prefix = "/api", endpoint = "admin/distributor-create", output = crate::codec::Answer)]
pub async fn create_distributor(
    #[server(flatten)] fields: DistributorFields,
) -> Result<DistributorRow, ApiError> {
    use tenants::access::HubAdmin;
    use tenants::partners::NewDistributor;
    use tenants::partners::profile::ProfileInput;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let f = fields;
        let (tenant, _) = tenants::partners::create_distributor(
            &state.db,
            admin.db(),
            NewDistributor {
                name: &f.name,
                slug: f.slug.trim(),
                profile: ProfileInput {
                    contact_name: f.contact_name.clone(),
                    contact_email: f.contact_email.clone(),
                    currency: f.currency.trim().to_ascii_uppercase(),
                    fulfils: None,
                    ack_window_hours: None,
                },
                admin_name: &f.admin_name,
                admin_email: &f.admin_email,
                admin_password: &f.admin_password,
            },
        )
        .await?;
        state.registry.invalidate(&tenant).await;
        tracing::info!(tenant = %tenant.id(), "distributor created by hub admin");
        Ok(DistributorRow {
            id: tenant.id().to_string(),
            slug: tenant.slug().to_owned(),
            name: tenant.name().to_owned(),
            status: tenant.status().as_str().to_owned(),
            console_url: crate::context::store_url(tenant.slug(), "/console/partner"),
        })
    })
    .await
}

/// Hub admin: sets one of the hub's distributors active (`approved`), `paused` (offered no
/// new orders or quotes; its console and API keep working) or `suspended` (its host and keys
/// stop answering). Its host reflects the change on its next request.
#[server(prefix = "/api", endpoint = "admin/distributor-status", output = crate::codec::Answer)]
pub async fn set_distributor_status(
    id: String,
    status: String,
) -> Result<DistributorRow, ApiError> {
    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let state = app_state()?;
        let id = tenants::TenantId::parse(&id).ok_or(ApiError::NotFound)?;
        let status = match status.as_str() {
            "approved" => tenants::TenantStatus::Approved,
            "paused" => tenants::TenantStatus::Paused,
            "suspended" => tenants::TenantStatus::Suspended,
            _ => {
                return Err(ApiError::validation(
                    "status",
                    "must be approved (active), paused or suspended",
                ));
            }
        };
        let updated =
            tenants::partners::set_distributor_status(&state.db, admin.db(), id, status).await?;
        state.registry.invalidate(&updated).await;
        tracing::info!(tenant = %updated.id(), status = status.as_str(), "distributor status changed");
        Ok(DistributorRow {
            id: updated.id().to_string(),
            slug: updated.slug().to_owned(),
            name: updated.name().to_owned(),
            status: updated.status().as_str().to_owned(),
            console_url: crate::context::store_url(updated.slug(), "/console/partner"),
        })
    })
    .await
}
