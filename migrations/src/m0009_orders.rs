//! Orders: a cart transferred from a store to the partner that fulfils it.
//!
//! An order is a record two tenants share, so it is a row in each, with the same id, written
//! in one transaction: the partner's row (`side = 'partner'`, numbered in the partner's own
//! sequence) and the store's row (`side = 'store'`, which carries the customer's confirmation
//! key and the guest's access key). Every change to the order writes both rows and a history
//! entry in each.
//!
//! - `orders`: the order as each side keeps it (state, version, customer, ship-to, totals in
//!   integer minor units, the partner's number, the other tenant's id and name).
//! - `order_lines`: its lines (hub SKU, the partner's SKU, quantity, exact unit price and
//!   total, the approximate unit price the store showed).
//! - `order_history`: every transfer, acknowledgement, acceptance, rejection, shipment,
//!   delivery, cancellation and reroute, with who did it and any note.
//! - `carts.transferred_order`: the order a cart became (its items are then gone).

use sea_orm_migration::prelude::*;

use crate::m0004_row_level_security::secure_tenant_tables;
use crate::tables::tenant_fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn ts(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().not_null().to_owned()
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table));
    if unique {
        idx.unique();
    }
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

fn order_fk(name: &str, table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(
            Alias::new(table),
            (
                Alias::new("tenant_id"),
                Alias::new("side"),
                Alias::new("order_id"),
            ),
        )
        .to(
            Alias::new("orders"),
            (
                Alias::new("tenant_id"),
                Alias::new("side"),
                Alias::new("id"),
            ),
        )
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("orders"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    // 'partner' | 'store'
                    .col(col("side").string_len(10).not_null())
                    // The other tenant: the store on the partner's row, the partner on the store's.
                    .col(col("counterpart_id").uuid().not_null())
                    .col(col("counterpart_name").string_len(200).not_null())
                    // The partner's sequence (its row only) and the number both sides show.
                    .col(col("seq").big_integer().null())
                    .col(col("number").string_len(40).not_null())
                    .col(col("state").string_len(20).not_null())
                    .col(col("version").big_integer().not_null())
                    .col(col("customer_user_id").uuid().null())
                    .col(col("customer_name").string_len(200).not_null())
                    .col(col("customer_email").string_len(254).not_null())
                    .col(col("ship_country").string_len(2).not_null())
                    .col(col("ship_region").string_len(10).null())
                    .col(col("ship_postal").string_len(20).null())
                    .col(col("address").string_len(1000).not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("subtotal_minor").big_integer().not_null())
                    .col(col("delivery_minor").big_integer().not_null())
                    .col(col("total_minor").big_integer().not_null())
                    .col(col("approx_total_minor").big_integer().null())
                    .col(col("lead_days").integer().not_null())
                    .col(col("reason").string_len(500).null())
                    .col(col("carrier").string_len(100).null())
                    .col(col("tracking").string_len(100).null())
                    .col(col("referrer").string_len(300).null())
                    .col(col("ack_by").timestamp_with_time_zone().not_null())
                    .col(col("rerouted_from").uuid().null())
                    .col(col("rerouted_to").uuid().null())
                    // The store's row: the customer's confirmation key, the SHA-256 of what was
                    // confirmed with it, and the SHA-256 of the guest's access key.
                    .col(col("idempotency_key").string_len(100).null())
                    .col(col("request_hash").string_len(64).null())
                    .col(col("access_hash").string_len(64).null())
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    // A reseller that fulfils its own store's order holds both rows.
                    .primary_key(
                        Index::create()
                            .col(Alias::new("tenant_id"))
                            .col(Alias::new("side"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(&mut tenant_fk("fk_orders_tenant", Alias::new("orders")))
                    .to_owned(),
            )
            .await?;
        for idx in [
            // The partner's numbers (NULL on the store's rows: NULLs never collide).
            index("ux_orders_seq", "orders", &["tenant_id", "seq"], true),
            // One order per confirmation key (store rows; NULL elsewhere).
            index(
                "ux_orders_idempotency",
                "orders",
                &["tenant_id", "idempotency_key"],
                true,
            ),
            index(
                "ix_orders_inbox",
                "orders",
                &["tenant_id", "side", "created_at"],
                false,
            ),
            index(
                "ix_orders_customer",
                "orders",
                &["tenant_id", "customer_user_id"],
                false,
            ),
        ] {
            manager.create_index(idx).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("order_lines"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("order_id").uuid().not_null())
                    .col(col("line_no").integer().not_null())
                    .col(col("sku").string_len(64).not_null())
                    .col(col("partner_sku").string_len(64).null())
                    .col(col("name").string_len(300).not_null())
                    .col(col("quantity").integer().not_null())
                    .col(col("unit_minor").big_integer().not_null())
                    .col(col("total_minor").big_integer().not_null())
                    .col(col("approx_unit_minor").big_integer().null())
                    .primary_key(
                        Index::create()
                            .col(Alias::new("tenant_id"))
                            .col(Alias::new("side"))
                            .col(Alias::new("order_id"))
                            .col(Alias::new("line_no")),
                    )
                    .foreign_key(&mut tenant_fk(
                        "fk_order_lines_tenant",
                        Alias::new("order_lines"),
                    ))
                    .foreign_key(&mut order_fk("fk_order_lines_order", "order_lines"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("order_history"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("order_id").uuid().not_null())
                    .col(ts("at"))
                    .col(col("state").string_len(20).not_null())
                    // 'customer' | 'partner' | 'partner system' | 'hub'
                    .col(col("actor").string_len(20).not_null())
                    .col(col("note").string_len(500).null())
                    .primary_key(
                        Index::create()
                            .col(Alias::new("tenant_id"))
                            .col(Alias::new("id")),
                    )
                    .foreign_key(&mut tenant_fk(
                        "fk_order_history_tenant",
                        Alias::new("order_history"),
                    ))
                    .foreign_key(&mut order_fk("fk_order_history_order", "order_history"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_order_history_order",
                "order_history",
                &["tenant_id", "side", "order_id", "at"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("carts"))
                    .add_column(col("transferred_order").uuid().null())
                    .to_owned(),
            )
            .await?;
        secure_tenant_tables(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("carts"))
                    .drop_column(Alias::new("transferred_order"))
                    .to_owned(),
            )
            .await?;
        for table in ["order_history", "order_lines", "orders"] {
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
