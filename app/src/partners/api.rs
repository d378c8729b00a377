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
#[server(prefix = "/api", endpoint = "hub/overview", input = GetUrl, output = crate::codec::Answer)]
pub async fn load_hub_overview() -> Result<Option<HubOverview>, ApiError> {
    use tenants::access::Visitor;

    use crate::context::run;
    run(|v: Visitor| async move {
        if v.tenant().kind() != tenants::TenantKind::Hub {
            return Ok(None);
        }
        let o = tenants::leads::programme_overview(v.db()).await?;
        Ok(Some(HubOverview {
            name: v.tenant().name().to_owned(),
            tagline: v.tenant().tagline().map(str::to_owned),
            partner_leads: o.partner_leads,
            live_resellers: o.live_resellers,
        }))
    })
    .await
}

/// Public: any visitor of the hub may register their company's interest. Stores and
/// distributors do not take partner leads, so on their hosts this answers 404.
#[server(prefix = "/api", endpoint = "hub/register-interest", output = crate::codec::Answer)]
pub async fn register_interest(company: String, email: String) -> Result<LeadReceipt, ApiError> {
    use tenants::access::HubVisitor;

    use crate::context::run;
    run(|v: HubVisitor| async move {
        let receipt = tenants::leads::register(v.db(), &company, &email).await?;
        tracing::info!(lead = %receipt.id, "partner lead registered");
        Ok(LeadReceipt {
            company: receipt.company,
            total: receipt.total,
        })
    })
    .await
}
