//! What the delivery workers call. A worker asks [`due`] what is due (across tenants: the
//! delivery rows carry no payload, and PostgreSQL lets workers read them), [`claim`]s one
//! (a short lease, taken with a conditional UPDATE, so two workers or two processes never
//! send the same attempt), sends the [`Job`] through the guarded outbound client, and
//! [`record`]s the answer: delivered, or retried after the next wait of the schedule, or
//! dead-lettered after the last. Everything after the lookup runs bound to the delivery's
//! tenant.
//!
//! Time comes from the caller (`now`), so a test can run three days of retries in a second.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::deliveries::State;
use super::entity::{attempts as at, deliveries as dl, endpoints as ep, events as ev};
use super::{DISABLE_AFTER, JITTER_PERCENT, MAX_ATTEMPTS, SCHEDULE, sign};
use crate::db::{Database, TenantDb};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::registry;

/// How long a claimed delivery stays with its worker before another may take it (a worker
/// that died mid-send): longer than the outbound client's total timeout.
pub const LEASE: Duration = Duration::minutes(2);

/// Bytes of a receiver's answer kept in the log.
pub const KEEP_BODY: usize = 1024;

static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Tells this process's workers that something is due now (an event was committed, a replay
/// asked for). Workers also poll, for what other processes wrote.
pub fn wake() {
    WAKE.notify_one();
}

/// Waits for [`wake`].
pub async fn woken() {
    WAKE.notified().await;
}

/// A delivery that is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub tenant: TenantId,
    pub delivery: Uuid,
}

fn due_filter(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(dl::Column::State.eq(State::Pending.as_str()))
        .add(dl::Column::NextAttemptAt.lte(now))
        .add(
            sea_orm::Condition::any()
                .add(dl::Column::LeaseUntil.is_null())
                .add(dl::Column::LeaseUntil.lt(now)),
        )
}

/// Up to `limit` deliveries due at `now`, oldest due first.
pub async fn due(db: &Database, now: DateTime<Utc>, limit: u64) -> Result<Vec<Due>> {
    let rows: Vec<(Uuid, Uuid)> = dl::Entity::find()
        .filter(due_filter(now))
        .order_by_asc(dl::Column::NextAttemptAt)
        .select_only()
        .column(dl::Column::TenantId)
        .column(dl::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(t, d)| Due {
            tenant: TenantId::from(t),
            delivery: d,
        })
        .collect())
}

/// When the next pending delivery falls due (`None`: nothing pending).
pub async fn next_due(db: &Database) -> Result<Option<DateTime<Utc>>> {
    let row: Option<Option<DateTime<Utc>>> = dl::Entity::find()
        .filter(dl::Column::State.eq(State::Pending.as_str()))
        .select_only()
        .column_as(dl::Column::NextAttemptAt.min(), "next")
        .into_tuple()
        .one(db.conn())
        .await?;
    Ok(row.flatten())
}

