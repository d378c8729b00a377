//! Opening the database (SQLite or PostgreSQL, chosen by URL), checking it is set up the way
//! the hub relies on, and running migrations.

mod batch;
mod scoped;

use std::collections::HashMap;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

pub(crate) use batch::Durability;
pub use scoped::{TenantDb, TenantScoped, TenantTx};

use crate::ids::TenantId;

/// Turns on SQLite's query planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`) for a
/// new connection, and reads it back.
///
/// Without it, SQLite 3.51 plans a statement for the values bound to it where they could
/// matter, and `LIMIT ?` always could: such a statement is thrown away and prepared again
/// every time it is run, and sea-orm's `.one()` binds `LIMIT 1`, so every single-row read
/// was parsed and planned anew (perf showed `sqlite3Reprepare` high in a confirmation). The
/// hub has no statistics tables (no `ANALYZE`) and no partial index a bound value must
/// match, which is all the guarantee gives up.
async fn stable_plans(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    let enable: std::ffi::c_int = 1;
    let mut on: std::ffi::c_int = 0;
    #[expect(
        unsafe_code,
        reason = "sqlx offers no sqlite3_db_config: one call on the handle sqlx holds locked for us, \
                  with the option's documented arguments (an int, then an int* for the result)"
    )]
    // SAFETY: `db` is a live connection handle, locked for this call (no statement of it runs
    // meanwhile); ENABLE_QPSG takes an int (1: on) and an int* where the new value is written.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db.as_ptr(),
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            enable,
            &raw mut on,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK || on != 1 {
        return Err(sea_orm::sqlx::Error::Configuration(
            format!("SQLite refused the query planner stability guarantee (code {rc})").into(),
        ));
    }
    Ok(())
}

/// A SQLite pragma, what it should be (for the message), and the test of its value.
type SqliteCheck = (&'static str, &'static str, &'static dyn Fn(&str) -> bool);

/// SQLite: rows a statement may run ahead of the task reading them (see `Database::open`).
const ROW_BUFFER: usize = 4096;

/// SQLite waits this long for a lock before failing a write.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct DbOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The PostgreSQL role a connection runs as. The server's role must be none of these:
/// superuser, BYPASSRLS, owner of tables (owners are exempt from RLS unless it is forced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleReport {
    pub role: String,
    pub superuser: bool,
    pub bypass_rls: bool,
    pub owned_tables: i64,
}

impl RoleReport {
    pub fn is_too_strong(&self) -> bool {
        self.superuser || self.bypass_rls || self.owned_tables > 0
    }
}

/// Why the database could not be opened. Each message is one line, fit to show an operator.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL scheme '{0}' (use sqlite:// or postgres://)")]
    Scheme(String),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("SQLite setting {pragma} is {actual}, expected {expected}")]
    Pragma {
        pragma: &'static str,
        actual: String,
        expected: String,
    },
}

/// The hub's database. The raw connection stays inside this crate: domain code outside it can
/// only reach tenant-owned tables through a [`TenantDb`].
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    /// SQLite: one connection with `synchronous=NORMAL`, on which relaxed write batches run
    /// ([`Durability::Relaxed`]); `None` on PostgreSQL (a relaxed transaction there turns
    /// `synchronous_commit` off for itself).
    relaxed: Option<DatabaseConnection>,
    backend: Backend,
    /// SQLite has one writer at a time. Write transactions of this process queue here, in
    /// order, instead of in SQLite's busy handler, which sleeps 1 ms, 2 ms, 5 ms… between
    /// tries (other processes still meet the busy handler), and those that queued together
    /// share a commit ([`batch`]).
    write_gate: std::sync::Arc<batch::Gate>,
    /// The stores whose committed transactions queued mail, for this process's sender.
    mail_wakes: std::sync::Arc<crate::mail::Wakes>,
    /// SQLite: the last order number this process handed out per partner, so a writer
    /// holding the write turn need not ask the database (see `orders::next_number_in_turn`).
    order_numbers: std::sync::Arc<std::sync::Mutex<HashMap<TenantId, i64>>>,
}

