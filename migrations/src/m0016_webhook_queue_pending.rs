//! The queue index holds only what is waiting: a partial index on the pending deliveries
//! (by due time, then key), in place of one over every delivery ever made. A delivery leaves
//! it when it is delivered or dead-lettered, instead of moving to another part of it, and a
//! walk of the queue never passes anything else.
//!
//! `lease_until` goes: since m0014 a lease is the due time itself (`next_attempt_at`, moved
//! to the lease's end), and the column only repeated it.

use sea_orm_migration::prelude::*;

use crate::tables::{add_column, drop_column, replace_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "webhook_deliveries";
const OLD: &str = "ix_webhook_deliveries_due_key";
const NEW: &str = "ix_webhook_deliveries_pending";
const LEASE: &str = "lease_until";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW)
                    .table(Alias::new(TABLE))
                    .col(Alias::new("next_attempt_at"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("id"))
                    .and_where(Expr::col(Alias::new("state")).eq("pending"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name(OLD).table(Alias::new(TABLE)).to_owned())
            .await?;
        drop_column(manager, TABLE, LEASE).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            TABLE,
            ColumnDef::new(Alias::new(LEASE))
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        )
        .await?;
        replace_index(
            manager,
            TABLE,
            NEW,
            OLD,
            &["state", "next_attempt_at", "tenant_id", "id"],
        )
        .await
    }
}
