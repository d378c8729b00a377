//! The tenant-scoped handle. It is the only way domain code reaches tenant-owned tables.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DeleteMany,
    EntityTrait, QueryFilter, QueryTrait as _, Select, Statement, TransactionTrait, UpdateMany,
};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Backend, Database};
use crate::ids::TenantId;
use crate::registry::Tenant;

/// An entity whose rows belong to one tenant.
pub trait TenantScoped: EntityTrait {
    /// The column holding the owning tenant's id.
    fn tenant_column() -> Self::Column;
}

/// A database handle bound to one resolved tenant. Only this crate builds one: other crates
/// get it from a guard in [`crate::access`] that checked the caller, so holding one proves
/// both that the tenant exists and that someone allowed to was let in.
#[derive(Clone, Debug)]
pub struct TenantDb {
    db: Database,
    tenant: Tenant,
}

impl TenantDb {
    pub(crate) fn new(db: &Database, tenant: &Tenant) -> Self {
        Self {
            db: db.clone(),
            tenant: tenant.clone(),
        }
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// The whole database, for this crate's reads of shared tables (the registry).
    pub(crate) fn db(&self) -> &Database {
        &self.db
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant.id()
    }

    /// An insert of `models` for this tenant (its column set on every row), built ahead of
    /// the write that will send it ([`TenantTx::defer_prebuilt`]), so that building a large
    /// statement does not hold a write turn. `None` for no rows.
    pub(crate) fn prebuild_insert_many<A, E>(&self, models: Vec<A>) -> Option<Prebuilt>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        Prebuilt::insert_many(self.tenant_id(), backend_of(self.db.backend()), models)
    }

    /// An update limited to this tenant and joined with the rows `from` (an `UPDATE … FROM`,
    /// as SQLite and PostgreSQL both write it), built ahead like
    /// [`prebuild_insert_many`](Self::prebuild_insert_many): each updated row takes values
    /// of the row it joins, so one statement gives each row values of its own.
    pub(crate) fn prebuild_update_from<E: TenantScoped>(
        &self,
        update: UpdateMany<E>,
        from: sea_orm::sea_query::TableRef,
    ) -> Prebuilt {
        Prebuilt::update_from(
            self.tenant_id(),
            backend_of(self.db.backend()),
            update,
            from,
        )
    }

    /// Starts a transaction bound to the tenant. On PostgreSQL it sets `app.tenant_id` for
    /// this transaction only (a bound parameter, never interpolated), which the row-level
    /// security policies read.
    pub async fn begin(&self) -> Result<TenantTx, sea_orm::DbErr> {
        let tx = self.db.conn().begin().await?;
        let mut tx = TenantTx::bind(tx, self.db.backend(), self.tenant_id()).await?;
        tx.mail_wakes = Some(self.db.mail_wakes());
        Ok(tx)
    }

    /// Like [`begin`](Self::begin), for a transaction that writes: on SQLite it holds the
    /// write lock from the start (see [`Database::begin_write`]).
    ///
    /// On SQLite, writers that queue for the turn share a commit (see `db::batch`): the
    /// transaction is then a savepoint, and [`TenantTx::commit`] returns once its batch is
    /// on disk.
    pub async fn begin_write(&self) -> Result<TenantTx, sea_orm::DbErr> {
        self.begin_write_as(super::Durability::Durable).await
    }

    /// [`begin_write`](Self::begin_write) for work whose loss in a power cut or an OS crash
    /// (not a crash of the process) only makes it be done again: its commit does not wait
    /// for the disk (see [`super::Durability::Relaxed`]). The webhook workers' leases and
    /// outcomes: a lease lost sends the delivery again, an outcome lost sends it again, and
    /// deliveries are at least once. Never for anything a user or a partner is told was done.
    pub(crate) async fn begin_write_relaxed(&self) -> Result<TenantTx, sea_orm::DbErr> {
        self.begin_write_as(super::Durability::Relaxed).await
    }

    async fn begin_write_as(
        &self,
        durability: super::Durability,
    ) -> Result<TenantTx, sea_orm::DbErr> {
        let (tx, member) = self.db.begin_member(durability).await?;
        let mut tx = TenantTx::bind_shared(tx, self.db.backend(), self.tenant_id()).await?;
        tx.member = member;
        tx.mail_wakes = Some(self.db.mail_wakes());
        Ok(tx)
    }
}

/// A write built by a [`TenantDb`] for its tenant, to be held back in one of that tenant's
/// transactions ([`TenantTx::defer_prebuilt`]).
pub(crate) struct Prebuilt {
    tenant: TenantId,
    stmt: Statement,
}

