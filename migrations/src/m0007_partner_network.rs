//! The partner network: a partner's profile (contact, currency, whether it fulfils), its
//! price list (per hub SKU, with its own SKU code), the regions it ships to, and the API keys
//! its systems call the partner API with.

use sea_orm_migration::prelude::*;

use crate::tables::{tenant_fk, ts};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m0004_row_level_security::secure_tenant_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PartnerProfiles {
    Table,
    TenantId,
    ContactName,
    ContactEmail,
    Currency,
    /// A reseller that opted in to fulfil orders from its own stock.
    Fulfils,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PriceListItems {
    Table,
    TenantId,
    /// The hub's SKU.
    Sku,
    /// The partner's own code for it (the SKU mapping), if it has one.
    PartnerSku,
    PriceMinor,
    Currency,
    MinQuantity,
    /// Quantity breaks as JSON: `[{"min_quantity": 10, "price_minor": 900}, …]`.
    Breaks,
    /// Null: made to order.
    Stock,
    LeadDays,
    ValidFrom,
    ValidTo,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Territories {
    Table,
    TenantId,
    Id,
    Country,
    Subdivision,
    PostalPrefix,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    TenantId,
    Id,
    Name,
    /// `hub_live_` or `hub_test_` plus the first characters of the secret: shown in lists.
    Prefix,
    /// SHA-256 of the whole key, hex.
    Hash,
    Mode,
    Scopes,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use PartnerProfiles as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(ColumnDef::new(P::TenantId).uuid().not_null().primary_key())
                    .col(ColumnDef::new(P::ContactName).string_len(100).not_null())
                    .col(ColumnDef::new(P::ContactEmail).string_len(254).not_null())
                    .col(ColumnDef::new(P::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(P::Fulfils).boolean().not_null())
                    .col(ColumnDef::new(P::Version).big_integer().not_null())
                    .col(ts(P::UpdatedAt))
                    .foreign_key(&mut tenant_fk("fk_partner_profiles_tenant", P::Table))
                    .to_owned(),
            )
            .await?;

        use PriceListItems as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(ColumnDef::new(L::TenantId).uuid().not_null())
                    .col(ColumnDef::new(L::Sku).string_len(64).not_null())
                    .col(ColumnDef::new(L::PartnerSku).string_len(64).null())
                    .col(ColumnDef::new(L::PriceMinor).big_integer().not_null())
                    .col(ColumnDef::new(L::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(L::MinQuantity).integer().not_null())
                    .col(ColumnDef::new(L::Breaks).text().not_null())
                    .col(ColumnDef::new(L::Stock).integer().null())
                    .col(ColumnDef::new(L::LeadDays).integer().not_null())
                    .col(ColumnDef::new(L::ValidFrom).date().null())
                    .col(ColumnDef::new(L::ValidTo).date().null())
                    .col(ColumnDef::new(L::Version).big_integer().not_null())
                    .col(ts(L::UpdatedAt))
                    .primary_key(Index::create().col(L::TenantId).col(L::Sku))
                    .foreign_key(&mut tenant_fk("fk_price_list_items_tenant", L::Table))
                    .to_owned(),
            )
            .await?;
        // A partner's own code names one hub SKU.
        manager
            .create_index(
                Index::create()
                    .name("ux_price_list_items_partner_sku")
                    .table(L::Table)
                    .col(L::TenantId)
                    .col(L::PartnerSku)
                    .unique()
                    .to_owned(),
            )
            .await?;

        use Territories as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(ColumnDef::new(T::TenantId).uuid().not_null())
                    .col(ColumnDef::new(T::Id).uuid().not_null())
                    .col(ColumnDef::new(T::Country).string_len(2).not_null())
                    .col(ColumnDef::new(T::Subdivision).string_len(6).null())
                    .col(ColumnDef::new(T::PostalPrefix).string_len(12).null())
                    .primary_key(Index::create().col(T::TenantId).col(T::Id))
                    .foreign_key(&mut tenant_fk("fk_territories_tenant", T::Table))
                    .to_owned(),
            )
            .await?;

        use ApiKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(ColumnDef::new(K::TenantId).uuid().not_null())
                    .col(ColumnDef::new(K::Id).uuid().not_null())
                    .col(ColumnDef::new(K::Name).string_len(100).not_null())
                    .col(ColumnDef::new(K::Prefix).string_len(32).not_null())
                    .col(ColumnDef::new(K::Hash).string_len(64).not_null())
                    .col(ColumnDef::new(K::Mode).string_len(8).not_null())
                    .col(ColumnDef::new(K::Scopes).string_len(255).not_null())
                    .col(ts(K::CreatedAt))
                    .col(
                        ColumnDef::new(K::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(K::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .primary_key(Index::create().col(K::TenantId).col(K::Id))
                    .foreign_key(&mut tenant_fk("fk_api_keys_tenant", K::Table))
                    .to_owned(),
            )
            .await?;
        // A key is found by its hash before its tenant is known (the key names the tenant).
        manager
            .create_index(
                Index::create()
                    .name("ux_api_keys_hash")
                    .table(K::Table)
                    .col(K::Hash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        secure_tenant_tables(manager).await?;
        // Like the custom domains, keys are looked up before a tenant is known: anyone may
        // read them (a hash of a 256-bit secret says nothing), only the tenant writes them.
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("CREATE POLICY public_read ON api_keys FOR SELECT USING (true);")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "api_keys",
            "territories",
            "price_list_items",
            "partner_profiles",
        ] {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
