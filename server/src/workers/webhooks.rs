//! The webhook delivery worker: takes what is due from the outbox (across tenants), sends it
//! through the guarded outbound client, records each answer. Woken at once when this process
//! commits an event; polls every second for what other processes wrote. Several workers (in
//! one process or several) share the queue: a delivery is claimed with a lease before it is
//! sent, so each attempt goes out once.

use std::time::{Duration, Instant};

use tenants::Database;
use tenants::clock::SharedClock;
use tenants::webhooks::worker::{self, Due, Outcome, Recorded};
use tokio::task::JoinSet;

use crate::outbound::{Outbound, SendError};

/// How often the worker looks for work it was not woken for.
pub const POLL: Duration = Duration::from_secs(1);

/// Sends one claimed job and records its answer.
async fn deliver(
    db: Database,
    outbound: Outbound,
    clock: SharedClock,
    due: Due,
) -> tenants::Result<Option<Recorded>> {
    let started = clock.now();
    let Some(job) = worker::claim(&db, &due, started).await? else {
        return Ok(None);
    };
    let t0 = Instant::now();
    let sent = outbound
        .post(&job.url, &job.headers, job.body.clone())
        .await;
    let duration_ms = u32::try_from(t0.elapsed().as_millis()).unwrap_or(u32::MAX);
    let outcome = match sent {
        Ok(a) => Outcome {
            status: Some(a.status),
            error: (!(200..300).contains(&a.status)).then(|| {
                if (300..400).contains(&a.status) {
                    "redirects are not followed: answer 2xx at the URL you registered".to_owned()
                } else {
                    format!("answered {}", a.status)
                }
            }),
            body: Some(a.body),
            duration_ms,
        },
        Err(e) => Outcome {
            status: None,
            error: Some(match e {
                SendError::Refused(r) => format!("refused: {r}"),
                other => other.to_string(),
            }),
            body: None,
            duration_ms,
        },
    };
    worker::record(job, &outcome, started, clock.now())
        .await
        .map(Some)
}

/// Sends everything due now (up to `batch` at once), until nothing is. Returns how many
/// attempts were made. Tests call this with a clock they move.
pub async fn run_once(
    db: &Database,
    outbound: &Outbound,
    clock: &SharedClock,
    batch: usize,
) -> tenants::Result<usize> {
    let mut attempts = 0;
    loop {
        let due = worker::due(db, clock.now(), batch as u64).await?;
        if due.is_empty() {
            return Ok(attempts);
        }
        let mut set = JoinSet::new();
        for d in due {
            set.spawn(deliver(db.clone(), outbound.clone(), clock.clone(), d));
        }
        let mut progressed = false;
        while let Some(done) = set.join_next().await {
            match done {
                Ok(Ok(Some(_))) => {
                    attempts += 1;
                    progressed = true;
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "webhook delivery: could not record"),
                Err(e) => tracing::error!(error = %e, "webhook delivery task failed"),
            }
        }
        // Everything due was taken by another worker: let it finish.
        if !progressed {
            return Ok(attempts);
        }
    }
}

/// Runs until `stop` turns true.
pub async fn run(
    db: Database,
    outbound: Outbound,
    clock: SharedClock,
    concurrency: usize,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = run_once(&db, &outbound, &clock, concurrency).await {
            tracing::error!(error = %e, "webhook delivery: could not read the queue");
        }
        tokio::select! {
            () = worker::woken() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}