impl Prebuilt {
    /// One insert of `models`, each with its tenant column set to `tenant`; `None` for no
    /// rows.
    fn insert_many<A, E>(tenant: TenantId, backend: DbBackend, models: Vec<A>) -> Option<Self>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        if models.is_empty() {
            return None;
        }
        let models = models.into_iter().map(|mut m| {
            m.set(E::tenant_column(), tenant.as_uuid().into());
            m
        });
        Some(Self {
            tenant,
            stmt: E::insert_many(models).build(backend),
        })
    }

    /// `update`, limited to `tenant`.
    fn update<E: TenantScoped>(
        tenant: TenantId,
        backend: DbBackend,
        update: UpdateMany<E>,
    ) -> Self {
        let update = update.filter(E::tenant_column().eq(tenant.as_uuid()));
        Self {
            tenant,
            stmt: update.build(backend),
        }
    }

    /// [`update`](Self::update) with a `FROM` of `from`.
    fn update_from<E: TenantScoped>(
        tenant: TenantId,
        backend: DbBackend,
        update: UpdateMany<E>,
        from: sea_orm::sea_query::TableRef,
    ) -> Self {
        let mut query = update
            .filter(E::tenant_column().eq(tenant.as_uuid()))
            .into_query();
        query.from(from);
        Self {
            tenant,
            stmt: backend.build(&query),
        }
    }
}

fn backend_of(backend: Backend) -> DbBackend {
    match backend {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    }
}

/// A transaction of one tenant. Every query built from it filters by the tenant, and every
/// insert through it sets the tenant.
pub struct TenantTx {
    /// Its own transaction, or (a SQLite writer) the write batch's, which it works in
    /// within its savepoint while it holds the turn.
    tx: Arc<DatabaseTransaction>,
    backend: Backend,
    tenant_id: TenantId,
    /// Set when the transaction wrote webhook deliveries: [`commit`](Self::commit) then
    /// wakes this process's delivery workers, after the rows are visible to them.
    wake_webhooks: AtomicBool,
    /// The tenants this transaction queued mail for (through every rebinding):
    /// [`commit`](Self::commit) then wakes the sender for them.
    mail_for: std::sync::Mutex<Vec<TenantId>>,
    /// Its place in a write batch (SQLite): holds this process's turn to write until the
    /// transaction ends. Declared after `tx`, so the batch's transaction is let go before
    /// the member, dropped unfinished, rolls back to its savepoint and passes the turn on.
    member: Option<super::batch::Member>,
    /// Where to tell the mail sender (the database's, when opened from a `TenantDb`).
    mail_wakes: Option<std::sync::Arc<crate::mail::Wakes>>,
    /// Writes held back to be sent together (see [`defer_insert`](Self::defer_insert)),
    /// each with the tenant it was built for.
    deferred: std::sync::Mutex<Vec<(TenantId, Statement)>>,
}

impl TenantTx {
    /// Binds an open transaction to `tenant` (on PostgreSQL: sets `app.tenant_id` for it).
    /// Crate-private: used where one transaction creates a tenant and then its first rows.
    pub(crate) async fn bind(
        tx: DatabaseTransaction,
        backend: Backend,
        tenant_id: TenantId,
    ) -> Result<Self, sea_orm::DbErr> {
        Self::bind_shared(Arc::new(tx), backend, tenant_id).await
    }

