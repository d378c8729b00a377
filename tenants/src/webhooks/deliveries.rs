//! The delivery log: what was sent where, each attempt's answer, the dead-letter list, and
//! replaying (one delivery, or every dead one of an endpoint) and the test event.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{attempts as at, deliveries as dl, endpoints as ep, events as ev};
use crate::db::TenantDb;
use crate::error::{Error, Result};

/// Deliveries per page, at most.
pub const MAX_PAGE: u64 = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for its next attempt (or its first).
    Pending,
    Delivered,
    /// Every attempt failed, or its endpoint was disabled: the dead-letter list.
    Dead,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: Uuid,
    /// The `webhook-id` it is sent with (the same on every attempt and every replay).
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: Uuid,
    pub state: State,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One attempt, as the log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub attempt: u32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u32,
    /// The receiver's HTTP status; `None` when none came (refused, timed out).
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The start of the receiver's answer (at most 1 KiB).
    pub response_body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    /// The body that is sent.
    pub payload: String,
    pub attempts: Vec<Attempt>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub endpoint: Option<Uuid>,
    pub state: Option<State>,
    pub event_type: Option<String>,
}

/// A page of deliveries, newest first; `next` is the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    pub next: Option<Uuid>,
}

fn to_delivery(d: dl::Model, event_type: String) -> Delivery {
    Delivery {
        id: d.id,
        event_id: d.event_id,
        event_type,
        endpoint_id: d.endpoint_id,
        state: State::parse(&d.state).unwrap_or(State::Pending),
        attempts: d.attempts.max(0) as u32,
        next_attempt_at: d.next_attempt_at,
        last_status: d.last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: d.last_error,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

/// An event as the outbox holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: String,
    pub event_type: String,
    pub created_at: DateTime<Utc>,
}

/// The latest events written to the tenant's outbox (whether or not an endpoint takes them),
/// newest first.
pub async fn events(db: &TenantDb, limit: u64) -> Result<Vec<EventRow>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<ev::Entity>()
        .order_by_desc(ev::Column::CreatedAt)
        .order_by_desc(ev::Column::Id)
        .limit(limit.clamp(1, MAX_PAGE))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|e| EventRow {
            id: e.id,
            event_type: e.event_type,
            created_at: e.created_at,
        })
        .collect())
}

/// Deliveries newest first (ids are time-ordered), after the cursor `before`.
pub async fn list(
    db: &TenantDb,
    filter: &Filter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<DeliveryPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let tx = db.begin().await?;
    let mut q = tx.find::<dl::Entity>().order_by_desc(dl::Column::Id);
    if let Some(e) = filter.endpoint {
        q = q.filter(dl::Column::EndpointId.eq(e));
    }
    if let Some(s) = filter.state {
        q = q.filter(dl::Column::State.eq(s.as_str()));
    }
    if let Some(b) = before {
        q = q.filter(dl::Column::Id.lt(b));
    }
    if let Some(t) = &filter.event_type {
        let ids: Vec<String> = tx
            .find::<ev::Entity>()
            .filter(ev::Column::EventType.eq(t.as_str()))
            .select_only()
            .column(ev::Column::Id)
            .into_tuple()
            .all(tx.conn())
            .await?;
        q = q.filter(dl::Column::EventId.is_in(ids));
    }
    let mut rows = q.limit(limit + 1).all(tx.conn()).await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let event_ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
    let types: std::collections::HashMap<String, String> = tx
        .find::<ev::Entity>()
        .filter(ev::Column::Id.is_in(event_ids))
        .select_only()
        .column(ev::Column::Id)
        .column(ev::Column::EventType)
        .into_tuple::<(String, String)>()
        .all(tx.conn())
        .await?
        .into_iter()
        .collect();
    tx.commit().await?;
    Ok(DeliveryPage {
        items: rows
            .into_iter()
            .map(|r| {
                let t = types.get(&r.event_id).cloned().unwrap_or_default();
                to_delivery(r, t)
            })
            .collect(),
        next,
    })
}

