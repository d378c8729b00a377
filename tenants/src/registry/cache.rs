//! A bounded, expiring cache in front of the registry, shared by host resolution and by the
//! code that changes tenants (which invalidates what it changed).

use std::time::Duration;

use moka::future::Cache;

use super::{Domain, Tenant, TenantKind};
use crate::db::Database;
use crate::error::Result;

/// How long a resolved tenant is trusted without asking the database again. Changes made in
/// this process invalidate at once; another process's changes show within this time.
const FOUND_TTL: Duration = Duration::from_secs(30);
/// Unknown names are remembered briefly, so a flood of made-up hosts cannot hammer the
/// database, while a store created a moment ago still appears quickly.
const MISSING_TTL: Duration = Duration::from_secs(3);
const CAPACITY: u64 = 100_000;

/// What a host named, once classified.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Hub,
    Slug(String),
    Domain(String),
}

#[derive(Clone, Debug)]
pub struct RegistryCache {
    db: Database,
    found: Cache<Key, Tenant>,
    missing: Cache<Key, ()>,
}

impl RegistryCache {
    pub fn new(db: Database) -> Self {
        Self {
            db,
            found: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(FOUND_TTL)
                .support_invalidation_closures()
                .build(),
            missing: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(MISSING_TTL)
                .support_invalidation_closures()
                .build(),
        }
    }

    pub async fn lookup(&self, key: Key) -> Result<Option<Tenant>> {
        if self.missing.contains_key(&key) {
            return Ok(None);
        }
        if let Some(tenant) = self.found.get(&key).await {
            return Ok(Some(tenant));
        }
        let tenant = match &key {
            Key::Hub => super::hub(&self.db).await?,
            Key::Slug(slug) => super::find_by_slug(&self.db, slug).await?,
            Key::Domain(d) => match Domain::parse(d) {
                Ok(d) => super::find_by_domain(&self.db, &d).await?,
                Err(_) => None,
            },
        };
        match &tenant {
            Some(t) => self.found.insert(key, t.clone()).await,
            None => self.missing.insert(key, ()).await,
        }
        Ok(tenant)
    }

    /// Forgets what the cache knows about `tenant`, after it changed. Its custom domains are
    /// dropped too (they are few; the whole domain part is cleared).
    pub async fn invalidate(&self, tenant: &Tenant) {
        let key = match tenant.kind() {
            TenantKind::Hub => Key::Hub,
            _ => Key::Slug(tenant.slug().to_owned()),
        };
        self.found.invalidate(&key).await;
        self.missing.invalidate(&key).await;
        let _ = self
            .found
            .invalidate_entries_if(|k, _| matches!(k, Key::Domain(_)));
        let _ = self
            .missing
            .invalidate_entries_if(|k, _| matches!(k, Key::Domain(_)));
    }
}
