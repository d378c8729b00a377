//! The hub's CSV import jobs, kept in the database (`catalog_import_jobs`) so that every server
//! process sees the same jobs: a status request may reach another process than the one
//! running the import, and a second import is refused while one runs, wherever it started.
//!
//! A finished job stays readable for [`KEEP`]; a job still "running" after [`STALE`] is taken
//! for lost (its process died): it is no longer shown and no longer blocks a new import. An
//! import reports progress far more often than is worth writing, so [`ProgressWriter`] writes
//! it at most every [`PROGRESS_INTERVAL`] and at once when the phase changes.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, Set, SqlErr};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};
use uuid::Uuid;

use super::csv_io::{Phase, Progress, ProgressFn, RowError};
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// How long a finished job stays readable.
pub const KEEP: TimeDelta = TimeDelta::hours(1);
/// A job still running after this long is taken for lost.
pub const STALE: TimeDelta = TimeDelta::hours(6);
/// Progress within one phase is written at most this often.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(300);
/// File names are kept to this many characters.
const MAX_FILE_NAME: usize = 200;

mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "catalog_import_jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub file_name: String,
        pub size_bytes: i64,
        pub phase: String,
        pub done: i64,
        pub total: i64,
        /// An [`super::Outcome`] as JSON; `None` while the job runs.
        pub outcome: Option<String>,
        pub started_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::TenantScoped for Entity {
        fn tenant_column() -> Column {
            Column::TenantId
        }
    }
}

use entity::{Column, Entity};

/// An import job's id: `imp_<uuid>` outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImportJobId(Uuid);

impl ImportJobId {
    pub const PREFIX: &'static str = "imp";

    fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses the external form `imp_<uuid>`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix(Self::PREFIX)?.strip_prefix('_')?;
        Uuid::parse_str(rest).ok().map(Self)
    }
}

impl fmt::Display for ImportJobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", Self::PREFIX, self.0.simple())
    }
}

/// Where a job is: queued until the import reports, then the import's own phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobPhase {
    Queued,
    Reading,
    Checking,
    Writing,
    Done,
}

impl JobPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Reading => "reading",
            Self::Checking => "checking",
            Self::Writing => "writing",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(Self::Queued),
            "reading" => Some(Self::Reading),
            "checking" => Some(Self::Checking),
            "writing" => Some(Self::Writing),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

impl From<Phase> for JobPhase {
    fn from(p: Phase) -> Self {
        match p {
            Phase::Reading => Self::Reading,
            Phase::Checking => Self::Checking,
            Phase::Writing => Self::Writing,
            Phase::Done => Self::Done,
        }
    }
}

/// How an import ended. Stored as JSON in the job's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Imported {
        rows: u64,
        created: u64,
        updated: u64,
    },
    /// Some rows are bad: nothing was written. `rows` holds the reported ones (see
    /// [`super::csv_io::MAX_REPORTED`]), `total` counts them all.
    BadRows { rows: Vec<RowError>, total: u64 },
    /// The file as a whole cannot be imported, or the import failed; a message for the user.
    FileError { message: String },
}

/// An import job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportJob {
    pub id: ImportJobId,
    pub file_name: String,
    pub size_bytes: u64,
    pub phase: JobPhase,
    pub done: u64,
    /// 0 while unknown.
    pub total: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `None` while the job runs.
    pub outcome: Option<Outcome>,
}

impl ImportJob {
    pub fn running(&self) -> bool {
        self.finished_at.is_none()
    }

    fn from_model(m: entity::Model) -> Result<Self> {
        let bad = |what: &str| {
            Error::Db(sea_orm::DbErr::Custom(format!(
                "import job {} has an unreadable {what}",
                m.id
            )))
        };
        let outcome = match &m.outcome {
            Some(json) => Some(serde_json::from_str(json).map_err(|_| bad("outcome"))?),
            None => None,
        };
        Ok(Self {
            id: ImportJobId(m.id),
            phase: JobPhase::parse(&m.phase).ok_or_else(|| bad("phase"))?,
            size_bytes: count_out(m.size_bytes),
            done: count_out(m.done),
            total: count_out(m.total),
            file_name: m.file_name,
            started_at: m.started_at,
            finished_at: m.finished_at,
            outcome,
        })
    }
}

fn count_in(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn count_out(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// The file name as shown: no control characters, at most [`MAX_FILE_NAME`] characters,
/// `upload.csv` when there is none.
fn clean_file_name(raw: &str) -> String {
    let name: String = raw
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME)
        .collect();
    if name.is_empty() {
        "upload.csv".to_owned()
    } else {
        name
    }
}

/// Jobs still shown at `now`: finished within [`KEEP`], or running for less than [`STALE`].
fn kept(now: DateTime<Utc>) -> Condition {
    Condition::any().add(Column::FinishedAt.gt(now - KEEP)).add(
        Condition::all()
            .add(Column::FinishedAt.is_null())
            .add(Column::StartedAt.gt(now - STALE)),
    )
}

/// Jobs past keeping at `now`: the complement of [`kept`], written out (`NOT` over a
/// comparison with a null `finished_at` would be null, and such rows would stay).
fn expired(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::FinishedAt.lte(now - KEEP))
        .add(
            Condition::all()
                .add(Column::FinishedAt.is_null())
                .add(Column::StartedAt.lte(now - STALE)),
        )
}

