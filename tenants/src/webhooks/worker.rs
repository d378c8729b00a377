//! What the delivery workers call. A worker [`claim`]s what is due (found across tenants:
//! the delivery rows carry no payload, and PostgreSQL lets workers read them; then taken
//! with a lease in one transaction per tenant, so two workers or two processes never send
//! the same attempt; the lease moves a delivery's next attempt to its end, so a claimed
//! delivery leaves the queue until then), sends each [`Job`] through the guarded outbound client, and
//! [`record`]s the answers, again one transaction per tenant for a whole batch: delivered,
//! or retried after the next wait of the schedule, or dead-lettered after the last.
//! Everything after the lookup runs bound to the delivery's tenant.
//!
//! Time comes from the caller (`now`), so a test can run three days of retries in a second.
//!
//! The workers' own writes (leases, outcomes, and with the outcomes an endpoint's failure
//! clock, its disablement after 72 hours and the dead letters that follow) commit without
//! waiting for the disk ([`TenantDb::begin_write_relaxed`]). A power cut or an OS crash (not
//! a crash of the process) can undo the last of them: a delivery is then sent again, which
//! at-least-once delivery allows (receivers deduplicate on `webhook-id`), and a failure clock
//! or a disablement undone is set again by the next failed attempt. The events and the
//! deliveries themselves are written by the changes they report, durably, and so are
//! replays and every change made in a console or through the API.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait as _, IntoCondition, IntoIden as _, TableRef, ValueTuple,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait as _, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait as _, Set,
};
use uuid::Uuid;

use super::deliveries::State;
use super::entity::{attempts as at, deliveries as dl, endpoints as ep, events as ev};
use super::{DISABLE_AFTER, JITTER_PERCENT, MAX_ATTEMPTS, SCHEDULE, sign};
use crate::db::{Database, TenantDb, TenantTx};
use crate::error::Result;
use crate::ids::TenantId;
use crate::registry;

/// How long a claimed delivery stays with its worker before another may take it (a worker
/// that died mid-send): longer than the rounds of sends a claimed delivery may wait for plus
/// its own (the configuration keeps the outbound client's timeout within it). A delivery a
/// dead worker held goes out again this much later.
pub const LEASE: Duration = Duration::minutes(10);

/// Bytes of a receiver's answer kept in the log.
pub const KEEP_BODY: usize = 1024;

static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();
static WAKES: AtomicU64 = AtomicU64::new(0);

/// Tells this process's workers that something is due now (an event was committed, a replay
/// asked for). Called after the commit, so the worker finds what it is woken for. Workers
/// also poll, for what other processes wrote.
pub fn wake() {
    WAKES.fetch_add(1, Ordering::Release);
    WAKE.notify_one();
}

/// How many times [`wake`] was called: a worker busy sending compares it with what it saw
/// when the queue was last empty, to look again without waiting.
pub fn wakes() -> u64 {
    WAKES.load(Ordering::Acquire)
}

/// Waits for [`wake`].
pub async fn woken() {
    WAKE.notified().await;
}

/// A delivery that is due: what the queue's scan read of it (the queue index alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub tenant: TenantId,
    pub delivery: Uuid,
}

/// The queue's condition: pending and due at `now`. A claimed delivery is not due: its lease
/// moved its next attempt to the lease's end, when it is due again if its worker never
/// recorded an answer.
fn due_filter(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(pending())
        .add(dl::Column::NextAttemptAt.lte(now))
}

/// `state = 'pending'` with the value written into the statement, not bound: the queue index
/// holds the pending deliveries only (a partial index), and SQLite and PostgreSQL use it only
/// for a condition they can see implies the index's own.
fn pending() -> Expr {
    Expr::col((dl::Entity, dl::Column::State))
        .eq(Expr::cust(format!("'{}'", State::Pending.as_str())))
}

