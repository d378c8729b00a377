//! Group commit on SQLite.
//!
//! SQLite has one writer at a time, and with `synchronous=FULL` every commit waits for the
//! disk. This process's write transactions therefore take turns at a gate, and while one
//! holds the turn, the others queue. Instead of one commit each, the writers that queue
//! while a transaction runs share one: each runs as a savepoint of an open *batch*
//! transaction, and the batch commits once nobody is waiting for the turn (or it is full).
//! A writer's `commit` returns only after its batch committed, so nothing is answered
//! before it is on disk (for a relaxed writer, before it is in the write-ahead log: see
//! below); a writer that fails or is dropped rolls back to its savepoint and leaves the
//! others' work alone.
//!
//! A writer's savepoint (`hub_member`) is the hub's own, not the driver's nested
//! transaction: the writer works on the batch's transaction itself, and its commit sends
//! the release with its held-back writes, in one call to the connection (each call is a
//! hand-over to the connection's thread and back, paid while the others wait for the turn).
//!
//! Writers that arrive one at a time commit one at a time, as before: a batch forms only
//! from writers that would otherwise have waited.
//!
//! A batch is durable or relaxed, as its first writer asked ([`Durability`]): a relaxed
//! batch is opened on a connection with `synchronous=NORMAL`, whose commit does not wait for
//! the disk. A relaxed writer joins whichever batch is open (a durable one only makes its
//! work safer); a durable writer that finds a relaxed batch open commits it first and opens
//! a durable one, so its own commit is never one that skips the flush. (SQLite cannot change
//! `synchronous` inside a transaction, hence the connection of its own.)
//!
//! The batch opens with a savepoint of its own (`hub_batch`), released just before the
//! commit: if SQLite rolled the whole transaction back under someone (an I/O error, a full
//! disk), that release fails and the batch is reported failed to every member, rather than
//! committing what came after.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait as _, DatabaseTransaction, DbErr};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// The savepoint a member's work is in, within the batch's transaction.
pub(crate) const MEMBER_SAVEPOINT: &str = "hub_member";

/// Members in one batch at most: a bound on how long the first one waits for the disk.
pub const MAX_MEMBERS: usize = 64;

/// How long a member that finished waits for someone else to commit its batch before it
/// takes the turn and commits it itself (the writer that was waiting for the turn gave up).
const TAKE_OVER_AFTER: Duration = Duration::from_millis(50);

/// How a writer's work must reach the disk before its commit returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Durability {
    /// On disk: the commit waited for the flush (`synchronous=FULL`). Everything a user or a
    /// partner is told was done.
    Durable,
    /// In the write-ahead log, visible to every connection and kept if the process dies, but
    /// not flushed: a power cut or an OS crash may lose the last such commits (never a
    /// durable one made after them, which flushes them too). Only for work whose loss
    /// repeats it: the delivery workers' leases and outcomes (at least once).
    Relaxed,
}

/// What became of a batch: `None` while it is open.
type Outcome = Option<Result<(), Arc<str>>>;

/// An open batch transaction.
struct Batch {
    serial: u64,
    /// Opened for a durable writer: its commit waits for the disk.
    durable: bool,
    /// A durable writer joined it (then it must be durable itself).
    has_durable: bool,
    /// Shared with the member holding the turn, for as long as it writes.
    tx: Arc<DatabaseTransaction>,
    members: usize,
    /// A member savepoint is open with nothing in it yet: the last member opened it for
    /// the writer waiting for the turn, in the call that released its own.
    ready: bool,
    done: watch::Sender<Outcome>,
}

