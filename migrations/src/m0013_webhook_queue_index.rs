//! The workers' queue index covers the whole look-up of what is due: state and due time to
//! walk in order, then the lease (a claimed delivery is still pending and due, and the oldest,
//! so every look-up meets the claimed ones first) and the row's key. The look-up no longer
//! visits a row of the table for each delivery it passes or returns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD: &str = "ix_webhook_deliveries_due";
const NEW: &str = "ix_webhook_deliveries_queue";

fn table() -> Alias {
    Alias::new("webhook_deliveries")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(table())
                    .col(Alias::new("state"))
                    .col(Alias::new("next_attempt_at"))
                    .col(Alias::new("lease_until"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(OLD).table(table()).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD)
                    .table(table())
                    .col(Alias::new("state"))
                    .col(Alias::new("next_attempt_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(NEW).table(table()).to_owned())
            .await
    }
}
