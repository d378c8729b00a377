//! Identity and tenant relationships: users, sessions, custom domains, tenant links.

use sea_orm_migration::prelude::*;

use crate::tables::{tenant_fk, ts};

use crate::m0001_tenants::Tenants;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TenantId,
    Id,
    Email,
    Name,
    Role,
    PasswordHash,
    CreatedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TenantId,
    Id,
    UserId,
    RefreshHash,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum TenantDomains {
    Table,
    TenantId,
    Domain,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TenantLinks {
    Table,
    TenantId,
    PartnerId,
    Relation,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Users::Id).uuid().not_null())
                    .col(ColumnDef::new(Users::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Users::Name).string_len(100).not_null())
                    .col(ColumnDef::new(Users::Role).string_len(32).not_null())
                    .col(
                        ColumnDef::new(Users::PasswordHash)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ts(Users::CreatedAt))
                    .col(ts(Users::PasswordChangedAt))
                    .primary_key(Index::create().col(Users::TenantId).col(Users::Id))
                    .foreign_key(&mut tenant_fk("fk_users_tenant", Users::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_email")
                    .table(Users::Table)
                    .col(Users::TenantId)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(ColumnDef::new(Sessions::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Sessions::Id).uuid().not_null())
                    .col(ColumnDef::new(Sessions::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(Sessions::RefreshHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .col(
                        ColumnDef::new(Sessions::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(Index::create().col(Sessions::TenantId).col(Sessions::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, (Sessions::TenantId, Sessions::UserId))
                            .to(Users::Table, (Users::TenantId, Users::Id))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sessions_refresh")
                    .table(Sessions::Table)
                    .col(Sessions::TenantId)
                    .col(Sessions::RefreshHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::TenantId)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenantDomains::Table)
                    .col(ColumnDef::new(TenantDomains::TenantId).uuid().not_null())
                    .col(
                        ColumnDef::new(TenantDomains::Domain)
                            .string_len(253)
                            .not_null(),
                    )
                    .col(ts(TenantDomains::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(TenantDomains::TenantId)
                            .col(TenantDomains::Domain),
                    )
                    .foreign_key(&mut tenant_fk(
                        "fk_tenant_domains_tenant",
                        TenantDomains::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        // The one unique key without tenant_id: a host routes to one tenant at most. Like the
        // tenants table itself, this is routing data (a reference table if ever distributed).
        manager
            .create_index(
                Index::create()
                    .name("ux_tenant_domains_domain")
                    .table(TenantDomains::Table)
                    .col(TenantDomains::Domain)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenantLinks::Table)
                    .col(ColumnDef::new(TenantLinks::TenantId).uuid().not_null())
                    .col(ColumnDef::new(TenantLinks::PartnerId).uuid().not_null())
                    .col(
                        ColumnDef::new(TenantLinks::Relation)
                            .string_len(32)
                            .not_null(),
                    )
                    .col(ts(TenantLinks::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(TenantLinks::TenantId)
                            .col(TenantLinks::PartnerId),
                    )
                    .foreign_key(&mut tenant_fk("fk_tenant_links_tenant", TenantLinks::Table))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenant_links_partner")
                            .from(TenantLinks::Table, TenantLinks::PartnerId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["tenant_links", "tenant_domains", "sessions", "users"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