/// The gate this process's SQLite writers take turns at, holding the open batch.
#[derive(Default)]
pub(crate) struct Gate {
    slot: Arc<Mutex<Option<Batch>>>,
    /// Writers waiting for the turn right now.
    waiting: AtomicUsize,
    serials: AtomicU64,
    /// Batches committed (for the tests).
    commits: AtomicU64,
    /// Relaxed batches committed with a durable writer's work in them: never, unless the
    /// gate is broken (for the tests; logged as an error).
    unflushed_durable: AtomicU64,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Counts a writer as waiting for as long as it is alive (a waiter whose request was
/// dropped stops counting too).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Self(n)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn locked() -> DbErr {
    DbErr::Custom("database is locked: no turn to write within the busy timeout".into())
}

impl Gate {
    /// Takes the turn (waiting up to `wait`) and joins the open batch, opening one with
    /// `open` (a `BEGIN IMMEDIATE` on a connection of the `durability` asked) when none is:
    /// the writer works in the batch's transaction, within the savepoint
    /// [`MEMBER_SAVEPOINT`], which its commit releases ([`Member::released`]) and its drop
    /// rolls back. A durable writer commits an open relaxed batch before it opens its own.
    pub(crate) async fn join<F, Fut>(
        self: &Arc<Self>,
        wait: Duration,
        durability: Durability,
        open: F,
    ) -> Result<(Arc<DatabaseTransaction>, Member), DbErr>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<DatabaseTransaction, DbErr>>,
    {
        let mut guard = {
            let _w = Waiting::new(&self.waiting);
            tokio::time::timeout(wait, self.slot.clone().lock_owned())
                .await
                .map_err(|_| locked())?
        };
        let durable = durability == Durability::Durable;
        if durable
            && guard.as_ref().is_some_and(|b| !b.durable)
            && let Some(relaxed) = guard.take()
        {
            // Its members are told when it is committed (or failed); this writer goes on
            // with a batch of its own either way. In a task of its own, so that a writer
            // dropped while it waits (its request cancelled) does not cut the commit off.
            let gate = Arc::clone(self);
            let _ = tokio::spawn(async move { commit(relaxed, &gate).await }).await;
        }
        if guard.is_none() {
            let tx = open().await?;
            tx.execute_unprepared("SAVEPOINT hub_batch").await?;
            *guard = Some(Batch {
                serial: self.serials.fetch_add(1, Ordering::Relaxed),
                durable,
                has_durable: false,
                tx: Arc::new(tx),
                members: 0,
                ready: false,
                done: watch::channel(None).0,
            });
        }
        let Some(batch) = guard.as_mut() else {
            return Err(DbErr::Custom("no write batch".into()));
        };
        let savepoint = if std::mem::take(&mut batch.ready) {
            Ok(())
        } else {
            batch
                .tx
                .execute_unprepared(&format!("SAVEPOINT {MEMBER_SAVEPOINT}"))
                .await
                .map(|_| ())
        };
        let own = match savepoint {
            Ok(()) => batch.tx.clone(),
            Err(e) => {
                // The batch's connection is in no state to go on: it fails as a whole.
                if let Some(b) = guard.take() {
                    fail(b, &e);
                }
                return Err(e);
            }
        };
        batch.members += 1;
        batch.has_durable |= durable;
        let member = Member {
            gate: self.clone(),
            serial: batch.serial,
            outcome: batch.done.subscribe(),
            guard: Some(guard),
            released: false,
            opens_next: false,
            leads: false,
        };
        Ok((own, member))
    }
}

/// A writer's place in a batch: holds the turn until [`finish`](Self::finish) (or drop).
pub(crate) struct Member {
    gate: Arc<Gate>,
    serial: u64,
    outcome: watch::Receiver<Outcome>,
    guard: Option<OwnedMutexGuard<Option<Batch>>>,
    /// Its savepoint was released: its work is the batch's now.
    released: bool,
    /// Its release also opens the next member's savepoint.
    opens_next: bool,
    /// Commits its batch at its own commit, without waiting for the writers queued behind
    /// it (see [`leads`](Self::leads)).
    leads: bool,
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl Member {
    /// Makes this writer's commit commit its batch there and then (its work and that of the
    /// members before it), rather than hand the open batch to the writer waiting for the turn
    /// and wait for that one's work too: for a writer whose caller waits on its commit to go
    /// on (a webhook claim, whose jobs go out once it is committed). The writers waiting
    /// start the next batch. Call before [`release_sql`](Self::release_sql).
    pub(crate) fn leads(&mut self) {
        self.leads = true;
    }

    /// What releases the writer's savepoint, to be sent with its last writes: `RELEASE
    /// hub_member`, and when another writer is waiting for the turn (and the batch has room
    /// for it) that writer's `SAVEPOINT hub_member` too, so it starts without a call of its
    /// own. Once this ran, call [`released`](Self::released).
    pub(crate) fn release_sql(&mut self) -> String {
        let room = self
            .guard
            .as_ref()
            .and_then(|g| g.as_ref())
            .is_some_and(|b| b.members < MAX_MEMBERS);
        self.opens_next = !self.leads && room && self.gate.waiting.load(Ordering::SeqCst) > 0;
        if self.opens_next {
            format!("RELEASE {MEMBER_SAVEPOINT}; SAVEPOINT {MEMBER_SAVEPOINT}")
        } else {
            format!("RELEASE {MEMBER_SAVEPOINT}")
        }
    }

    /// Notes that the writer released its savepoint (what [`release_sql`](Self::release_sql)
    /// gave ran): dropped from now on, it leaves its work in the batch. A savepoint it
    /// opened for the next writer is released with the batch if nobody takes it.
    pub(crate) fn released(&mut self) {
        self.released = true;
        if self.opens_next
            && let Some(batch) = self.guard.as_mut().and_then(|g| g.as_mut())
        {
            batch.ready = true;
        }
    }

    /// Called once the writer's savepoint is released: hands the turn on (or commits the
    /// batch, when nobody is waiting for it or it is full), then waits until the batch is
    /// committed. An error means the writer's work is not on disk.
    pub(crate) async fn finish(mut self) -> Result<(), DbErr> {
        if let Some(guard) = self.guard.take() {
            if self.leads {
                commit_now(guard, &self.gate).await;
            } else {
                settle(guard, &self.gate).await;
            }
        }
        let mut rx = self.outcome.clone();
        loop {
            tokio::select! {
                seen = settled(&mut rx) => {
                    return seen.map_err(|e| DbErr::Custom(format!("the write batch failed: {e}")));
                }
                () = tokio::time::sleep(TAKE_OVER_AFTER) => {
                    // Whoever was to carry the batch on gave up waiting: commit it here.
                    let mut guard = self.gate.slot.clone().lock_owned().await;
                    if guard.as_ref().is_some_and(|b| b.serial == self.serial)
                        && let Some(batch) = guard.take()
                    {
                        commit(batch, &self.gate).await;
                    }
                }
            }
        }
    }
}

/// The outcome of the batch `rx` watches, once there is one.
async fn settled(rx: &mut watch::Receiver<Outcome>) -> Result<(), Arc<str>> {
    match rx.wait_for(Option::is_some).await {
        Ok(v) => v.clone().unwrap_or_else(|| Err(Arc::from("no outcome"))),
        Err(_) => Err(Arc::from("it ended without a commit")),
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        // A writer that failed rolls its work back to its savepoint, still hands the turn on,
        // and commits the batch for the others if nobody else will.
        if let Some(mut guard) = self.guard.take() {
            let gate = self.gate.clone();
            let undo = !self.released;
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    if undo && let Some(batch) = guard.as_ref() {
                        let sql =
                            format!("ROLLBACK TO {MEMBER_SAVEPOINT}; RELEASE {MEMBER_SAVEPOINT}");
                        if let Err(e) = batch.tx.execute_unprepared(&sql).await {
                            // The batch is in no known state: it fails as a whole.
                            if let Some(b) = guard.take() {
                                fail(b, &e);
                            }
                        }
                    }
                    settle(guard, &gate).await;
                });
            } else if undo && let Some(b) = guard.take() {
                // No runtime left to roll back on: the batch must not commit this writer's
                // work with the others'.
                fail(
                    b,
                    &DbErr::Custom("a writer was dropped with no runtime to roll it back".into()),
                );
            }
        }
    }
}

