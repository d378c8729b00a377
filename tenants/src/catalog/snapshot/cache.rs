//! The snapshots in memory: one master per version, every store's keyed by both versions.

use super::*;

/// Snapshots of every store, bounded by size, with the master shared between them.
#[derive(Clone, Debug)]
pub struct CatalogCache {
    masters: moka::future::Cache<i64, Arc<Master>>,
    stores: moka::future::Cache<(TenantId, i64, i64), Arc<Storefront>>,
    hub: Arc<tokio::sync::OnceCell<Tenant>>,
    builds: Arc<AtomicU64>,
    versions: crate::catalog::versions::VersionReads,
}

impl CatalogCache {
    /// `max_kib`: the budget for store snapshots (the master comes on top, once per version).
    pub fn new(max_kib: u64) -> Self {
        Self {
            masters: moka::future::Cache::builder()
                .max_capacity(2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            stores: moka::future::Cache::builder()
                .max_capacity(max_kib)
                .weigher(|_k, v: &Arc<Storefront>| v.weight())
                .time_to_idle(Duration::from_secs(900))
                .build(),
            hub: Arc::new(tokio::sync::OnceCell::new()),
            builds: Arc::new(AtomicU64::new(0)),
            versions: crate::catalog::versions::VersionReads::default(),
        }
    }

    /// How many snapshots (masters and stores) this cache has built: a warm storefront
    /// builds none.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// The hub tenant (looked up once per process: it never changes).
    pub async fn hub(&self, db: &Database) -> Result<Tenant> {
        self.hub
            .get_or_try_init(|| async { registry::hub(db).await?.ok_or(Error::NotFound("hub")) })
            .await
            .cloned()
    }

    /// The catalog versions `(master, store)` a snapshot of `store` must match: one indexed
    /// read. Also the key of anything derived from the effective catalog (rendered pages).
    pub async fn versions(&self, db: &Database, store: &Tenant) -> Result<(i64, i64)> {
        let hub = self.hub(db).await?;
        let ids = if hub.id() == store.id() {
            vec![hub.id()]
        } else {
            vec![hub.id(), store.id()]
        };
        // Concurrent requests share a read that starts after they all arrived.
        let versions = self.versions.read(db, &ids).await?;
        let version_of = |id: TenantId| versions.iter().find(|(t, _)| *t == id).map(|(_, v)| *v);
        let mv = version_of(hub.id()).ok_or(Error::NotFound("hub"))?;
        let sv = version_of(store.id()).ok_or(Error::NotFound("store"))?;
        Ok((mv, sv))
    }

    /// The store's effective catalog, current as of this call.
    pub async fn storefront(&self, db: &Database, store: &Tenant) -> Result<Arc<Storefront>> {
        let hub = self.hub(db).await?;
        let (mv, sv) = self.versions(db, store).await?;
        let flatten = |e: Arc<Error>| match Arc::try_unwrap(e) {
            Ok(e) => e,
            Err(e) => Error::Db(sea_orm::DbErr::Custom(e.to_string())),
        };
        let master = self
            .masters
            .try_get_with(mv, async {
                self.builds.fetch_add(1, Ordering::Relaxed);
                build_master(db, &hub, mv).await.map(Arc::new)
            })
            .await
            .map_err(flatten)?;
        self.stores
            .try_get_with((store.id(), mv, sv), async {
                self.builds.fetch_add(1, Ordering::Relaxed);
                build_store(db, store, master, sv).await.map(Arc::new)
            })
            .await
            .map_err(flatten)
    }

    /// The master at its current version (the hub's console and the stores' editors).
    pub async fn master(&self, db: &Database) -> Result<Arc<Master>> {
        let hub = self.hub(db).await?;
        Ok(self.storefront(db, &hub).await?.master.clone())
    }

    /// `(queries, requests answered)` of the batched version reads.
    pub fn version_reads(&self) -> (u64, u64) {
        self.versions.stats()
    }

    /// Drops every snapshot (tests and the benchmark's cold runs).
    pub fn clear(&self) {
        self.masters.invalidate_all();
        self.stores.invalidate_all();
    }

    /// Entries and weighted size (KiB) of the store snapshots.
    pub async fn usage(&self) -> (u64, u64) {
        self.stores.run_pending_tasks().await;
        (self.stores.entry_count(), self.stores.weighted_size())
    }
}
