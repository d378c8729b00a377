//! Partner leads: companies that registered their interest in selling through a hub.

use sea_orm_migration::prelude::*;

use crate::m0001_tenants::Tenants;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerLeads {
    Table,
    TenantId,
    Id,
    Company,
    Email,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PartnerLeads::Table)
                    .col(ColumnDef::new(PartnerLeads::TenantId).uuid().not_null())
                    .col(ColumnDef::new(PartnerLeads::Id).uuid().not_null())
                    .col(
                        ColumnDef::new(PartnerLeads::Company)
                            .string_len(120)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PartnerLeads::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PartnerLeads::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(PartnerLeads::TenantId)
                            .col(PartnerLeads::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partner_leads_tenant")
                            .from(PartnerLeads::Table, PartnerLeads::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_partner_leads_email")
                    .table(PartnerLeads::Table)
                    .col(PartnerLeads::TenantId)
                    .col(PartnerLeads::Email)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PartnerLeads::Table).to_owned())
            .await
    }
}
