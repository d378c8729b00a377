//! A partner's acknowledgement window: how long it has to acknowledge a new order before the
//! customer may send the order to another partner (4 hours unless the partner sets another,
//! from 1 to 72 hours).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("partner_profiles"))
                    .add_column(
                        ColumnDef::new(Alias::new("ack_window_hours"))
                            .integer()
                            .not_null()
                            .default(4),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::tables::drop_column(manager, "partner_profiles", "ack_window_hours").await
    }
}
