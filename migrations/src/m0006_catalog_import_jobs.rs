//! The hub's CSV import jobs, kept in the database so every server process sees the same
//! jobs: whichever process a status request reaches can answer it, and a second import is
//! refused while one runs, whichever process it was started on.

use sea_orm_migration::prelude::*;

use crate::m0001_tenants::Tenants;
use crate::m0004_row_level_security::secure_tenant_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogImportJobs {
    Table,
    TenantId,
    Id,
    FileName,
    SizeBytes,
    Phase,
    Done,
    Total,
    /// How the import ended, as JSON; null while it runs.
    Outcome,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CatalogImportJobs as J;
        let ts = |c: J| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(J::Table)
                    .col(ColumnDef::new(J::TenantId).uuid().not_null())
                    .col(ColumnDef::new(J::Id).uuid().not_null())
                    .col(ColumnDef::new(J::FileName).string_len(255).not_null())
                    .col(ColumnDef::new(J::SizeBytes).big_integer().not_null())
                    .col(ColumnDef::new(J::Phase).string_len(16).not_null())
                    .col(ColumnDef::new(J::Done).big_integer().not_null())
                    .col(ColumnDef::new(J::Total).big_integer().not_null())
                    .col(ColumnDef::new(J::Outcome).text().null())
                    .col(ts(J::StartedAt))
                    .col(
                        ColumnDef::new(J::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(Index::create().col(J::TenantId).col(J::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_catalog_import_jobs_tenant")
                            .from(J::Table, J::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // At most one running job per tenant, whichever process starts it: the second insert
        // fails on this index even when both checked for a running job at the same moment.
        manager
            .create_index(
                Index::create()
                    .name("ux_catalog_import_jobs_running")
                    .table(J::Table)
                    .col(J::TenantId)
                    .unique()
                    .and_where(Expr::col(J::FinishedAt).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_catalog_import_jobs_started")
                    .table(J::Table)
                    .col(J::TenantId)
                    .col(J::StartedAt)
                    .to_owned(),
            )
            .await?;
        secure_tenant_tables(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(CatalogImportJobs::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
