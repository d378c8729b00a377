//! A claimed delivery leaves the queue: the lease moves its next attempt to the lease's end
//! (when it is due again if its worker dies before recording an answer), so the queue index
//! no longer needs the lease. Without it, a walk of the queue meets only what is due, never
//! the deliveries that claims took ahead and are still on the wire.
//!
//! Deliveries leased when this runs keep their lease in `lease_until` and their due time:
//! they may go out once more at the next claim (at least once), as after a lapsed lease.

use sea_orm_migration::prelude::*;

use crate::tables::replace_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "webhook_deliveries";
const OLD: &str = "ix_webhook_deliveries_queue";
const NEW: &str = "ix_webhook_deliveries_due_key";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_index(
            manager,
            TABLE,
            OLD,
            NEW,
            &["state", "next_attempt_at", "tenant_id", "id"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_index(
            manager,
            TABLE,
            NEW,
            OLD,
            &["state", "next_attempt_at", "lease_until", "tenant_id", "id"],
        )
        .await
    }
}
