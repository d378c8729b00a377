//! The hub's public landing page: its overview and the partner-interest form.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// What the landing page shows about the hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubOverview {
    pub name: String,
    pub tagline: Option<String>,
    /// Companies that registered their interest in becoming partners.
    pub partner_leads: u64,
    /// Approved resellers with a store.
    pub live_resellers: u64,
}

/// The answer to a partner registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadReceipt {
    pub company: String,
    pub total: u64,
}

/// Public: the partner programme's overview on the hub's own host; `None` on any other host
/// (a store's home page asks too, and must not turn into a 404).
#[server(prefix = "/api", endpoint = "hub/overview", input = GetUrl)]
pub async fn load_hub_overview() -> Result<Option<HubOverview>, ApiError> {
    use crate::context::{AppState, respond};

    respond(
        async {
            let scope = crate::context::scope()?;
            if scope.tenant.kind() != tenants::TenantKind::Hub {
                return Ok(None);
            }
            let state = expect_context::<AppState>();
            let partner_leads = tenants::leads::count(&scope.db).await?;
            let live_resellers = tenants::registry::count(
                &state.db,
                tenants::TenantKind::Reseller,
                tenants::TenantStatus::Approved,
            )
            .await?;
            Ok(Some(HubOverview {
                name: scope.tenant.name().to_owned(),
                tagline: scope.tenant.tagline().map(str::to_owned),
                partner_leads,
                live_resellers,
            }))
        }
        .await,
    )
}

/// Public: any visitor of the hub may register their company's interest. Stores and
/// distributors do not take partner leads, so on their hosts this answers 404.
#[server(prefix = "/api", endpoint = "hub/register-interest")]
pub async fn register_interest(company: String, email: String) -> Result<LeadReceipt, ApiError> {
    use crate::context::respond;

    respond(
        async {
            let scope = hub_scope()?;
            let receipt = tenants::leads::register(&scope.db, &company, &email).await?;
            tracing::info!(lead = %receipt.id, "partner lead registered");
            Ok(LeadReceipt {
                company: receipt.company,
                total: receipt.total,
            })
        }
        .await,
    )
}

/// The request's scope, if its tenant is the hub; 404 on any other tenant's host.
#[cfg(feature = "ssr")]
pub(crate) fn hub_scope() -> Result<crate::context::Scope, ApiError> {
    let scope = crate::context::scope()?;
    if scope.tenant.kind() != tenants::TenantKind::Hub {
        return Err(ApiError::NotFound);
    }
    Ok(scope)
}
