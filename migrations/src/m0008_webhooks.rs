//! Webhooks to partner systems and the partner API's idempotency keys.
//!
//! - `webhook_endpoints`: where a partner wants its events (URL, the event types, its
//!   `whsec_` secret and, during a rotation, the previous one until it expires).
//! - `webhook_events`: the outbox. An event row is written in the same transaction as the
//!   change it reports, together with one `webhook_deliveries` row per subscribed endpoint,
//!   so no event is lost and none is sent for a change that rolled back.
//! - `webhook_deliveries`: one event to one endpoint: pending (with its next attempt),
//!   delivered, or dead (the dead-letter list), plus a short lease a worker holds while it
//!   sends.
//! - `webhook_attempts`: the delivery log: each attempt's status, time and answer.
//! - `idempotency_keys`: the first answer to a POST with an `Idempotency-Key`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m0004_row_level_security::secure_tenant_tables;
use crate::tables::{tenant_fk, ts};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    TenantId,
    Id,
    Url,
    Description,
    /// Comma-separated event types; empty: every type.
    Events,
    Secret,
    PreviousSecret,
    PreviousUntil,
    Enabled,
    DisabledReason,
    /// When the run of failures that is still going on began.
    FailingSince,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookEvents {
    Table,
    TenantId,
    /// `msg_…`: the `webhook-id` every attempt of every delivery of it carries.
    Id,
    EventType,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    TenantId,
    Id,
    EventId,
    EndpointId,
    /// pending | delivered | dead
    State,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastStatus,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookAttempts {
    Table,
    TenantId,
    Id,
    DeliveryId,
    Attempt,
    StartedAt,
    DurationMs,
    Status,
    Error,
    ResponseBody,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    TenantId,
    Key,
    /// `POST /webhooks/endpoints`: a key is bound to the route it was first used on.
    Route,
    /// SHA-256 of the request body, hex.
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use WebhookEndpoints as E;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .col(ColumnDef::new(E::TenantId).uuid().not_null())
                    .col(ColumnDef::new(E::Id).uuid().not_null())
                    .col(ColumnDef::new(E::Url).string_len(2048).not_null())
                    .col(ColumnDef::new(E::Description).string_len(200).not_null())
                    .col(ColumnDef::new(E::Events).string_len(1000).not_null())
                    .col(ColumnDef::new(E::Secret).string_len(80).not_null())
                    .col(ColumnDef::new(E::PreviousSecret).string_len(80).null())
                    .col(
                        ColumnDef::new(E::PreviousUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(E::Enabled).boolean().not_null())
                    .col(ColumnDef::new(E::DisabledReason).string_len(500).null())
                    .col(
                        ColumnDef::new(E::FailingSince)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(E::Version).big_integer().not_null())
                    .col(ts(E::CreatedAt))
                    .col(ts(E::UpdatedAt))
                    .primary_key(Index::create().col(E::TenantId).col(E::Id))
                    .foreign_key(&mut tenant_fk("fk_webhook_endpoints_tenant", E::Table))
                    .to_owned(),
            )
            .await?;

        use WebhookEvents as V;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(ColumnDef::new(V::TenantId).uuid().not_null())
                    .col(ColumnDef::new(V::Id).string_len(40).not_null())
                    .col(ColumnDef::new(V::EventType).string_len(60).not_null())
                    .col(ColumnDef::new(V::Payload).text().not_null())
                    .col(ts(V::CreatedAt))
                    .primary_key(Index::create().col(V::TenantId).col(V::Id))
                    .foreign_key(&mut tenant_fk("fk_webhook_events_tenant", V::Table))
                    .to_owned(),
            )
            .await?;

        use WebhookDeliveries as D;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(ColumnDef::new(D::TenantId).uuid().not_null())
                    .col(ColumnDef::new(D::Id).uuid().not_null())
                    .col(ColumnDef::new(D::EventId).string_len(40).not_null())
                    .col(ColumnDef::new(D::EndpointId).uuid().not_null())
                    .col(ColumnDef::new(D::State).string_len(12).not_null())
                    .col(ColumnDef::new(D::Attempts).integer().not_null())
                    .col(
                        ColumnDef::new(D::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(D::LeaseUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(D::LastStatus).integer().null())
                    .col(ColumnDef::new(D::LastError).string_len(300).null())
                    .col(ts(D::CreatedAt))
                    .col(ts(D::UpdatedAt))
                    .primary_key(Index::create().col(D::TenantId).col(D::Id))
                    .foreign_key(&mut tenant_fk("fk_webhook_deliveries_tenant", D::Table))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_webhook_deliveries_endpoint")
                            .from(D::Table, (D::TenantId, D::EndpointId))
                            .to(E::Table, (E::TenantId, E::Id))
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        // The workers' queue: what is due, across tenants.
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(D::Table)
                    .col(D::State)
                    .col(D::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_endpoint")
                    .table(D::Table)
                    .col(D::TenantId)
                    .col(D::EndpointId)
                    .col(D::CreatedAt)
                    .to_owned(),
            )
            .await?;

        use WebhookAttempts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(ColumnDef::new(A::TenantId).uuid().not_null())
                    .col(ColumnDef::new(A::Id).uuid().not_null())
                    .col(ColumnDef::new(A::DeliveryId).uuid().not_null())
                    .col(ColumnDef::new(A::Attempt).integer().not_null())
                    .col(ts(A::StartedAt))
                    .col(ColumnDef::new(A::DurationMs).integer().not_null())
                    .col(ColumnDef::new(A::Status).integer().null())
                    .col(ColumnDef::new(A::Error).string_len(300).null())
                    .col(ColumnDef::new(A::ResponseBody).string_len(1024).null())
                    .primary_key(Index::create().col(A::TenantId).col(A::Id))
                    .foreign_key(&mut tenant_fk("fk_webhook_attempts_tenant", A::Table))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_webhook_attempts_delivery")
                            .from(A::Table, (A::TenantId, A::DeliveryId))
                            .to(D::Table, (D::TenantId, D::Id))
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempts_delivery")
                    .table(A::Table)
                    .col(A::TenantId)
                    .col(A::DeliveryId)
                    .to_owned(),
            )
            .await?;

        use IdempotencyKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .col(ColumnDef::new(K::TenantId).uuid().not_null())
                    .col(ColumnDef::new(K::Key).string_len(255).not_null())
                    .col(ColumnDef::new(K::Route).string_len(200).not_null())
                    .col(ColumnDef::new(K::RequestHash).string_len(64).not_null())
                    .col(ColumnDef::new(K::Status).integer().not_null())
                    .col(ColumnDef::new(K::Body).text().not_null())
                    .col(ts(K::CreatedAt))
                    .primary_key(Index::create().col(K::TenantId).col(K::Key))
                    .foreign_key(&mut tenant_fk("fk_idempotency_keys_tenant", K::Table))
                    .to_owned(),
            )
            .await?;

        secure_tenant_tables(manager).await?;
        // The delivery workers find what is due across tenants before they know whose it is,
        // like the key lookup: they may read delivery rows (ids, states and times, no
        // payload); everything else they do runs bound to the delivery's tenant.
        let db = manager.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "CREATE POLICY worker_read ON webhook_deliveries FOR SELECT USING (true);",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "idempotency_keys",
            "webhook_attempts",
            "webhook_deliveries",
            "webhook_events",
            "webhook_endpoints",
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
