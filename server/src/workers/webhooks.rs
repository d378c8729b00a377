//! The webhook delivery worker: takes what is due from the outbox (across tenants), sends it
//! through the guarded outbound client, records each answer. Woken at once when this process
//! commits an event; polls every second for what other processes wrote. Several workers (in
//! one process or several) share the queue: a delivery is claimed with a lease before it is
//! sent, so each attempt goes out once.
//!
//! The worker is a pipeline: `concurrency` long-lived senders take claimed deliveries from
//! one queue (as a plain HTTP client's tasks would), and up to [`AHEAD`] times as many are
//! claimed. When a round's worth of places is free it claims that many more (one
//! transaction per tenant) in a task of its own, so the senders keep going through what was
//! claimed before while the claim waits for the database; a recorder beside them writes the
//! answers that came back while it wrote the last batch (again one transaction per tenant).
//! Under load both batches grow with the backlog, so the database is visited twice per
//! batch, not three times per event, and no stage waits for another.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures::FutureExt as _;

use tenants::Database;
use tenants::clock::SharedClock;
use tenants::webhooks::worker::{self, Attempt, Job, Outcome};
use tokio::sync::Notify;
use url::Url;

use crate::outbound::{Outbound, SendError};

/// How often the worker looks for work it was not woken for.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Claimed deliveries per place on the wire: the worker claims ahead so that the wire stays
/// busy while the next claiming transaction waits for the disk, and each claim takes what
/// was sent since the last one (claims grow with the throughput). A claimed delivery waits
/// at most `AHEAD - 1` rounds before it goes out, each shorter than the client's timeout, all
/// well inside the lease (the configuration checks it).
pub const AHEAD: usize = 16;

/// Sends one claimed job to `url` (its endpoint's, parsed).
async fn send(
    outbound: &Outbound,
    clock: &SharedClock,
    url: Result<Arc<Url>, String>,
    mut job: Job,
) -> Attempt {
    let started = clock.now();
    let t0 = Instant::now();
    let body = std::mem::take(&mut job.body);
    let sent = match &url {
        Ok(url) => outbound.post_to(url, &job.headers, body).await,
        Err(e) => Err(SendError::Other(format!("bad URL: {e}"))),
    };
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
    Attempt {
        job,
        outcome,
        started,
    }
}

/// A claimed job waiting for a sender, with its endpoint's URL (parsed once per claim).
type Queued = (Result<Arc<Url>, String>, Job);

/// What the sending loop and its senders share: how many claimed jobs have no answer yet,
/// and a signal for the loop when that number falls to where it claims again.
struct Progress {
    outstanding: AtomicUsize,
    /// The number of outstanding jobs at which the loop claims again (a round's worth of
    /// places free), besides none at all.
    claim_at: usize,
    changed: Notify,
}

impl Progress {
    /// One claimed job was answered (or lost to a failed sender).
    fn answered(&self) {
        let left = self.outstanding.fetch_sub(1, Ordering::AcqRel) - 1;
        if left == self.claim_at || left == 0 {
            self.changed.notify_one();
        }
    }
}

/// One of the `concurrency` places on the wire: a long-lived task that takes the next queued
/// job, sends it and hands the attempt to the recorder, until the queue is closed.
async fn sender(
    outbound: Outbound,
    clock: SharedClock,
    queue: flume::Receiver<Queued>,
    answered: tokio::sync::mpsc::UnboundedSender<Attempt>,
    progress: Arc<Progress>,
) {
    while let Ok((url, job)) = queue.recv_async().await {
        let sent = AssertUnwindSafe(send(&outbound, &clock, url, job))
            .catch_unwind()
            .await;
        match sent {
            // The recorder lives until every sender has ended.
            Ok(attempt) => {
                let _ = answered.send(attempt);
            }
            // Its lease lapses and it is sent again: at least once.
            Err(_) => tracing::error!("webhook delivery: a send panicked"),
        }
        progress.answered();
    }
}

/// Records answers as they come, in batches: whatever arrived while the last batch was
/// being written goes into the next. Runs beside the sending loop, so writing answers
/// never holds up claiming and sending (on SQLite the two transactions, queued together,
/// share a commit). Returns how many were recorded, and the first error.
async fn recorder(
    clock: SharedClock,
    mut answers: tokio::sync::mpsc::UnboundedReceiver<Attempt>,
) -> (usize, Option<tenants::Error>) {
    let mut recorded = 0;
    let mut first_error = None;
    while let Some(first) = answers.recv().await {
        let mut batch = vec![first];
        while let Ok(more) = answers.try_recv() {
            batch.push(more);
        }
        let n = batch.len();
        match worker::record(batch, clock.now()).await {
            Ok(_) => recorded += n,
            // The leases lapse and the attempts are made again: at least once.
            Err(e) => {
                tracing::error!(error = %e, "webhook delivery: could not record {n} answers");
                first_error.get_or_insert(e);
            }
        }
    }
    (recorded, first_error)
}