fn still_running(file_name: Option<&str>) -> Error {
    Error::Conflict(match file_name {
        Some(name) => format!("the import of {name} is still running; wait for it to finish"),
        None => "another import is still running; wait for it to finish".to_owned(),
    })
}

/// Registers a new import of `file_name` (`size_bytes` long) for the hub, started now;
/// refused with a `Conflict` naming the running file while another import of the hub runs.
/// Jobs past keeping are cleared on the way.
pub async fn start(db: &TenantDb, file_name: &str, size_bytes: u64) -> Result<ImportJob> {
    if db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    // One reading of the clock for the whole decision.
    let now = Utc::now();
    // Asked first without the write lock: on SQLite a running import holds it until it ends,
    // and the answer would otherwise be "database is locked" after the busy timeout.
    if let Some(running) = running(db, now).await? {
        return Err(still_running(Some(&running.file_name)));
    }
    let tx = db.begin_write().await?;
    tx.delete_many::<Entity>()
        .filter(expired(now))
        .exec(tx.conn())
        .await?;
    if let Some(running) = tx
        .find::<Entity>()
        .filter(Column::FinishedAt.is_null())
        .one(tx.conn())
        .await?
    {
        return Err(still_running(Some(&running.file_name)));
    }
    let model = entity::ActiveModel {
        id: Set(ImportJobId::generate().0),
        file_name: Set(clean_file_name(file_name)),
        size_bytes: Set(count_in(size_bytes)),
        phase: Set(JobPhase::Queued.as_str().to_owned()),
        done: Set(0),
        total: Set(0),
        outcome: Set(None),
        started_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    };
    match tx.insert(model).await {
        Ok(m) => {
            tx.commit().await?;
            ImportJob::from_model(m)
        }
        // Another process started one between our check and our insert (PostgreSQL; SQLite's
        // write lock serialises the two): the index on running jobs refused ours.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(tx);
            let running = running(db, now).await?;
            Err(still_running(
                running.as_ref().map(|j| j.file_name.as_str()),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The tenant's running job at `now`, if any (not one taken for lost).
async fn running(db: &TenantDb, now: DateTime<Utc>) -> Result<Option<ImportJob>> {
    let tx = db.begin().await?;
    let m = tx
        .find::<Entity>()
        .filter(Column::FinishedAt.is_null())
        .filter(Column::StartedAt.gt(now - STALE))
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    m.map(ImportJob::from_model).transpose()
}

/// Records how far a running job got. A finished (or unknown) job is left as it is.
pub async fn progress(db: &TenantDb, job: ImportJobId, p: Progress) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.update_many::<Entity>()
        .col_expr(Column::Phase, Expr::value(JobPhase::from(p.phase).as_str()))
        .col_expr(Column::Done, Expr::value(count_in(p.done)))
        .col_expr(Column::Total, Expr::value(count_in(p.total)))
        .filter(Column::Id.eq(job.0))
        .filter(Column::FinishedAt.is_null())
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a running job with `outcome`, now. `NotFound` if the job is not running (already
/// finished, taken for lost and cleared, or another tenant's).
pub async fn finish(db: &TenantDb, job: ImportJobId, outcome: &Outcome) -> Result<()> {
    let now = Utc::now();
    let json = serde_json::to_string(outcome)
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("import outcome: {e}"))))?;
    let tx = db.begin_write().await?;
    let mut update = tx
        .update_many::<Entity>()
        .col_expr(Column::Phase, Expr::value(JobPhase::Done.as_str()))
        .col_expr(Column::Outcome, Expr::value(json))
        .col_expr(Column::FinishedAt, Expr::value(now));
    if let Outcome::Imported { rows, .. } = outcome {
        update = update
            .col_expr(Column::Done, Expr::value(count_in(*rows)))
            .col_expr(Column::Total, Expr::value(count_in(*rows)));
    }
    let res = update
        .filter(Column::Id.eq(job.0))
        .filter(Column::FinishedAt.is_null())
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("import job"));
    }
    Ok(())
}

/// A job of the handle's tenant still kept; `None` for an unknown one, one past keeping, or
/// another tenant's.
pub async fn get(db: &TenantDb, job: ImportJobId) -> Result<Option<ImportJob>> {
    let now = Utc::now();
    let tx = db.begin().await?;
    let m = tx
        .find::<Entity>()
        .filter(Column::Id.eq(job.0))
        .filter(kept(now))
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    m.map(ImportJob::from_model).transpose()
}

