//! Webhook endpoints: where a partner wants its events. The URL is checked for syntax here;
//! whether the hub may reach it (https, not a private address) is the outbound client's
//! check, which the caller runs before it calls [`create`] or [`update`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{deliveries as dl, endpoints as ep};
use super::{EVENT_TYPES, ROTATION_OVERLAP, new_secret};
use crate::db::TenantDb;
use crate::error::{Error, Result};

/// Endpoints per partner, at most.
pub const MAX_ENDPOINTS: u64 = 20;

/// An endpoint as its console and the API show it. The secret is shown by [`secret`] only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// The event types it takes; empty: every type.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why the hub disabled it, when it did.
    pub disabled_reason: Option<String>,
    /// Since when every attempt to it has failed, while that lasts.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the previous secret still signs, after a rotation.
    pub rotating_until: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// What a partner gives to create or change an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

pub(crate) fn takes(events: &str, event_type: &str) -> bool {
    events.is_empty() || events.split(',').any(|e| e == event_type)
}

fn to_endpoint(m: ep::Model, now: DateTime<Utc>) -> Endpoint {
    Endpoint {
        id: m.id,
        url: m.url,
        description: m.description,
        events: m
            .events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        enabled: m.enabled,
        disabled_reason: m.disabled_reason,
        failing_since: m.failing_since,
        rotating_until: m.previous_until.filter(|u| *u > now),
        version: m.version,
        created_at: m.created_at,
    }
}

/// Checks the input: an absolute http(s) URL without credentials, a short description, known
/// event types. Returns the events as stored.
fn check(input: &EndpointInput) -> Result<String> {
    let url = input.url.trim();
    if url.is_empty() {
        return Err(Error::validation("url", "give the URL to send events to"));
    }
    if url.len() > 2048 {
        return Err(Error::validation("url", "at most 2,048 characters"));
    }
    let parsed =
        url::Url::parse(url).map_err(|e| Error::validation("url", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(Error::validation("url", "use an https:// URL"));
    }
    if parsed.host().is_none() {
        return Err(Error::validation("url", "the URL needs a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::validation(
            "url",
            "no user name or password in the URL: the signature authenticates the hub",
        ));
    }
    if input.description.chars().count() > 200 {
        return Err(Error::validation("description", "at most 200 characters"));
    }
    let mut events: Vec<&str> = input.events.iter().map(|e| e.trim()).collect();
    events.sort_unstable();
    events.dedup();
    for e in &events {
        if !EVENT_TYPES.iter().any(|t| t.name == *e) {
            let known: Vec<&str> = EVENT_TYPES.iter().map(|t| t.name).collect();
            return Err(Error::validation(
                "events",
                format!("unknown event type {e:?}; known: {}", known.join(", ")),
            ));
        }
    }
    Ok(events.join(","))
}

/// The parsed URL of a valid input, for the outbound check to run on.
pub fn url_of(input: &EndpointInput) -> Result<url::Url> {
    check(input)?;
    url::Url::parse(input.url.trim()).map_err(|e| Error::validation("url", e.to_string()))
}

/// Creates an endpoint with a new secret. Returns it and the secret.
pub async fn create(
    db: &TenantDb,
    input: &EndpointInput,
    now: DateTime<Utc>,
) -> Result<(Endpoint, String)> {
    let events = check(input)?;
    let secret = new_secret()?;
    let tx = db.begin_write().await?;
    use sea_orm::PaginatorTrait as _;
    if tx.find::<ep::Entity>().count(tx.conn()).await? >= MAX_ENDPOINTS {
        return Err(Error::Conflict(format!(
            "at most {MAX_ENDPOINTS} endpoints; delete one first"
        )));
    }
    let m = tx
        .insert(ep::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            id: Set(Uuid::now_v7()),
            url: Set(input.url.trim().to_owned()),
            description: Set(input.description.trim().to_owned()),
            events: Set(events),
            secret: Set(secret.clone()),
            previous_secret: Set(None),
            previous_until: Set(None),
            enabled: Set(input.enabled),
            disabled_reason: Set(None),
            failing_since: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .await?;
    tx.commit().await?;
    Ok((to_endpoint(m, now), secret))
}

pub async fn list(db: &TenantDb, now: DateTime<Utc>) -> Result<Vec<Endpoint>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<ep::Entity>()
        .order_by_asc(ep::Column::CreatedAt)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|m| to_endpoint(m, now)).collect())
}