/// What a claim in flight gives back: the wakes seen when it started, the room it asked
/// for, and the jobs (or why not).
type Claimed = (u64, usize, tenants::Result<Vec<Job>>);

/// Sends everything due now, up to `concurrency` at once, until nothing is due and nothing
/// is on the wire. Returns how many attempts were made and recorded. Tests call this with a
/// clock they move; [`run`] calls it whenever it is woken.
///
/// `concurrency` senders take the claimed jobs from one queue, as a plain client's tasks
/// would; the claim runs beside them: while it waits for the database they keep going
/// through what was claimed before, and its jobs join the queue when it returns. One claim
/// is in flight at a time.
pub async fn run_once(
    db: &Database,
    outbound: &Outbound,
    clock: &SharedClock,
    concurrency: usize,
) -> tenants::Result<usize> {
    let concurrency = concurrency.max(1);
    let ahead = concurrency.saturating_mul(AHEAD);
    let progress = Arc::new(Progress {
        outstanding: AtomicUsize::new(0),
        claim_at: ahead - concurrency,
        changed: Notify::new(),
    });
    let (answered, answers) = tokio::sync::mpsc::unbounded_channel();
    let recording = tokio::spawn(recorder(clock.clone(), answers));
    let (queue, queued) = flume::unbounded::<Queued>();
    let senders: Vec<_> = (0..concurrency)
        .map(|_| {
            tokio::spawn(sender(
                outbound.clone(),
                clock.clone(),
                queued.clone(),
                answered.clone(),
                progress.clone(),
            ))
        })
        .collect();
    drop((queued, answered));
    let mut claiming: Option<tokio::task::JoinHandle<Claimed>> = None;
    let mut first_error: Option<tenants::Error> = None;
    // The queue was found empty (or short) when `wake` had been called this many times: look
    // again only after another wake.
    let mut empty_at: Option<u64> = None;
    loop {
        let outstanding = progress.outstanding.load(Ordering::Acquire);
        // Claim when a round's worth of places is free (or nothing is claimed), so each
        // claiming transaction takes a batch. With nothing claimed, one round only: the
        // senders start as soon as that small claim is back, and the next, larger one is
        // claimed while they send.
        let room = if outstanding == 0 {
            concurrency
        } else {
            ahead - outstanding.min(ahead)
        };
        let woken = empty_at.is_none_or(|seen| seen != worker::wakes());
        if claiming.is_none() && (room >= concurrency || outstanding == 0) && woken {
            let (db, now, wakes) = (db.clone(), clock.now(), worker::wakes());
            let fut = async move { (wakes, room, worker::claim(&db, now, room as u64).await) };
            claiming = Some(tokio::spawn(fut));
        }
        if claiming.is_none() && outstanding == 0 {
            // Nothing claimed, nothing on the wire, and the queue was found empty.
            break;
        }
        tokio::select! {
            // A claim came back: its jobs join the queue.
            claimed = async {
                match claiming.as_mut() {
                    Some(handle) => handle.await,
                    None => std::future::pending().await,
                }
            }, if claiming.is_some() => {
                claiming = None;
                match claimed {
                    Ok((wakes, asked, Ok(jobs))) => {
                        if jobs.len() < asked {
                            empty_at = Some(wakes);
                        }
                        progress.outstanding.fetch_add(jobs.len(), Ordering::AcqRel);
                        // Each endpoint's URL parsed once for the claim.
                        let mut urls: HashMap<String, Result<Arc<Url>, String>> = HashMap::new();
                        for job in jobs {
                            let url = match urls.get(&job.url) {
                                Some(url) => url.clone(),
                                None => {
                                    let url = Url::parse(&job.url)
                                        .map(Arc::new)
                                        .map_err(|e| e.to_string());
                                    urls.insert(job.url.clone(), url.clone());
                                    url
                                }
                            };
                            // The senders live until the queue is dropped below.
                            let _ = queue.send((url, job));
                        }
                    }
                    Ok((wakes, _, Err(e))) => {
                        tracing::error!(error = %e, "webhook delivery: could not read the queue");
                        empty_at = Some(wakes);
                        first_error.get_or_insert(e);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "webhook delivery: the claim failed");
                        empty_at = Some(worker::wakes());
                    }
                }
            }
            // Answers came in: as many as free a round's worth of places, or all of them.
            () = progress.changed.notified() => {}
            // New work was committed while the senders were busy: claim it without waiting
            // for them.
            () = worker::woken(), if empty_at.is_some() => {}
        }
    }
    drop(queue);
    for s in senders {
        if let Err(e) = s.await {
            tracing::error!(error = %e, "webhook delivery: a sender failed");
        }
    }
    let (recorded, record_error) = recording.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "webhook delivery: the recorder failed");
        (0, None)
    });
    match first_error.or(record_error) {
        Some(e) if recorded == 0 => Err(e),
        _ => Ok(recorded),
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
        // Its errors are logged where they happen; the next turn tries again.
        let _ = run_once(&db, &outbound, &clock, concurrency).await;
        tokio::select! {
            () = worker::woken() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
    }
}