/// The tenant's most recently started job still kept.
pub async fn latest(db: &TenantDb) -> Result<Option<ImportJob>> {
    let now = Utc::now();
    let tx = db.begin().await?;
    let m = tx
        .find::<Entity>()
        .filter(kept(now))
        .order_by_desc(Column::StartedAt)
        .order_by_desc(Column::Id)
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    m.map(ImportJob::from_model).transpose()
}

/// Writes an import's progress to its job in the background, without holding the import
/// up: the import's [`ProgressFn`] only keeps the newest report, and a task writes it, at
/// most every [`PROGRESS_INTERVAL`] within a phase and at once on a phase change. A write
/// that fails (on SQLite the import's transaction holds the write lock until it ends, and a
/// write waits for it only up to the busy timeout) is logged and the next report tried.
pub struct ProgressWriter {
    latest: Arc<watch::Sender<Option<Progress>>>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl ProgressWriter {
    pub fn spawn(db: &TenantDb, job: ImportJobId) -> Self {
        let (latest, rx) = watch::channel(None);
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(write_progress(db.clone(), job, rx, stopped));
        Self {
            latest: Arc::new(latest),
            stop,
            task,
        }
    }

    /// The callback to hand the import.
    pub fn progress_fn(&self) -> ProgressFn {
        let latest = self.latest.clone();
        Arc::new(move |p: Progress| {
            latest.send_replace(Some(p));
        })
    }

    /// Stops writing (a write under way completes first). Call it before
    /// [`finish`], so no progress write lands after the outcome; one would be ignored anyway.
    pub async fn close(self) {
        let _ = self.stop.send(());
        if let Err(e) = self.task.await {
            tracing::warn!(error = %e, "import progress writer failed");
        }
    }
}

async fn write_progress(
    db: TenantDb,
    job: ImportJobId,
    mut rx: watch::Receiver<Option<Progress>>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut last: Option<(Phase, Instant)> = None;
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => return,
            changed = rx.changed() => if changed.is_err() { return },
        }
        let Some(mut p) = *rx.borrow_and_update() else {
            continue;
        };
        let wait = hold_back(last, p.phase, Instant::now());
        if !wait.is_zero() {
            tokio::select! {
                biased;
                _ = &mut stop => return,
                () = tokio::time::sleep(wait) => {}
            }
            if let Some(newer) = *rx.borrow_and_update() {
                p = newer;
            }
        }
        if let Err(e) = progress(&db, job, p).await {
            tracing::debug!(%job, error = %e, "import progress not recorded");
        }
        last = Some((p.phase, Instant::now()));
    }
}

/// How long to hold a report in `phase` back, the last write having been `last`.
fn hold_back(last: Option<(Phase, Instant)>, phase: Phase, now: Instant) -> Duration {
    match last {
        Some((was, at)) if was == phase => {
            PROGRESS_INTERVAL.saturating_sub(now.saturating_duration_since(at))
        }
        _ => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = ImportJobId::generate();
        assert_eq!(ImportJobId::parse(&id.to_string()), Some(id));
        assert_eq!(ImportJobId::parse(&id.0.to_string()), None);
        assert_eq!(ImportJobId::parse("imp_nope"), None);
    }

    #[test]
    fn phase_changes_are_written_at_once_and_the_rest_spaced_out() {
        let t0 = Instant::now();
        assert_eq!(hold_back(None, Phase::Checking, t0), Duration::ZERO);
        let last = Some((Phase::Checking, t0));
        assert_eq!(hold_back(last, Phase::Writing, t0), Duration::ZERO);
        assert_eq!(hold_back(last, Phase::Checking, t0), PROGRESS_INTERVAL);
        let later = t0 + PROGRESS_INTERVAL / 3;
        assert_eq!(
            hold_back(last, Phase::Checking, later),
            PROGRESS_INTERVAL - PROGRESS_INTERVAL / 3
        );
        assert_eq!(
            hold_back(last, Phase::Checking, t0 + PROGRESS_INTERVAL * 2),
            Duration::ZERO
        );
    }

    #[test]
    fn outcomes_round_trip_as_json() {
        let outcomes = [
            Outcome::Imported {
                rows: 3,
                created: 2,
                updated: 1,
            },
            Outcome::BadRows {
                rows: vec![RowError {
                    line: 2,
                    sku: "A".into(),
                    reasons: vec!["price: not a number".into()],
                }],
                total: 7,
            },
            Outcome::FileError {
                message: "no rows".into(),
            },
        ];
        for o in outcomes {
            let json = serde_json::to_string(&o).expect("serialises");
            assert_eq!(serde_json::from_str::<Outcome>(&json).expect("parses"), o);
        }
    }

    #[test]
    fn file_names_are_tidied() {
        assert_eq!(clean_file_name("  "), "upload.csv");
        assert_eq!(clean_file_name(" a\u{7}b.csv "), "ab.csv");
        assert_eq!(clean_file_name(&"x".repeat(300)).chars().count(), 200);
    }
}
