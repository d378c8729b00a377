//! The workers' queue index covers the whole look-up of what is due: state and due time to
//! walk in order, then the lease (a claimed delivery is still pending and due, and the oldest,
//! so every look-up meets the claimed ones first) and the row's key. The look-up no longer
//! visits a row of the table for each delivery it passes or returns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "ix_webhook_deliveries_due";
const NEW: &str = "ix_webhook_deliveries_queue";

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
            .create_index(index(
                NEW,
                &["state", "next_attempt_at", "lease_until", "tenant_id", "id"],
            ))
            .await?;
        manager.drop_index(drop(OLD)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(index(OLD, &["state", "next_attempt_at"]))
            .await?;
        manager.drop_index(drop(NEW)).await
    }
}