/// [`due_filter`] for rows picked by their key: the state is wrapped in an expression so
/// that SQLite looks the rows up by key, whatever index holds the state (with the queue's
/// old full index, a plain condition on the state made it walk that over every due
/// delivery).
fn still_due(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(state_by_key().eq(State::Pending.as_str()))
        .add(dl::Column::NextAttemptAt.lte(now))
}

/// The state, for a condition on rows picked by their key (see [`still_due`]).
fn state_by_key() -> Expr {
    use sea_orm::sea_query::Func;
    Expr::expr(Func::coalesce([
        Expr::col(dl::Column::State),
        Expr::val(""),
    ]))
}

/// Up to `limit` deliveries due at `now`, oldest due first: a walk of the queue index (the
/// pending deliveries by due time and key), which holds nothing delivered or dead, and
/// nothing a claim has taken before its lease's end.
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

/// When the next pending delivery falls due (`None`: nothing pending). A claimed delivery
/// counts at its lease's end.
pub async fn next_due(db: &Database) -> Result<Option<DateTime<Utc>>> {
    let row: Option<Option<DateTime<Utc>>> = dl::Entity::find()
        .filter(pending())
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

/// Claims up to `limit` deliveries due at `now`, oldest due first, for one attempt each: one
/// short write per tenant. A delivery another worker holds, or one no longer due, is
/// skipped; one whose endpoint was disabled meanwhile is dead-lettered instead.
pub async fn claim(db: &Database, now: DateTime<Utc>, limit: u64) -> Result<Vec<Job>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let due = due(db, now, limit).await?;
    // Per tenant, in the queue's order.
    let mut groups: Vec<(TenantId, Vec<Uuid>)> = Vec::new();
    for d in due {
        match groups.iter_mut().find(|(t, _)| *t == d.tenant) {
            Some((_, rows)) => rows.push(d.delivery),
            None => groups.push((d.tenant, vec![d.delivery])),
        }
    }
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<TenantId> = groups.iter().map(|(t, _)| *t).collect();
    let tenants: HashMap<TenantId, registry::Tenant> = registry::find_many(db, &ids)
        .await?
        .into_iter()
        .map(|t| (t.id(), t))
        .collect();
    let mut jobs = Vec::new();
    let mut failed = None;
    for (tenant, rows) in groups {
        let Some(tenant) = tenants.get(&tenant) else {
            continue;
        };
        // One tenant's failure does not hold back the jobs claimed for the others.
        match claim_of(&TenantDb::new(db, tenant), &rows, now).await {
            Ok(more) => jobs.extend(more),
            Err(e) => {
                tracing::error!(tenant = %tenant.id(), error = %e, "webhook delivery: a claim failed");
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) if jobs.is_empty() => Err(e),
        _ => Ok(jobs),
    }
}

/// What a lease took of one delivery.
struct Leased {
    attempts: i32,
    endpoint: Uuid,
    event: String,
}

/// [`claim`] for one tenant's due deliveries `rows` (in the queue's order), in one write:
///
/// 1. the lease, taken only on rows still due (another worker may have claimed some after
///    the scan): it moves each one's next attempt to the lease's end, so that no scan meets
///    it again unless its worker dies before recording an answer; it returns what the sends
///    need to look up. On PostgreSQL a row another worker is leasing right now is waited for
///    and then checked again, so it is skipped once that worker commits;
/// 2. in the same transaction (the same connection, whose pages the lease just read), the
///    endpoints and the events' bodies (never changed once written);
/// 3. a leased delivery whose endpoint was disabled is dead-lettered. An endpoint disabled
///    after this claim gets this one attempt more, as one disabled just after it would.
///
/// If a read fails, the lease rolls back with it.
async fn claim_of(tdb: &TenantDb, rows: &[Uuid], now: DateTime<Utc>) -> Result<Vec<Job>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let tx = tdb.begin_write_relaxed().await?;
    let mut lease = tx
        .update_many::<dl::Entity>()
        .filter(dl::Column::Id.is_in(padded(rows.to_vec())))
        .filter(still_due(now))
        .col_expr(dl::Column::NextAttemptAt, Expr::value(Some(now + LEASE)))
        .into_query();
    lease.returning(sea_orm::sea_query::Query::returning().columns([
        dl::Column::Id,
        dl::Column::Attempts,
        dl::Column::EndpointId,
        dl::Column::EventId,
    ]));
    let mut leased: HashMap<Uuid, Leased> = HashMap::with_capacity(rows.len());
    for row in tx.conn().query_all(&lease).await? {
        leased.insert(
            row.try_get("", "id")?,
            Leased {
                attempts: row.try_get("", "attempts")?,
                endpoint: row.try_get("", "endpoint_id")?,
                event: row.try_get("", "event_id")?,
            },
        );
    }
    if leased.is_empty() {
        // Nothing written: the transaction ends as it began.
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let endpoints: HashMap<Uuid, ep::Model> = tx
        .find::<ep::Entity>()
        .filter(ep::Column::Id.is_in(padded(distinct(leased.values().map(|l| l.endpoint)))))
        .all(tx.conn())
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let events: HashMap<String, String> = tx
        .find::<ev::Entity>()
        .filter(ev::Column::Id.is_in(padded(distinct(leased.values().map(|l| l.event.clone())))))
        .select_only()
        .column(ev::Column::Id)
        .column(ev::Column::Payload)
        .into_tuple::<(String, String)>()
        .all(tx.conn())
        .await?
        .into_iter()
        .collect();
    let stopped: Vec<Uuid> = leased
        .iter()
        .filter(|(_, l)| !endpoints.get(&l.endpoint).is_some_and(|e| e.enabled))
        .map(|(id, _)| *id)
        .collect();
    if !stopped.is_empty() {
        tx.defer_update(endpoint_disabled(
            dl::Entity::update_many()
                .filter(dl::Column::Id.is_in(stopped))
                .filter(state_by_key().eq(State::Pending.as_str())),
            now,
        ));
    }
    // The jobs go out once the lease is committed: the batch commits now, not after the
    // writers queued behind this claim (a recorder's batch of answers).
    tx.commit_first().await?;

    let ts = now.timestamp();
    // In the queue's order, as the scan returned them.
    let mut jobs = Vec::with_capacity(leased.len());
    for id in rows {
        let Some(l) = leased.get(id) else {
            // Another worker took it, or it is no longer due.
            continue;
        };
        let Some(endpoint) = endpoints.get(&l.endpoint).filter(|e| e.enabled) else {
            // Dead-lettered above.
            continue;
        };
        let Some(payload) = events.get(&l.event) else {
            // An event is not deleted while a delivery names it (a foreign key), so this
            // does not happen; the lease lapses.
            tracing::error!(delivery = %id, "webhook delivery without its event");
            continue;
        };
        let mut signature = sign(&endpoint.secret, &l.event, ts, payload)?;
        if let (Some(prev), Some(until)) = (&endpoint.previous_secret, endpoint.previous_until)
            && until > now
        {
            signature.push(' ');
            signature.push_str(&sign(prev, &l.event, ts, payload)?);
        }
        jobs.push(Job {
            db: tdb.clone(),
            delivery: *id,
            endpoint: endpoint.id,
            attempt: l.attempts + 1,
            url: endpoint.url.clone(),
            headers: vec![
                ("content-type", "application/json".into()),
                ("webhook-id", l.event.clone()),
                ("webhook-timestamp", ts.to_string()),
                ("webhook-signature", signature),
            ],
            body: payload.clone(),
        });
    }
    Ok(jobs)
}

/// Dead-letters the deliveries `upd` selects: their endpoint is disabled.
fn endpoint_disabled(
    upd: sea_orm::UpdateMany<dl::Entity>,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<dl::Entity> {
    upd.col_expr(dl::Column::State, Expr::value(State::Dead.as_str()))
        .col_expr(
            dl::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(dl::Column::LastError, Expr::value("endpoint disabled"))
        .col_expr(dl::Column::UpdatedAt, Expr::value(now))
}

/// `items` made as long as the next of a few lengths by repeating its last item, which
/// changes nothing in an `IN` list or in a list of rows joined on their key (each repeat
/// joins the row its original joins, with the same values).
///
/// A statement whose list grows with the batch (the lease, the reads for sending, the
/// delivered rows' update) is a new statement for each length of it, which both databases
/// parse and plan again, and which pushes others out of the connection's cache of prepared
/// statements. Padded, each takes one of 18 lengths up to 1,024 (1, 2, 4, 8, then two per
/// doubling: 12, 16, 24, 32…), at the price of at most about half as many values again.
fn padded<T: Clone>(mut items: Vec<T>) -> Vec<T> {
    if let Some(last) = items.last().cloned() {
        items.resize(padded_len(items.len()), last);
    }
    items
}

/// The length [`padded`] makes a list of `n` items.
fn padded_len(n: usize) -> usize {
    let up = n.next_power_of_two();
    if n <= 8 || n > up / 2 + up / 4 {
        up
    } else {
        up / 2 + up / 4
    }
}

fn distinct<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = items.collect();
    v.sort();
    v.dedup();
    v
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

/// An attempt made: the claimed job, what came back, and when it started.
#[derive(Debug)]
pub struct Attempt {
    pub job: Job,
    pub outcome: Outcome,
    pub started: DateTime<Utc>,
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

/// Records the outcomes of `attempts` (in the order they finished) at `now`: one transaction
/// per tenant. Returns what became of each, in the same order.
pub async fn record(attempts: Vec<Attempt>, now: DateTime<Utc>) -> Result<Vec<Recorded>> {
    let mut groups: Vec<(TenantId, Vec<usize>)> = Vec::new();
    for (i, a) in attempts.iter().enumerate() {
        match groups.iter_mut().find(|(t, _)| *t == a.job.tenant()) {
            Some((_, idx)) => idx.push(i),
            None => groups.push((a.job.tenant(), vec![i])),
        }
    }
    let mut out = vec![Recorded::Dead; attempts.len()];
    for (_, idx) in groups {
        let group: Vec<&Attempt> = idx.iter().map(|&i| &attempts[i]).collect();
        let recorded = record_of(&group, now).await?;
        for (i, r) in idx.into_iter().zip(recorded) {
            out[i] = r;
        }
    }
    Ok(out)
}

/// An endpoint's failure clock as [`record_of`] walks through a batch.
struct EndpointRun {
    failing_since: Option<DateTime<Utc>>,
    was_failing_since: Option<DateTime<Utc>>,
    disabled: Option<String>,
}

/// [`record`] for one tenant's attempts (non-empty, all of one tenant). The outcomes are
/// walked in order, as if recorded one by one: a success clears its endpoint's failure
/// clock, a failure starts it, and a failure 72 hours after it started disables the endpoint.
///
/// At most two reads in the write turn (the endpoints' failure clocks, skipped when every
/// attempt succeeded, and a delivered row's earlier success); every write is held back and
/// goes with the commit, in one call on SQLite.
async fn record_of(attempts: &[&Attempt], now: DateTime<Utc>) -> Result<Vec<Recorded>> {
    let Some(first) = attempts.first() else {
        return Ok(Vec::new());
    };
    let tdb = &first.job.db;
    // The attempt that delivered each delivery is kept on its row (the last one, should a
    // delivery be in the batch twice: its lease lapsed and it was claimed again); every other
    // attempt is a row of the log.
    let mut kept: HashMap<Uuid, usize> = HashMap::new();
    for (i, a) in attempts.iter().enumerate() {
        if a.outcome.delivered() {
            kept.insert(a.job.delivery, i);
        }
    }
    // What does not depend on the endpoints' failure clocks is built before the write turn:
    // the log's rows, and one update of the delivered rows, each with its own attempt.
    let log = tdb.prebuild_insert_many(
        attempts
            .iter()
            .enumerate()
            .filter(|(i, a)| kept.get(&a.job.delivery) != Some(i))
            .map(|(_, a)| {
                log_row(
                    a.job.delivery,
                    a.job.attempt,
                    a.started,
                    a.outcome.duration_ms,
                    a.outcome.status,
                    a.outcome.error.as_deref(),
                    a.outcome.body.as_deref(),
                )
            })
            .collect(),
    );
    let mut kept: Vec<usize> = kept.into_values().collect();
    kept.sort_unstable();
    let delivered = (!kept.is_empty()).then(|| {
        tdb.prebuild_update_from(
            delivered_update(now),
            delivered_values(padded(kept.iter().map(|&i| attempts[i]).collect()).into_iter()),
        )
    });
    let delivered_ids: Vec<Uuid> = kept.iter().map(|&i| attempts[i].job.delivery).collect();

    let endpoints = distinct(attempts.iter().map(|a| a.job.endpoint));
    // A batch of successes only clears its endpoints' failure clocks, which needs no read.
    let all_delivered = attempts.iter().all(|a| a.outcome.delivered());

    let tx = tdb.begin_write_relaxed().await?;
    let known = if all_delivered {
        tx.defer_update(
            ep::Entity::update_many()
                .filter(ep::Column::Id.is_in(endpoints))
                .filter(ep::Column::FailingSince.is_not_null())
                .col_expr(
                    ep::Column::FailingSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
        );
        Vec::new()
    } else {
        tx.find::<ep::Entity>()
            .filter(ep::Column::Id.is_in(endpoints))
            .all(tx.conn())
            .await?
    };
    // With no read, every endpoint's run starts and ends clear below: nothing more to write.
    let mut runs: HashMap<Uuid, EndpointRun> = known
        .into_iter()
        .map(|e| {
            (
                e.id,
                EndpointRun {
                    failing_since: e.failing_since,
                    was_failing_since: e.failing_since,
                    disabled: None,
                },
            )
        })
        .collect();
    if let Some(log) = log {
        tx.defer_prebuilt(log)?;
    }
    // A delivery that was delivered before (a second send after a lapsed lease) keeps this
    // attempt on its row: the one it had goes to the log first.
    if !delivered_ids.is_empty() {
        keep_in_log(&tx, dl::Column::Id.is_in(padded(delivered_ids))).await?;
    }

    let mut out = Vec::with_capacity(attempts.len());
    for a in attempts {
        let job = &a.job;
        let run = runs.entry(job.endpoint).or_insert(EndpointRun {
            failing_since: None,
            was_failing_since: None,
            disabled: None,
        });
        if a.outcome.delivered() {
            run.failing_since = None;
            out.push(Recorded::Delivered);
            continue;
        }
        let failing_since = *run.failing_since.get_or_insert(a.started);
        let retry = if job.attempt >= MAX_ATTEMPTS {
            None
        } else {
            wait_after(job.attempt).map(|w| now + w)
        };
        let (state, next, recorded) = if now - failing_since >= DISABLE_AFTER {
            if run.disabled.is_none() {
                run.disabled = Some(format!(
                    "disabled {}: every attempt failed since {} ({} h); fix the receiver, enable the endpoint and replay the dead letters",
                    now.format("%Y-%m-%d %H:%M UTC"),
                    failing_since.format("%Y-%m-%d %H:%M UTC"),
                    DISABLE_AFTER.num_hours()
                ));
            }
            (State::Dead, None, Recorded::EndpointDisabled)
        } else if let Some(at) = retry {
            (State::Pending, Some(at), Recorded::Retry(at))
        } else {
            (State::Dead, None, Recorded::Dead)
        };
        tx.defer_update(
            dl::Entity::update_many()
                .filter(dl::Column::Id.eq(job.delivery))
                .col_expr(dl::Column::State, Expr::value(state.as_str()))
                .col_expr(dl::Column::NextAttemptAt, Expr::value(next))
                .col_expr(dl::Column::Attempts, Expr::value(job.attempt))
                .col_expr(
                    dl::Column::LastStatus,
                    Expr::value(a.outcome.status.map(i32::from)),
                )
                .col_expr(
                    dl::Column::LastError,
                    Expr::value(a.outcome.error.as_deref().map(|e| truncate(e, 300))),
                )
                .col_expr(dl::Column::UpdatedAt, Expr::value(now)),
        );
        out.push(recorded);
    }
    // After the failures, as when each was written on its own: a delivery in the batch twice
    // (its lease lapsed and it was claimed again) ends delivered if either attempt was.
    if let Some(d) = delivered {
        tx.defer_prebuilt(d)?;
    }
    for (endpoint, run) in &runs {
        if run.failing_since != run.was_failing_since {
            tx.defer_update(
                ep::Entity::update_many()
                    .filter(ep::Column::Id.eq(*endpoint))
                    .col_expr(ep::Column::FailingSince, Expr::value(run.failing_since)),
            );
        }
        let Some(reason) = &run.disabled else {
            continue;
        };
        tx.defer_update(
            ep::Entity::update_many()
                .filter(ep::Column::Id.eq(*endpoint))
                .col_expr(ep::Column::Enabled, Expr::value(false))
                .col_expr(
                    ep::Column::DisabledReason,
                    Expr::value(Some(reason.clone())),
                )
                .col_expr(ep::Column::Version, Expr::col(ep::Column::Version).add(1)),
        );
        // Everything still waiting for it (retries included) becomes a dead letter.
        tx.defer_update(endpoint_disabled(
            dl::Entity::update_many()
                .filter(dl::Column::EndpointId.eq(*endpoint))
                .filter(dl::Column::State.eq(State::Pending.as_str())),
            now,
        ));
        tracing::warn!(tenant = %tx.tenant_id(), endpoint = %endpoint, "{reason}");
    }
    tx.commit().await?;
    Ok(out)
}

/// A row of the delivery log (`webhook_attempts`), for the transaction's tenant.
fn log_row(
    delivery: Uuid,
    attempt: i32,
    started: DateTime<Utc>,
    duration_ms: u32,
    status: Option<u16>,
    error: Option<&str>,
    body: Option<&str>,
) -> at::ActiveModel {
    at::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery),
        attempt: Set(attempt),
        started_at: Set(started),
        duration_ms: Set(i32::try_from(duration_ms).unwrap_or(i32::MAX)),
        status: Set(status.map(i32::from)),
        error: Set(error.map(|e| truncate(e, 300))),
        response_body: Set(body.map(|b| truncate(b, KEEP_BODY))),
    }
}

/// The name the delivered attempts' values go by in [`delivered_update`]. Its columns are
/// `column1`… in the order [`delivered_values`] gives them: SQLite and PostgreSQL both name
/// the columns of a `VALUES` list so.
const DELIVERED: &str = "delivered";

fn delivered_col(n: u8) -> Expr {
    Expr::col((Alias::new(DELIVERED), Alias::new(format!("column{n}"))))
}

/// Marks delivered the rows joined with [`delivered_values`] (one statement), each keeping
/// the attempt that delivered it.
fn delivered_update(now: DateTime<Utc>) -> sea_orm::UpdateMany<dl::Entity> {
    dl::Entity::update_many()
        .filter(
            Expr::col((dl::Entity, dl::Column::Id))
                .equals((Alias::new(DELIVERED), Alias::new("column1"))),
        )
        .col_expr(dl::Column::State, Expr::value(State::Delivered.as_str()))
        .col_expr(
            dl::Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(dl::Column::Attempts, delivered_col(2))
        .col_expr(dl::Column::LastStatus, delivered_col(3))
        .col_expr(dl::Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(dl::Column::UpdatedAt, Expr::value(now))
        .col_expr(dl::Column::DeliveredAttempt, delivered_col(2))
        .col_expr(dl::Column::DeliveredStatus, delivered_col(3))
        .col_expr(dl::Column::DeliveredStartedAt, delivered_col(4))
        .col_expr(dl::Column::DeliveredDurationMs, delivered_col(5))
        .col_expr(dl::Column::DeliveredBody, delivered_col(6))
}

/// The delivered attempts as rows of values for [`delivered_update`]: the delivery, the
/// attempt's number, the status, when it started, how long it took, the start of the answer.
fn delivered_values<'a>(attempts: impl Iterator<Item = &'a Attempt>) -> TableRef {
    let rows = attempts
        .map(|a| {
            ValueTuple::Many(vec![
                a.job.delivery.into(),
                a.job.attempt.into(),
                a.outcome.status.map(i32::from).into(),
                a.started.into(),
                i32::try_from(a.outcome.duration_ms)
                    .unwrap_or(i32::MAX)
                    .into(),
                a.outcome
                    .body
                    .as_deref()
                    .map(|b| truncate(b, KEEP_BODY))
                    .into(),
            ])
        })
        .collect();
    TableRef::ValuesList(rows, Alias::new(DELIVERED).into_iden())
}

/// Before another attempt takes its place: moves the attempt that delivered each delivery
/// `cond` selects (those that have one) from its row to the log, held back with the
/// transaction's writes.
pub(super) async fn keep_in_log(tx: &TenantTx, cond: impl IntoCondition) -> Result<()> {
    type Kept = (
        Uuid,
        Option<i32>,
        Option<i32>,
        Option<DateTime<Utc>>,
        Option<i32>,
        Option<String>,
    );
    let cond = cond.into_condition();
    let kept: Vec<Kept> = tx
        .find::<dl::Entity>()
        .filter(cond)
        .filter(dl::Column::DeliveredStartedAt.is_not_null())
        .select_only()
        .column(dl::Column::Id)
        .column(dl::Column::DeliveredAttempt)
        .column(dl::Column::DeliveredStatus)
        .column(dl::Column::DeliveredStartedAt)
        .column(dl::Column::DeliveredDurationMs)
        .column(dl::Column::DeliveredBody)
        .into_tuple()
        .all(tx.conn())
        .await?;
    if kept.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = kept.iter().map(|k| k.0).collect();
    tx.defer_insert_many(
        kept.into_iter()
            .filter_map(|(id, attempt, status, started, duration, body)| {
                Some(log_row(
                    id,
                    attempt.unwrap_or(0),
                    started?,
                    u32::try_from(duration.unwrap_or(0)).unwrap_or(0),
                    status.and_then(|s| u16::try_from(s).ok()),
                    None,
                    body.as_deref(),
                ))
            })
            .collect(),
    );
    let no_int = || Expr::value(Option::<i32>::None);
    tx.defer_update(
        dl::Entity::update_many()
            .filter(dl::Column::Id.is_in(ids))
            .col_expr(dl::Column::DeliveredAttempt, no_int())
            .col_expr(dl::Column::DeliveredStatus, no_int())
            .col_expr(
                dl::Column::DeliveredStartedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(dl::Column::DeliveredDurationMs, no_int())
            .col_expr(
                dl::Column::DeliveredBody,
                Expr::value(Option::<String>::None),
            ),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_lists_take_few_lengths_and_keep_their_items() {
        let lengths: std::collections::BTreeSet<usize> = (1..=1024).map(padded_len).collect();
        assert_eq!(
            lengths.into_iter().collect::<Vec<_>>(),
            [
                1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024
            ]
        );
        for n in 1..=1024 {
            let len = padded_len(n);
            assert!(len >= n && len * 2 <= n * 3 + 1, "{n} -> {len}");
        }
        assert_eq!(
            padded(vec![3, 1, 2, 5, 7, 9, 11, 13, 15]),
            [3, 1, 2, 5, 7, 9, 11, 13, 15, 15, 15, 15]
        );
        assert_eq!(padded(Vec::<u8>::new()), Vec::<u8>::new());
    }

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
