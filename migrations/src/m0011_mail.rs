//! The mail outbox: every e-mail the hub sends a customer (each step of a transferred order)
//! is a row in the store's tenant, written in the same transaction as the change it tells
//! of, so a committed step cannot lose its e-mail and a rolled-back one sends none. The
//! sender takes `pending` rows, sends them (SMTP in production, files in development) and
//! marks them `sent`, or schedules a retry and, after the last, `failed` with the reason.

use sea_orm_migration::prelude::*;

use crate::m0004_row_level_security::secure_tenant_tables;
use crate::tables::tenant_fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Alias::new("mail_outbox");
        manager
            .create_table(
                Table::create()
                    .table(table.clone())
                    .if_not_exists()
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("order_id").uuid().null())
                    .col(col("kind").string_len(40).not_null())
                    .col(col("to_email").string_len(320).not_null())
                    .col(col("to_name").string_len(200).not_null())
                    .col(col("subject").string_len(400).not_null())
                    .col(col("body").text().not_null())
                    .col(col("state").string_len(16).not_null())
                    .col(col("attempts").integer().not_null().default(0))
                    .col(col("next_attempt_at").timestamp_with_time_zone().not_null())
                    .col(col("last_error").text().null())
                    .col(col("created_at").timestamp_with_time_zone().not_null())
                    .col(col("sent_at").timestamp_with_time_zone().null())
                    .primary_key(
                        Index::create()
                            .col(Alias::new("tenant_id"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(&mut tenant_fk("fk_mail_outbox_tenant", table.clone()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mail_outbox_due")
                    .table(table)
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("state"))
                    .col(Alias::new("next_attempt_at"))
                    .to_owned(),
            )
            .await?;
        secure_tenant_tables(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("mail_outbox"))
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