impl Database {
    /// Opens the database named by `url` and, for SQLite, checks the connection settings the
    /// hub depends on (WAL, foreign keys, busy timeout, synchronous=FULL).
    pub async fn open(url: &str, opts: &DbOptions) -> Result<Self, OpenError> {
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let backend = match scheme.as_str() {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" => Backend::Postgres,
            other => return Err(OpenError::Scheme(other.to_owned())),
        };
        let conn = connect(
            url,
            backend,
            opts.max_connections,
            opts,
            SqliteSynchronous::Full,
        )
        .await?;
        // Relaxed batches take turns at the gate like every writer: one open at a time, and
        // the next opens once the last has committed. One connection, so that each batch
        // finds the pages the last one read still in its cache: SQLite empties a
        // connection's page cache whenever another connection wrote since it last read.
        let relaxed = if backend == Backend::Sqlite {
            Some(connect(url, backend, 1, opts, SqliteSynchronous::Normal).await?)
        } else {
            None
        };
        let db = Self {
            conn,
            relaxed,
            backend,
            write_gate: std::sync::Arc::default(),
            order_numbers: std::sync::Arc::default(),
            mail_wakes: std::sync::Arc::default(),
        };
        if backend == Backend::Sqlite {
            db.check_sqlite_settings().await?;
        } else {
            db.ping()
                .await
                .map_err(|e| OpenError::Connect(one_line(&e.to_string())))?;
        }
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Reads the SQLite settings back: a pool that silently ignored one would lose data or
    /// fail under load much later.
    pub async fn check_sqlite_settings(&self) -> Result<(), OpenError> {
        let common: [SqliteCheck; 4] = [
            ("journal_mode", "wal", &|v| v.eq_ignore_ascii_case("wal")),
            // 2 is MEMORY
            ("temp_store", "2 (MEMORY)", &|v| v == "2"),
            ("foreign_keys", "1", &|v| v == "1"),
            ("busy_timeout", ">= 5000", &|v| {
                v.parse::<u64>().is_ok_and(|ms| ms >= 5000)
            }),
        ];
        // 2 is FULL
        let full: SqliteCheck = ("synchronous", "2 (FULL)", &|v| v == "2");
        check_pragmas(&self.conn, common.iter().chain([&full])).await?;
        // The relaxed connection: the same but for the flush (1 is NORMAL).
        if let Some(relaxed) = &self.relaxed {
            let normal: SqliteCheck = (
                "synchronous",
                "1 (NORMAL) on the relaxed connection",
                &|v| v == "1",
            );
            check_pragmas(relaxed, common.iter().chain([&normal])).await?;
        }
        Ok(())
    }

    /// The value of one SQLite pragma, as text.
    pub async fn pragma(&self, name: &str) -> Result<String, sea_orm::DbErr> {
        pragma_on(&self.conn, name).await
    }

    /// Applies every pending migration, one process at a time: hub processes started
    /// together (or `hub migrate` beside a serving hub) queue here, and whoever comes second
    /// finds nothing left to do.
    ///
    /// The whole run is one transaction, which `Migrator::up` accepts in place of a
    /// connection (its per-migration transactions become savepoints in it). On PostgreSQL the
    /// transaction first takes the advisory lock [`MIGRATION_LOCK`] (released by the commit or
    /// rollback, so an error cannot leave it held); on SQLite it is a `BEGIN IMMEDIATE`
    /// transaction, which holds the database's write lock from its start. Both backends run
    /// DDL transactionally, so a failed run leaves the schema as it was.
    pub async fn migrate(&self) -> Result<(), sea_orm::DbErr> {
        let tx = match self.backend {
            Backend::Postgres => {
                let tx = self.conn.begin().await?;
                tx.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1)",
                    [MIGRATION_LOCK.into()],
                ))
                .await?;
                tx
            }
            Backend::Sqlite => self.begin_write_patiently(MIGRATION_WAIT).await?,
        };
        Migrator::up(&tx, None).await?;
        tx.commit().await
    }

    /// The names of the migrations not yet applied. Reads only: it creates no migration table,
    /// so it needs no DDL rights and does not race a migration another process is running.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, sea_orm::DbErr> {
        Ok(Migrator::get_pending_migrations_read_only(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect())
    }

    /// On PostgreSQL, run as the tables' owner after migrating: lets `role` (the role the
    /// server connects as) read and write the tables, nothing more. A no-op on SQLite.
    pub async fn grant_runtime_access(&self, role: &str) -> Result<(), sea_orm::DbErr> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        if role.is_empty() || !role.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(sea_orm::DbErr::Custom(format!(
                "role name '{role}' must be letters, digits and '_'"
            )));
        }
        self.conn
            .execute_unprepared(&format!(
                "GRANT USAGE ON SCHEMA public TO \"{role}\"; \
                 GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\";"
            ))
            .await?;
        Ok(())
    }

    /// What the connection's role may do beyond its grants, on PostgreSQL: `None` on SQLite.
    pub async fn role_report(&self) -> Result<Option<RoleReport>, sea_orm::DbErr> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let row = self
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT r.rolname::text, r.rolsuper, r.rolbypassrls, \
                   (SELECT count(*) FROM pg_tables t WHERE t.schemaname = current_schema() \
                      AND t.tableowner = r.rolname) \
                 FROM pg_roles r WHERE r.rolname = current_user",
            ))
            .await?
            .ok_or_else(|| sea_orm::DbErr::Custom("current_user has no pg_roles row".into()))?;
        Ok(Some(RoleReport {
            role: row.try_get_by_index(0)?,
            superuser: row.try_get_by_index(1)?,
            bypass_rls: row.try_get_by_index(2)?,
            owned_tables: row.try_get_by_index(3)?,
        }))
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.conn.ping().await
    }

    pub async fn close(self) -> Result<(), sea_orm::DbErr> {
        let relaxed = match self.relaxed {
            Some(relaxed) => relaxed.close().await,
            None => Ok(()),
        };
        let main = self.conn.close().await;
        relaxed.and(main)
    }

    pub(crate) fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// See the field: the partners' order numbers as this process last handed them out.
    pub(crate) fn order_numbers(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, i64>> {
        self.order_numbers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn mail_wakes(&self) -> std::sync::Arc<crate::mail::Wakes> {
        self.mail_wakes.clone()
    }

    /// A write transaction of this process: on PostgreSQL a transaction of its own; on
    /// SQLite the open write batch's transaction, shared while this writer holds the turn,
    /// with the [`batch::Member`] whose savepoint holds the writer's work and whose
    /// `finish` commits it. Waits for the turn as long as SQLite's busy timeout, then fails
    /// like it.
    ///
    /// A [`Durability::Relaxed`] writer's commit does not wait for the disk: on SQLite its
    /// batch (if it opens one) runs on a `synchronous=NORMAL` connection, on PostgreSQL the
    /// transaction turns `synchronous_commit` off for itself.
    pub(crate) async fn begin_member(
        &self,
        durability: Durability,
    ) -> Result<(std::sync::Arc<DatabaseTransaction>, Option<batch::Member>), sea_orm::DbErr> {
        if self.backend != Backend::Sqlite {
            let tx = self.begin_write().await?;
            if durability == Durability::Relaxed {
                tx.execute_unprepared("SET LOCAL synchronous_commit TO OFF")
                    .await?;
            }
            return Ok((std::sync::Arc::new(tx), None));
        }
        let (tx, member) = self
            .write_gate
            .join(SQLITE_BUSY_TIMEOUT, durability, || async {
                match (durability, &self.relaxed) {
                    (Durability::Relaxed, Some(relaxed)) => begin_immediate(relaxed).await,
                    _ => self.begin_write().await,
                }
            })
            .await?;
        Ok((tx, Some(member)))
    }

    /// Starts a transaction that is going to write. On SQLite it takes the write lock at
    /// `BEGIN IMMEDIATE`: a deferred transaction that reads first and writes later fails at
    /// once with "database is locked" when another connection committed in between, whatever
    /// the busy timeout, while an immediate one waits its turn (up to the busy timeout).
    /// PostgreSQL needs nothing of the kind.
    pub(crate) async fn begin_write(&self) -> Result<DatabaseTransaction, sea_orm::DbErr> {
        match self.backend {
            Backend::Sqlite => begin_immediate(&self.conn).await,
            Backend::Postgres => self.conn.begin().await,
        }
    }

    /// [`begin_write`](Self::begin_write) on SQLite, waiting up to `wait` for the write lock
    /// rather than the busy timeout: a migration another process runs may well take longer.
    async fn begin_write_patiently(
        &self,
        wait: Duration,
    ) -> Result<DatabaseTransaction, sea_orm::DbErr> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match self.begin_write().await {
                Err(e) if is_sqlite_busy(&e) && std::time::Instant::now() < deadline => {
                    tracing::info!("waiting for the database's write lock (another migration?)");
                }
                other => return other,
            }
        }
    }
}

