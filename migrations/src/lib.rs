//! The hub's schema. Every tenant-owned table carries `tenant_id` as the first column of its
//! primary key and of every unique key, so the schema could be distributed by tenant unchanged.

pub use sea_orm_migration::prelude::*;

mod m0001_tenants;
mod m0002_partner_leads;
mod m0003_accounts;
mod m0004_row_level_security;
mod m0005_catalog;
mod m0006_catalog_import_jobs;
mod m0007_partner_network;
mod m0008_webhooks;
mod m0009_orders;
mod m0010_ack_window;
mod m0011_mail;
mod m0012_quotes;
mod m0013_webhook_queue_index;
mod m0014_webhook_queue_visibility;
mod m0015_webhook_delivered_attempt;
mod m0016_webhook_queue_pending;
mod tables;

pub use m0004_row_level_security::secure_tenant_tables;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_tenants::Migration),
            Box::new(m0002_partner_leads::Migration),
            Box::new(m0003_accounts::Migration),
            Box::new(m0004_row_level_security::Migration),
            Box::new(m0005_catalog::Migration),
            Box::new(m0006_catalog_import_jobs::Migration),
            Box::new(m0007_partner_network::Migration),
            Box::new(m0008_webhooks::Migration),
            Box::new(m0009_orders::Migration),
            Box::new(m0010_ack_window::Migration),
            Box::new(m0011_mail::Migration),
            Box::new(m0012_quotes::Migration),
            Box::new(m0013_webhook_queue_index::Migration),
            Box::new(m0014_webhook_queue_visibility::Migration),
            Box::new(m0015_webhook_delivered_attempt::Migration),
            Box::new(m0016_webhook_queue_pending::Migration),
        ]
    }
}
