//! Partner leads: companies that told a hub they want to sell its products. The first brick
//! of reseller onboarding: a lead later becomes a reseller sign-up.

mod email;
mod entity;

use chrono::Utc;
use sea_orm::{PaginatorTrait, Set};

use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::ids::LeadId;

pub use email::Email;

/// A company name: trimmed, inner runs of whitespace collapsed, 2 to 120 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompanyName(String);

impl CompanyName {
    pub fn parse(raw: &str) -> Result<Self> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = name.chars().count();
        if len < 2 {
            return Err(Error::validation("company", "enter your company's name"));
        }
        if len > 120 {
            return Err(Error::validation(
                "company",
                "must be at most 120 characters",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(Error::validation(
                "company",
                "must not contain control characters",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a registration returns: enough for the page to thank the company by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub id: LeadId,
    pub company: String,
    /// How many companies have registered with this hub, this one included.
    pub total: u64,
}

/// Records that `company` (reachable at `email`) wants to become a partner of the tenant.
/// The same e-mail can register once per hub.
pub async fn register(db: &TenantDb, company: &str, email: &str) -> Result<Receipt> {
    let company = CompanyName::parse(company)?;
    let email = Email::parse(email)?;
    let tx = db.begin_write().await?;
    let id = LeadId::generate();
    tx.insert(entity::ActiveModel {
        tenant_id: Set(db.tenant_id().as_uuid()),
        id: Set(id.as_uuid()),
        company: Set(company.as_str().to_owned()),
        email: Set(email.as_str().to_owned()),
        created_at: Set(Utc::now()),
    })
    .await
    .map_err(|e| Error::on_unique_violation(e, "this e-mail address has already registered"))?;
    let total = tx.find::<entity::Entity>().count(tx.conn()).await?;
    tx.commit().await?;
    Ok(Receipt {
        id,
        company: company.as_str().to_owned(),
        total,
    })
}

/// How many companies have registered with the tenant.
pub async fn count(db: &TenantDb) -> Result<u64> {
    let tx = db.begin().await?;
    let n = tx.find::<entity::Entity>().count(tx.conn()).await?;
    tx.commit().await?;
    Ok(n)
}

/// The partner programme at a glance, for the hub's front page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgrammeOverview {
    pub partner_leads: u64,
    pub live_resellers: u64,
}

/// Leads registered with the hub and its approved resellers.
pub async fn programme_overview(hub: &TenantDb) -> Result<ProgrammeOverview> {
    Ok(ProgrammeOverview {
        partner_leads: count(hub).await?,
        live_resellers: crate::registry::count(
            hub.db(),
            crate::TenantKind::Reseller,
            crate::TenantStatus::Approved,
        )
        .await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_names_are_tidied() {
        let name = CompanyName::parse("  Acme \t Tools  ").unwrap();
        assert_eq!(name.as_str(), "Acme Tools");
    }

    #[test]
    fn company_name_bounds() {
        assert!(CompanyName::parse("A").is_err());
        assert!(CompanyName::parse(&"x".repeat(121)).is_err());
        assert!(CompanyName::parse(&"x".repeat(120)).is_ok());
        assert!(CompanyName::parse("Bad\u{7}Name").is_err());
    }
}