/// The end of a member's turn: the batch goes on with the next writer waiting, or commits.
async fn settle(mut guard: OwnedMutexGuard<Option<Batch>>, gate: &Gate) {
    let full = guard.as_ref().is_some_and(|b| b.members >= MAX_MEMBERS);
    if gate.waiting.load(Ordering::SeqCst) > 0 && !full {
        return;
    }
    if let Some(batch) = guard.take() {
        commit(batch, gate).await;
    }
}

/// Commits the open batch, whoever is waiting for the turn.
async fn commit_now(mut guard: OwnedMutexGuard<Option<Batch>>, gate: &Gate) {
    if let Some(batch) = guard.take() {
        commit(batch, gate).await;
    }
}

/// Commits a batch (the turn is held) and tells its members.
async fn commit(batch: Batch, gate: &Gate) {
    let Batch {
        tx,
        done,
        durable,
        has_durable,
        ..
    } = batch;
    gate.commits.fetch_add(1, Ordering::Relaxed);
    if has_durable && !durable {
        gate.unflushed_durable.fetch_add(1, Ordering::Relaxed);
        tracing::error!("a durable writer's work is in a relaxed write batch");
    }
    let res = match tx.execute_unprepared("RELEASE hub_batch").await {
        // The member that held the turn has let go of the transaction by now.
        Ok(_) => match Arc::try_unwrap(tx) {
            Ok(tx) => tx.commit().await,
            Err(_) => Err(DbErr::Custom(
                "a writer still held the write batch at its commit".into(),
            )),
        },
        // Dropping `tx` rolls back what is left.
        Err(e) => Err(e),
    };
    if let Err(e) = &res {
        tracing::error!(error = %e, "a write batch failed to commit");
    }
    done.send_replace(Some(res.map_err(|e| Arc::from(e.to_string()))));
}

