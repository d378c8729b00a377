//! The attempt that delivered a webhook is kept on its delivery row, not as a row of
//! `webhook_attempts`: recording a delivery is then one update of the delivery, not an
//! insert beside it (in the delivery workers' busiest write, the one that follows every
//! answer). `webhook_attempts` keeps every other attempt: each failed one, and a success
//! that a later one replaced (a replay, or a second send after a lapsed lease), moved
//! there when it was replaced.
//!
//! All five columns are null until the delivery is delivered. Deliveries delivered before
//! this migration keep their successful attempt in `webhook_attempts`, where the delivery
//! log still finds it.

use sea_orm_migration::prelude::*;

use crate::tables::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "webhook_deliveries";

/// The columns, in the order they are added.
const COLUMNS: [&str; 5] = [
    "delivered_attempt",
    "delivered_status",
    "delivered_started_at",
    "delivered_duration_ms",
    "delivered_body",
];

fn column(name: &str) -> ColumnDef {
    let mut col = ColumnDef::new(Alias::new(name));
    match name {
        "delivered_started_at" => col.timestamp_with_time_zone(),
        "delivered_body" => col.string_len(1024),
        _ => col.integer(),
    };
    col.null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            add_column(manager, TABLE, column(name)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS.iter().rev() {
            drop_column(manager, TABLE, name).await?;
        }
        Ok(())
    }
}
