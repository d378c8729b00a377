//! Reading the catalog version counters, batched. Every storefront request must know the
//! current versions of the master and its store (that is what keeps several server processes
//! correct), and under load those reads are most of a warm request's cost. So concurrent
//! requests share reads: a request joins the *next* read to start, never one already under
//! way, so the versions it gets were read after it arrived, exactly as if it had queried
//! alone. When the server is idle each request still makes its own read; under load one
//! indexed query answers every request that arrived while the previous one ran.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::db::Database;
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::registry;

type Answer = std::result::Result<Vec<(TenantId, i64)>, String>;
type Reply = oneshot::Sender<Answer>;

/// Tenants read in one query at most.
const MAX_IDS: usize = 512;

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<(Vec<TenantId>, Reply)>,
    /// A reader task is running; new requests wait for its next round.
    reading: bool,
    /// Queries made, and requests answered (for tests and the benchmark).
    queries: u64,
    answered: u64,
}

/// The batcher; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct VersionReads(Arc<Mutex<Queue>>);

impl VersionReads {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        // The lock is never held across an await or a panic point that could poison it in a
        // way that matters: a poisoned queue is still a valid queue.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The catalog versions of `ids` (a missing tenant is left out), read after this call.
    pub async fn read(&self, db: &Database, ids: &[TenantId]) -> Result<Vec<(TenantId, i64)>> {
        let (tx, rx) = oneshot::channel();
        let lead = {
            let mut q = self.queue();
            q.waiting.push((ids.to_vec(), tx));
            !std::mem::replace(&mut q.reading, true)
        };
        if lead {
            let mut reader = Reader {
                batcher: self.clone(),
                finished: false,
            };
            let db = db.clone();
            tokio::spawn(async move { reader.run(&db).await });
        }
        let answer = rx
            .await
            .map_err(|_| Error::Db(sea_orm::DbErr::Custom("the version read stopped".into())))?;
        answer.map_err(|e| Error::Db(sea_orm::DbErr::Custom(e)))
    }

    /// `(queries, requests answered)` so far.
    pub fn stats(&self) -> (u64, u64) {
        let q = self.queue();
        (q.queries, q.answered)
    }
}

/// The task reading rounds until nobody waits. It gives up the reader's role itself, under
/// the lock, when it finds the queue empty; should it stop any other way (a panic), dropping
/// it gives up the role and fails the requests still queued, so none waits forever and the
/// next request starts a new reader.
struct Reader {
    batcher: VersionReads,
    finished: bool,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if !self.finished {
            let mut q = self.batcher.queue();
            q.reading = false;
            // Dropping the senders answers each waiting request with an error.
            q.waiting.clear();
        }
    }
}

impl Reader {
    async fn run(&mut self, db: &Database) {
        loop {
            let batch = {
                let mut q = self.batcher.queue();
                if q.waiting.is_empty() {
                    q.reading = false;
                    drop(q);
                    self.finished = true;
                    return;
                }
                let take = q
                    .waiting
                    .iter()
                    .scan(0usize, |n, (ids, _)| {
                        *n += ids.len();
                        Some(*n)
                    })
                    .take_while(|n| *n <= MAX_IDS)
                    .count()
                    .max(1);
                q.waiting.drain(..take).collect::<Vec<_>>()
            };
            let mut ids: Vec<TenantId> = batch
                .iter()
                .flat_map(|(ids, _)| ids.iter().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let answer: Answer = registry::catalog_versions(db, &ids)
                .await
                .map_err(|e| e.to_string());
            {
                let mut q = self.batcher.queue();
                q.queries += 1;
                q.answered += batch.len() as u64;
            }
            for (want, reply) in batch {
                let mine = answer.as_ref().map_err(Clone::clone).map(|all| {
                    all.iter()
                        .filter(|(t, _)| want.contains(t))
                        .copied()
                        .collect()
                });
                // The request may have gone (the client hung up): nothing to do.
                let _ = reply.send(mine);
            }
        }
    }
}