/// Reads each pragma of `checks` back on a connection of `conn`.
async fn check_pragmas<'a>(
    conn: &DatabaseConnection,
    checks: impl Iterator<Item = &'a SqliteCheck>,
) -> Result<(), OpenError> {
    for (pragma, expected, ok) in checks {
        let actual = pragma_on(conn, pragma)
            .await
            .map_err(|e| OpenError::Connect(one_line(&e.to_string())))?;
        if !ok(&actual) {
            return Err(OpenError::Pragma {
                pragma,
                actual,
                expected: (*expected).to_owned(),
            });
        }
    }
    Ok(())
}

/// SQLite: a transaction on `conn` that holds the write lock from its start.
async fn begin_immediate(conn: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    conn.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The value of one SQLite pragma on a connection of `conn`, as text.
async fn pragma_on(conn: &DatabaseConnection, name: &str) -> Result<String, sea_orm::DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("PRAGMA {name} returned no row")))?;
    if let Ok(v) = row.try_get_by_index::<String>(0) {
        return Ok(v);
    }
    row.try_get_by_index::<i64>(0).map(|v| v.to_string())
}

/// A pool on `url` with the hub's settings; on SQLite with `synchronous` as given (see
/// [`Database::open`]).
async fn connect(
    url: &str,
    backend: Backend,
    max_connections: u32,
    opts: &DbOptions,
    synchronous: SqliteSynchronous,
) -> Result<DatabaseConnection, OpenError> {
    let mut co = ConnectOptions::new(url.to_owned());
    co.max_connections(max_connections)
        .min_connections(if backend == Backend::Sqlite { 1 } else { 0 })
        .acquire_timeout(opts.acquire_timeout)
        .connect_timeout(opts.acquire_timeout)
        .sqlx_logging(false);
    if backend == Backend::Sqlite {
        // A pooled SQLite connection lives in this process and cannot go stale the way a
        // network connection can; the driver's default ping on every checkout would be
        // one more hand-over to the connection's thread and back before each query or
        // transaction.
        co.test_before_acquire(false);
        co.map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .synchronous(synchronous)
                // Savepoints (a write batch's members) journal the pages they change:
                // in memory, not in a temporary file.
                .pragma("temp_store", "memory")
                // Rows come back from the connection's thread through a bounded channel:
                // with room for 50 (the driver's default) a read of a few hundred rows
                // (a webhook claim, a page of the catalog) stops the thread every 50 rows
                // until the reading task has been scheduled again. Room for a whole
                // batch lets the thread finish the statement in one go; the channel
                // holds only the rows not yet taken.
                .row_buffer_size(ROW_BUFFER)
        });
        co.map_sqlx_sqlite_pool_opts(|p| p.after_connect(|c, _| Box::pin(stable_plans(c))));
    } else {
        // Only a connection left idle long enough for the server, a proxy or a firewall
        // to have dropped it is pinged before use, not every one (a round trip each).
        co.test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    sea_orm::Database::connect(co)
        .await
        .map_err(|e| OpenError::Connect(one_line(&e.to_string())))
}

/// The PostgreSQL advisory lock migrations run under ("hub_migr" in ASCII). Advisory locks
/// are per database, so hubs on other databases of the same server do not wait for each other.
pub const MIGRATION_LOCK: i64 = 0x6875_625f_6d69_6772;

/// How long a migration on SQLite waits for another process's to end.
const MIGRATION_WAIT: Duration = Duration::from_secs(10 * 60);

/// Whether `e` is SQLite's "database is locked" (SQLITE_BUSY, any extended code).
fn is_sqlite_busy(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = e
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(db) = &**e else {
        return false;
    };
    db.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| c & 0xff == 5)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