fn fail(batch: Batch, e: &DbErr) {
    tracing::error!(error = %e, "a write batch was abandoned");
    batch.done.send_replace(Some(Err(Arc::from(e.to_string()))));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{ConnectionTrait as _, Statement};

    use super::Durability;
    use crate::db::{Database, DbOptions};

    async fn fresh() -> (Database, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("hub-batch-{}.db", uuid::Uuid::now_v7()));
        let db = Database::open(
            &format!("sqlite://{}?mode=rwc", path.display()),
            &DbOptions::default(),
        )
        .await
        .expect("open");
        db.conn()
            .execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER NOT NULL)")
            .await
            .expect("table");
        (db, path)
    }

    fn cleanup(path: &std::path::Path) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// Rows written by writer `who`, read on another connection of the pool.
    async fn rows_of(db: &Database, who: i64) -> i64 {
        let row = db
            .conn()
            .query_one_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM t WHERE who = ?",
                [who.into()],
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// One writer's transaction: a row, then a commit (or, with `fail`, dropped unfinished,
    /// as a failed domain call drops it). Checks on another connection that the row is
    /// there once the commit returned (or absent).
    ///
    /// Returns the `synchronous` setting of the connection its batch ran on (2: FULL, 1:
    /// NORMAL).
    async fn write(
        db: Database,
        who: i64,
        fail: bool,
        durability: Durability,
    ) -> Result<i64, String> {
        let (tx, member) = db
            .begin_member(durability)
            .await
            .map_err(|e| e.to_string())?;
        let member = member.ok_or("SQLite writers are members of a batch")?;
        let synchronous: i64 = tx
            .query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "PRAGMA synchronous",
            ))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("PRAGMA synchronous returned no row")?
            .try_get_by_index(0)
            .map_err(|e| e.to_string())?;
        if durability == Durability::Durable && synchronous != 2 {
            return Err(format!(
                "durable writer {who} ran on a connection with synchronous={synchronous}"
            ));
        }
        tx.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "INSERT INTO t (who) VALUES (?)",
            [who.into()],
        ))
        .await
        .map_err(|e| e.to_string())?;
        // Others queue for the turn meanwhile.
        tokio::task::yield_now().await;
        if fail {
            drop(tx);
            drop(member);
            return Ok(synchronous);
        }
        let mut member = member;
        tx.execute_unprepared(&member.release_sql())
            .await
            .map_err(|e| e.to_string())?;
        member.released();
        drop(tx);
        member.finish().await.map_err(|e| e.to_string())?;
        match rows_of(&db, who).await {
            1 => Ok(synchronous),
            n => Err(format!(
                "writer {who}: {n} rows visible after its commit returned"
            )),
        }
    }

    /// Waits (up to 5 s) until no batch is open: the last writers' turns may still be
    /// handing over when their commits have returned.
    async fn assert_settles(db: &Database) {
        let gate = Arc::clone(&db.write_gate);
        let settled = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            loop {
                if gate.slot.lock().await.is_none() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await;
        assert!(settled.is_ok(), "a batch stayed open");
    }

    #[tokio::test]
    async fn writers_that_queue_share_a_commit_and_each_sees_its_row_on_disk() {
        let (db, path) = fresh().await;
        let mut tasks = tokio::task::JoinSet::new();
        for who in 0..32 {
            tasks.spawn(write(db.clone(), who, false, Durability::Durable));
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task").expect("writer");
        }
        let commits = db
            .write_gate
            .commits
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(
            commits < 32,
            "32 writers queued together made {commits} commits"
        );
        for who in 0..32 {
            assert_eq!(rows_of(&db, who).await, 1, "writer {who}");
        }
        cleanup(&path);
    }

    #[tokio::test]
    async fn a_writer_that_fails_rolls_back_alone() {
        let (db, path) = fresh().await;
        let mut tasks = tokio::task::JoinSet::new();
        for who in 0..24 {
            tasks.spawn(write(db.clone(), who, who % 3 == 1, Durability::Durable));
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task").expect("writer");
        }
        // The last failed writer's turn may still be handing over: every batch ends.
        assert_settles(&db).await;
        for who in 0..24 {
            let want = i64::from(who % 3 != 1);
            assert_eq!(rows_of(&db, who).await, want, "writer {who}");
        }
        cleanup(&path);
    }

    #[tokio::test]
    async fn a_writer_alone_commits_alone() {
        let (db, path) = fresh().await;
        write(db.clone(), 7, false, Durability::Durable)
            .await
            .expect("writer");
        assert_eq!(
            db.write_gate
                .commits
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        write(db.clone(), 8, false, Durability::Durable)
            .await
            .expect("writer");
        assert_eq!(
            db.write_gate
                .commits
                .load(std::sync::atomic::Ordering::Relaxed),
            2
        );
        cleanup(&path);
    }
    /// A writer that leads commits its batch at its own commit: it does not wait for the
    /// writer queued behind it (which here holds the turn until that commit has returned, so
    /// waiting for it would never end), whose work goes in the next batch.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_leading_writer_commits_without_waiting_for_the_writer_behind_it() {
        let (db, path) = fresh().await;
        let (tx, member) = db.begin_member(Durability::Relaxed).await.expect("first");
        let mut first = member.expect("SQLite writers are members of a batch");
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let behind = tokio::spawn({
            let db = db.clone();
            async move {
                let (tx, member) = db.begin_member(Durability::Relaxed).await.expect("second");
                let mut member = member.expect("a member");
                let _ = wait.await;
                tx.execute_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Sqlite,
                    "INSERT INTO t (who) VALUES (?)",
                    [2i64.into()],
                ))
                .await
                .expect("insert");
                tx.execute_unprepared(&member.release_sql())
                    .await
                    .expect("release");
                member.released();
                drop(tx);
                member.finish().await.expect("the second commits");
            }
        });
        while db
            .write_gate
            .waiting
            .load(std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        tx.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            "INSERT INTO t (who) VALUES (?)",
            [1i64.into()],
        ))
        .await
        .expect("insert");
        first.leads();
        tx.execute_unprepared(&first.release_sql())
            .await
            .expect("release");
        first.released();
        drop(tx);
        tokio::time::timeout(std::time::Duration::from_secs(5), first.finish())
            .await
            .expect("the leading writer waited for the one behind it")
            .expect("the first commits");
        assert_eq!(
            rows_of(&db, 1).await,
            1,
            "committed when its commit returned"
        );
        let _ = go.send(());
        behind.await.expect("second writer");
        assert_eq!(rows_of(&db, 2).await, 1);
        cleanup(&path);
    }

    /// Relaxed and durable writers queued together, some failing: each sees its own row
    /// (or none), every durable writer works on a FULL connection, relaxed batches do form
    /// (on a NORMAL one), and no durable writer's work is ever committed in a relaxed batch.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn durable_writers_never_share_a_relaxed_batch() {
        let (db, path) = fresh().await;
        let mut relaxed_batches = 0;
        for round in 0..4 {
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..48 {
                let who = round * 100 + i;
                // Runs of relaxed writers broken by durable ones, as the webhook workers'
                // writes meet the requests'.
                let durability = if i % 5 == 2 {
                    Durability::Durable
                } else {
                    Durability::Relaxed
                };
                tasks.spawn(write(db.clone(), who, i % 7 == 3, durability));
            }
            while let Some(done) = tasks.join_next().await {
                if done.expect("task").expect("writer") == 1 {
                    relaxed_batches += 1;
                }
            }
        }
        assert!(relaxed_batches > 0, "no writer ran in a relaxed batch");
        assert_settles(&db).await;
        let gate = Arc::clone(&db.write_gate);
        assert_eq!(
            gate.unflushed_durable
                .load(std::sync::atomic::Ordering::Relaxed),
            0,
            "a relaxed batch committed a durable writer's work"
        );
        let commits = gate.commits.load(std::sync::atomic::Ordering::Relaxed);
        assert!(commits < 4 * 48, "{commits} commits: no writers shared one");
        for round in 0..4 {
            for i in 0..48 {
                let want = i64::from(i % 7 != 3);
                assert_eq!(
                    rows_of(&db, round * 100 + i).await,
                    want,
                    "writer {round}/{i}"
                );
            }
        }
        cleanup(&path);
    }
}
