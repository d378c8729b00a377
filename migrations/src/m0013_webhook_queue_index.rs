//! The workers' queue index covers the whole look-up of what is due: state and due time to
//! walk in order, then the lease (a claimed delivery is still pending and due, and the oldest,
//! so every look-up meets the claimed ones first) and the row's key. The look-up no longer
//! visits a row of the table for each delivery it passes or returns.

use sea_orm_migration::prelude::*;

use crate::tables::replace_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "webhook_deliveries";
const OLD: &str = "ix_webhook_deliveries_due";
const NEW: &str = "ix_webhook_deliveries_queue";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_index(
            manager,
            TABLE,
            OLD,
            NEW,
            &["state", "next_attempt_at", "lease_until", "tenant_id", "id"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_index(manager, TABLE, NEW, OLD, &["state", "next_attempt_at"]).await
    }
}