/// One delivery with its payload and every attempt.
pub async fn get(db: &TenantDb, id: Uuid) -> Result<DeliveryDetail> {
    let tx = db.begin().await?;
    let d = tx
        .find::<dl::Entity>()
        .filter(dl::Column::Id.eq(id))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook delivery"))?;
    let event = tx
        .find::<ev::Entity>()
        .filter(ev::Column::Id.eq(d.event_id.as_str()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook event"))?;
    let attempts = tx
        .find::<at::Entity>()
        .filter(at::Column::DeliveryId.eq(id))
        .order_by_asc(at::Column::StartedAt)
        .order_by_asc(at::Column::Attempt)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    let mut attempts: Vec<Attempt> = attempts
        .into_iter()
        .map(|a| Attempt {
            attempt: a.attempt.max(0) as u32,
            started_at: a.started_at,
            duration_ms: a.duration_ms.max(0) as u32,
            status: a.status.and_then(|s| u16::try_from(s).ok()),
            error: a.error,
            response_body: a.response_body,
        })
        .collect();
    // The attempt that delivered it is kept on its row.
    if let Some(started_at) = d.delivered_started_at {
        attempts.push(Attempt {
            attempt: d.delivered_attempt.unwrap_or(0).max(0) as u32,
            started_at,
            duration_ms: d.delivered_duration_ms.unwrap_or(0).max(0) as u32,
            status: d.delivered_status.and_then(|s| u16::try_from(s).ok()),
            error: None,
            response_body: d.delivered_body.clone(),
        });
        attempts.sort_by_key(|a| (a.started_at, a.attempt));
    }
    Ok(DeliveryDetail {
        delivery: to_delivery(d, event.event_type),
        payload: event.payload,
        attempts,
    })
}

async fn endpoint_enabled(tx: &crate::db::TenantTx, id: Uuid) -> Result<()> {
    let e = super::endpoint_row(tx, id).await?;
    if !e.enabled {
        return Err(Error::Conflict(
            "this endpoint is disabled; enable it again before replaying".into(),
        ));
    }
    Ok(())
}

/// Sends a delivery again, whatever its state, with a fresh schedule (same `webhook-id`,
/// so a receiver that already has it can tell).
pub async fn replay(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<Delivery> {
    let tx = db.begin_write().await?;
    let d = tx
        .find::<dl::Entity>()
        .filter(dl::Column::Id.eq(id))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook delivery"))?;
    endpoint_enabled(&tx, d.endpoint_id).await?;
    if d.state == State::Pending.as_str() && d.attempts == 0 {
        return Err(Error::Conflict(
            "this delivery has not been attempted yet; it goes out on its own".into(),
        ));
    }
    requeue(
        &tx,
        sea_orm::Condition::all().add(dl::Column::Id.eq(id)),
        now,
    )
    .await?;
    tx.commit().await?;
    let detail = get(db, id).await?;
    super::worker::wake();
    Ok(detail.delivery)
}

/// Replays every dead delivery of an endpoint (or of every endpoint). Returns how many.
pub async fn replay_dead(db: &TenantDb, endpoint: Option<Uuid>, now: DateTime<Utc>) -> Result<u64> {
    let tx = db.begin_write().await?;
    let mut cond = sea_orm::Condition::all().add(dl::Column::State.eq(State::Dead.as_str()));
    if let Some(e) = endpoint {
        endpoint_enabled(&tx, e).await?;
        cond = cond.add(dl::Column::EndpointId.eq(e));
    } else {
        let enabled: Vec<Uuid> = tx
            .find::<ep::Entity>()
            .filter(ep::Column::Enabled.eq(true))
            .select_only()
            .column(ep::Column::Id)
            .into_tuple()
            .all(tx.conn())
            .await?;
        cond = cond.add(dl::Column::EndpointId.is_in(enabled));
    }
    let n = requeue(&tx, cond, now).await?;
    tx.commit().await?;
    if n > 0 {
        super::worker::wake();
    }
    Ok(n)
}

/// Puts the deliveries `cond` selects back in the queue, due now, with a fresh schedule.
/// The attempt that delivered one (kept on its row) goes to the log first, so the log keeps
/// it when the next attempt takes its place.
async fn requeue(
    tx: &crate::db::TenantTx,
    cond: sea_orm::Condition,
    now: DateTime<Utc>,
) -> Result<u64> {
    super::worker::keep_in_log(tx, cond.clone()).await?;
    let done = tx
        .update_many::<dl::Entity>()
        .filter(cond)
        .col_expr(dl::Column::State, Expr::value(State::Pending.as_str()))
        .col_expr(dl::Column::Attempts, Expr::value(0))
        .col_expr(dl::Column::NextAttemptAt, Expr::value(Some(now)))
        .col_expr(dl::Column::UpdatedAt, Expr::value(now))
        .exec(tx.conn())
        .await?;
    Ok(done.rows_affected)
}

/// Sends an `endpoint.test` event to one endpoint. Returns the delivery.
pub async fn send_test(db: &TenantDb, endpoint: Uuid, now: DateTime<Utc>) -> Result<Delivery> {
    let tx = db.begin_write().await?;
    endpoint_enabled(&tx, endpoint).await?;
    let event = super::emit(
        &tx,
        "endpoint.test",
        &serde_json::json!({
            "endpoint_id": endpoint,
            "message": "This is a test event from the hub.",
        }),
        now,
        Some(endpoint),
    )
    .await?;
    let d = tx
        .find::<dl::Entity>()
        .filter(dl::Column::EventId.eq(event.as_str()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook delivery"))?;
    tx.commit().await?;
    Ok(to_delivery(d, "endpoint.test".into()))
}