pub async fn get(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<Endpoint> {
    let tx = db.begin().await?;
    let row = tx
        .find::<ep::Entity>()
        .filter(ep::Column::Id.eq(id))
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    row.map(|m| to_endpoint(m, now))
        .ok_or(Error::NotFound("webhook endpoint"))
}

/// The endpoint's current secret (and the previous one while a rotation overlaps).
pub async fn secret(
    db: &TenantDb,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, Option<String>)> {
    let tx = db.begin().await?;
    let row = super::endpoint_row(&tx, id).await?;
    tx.commit().await?;
    let previous = row
        .previous_secret
        .filter(|_| row.previous_until.is_some_and(|u| u > now));
    Ok((row.secret, previous))
}

/// Changes an endpoint; `expected` is the version the caller read (`None`: whatever it is).
/// Enabling it again clears the failure record.
pub async fn update(
    db: &TenantDb,
    id: Uuid,
    input: &EndpointInput,
    expected: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Endpoint> {
    let events = check(input)?;
    let tx = db.begin_write().await?;
    let current = super::endpoint_row(&tx, id).await?;
    let mut q = tx
        .update_many::<ep::Entity>()
        .filter(ep::Column::Id.eq(id))
        .col_expr(ep::Column::Url, Expr::value(input.url.trim()))
        .col_expr(
            ep::Column::Description,
            Expr::value(input.description.trim()),
        )
        .col_expr(ep::Column::Events, Expr::value(events))
        .col_expr(ep::Column::Enabled, Expr::value(input.enabled))
        .col_expr(ep::Column::UpdatedAt, Expr::value(now))
        .col_expr(ep::Column::Version, Expr::col(ep::Column::Version).add(1));
    if input.enabled && !current.enabled {
        q = q
            .col_expr(
                ep::Column::DisabledReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                ep::Column::FailingSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
    }
    if let Some(v) = expected {
        q = q.filter(ep::Column::Version.eq(v));
    }
    let done = q.exec(tx.conn()).await?;
    if done.rows_affected == 0 {
        return Err(Error::Stale {
            current: current.version,
        });
    }
    let row = super::endpoint_row(&tx, id).await?;
    tx.commit().await?;
    Ok(to_endpoint(row, now))
}

/// Gives the endpoint a new secret. The previous one keeps signing (both signatures are sent)
/// for [`ROTATION_OVERLAP`], so the receiver can switch without missing an event.
pub async fn rotate(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<(Endpoint, String)> {
    let secret = new_secret()?;
    let tx = db.begin_write().await?;
    let current = super::endpoint_row(&tx, id).await?;
    tx.update_many::<ep::Entity>()
        .filter(ep::Column::Id.eq(id))
        .col_expr(
            ep::Column::PreviousSecret,
            Expr::value(Some(current.secret)),
        )
        .col_expr(
            ep::Column::PreviousUntil,
            Expr::value(Some(now + ROTATION_OVERLAP)),
        )
        .col_expr(ep::Column::Secret, Expr::value(secret.clone()))
        .col_expr(ep::Column::UpdatedAt, Expr::value(now))
        .col_expr(ep::Column::Version, Expr::col(ep::Column::Version).add(1))
        .exec(tx.conn())
        .await?;
    let row = super::endpoint_row(&tx, id).await?;
    tx.commit().await?;
    Ok((to_endpoint(row, now), secret))
}

/// Deletes an endpoint with its deliveries and their log.
pub async fn delete(db: &TenantDb, id: Uuid) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.delete_many::<dl::Entity>()
        .filter(dl::Column::EndpointId.eq(id))
        .exec(tx.conn())
        .await?;
    let done = tx
        .delete_many::<ep::Entity>()
        .filter(ep::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    if done.rows_affected == 0 {
        return Err(Error::NotFound("webhook endpoint"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str) -> EndpointInput {
        EndpointInput {
            url: url.into(),
            description: String::new(),
            events: vec![],
            enabled: true,
        }
    }

    #[test]
    fn urls_are_checked_for_what_the_domain_can_see() {
        assert!(check(&input("https://erp.example.com/hooks")).is_ok());
        assert!(check(&input("")).is_err());
        assert!(check(&input("ftp://example.com/")).is_err());
        assert!(check(&input("https://user:pw@example.com/")).is_err());
        assert!(check(&input("not a url")).is_err());
        let mut i = input("https://example.com/");
        i.events = vec!["order.teleported".into()];
        let e = check(&i).expect_err("unknown type");
        assert!(e.to_string().contains("price_list.updated"), "{e}");
        i.events = vec!["price_list.updated".into(), "price_list.updated".into()];
        assert_eq!(check(&i).expect("known"), "price_list.updated");
    }

    #[test]
    fn an_empty_list_takes_every_type() {
        assert!(takes("", "price_list.updated"));
        assert!(takes(
            "endpoint.test,price_list.updated",
            "price_list.updated"
        ));
        assert!(!takes("endpoint.test", "price_list.updated"));
    }
}