/// One attempt to send, claimed by this worker.
#[derive(Debug)]
pub struct Job {
    db: TenantDb,
    pub delivery: Uuid,
    pub endpoint: Uuid,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub url: String,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`, `content-type`.
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Job {
    pub fn tenant(&self) -> TenantId {
        self.db.tenant_id()
    }
}

/// Claims `due` for one attempt at `now`: `None` when another worker has it, it is no longer
/// due, or its endpoint was disabled meanwhile (then it is dead-lettered).
pub async fn claim(db: &Database, due: &Due, now: DateTime<Utc>) -> Result<Option<Job>> {
    let Some(tenant) = registry::find_by_id(db, due.tenant).await? else {
        return Ok(None);
    };
    let tdb = TenantDb::new(db, &tenant);
    let tx = tdb.begin_write().await?;
    let taken = tx
        .update_many::<dl::Entity>()
        .filter(dl::Column::Id.eq(due.delivery))
        .filter(due_filter(now))
        .col_expr(dl::Column::LeaseUntil, Expr::value(Some(now + LEASE)))
        .exec(tx.conn())
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    let d = tx
        .find::<dl::Entity>()
        .filter(dl::Column::Id.eq(due.delivery))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook delivery"))?;
    let endpoint = super::endpoint_row(&tx, d.endpoint_id).await?;
    if !endpoint.enabled {
        tx.update_many::<dl::Entity>()
            .filter(dl::Column::Id.eq(d.id))
            .col_expr(dl::Column::State, Expr::value(State::Dead.as_str()))
            .col_expr(
                dl::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                dl::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(dl::Column::LastError, Expr::value("endpoint disabled"))
            .col_expr(dl::Column::UpdatedAt, Expr::value(now))
            .exec(tx.conn())
            .await?;
        tx.commit().await?;
        return Ok(None);
    }
    let event = tx
        .find::<ev::Entity>()
        .filter(ev::Column::Id.eq(d.event_id.as_str()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook event"))?;
    tx.commit().await?;
    let ts = now.timestamp();
    let mut signature = sign(&endpoint.secret, &event.id, ts, &event.payload)?;
    if let (Some(prev), Some(until)) = (&endpoint.previous_secret, endpoint.previous_until)
        && until > now
    {
        signature.push(' ');
        signature.push_str(&sign(prev, &event.id, ts, &event.payload)?);
    }
    Ok(Some(Job {
        db: tdb,
        delivery: d.id,
        endpoint: endpoint.id,
        attempt: d.attempts + 1,
        url: endpoint.url,
        headers: vec![
            ("content-type", "application/json".into()),
            ("webhook-id", event.id),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", signature),
        ],
        body: event.payload,
    }))
}

/// What an attempt got back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The receiver's status; `None` when it did not answer.
    pub status: Option<u16>,
    /// Why there was no usable answer (refused address, timeout, connection refused).
    pub error: Option<String>,
    pub body: Option<String>,
    pub duration_ms: u32,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What [`record`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    Delivered,
    /// Retried at this time.
    Retry(DateTime<Utc>),
    /// Dead-lettered: the last attempt failed.
    Dead,
    /// Dead-lettered, and the endpoint disabled: it has failed for [`DISABLE_AFTER`].
    EndpointDisabled,
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The wait before attempt `attempt + 1` after attempt `attempt` failed, with jitter.
pub fn wait_after(attempt: i32) -> Option<Duration> {
    let base = *SCHEDULE.get(usize::try_from(attempt - 1).ok()?)?;
    let mut r = [0u8; 4];
    let share = if getrandom::fill(&mut r).is_ok() {
        u32::from_le_bytes(r) % (JITTER_PERCENT * 100 + 1)
    } else {
        0
    };
    // base × share / 10,000: up to JITTER_PERCENT % of it, in milliseconds.
    let jitter_ms = base.num_milliseconds().saturating_mul(i64::from(share)) / 10_000;
    Some(base + Duration::milliseconds(jitter_ms))
}

/// Records an attempt's outcome at `now` (it started at `started`).
pub async fn record(
    job: Job,
    outcome: &Outcome,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let tx = job.db.begin_write().await?;
    tx.insert(at::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        delivery_id: Set(job.delivery),
        attempt: Set(job.attempt),
        started_at: Set(started),
        duration_ms: Set(i32::try_from(outcome.duration_ms).unwrap_or(i32::MAX)),
        status: Set(outcome.status.map(i32::from)),
        error: Set(outcome.error.as_deref().map(|e| truncate(e, 300))),
        response_body: Set(outcome.body.as_deref().map(|b| truncate(b, KEEP_BODY))),
    })
    .await?;
    let endpoint = super::endpoint_row(&tx, job.endpoint).await?;
    let base = tx
        .update_many::<dl::Entity>()
        .filter(dl::Column::Id.eq(job.delivery))
        .col_expr(dl::Column::Attempts, Expr::value(job.attempt))
        .col_expr(
            dl::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            dl::Column::LastStatus,
            Expr::value(outcome.status.map(i32::from)),
        )
        .col_expr(
            dl::Column::LastError,
            Expr::value(outcome.error.as_deref().map(|e| truncate(e, 300))),
        )
        .col_expr(dl::Column::UpdatedAt, Expr::value(now));
    let result = if outcome.delivered() {
        base.col_expr(dl::Column::State, Expr::value(State::Delivered.as_str()))
            .col_expr(
                dl::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .exec(tx.conn())
            .await?;
        if endpoint.failing_since.is_some() {
            tx.update_many::<ep::Entity>()
                .filter(ep::Column::Id.eq(job.endpoint))
                .col_expr(
                    ep::Column::FailingSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .exec(tx.conn())
                .await?;
        }
        Recorded::Delivered
    } else {
        let failing_since = endpoint.failing_since.unwrap_or(started);
        if endpoint.failing_since.is_none() {
            tx.update_many::<ep::Entity>()
                .filter(ep::Column::Id.eq(job.endpoint))
                .col_expr(ep::Column::FailingSince, Expr::value(Some(started)))
                .exec(tx.conn())
                .await?;
        }
        let retry = if job.attempt >= MAX_ATTEMPTS {
            None
        } else {
            wait_after(job.attempt).map(|w| now + w)
        };
        if now - failing_since >= DISABLE_AFTER {
            base.col_expr(dl::Column::State, Expr::value(State::Dead.as_str()))
                .col_expr(
                    dl::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .exec(tx.conn())
                .await?;
            let reason = format!(
                "disabled {}: every attempt failed since {} ({} h); fix the receiver, enable the endpoint and replay the dead letters",
                now.format("%Y-%m-%d %H:%M UTC"),
                failing_since.format("%Y-%m-%d %H:%M UTC"),
                DISABLE_AFTER.num_hours()
            );
            tx.update_many::<ep::Entity>()
                .filter(ep::Column::Id.eq(job.endpoint))
                .col_expr(ep::Column::Enabled, Expr::value(false))
                .col_expr(
                    ep::Column::DisabledReason,
                    Expr::value(Some(reason.clone())),
                )
                .col_expr(ep::Column::Version, Expr::col(ep::Column::Version).add(1))
                .exec(tx.conn())
                .await?;
            tx.update_many::<dl::Entity>()
                .filter(dl::Column::EndpointId.eq(job.endpoint))
                .filter(dl::Column::State.eq(State::Pending.as_str()))
                .col_expr(dl::Column::State, Expr::value(State::Dead.as_str()))
                .col_expr(
                    dl::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(dl::Column::LastError, Expr::value("endpoint disabled"))
                .col_expr(dl::Column::UpdatedAt, Expr::value(now))
                .exec(tx.conn())
                .await?;
            tracing::warn!(
                tenant = %job.db.tenant_id(),
                endpoint = %job.endpoint,
                "{reason}"
            );
            Recorded::EndpointDisabled
        } else if let Some(at) = retry {
            base.col_expr(dl::Column::State, Expr::value(State::Pending.as_str()))
                .col_expr(dl::Column::NextAttemptAt, Expr::value(Some(at)))
                .exec(tx.conn())
                .await?;
            Recorded::Retry(at)
        } else {
            base.col_expr(dl::Column::State, Expr::value(State::Dead.as_str()))
                .col_expr(
                    dl::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .exec(tx.conn())
                .await?;
            Recorded::Dead
        }
    };
    tx.commit().await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_follow_the_schedule_with_bounded_jitter() {
        for (i, base) in SCHEDULE.iter().enumerate() {
            let attempt = i32::try_from(i).expect("small") + 1;
            for _ in 0..50 {
                let w = wait_after(attempt).expect("scheduled");
                assert!(w >= *base, "{w} < {base}");
                assert!(w <= *base + *base * JITTER_PERCENT as i32 / 100, "{w}");
            }
        }
        assert_eq!(wait_after(MAX_ATTEMPTS), None);
        assert_eq!(wait_after(0), None);
    }

    #[test]
    fn kept_bodies_are_cut_on_a_character_boundary() {
        let s = "é".repeat(600);
        let t = truncate(&s, KEEP_BODY);
        assert!(t.len() <= KEEP_BODY);
        assert!(t.chars().all(|c| c == 'é'));
    }
}