    async fn bind_shared(
        tx: Arc<DatabaseTransaction>,
        backend: Backend,
        tenant_id: TenantId,
    ) -> Result<Self, sea_orm::DbErr> {
        if backend == Backend::Postgres {
            set_tenant(&tx, tenant_id).await?;
        }
        Ok(Self {
            tx,
            backend,
            tenant_id,
            wake_webhooks: AtomicBool::new(false),
            mail_for: std::sync::Mutex::default(),
            member: None,
            mail_wakes: None,
            deferred: std::sync::Mutex::default(),
        })
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    /// `SELECT ... WHERE tenant_id = ?` for entity `E`.
    pub fn find<E: TenantScoped>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id.as_uuid()))
    }

    /// `UPDATE ... WHERE tenant_id = ?` for entity `E`.
    pub fn update_many<E: TenantScoped>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::tenant_column().eq(self.tenant_id.as_uuid()))
    }

    /// `DELETE ... WHERE tenant_id = ?` for entity `E`.
    pub fn delete_many<E: TenantScoped>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::tenant_column().eq(self.tenant_id.as_uuid()))
    }

    /// Inserts `model` with its tenant column set to this transaction's tenant, whatever the
    /// caller put there.
    pub async fn insert<A, E>(
        &self,
        mut model: A,
    ) -> Result<<E as EntityTrait>::Model, sea_orm::DbErr>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
        <E as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    {
        model.set(E::tenant_column(), self.tenant_id.as_uuid().into());
        model.insert(self.tx.as_ref()).await
    }

    /// Inserts many rows in one statement, each with its tenant column set to this
    /// transaction's tenant.
    pub async fn insert_many<A, E>(&self, models: Vec<A>) -> Result<(), sea_orm::DbErr>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        self.write_many(models, None).await
    }

    /// Inserts many rows in one statement, each with its tenant column set to this
    /// transaction's tenant; `on_conflict` says what to do with rows that exist (an upsert).
    pub async fn upsert_many<A, E>(
        &self,
        models: Vec<A>,
        on_conflict: sea_orm::sea_query::OnConflict,
    ) -> Result<(), sea_orm::DbErr>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        self.write_many(models, Some(on_conflict)).await
    }

    async fn write_many<A, E>(
        &self,
        models: Vec<A>,
        on_conflict: Option<sea_orm::sea_query::OnConflict>,
    ) -> Result<(), sea_orm::DbErr>
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        if models.is_empty() {
            return Ok(());
        }
        let tenant = self.tenant_id.as_uuid();
        let models = models.into_iter().map(|mut m| {
            m.set(E::tenant_column(), tenant.into());
            m
        });
        let mut insert = E::insert_many(models);
        if let Some(c) = on_conflict {
            insert = insert.on_conflict(c);
        }
        insert.exec_without_returning(self.tx.as_ref()).await?;
        Ok(())
    }

    /// The connection to run the queries built above on. Crate-private: a raw connection
    /// would run unfiltered queries (and on SQLite nothing else stands in the way).
    pub(crate) fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// The same transaction, bound to `tenant` from now on: for a record two tenants share,
    /// written as a row in each in one transaction. What it asked of the commit carries over.
    pub(crate) async fn rebind(self, tenant: TenantId) -> Result<TenantTx, sea_orm::DbErr> {
        let wake = self.wake_webhooks.load(Ordering::Relaxed);
        let (mail, member, wakes, deferred) =
            (self.mail_for, self.member, self.mail_wakes, self.deferred);
        let next = Self::bind_shared(self.tx, self.backend, tenant).await?;
        next.wake_webhooks.store(wake, Ordering::Relaxed);
        Ok(Self {
            mail_for: mail,
            member,
            mail_wakes: wakes,
            deferred,
            ..next
        })
    }

    fn defer_statement(&self, stmt: Statement) {
        self.deferred
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((self.tenant_id, stmt));
    }

    /// Like [`insert`](Self::insert), but held back until [`flush`](Self::flush) or the
    /// commit, and sent with the other held-back writes: on SQLite in one call to the
    /// connection (each statement is a hand-over to the connection's thread and back, which
    /// costs more than the write itself). Reads in between do not see it; held-back writes
    /// follow one another in the order they were made, after every write made at once.
    pub(crate) fn defer_insert<A, E>(&self, mut model: A)
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        model.set(E::tenant_column(), self.tenant_id.as_uuid().into());
        self.defer_statement(E::insert(model).build(self.db_backend()));
    }

    /// [`insert_many`](Self::insert_many), held back like [`defer_insert`](Self::defer_insert).
    pub(crate) fn defer_insert_many<A, E>(&self, models: Vec<A>)
    where
        E: TenantScoped,
        A: ActiveModelTrait<Entity = E> + Send,
    {
        if let Some(write) = Prebuilt::insert_many(self.tenant_id, self.db_backend(), models) {
            self.defer_statement(write.stmt);
        }
    }

    /// A write built ahead ([`TenantDb::prebuild_insert_many`]), held back like
    /// [`defer_insert`](Self::defer_insert). It must be this transaction's tenant's: one built
    /// for another tenant is refused.
    pub(crate) fn defer_prebuilt(&self, write: Prebuilt) -> Result<(), sea_orm::DbErr> {
        if write.tenant != self.tenant_id {
            return Err(sea_orm::DbErr::Custom(
                "a write built for another tenant".into(),
            ));
        }
        self.defer_statement(write.stmt);
        Ok(())
    }

    /// An update held back like [`defer_insert`](Self::defer_insert), limited to this
    /// transaction's tenant.
    pub(crate) fn defer_update<E: TenantScoped>(&self, update: UpdateMany<E>) {
        self.defer_statement(Prebuilt::update(self.tenant_id, self.db_backend(), update).stmt);
    }

    /// A delete held back like [`defer_insert`](Self::defer_insert), limited to this
    /// transaction's tenant.
    pub(crate) fn defer_delete<E: TenantScoped>(&self, delete: DeleteMany<E>) {
        let delete = delete.filter(E::tenant_column().eq(self.tenant_id.as_uuid()));
        self.defer_statement(delete.build(self.db_backend()));
    }

    /// Sends the held-back writes, in order. On SQLite they go as one multi-statement call
    /// (the driver binds each statement's values in turn); on PostgreSQL one after another,
    /// each under the tenant it was built for (row-level security checks every row).
    pub(crate) async fn flush(&self) -> Result<(), sea_orm::DbErr> {
        self.send(None).await
    }

    /// [`flush`](Self::flush), and on SQLite `then` (a statement with no values) after the
    /// held-back writes, in the same call.
    async fn send(&self, then: Option<&str>) -> Result<(), sea_orm::DbErr> {
        let writes = std::mem::take(
            &mut *self
                .deferred
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        match writes.len() {
            0 if then.is_none() => Ok(()),
            _ if self.backend == Backend::Sqlite => {
                let mut sql = String::new();
                let mut values = Vec::new();
                for (_, stmt) in writes {
                    sql.push_str(&stmt.sql);
                    sql.push_str(";\n");
                    values.extend(stmt.values.map(|v| v.0).unwrap_or_default());
                }
                if let Some(then) = then {
                    sql.push_str(then);
                }
                self.tx
                    .execute_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        sql,
                        values,
                    ))
                    .await
                    .map(|_| ())
            }
            _ => {
                let mut bound = self.tenant_id;
                for (tenant, stmt) in writes {
                    if tenant != bound {
                        set_tenant(&self.tx, tenant).await?;
                        bound = tenant;
                    }
                    self.tx.execute_raw(stmt).await?;
                }
                if bound != self.tenant_id {
                    set_tenant(&self.tx, self.tenant_id).await?;
                }
                Ok(())
            }
        }
    }

    /// Which database this transaction runs on.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    fn db_backend(&self) -> DbBackend {
        backend_of(self.backend)
    }

    /// Asks [`commit`](Self::commit) to wake the webhook delivery workers.
    pub(crate) fn wake_webhooks_on_commit(&self) {
        self.wake_webhooks.store(true, Ordering::Relaxed);
    }

    /// Asks [`commit`](Self::commit) to wake the mail sender for this tenant.
    pub(crate) fn wake_mail_on_commit(&self) {
        let mut m = self
            .mail_for
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !m.contains(&self.tenant_id) {
            m.push(self.tenant_id);
        }
    }

    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        self.commit_as(false).await
    }

    /// [`commit`](Self::commit) for a caller that waits on it to go on (a webhook claim): on
    /// SQLite its write batch commits there and then, without waiting for the writers queued
    /// behind it, who start the next one (see `batch::Member::leads`). The same as `commit`
    /// on PostgreSQL, where every transaction commits on its own.
    pub(crate) async fn commit_first(self) -> Result<(), sea_orm::DbErr> {
        self.commit_as(true).await
    }

    async fn commit_as(mut self, leads: bool) -> Result<(), sea_orm::DbErr> {
        if leads && let Some(member) = self.member.as_mut() {
            member.leads();
        }
        let wake = self.wake_webhooks.load(Ordering::Relaxed);
        match self.member.as_mut().map(super::batch::Member::release_sql) {
            // A batch member: its savepoint is released with its last writes.
            Some(release) => self.send(Some(&release)).await?,
            None => self.flush().await?,
        }
        let Self {
            tx,
            member,
            mail_for,
            mail_wakes,
            ..
        } = self;
        let mail = mail_for
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match member {
            Some(mut member) => {
                member.released();
                drop(tx);
                member.finish().await?;
            }
            None => {
                Arc::try_unwrap(tx)
                    .map_err(|_| {
                        sea_orm::DbErr::Custom("the transaction is shared: it cannot commit".into())
                    })?
                    .commit()
                    .await?;
            }
        }
        if wake {
            crate::webhooks::worker::wake();
        }
        if let Some(w) = &mail_wakes {
            for t in mail {
                w.wake(t);
            }
        }
        Ok(())
    }
}

/// PostgreSQL: binds the rest of the transaction to `tenant` for row-level security (a
/// bound parameter, never interpolated).
async fn set_tenant(tx: &DatabaseTransaction, tenant: TenantId) -> Result<(), sea_orm::DbErr> {
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant.as_uuid().to_string().into()],
    ))
    .await
    .map(|_| ())
}
