//! Custom domains: a tenant's store can also answer at domains it owns. A domain is stored
//! normalised and belongs to one tenant at most (it is routing, so unique across the hub).

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::Tenant;
use super::entity::{self, domains};
use crate::db::{Database, TenantDb};
use crate::error::{Error, Result};

/// A normalised domain name: lower case, no trailing dot, no port, 2+ DNS labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    pub fn parse(raw: &str) -> Result<Self> {
        let invalid = |m: &str| Err(Error::validation("domain", m));
        let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        if d.is_empty() {
            return invalid("enter a domain such as shop.example.com");
        }
        if d.len() > 253 {
            return invalid("must be at most 253 characters");
        }
        let labels: Vec<&str> = d.split('.').collect();
        if labels.len() < 2 {
            return invalid("needs at least two labels, such as example.com");
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-');
            if !ok {
                return invalid(
                    "each label must be 1 to 63 letters, digits or '-', not starting or ending with '-'",
                );
            }
        }
        Ok(Self(d))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Adds `domain` to the tenant of `db`. `hub_domain` is refused along with its subdomains:
/// those are the hub's own addresses.
pub async fn add_domain(db: &TenantDb, domain: &Domain, hub_domain: &str) -> Result<()> {
    let d = domain.as_str();
    if d == hub_domain || d.ends_with(&format!(".{hub_domain}")) {
        return Err(Error::validation(
            "domain",
            format!("addresses under {hub_domain} are the hub's own"),
        ));
    }
    let tx = db.begin_write().await?;
    tx.insert(domains::ActiveModel {
        tenant_id: Set(db.tenant_id().as_uuid()),
        domain: Set(d.to_owned()),
        created_at: Set(Utc::now()),
    })
    .await
    .map_err(|e| Error::on_unique_violation(e, format!("{d} is already in use")))?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_domain(db: &TenantDb, domain: &Domain) -> Result<()> {
    let tx = db.begin_write().await?;
    let res = tx
        .delete_many::<domains::Entity>()
        .filter(domains::Column::Domain.eq(domain.as_str()))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("domain"));
    }
    Ok(())
}

pub async fn domains_of(db: &TenantDb) -> Result<Vec<String>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<domains::Entity>()
        .order_by_asc(domains::Column::Domain)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| r.domain).collect())
}

/// The tenant a custom domain belongs to. A routing lookup made before any tenant is known;
/// the table's read policy allows it, writes stay tenant-bound.
pub async fn find_by_domain(db: &Database, domain: &Domain) -> Result<Option<Tenant>> {
    let Some(row) = domains::Entity::find()
        .filter(domains::Column::Domain.eq(domain.as_str()))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    entity::Entity::find_by_id(row.tenant_id)
        .one(db.conn())
        .await?
        .map(Tenant::from_model)
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_and_checked() {
        assert_eq!(
            Domain::parse(" Shop.Example.COM. ").unwrap().as_str(),
            "shop.example.com"
        );
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a-.com",
            "shop.example.com:8080",
            "ex ample.com",
        ] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
    }
}
