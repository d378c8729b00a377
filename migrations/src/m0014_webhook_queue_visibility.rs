//! A claimed delivery leaves the queue: the lease moves its next attempt to the lease's end
//! (when it is due again if its worker dies before recording an answer), so the queue index
//! no longer needs the lease. Without it, a walk of the queue meets only what is due, never
//! the deliveries that claims took ahead and are still on the wire.
//!
//! Deliveries leased when this runs keep their lease in `lease_until` and their due time:
//! they may go out once more at the next claim (at least once), as after a lapsed lease.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "ix_webhook_deliveries_queue";
const NEW: &str = "ix_webhook_deliveries_due_key";

/// The index `name` on the deliveries' columns `cols`.
fn index(name: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new("webhook_deliveries"));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop()
        .name(name)
        .table(Alias::new("webhook_deliveries"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(NEW, &["state", "next_attempt_at", "tenant_id", "id"]))
            .await?;
        manager.drop_index(drop(OLD)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(
                OLD,
                &["state", "next_attempt_at", "lease_until", "tenant_id", "id"],
            ))
            .await?;
        manager.drop_index(drop(NEW)).await
    }
}
