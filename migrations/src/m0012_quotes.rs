//! Quote requests: a reseller asks distributors for quotes, they answer, it counters, they
//! revise, it accepts one (which becomes a purchase order: an order in both tenants).
//!
//! An RFQ is shared by the reseller (`side = 'buyer'`) and each distributor it was sent to
//! (`side = 'seller'`), so it is a row in each, with the same id, written in one transaction.
//! A distributor's rows hold only its own quote, never a competitor's.
//!
//! - `rfqs`: the request (title, needed-by, ship-to, notes, closing rules, state).
//! - `rfq_lines`: its lines (a product by SKU, a category, or free text; quantity, target).
//! - `rfq_attachments`: PDFs and images the buyer attached (checked by their bytes); each
//!   side's row points at the one stored file.
//! - `quotes`: one per distributor asked: where its answer stands, its latest offer and
//!   counter numbers, a row version for `If-Match`.
//! - `quote_versions` / `quote_lines`: every offer (author `seller`) and counter-offer
//!   (author `buyer`), kept whole: offer n, the counter to offer n, offer n + 1…
//! - `auto_quote_rules`: a distributor's rules for answering from its price list at once.
//! - `notices`: in-console notices (a new RFQ, an answer, a counter, a decision, a close).
//! - `rfq_activity`: the hub's own record of its network's RFQ activity, without any text.

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

fn ts_null(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().null().to_owned()
}

fn pk(cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

/// From `table`'s (tenant_id, side, rfq_id) to its RFQ.
fn rfq_fk(name: &str, table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(
            Alias::new(table),
            (
                Alias::new("tenant_id"),
                Alias::new("side"),
                Alias::new("rfq_id"),
            ),
        )
        .to(
            Alias::new("rfqs"),
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
                    .table(Alias::new("rfqs"))
                    .col(col("tenant_id").uuid().not_null())
                    // 'buyer' | 'seller'
                    .col(col("side").string_len(10).not_null())
                    .col(col("id").uuid().not_null())
                    // The reseller that asks (its own id on its rows).
                    .col(col("buyer_id").uuid().not_null())
                    .col(col("buyer_name").string_len(200).not_null())
                    // The buyer's sequence (its rows only) and the number both sides show.
                    .col(col("seq").big_integer().null())
                    .col(col("number").string_len(40).not_null())
                    .col(col("title").string_len(200).not_null())
                    // draft | open | closed | accepted | cancelled
                    .col(col("state").string_len(12).not_null())
                    .col(col("version").big_integer().not_null())
                    .col(col("needed_by").date().null())
                    .col(col("ship_country").string_len(2).not_null())
                    .col(col("ship_region").string_len(10).null())
                    .col(col("ship_postal").string_len(20).null())
                    .col(col("address").string_len(1000).not_null())
                    .col(col("notes").string_len(4000).not_null())
                    .col(col("currency").string_len(3).not_null())
                    // Closing rules, set when sent.
                    .col(ts_null("deadline"))
                    .col(col("close_after").integer().null())
                    .col(col("close_on_targets").boolean().not_null())
                    .col(ts_null("closed_at"))
                    .col(col("closed_reason").string_len(200).null())
                    .col(col("accepted_seller").uuid().null())
                    .col(col("order_id").uuid().null())
                    // Who asks, for the sellers' answers and the buyer's notices.
                    .col(col("contact_name").string_len(200).not_null())
                    .col(col("contact_email").string_len(254).not_null())
                    .col(ts("created_at"))
                    .col(ts_null("sent_at"))
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id", "side", "id"]))
                    .foreign_key(&mut tenant_fk("fk_rfqs_tenant", Alias::new("rfqs")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_rfqs_seq")
                    .table(Alias::new("rfqs"))
                    .unique()
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("seq"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("rfq_lines"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("line_no").integer().not_null())
                    // 'product' | 'category' | 'text'
                    .col(col("kind").string_len(10).not_null())
                    .col(col("sku").string_len(64).null())
                    .col(col("category").string_len(200).null())
                    .col(col("description").string_len(1000).not_null())
                    .col(col("quantity").integer().not_null())
                    .col(col("target_minor").big_integer().null())
                    .primary_key(&mut pk(&["tenant_id", "side", "rfq_id", "line_no"]))
                    .foreign_key(&mut tenant_fk(
                        "fk_rfq_lines_tenant",
                        Alias::new("rfq_lines"),
                    ))
                    .foreign_key(&mut rfq_fk("fk_rfq_lines_rfq", "rfq_lines"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("rfq_attachments"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    // As the buyer named it: shown as text, sent as the download's name.
                    .col(col("name").string_len(200).not_null())
                    // 'pdf' | 'png' | 'jpg' | 'webp': what its bytes are.
                    .col(col("kind").string_len(8).not_null())
                    .col(col("size").big_integer().not_null())
                    // The stored file's name (its content's digest): shared by both sides' rows.
                    .col(col("blob").string_len(100).not_null())
                    .col(ts("created_at"))
                    .primary_key(&mut pk(&["tenant_id", "side", "rfq_id", "id"]))
                    .foreign_key(&mut tenant_fk(
                        "fk_rfq_attachments_tenant",
                        Alias::new("rfq_attachments"),
                    ))
                    .foreign_key(&mut rfq_fk("fk_rfq_attachments_rfq", "rfq_attachments"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("quotes"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("seller_id").uuid().not_null())
                    .col(col("seller_name").string_len(200).not_null())
                    // requested | offered | countered | withdrawn | accepted | not_selected
                    .col(col("state").string_len(14).not_null())
                    // The latest offer's number (0: none yet), the latest counter's.
                    .col(col("offer_no").integer().not_null())
                    .col(col("counter_no").integer().not_null())
                    .col(col("version").big_integer().not_null())
                    .col(ts_null("valid_until"))
                    .col(ts_null("answered_at"))
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id", "side", "rfq_id", "seller_id"]))
                    .foreign_key(&mut tenant_fk("fk_quotes_tenant", Alias::new("quotes")))
                    .foreign_key(&mut rfq_fk("fk_quotes_rfq", "quotes"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("quote_versions"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("seller_id").uuid().not_null())
                    .col(col("no").integer().not_null())
                    // 'seller' (an offer) | 'buyer' (a counter-offer to offer `no`)
                    .col(col("author").string_len(10).not_null())
                    // 'auto' | 'partner' | 'partner system' | 'buyer'
                    .col(col("actor").string_len(20).not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("total_minor").big_integer().null())
                    .col(ts_null("valid_until"))
                    .col(col("terms").string_len(2000).not_null())
                    .col(ts("created_at"))
                    .primary_key(&mut pk(&[
                        "tenant_id",
                        "side",
                        "rfq_id",
                        "seller_id",
                        "no",
                        "author",
                    ]))
                    .foreign_key(&mut tenant_fk(
                        "fk_quote_versions_tenant",
                        Alias::new("quote_versions"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("quote_lines"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("side").string_len(10).not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("seller_id").uuid().not_null())
                    .col(col("no").integer().not_null())
                    .col(col("author").string_len(10).not_null())
                    .col(col("line_no").integer().not_null())
                    // NULL: not priced in this version.
                    .col(col("unit_minor").big_integer().null())
                    .col(col("quantity").integer().not_null())
                    // NULL: made to order; else the number on hand.
                    .col(col("stock").integer().null())
                    .col(col("lead_days").integer().null())
                    .col(col("substitute_sku").string_len(64).null())
                    .col(col("note").string_len(500).null())
                    .primary_key(&mut pk(&[
                        "tenant_id",
                        "side",
                        "rfq_id",
                        "seller_id",
                        "no",
                        "author",
                        "line_no",
                    ]))
                    .foreign_key(&mut tenant_fk(
                        "fk_quote_lines_tenant",
                        Alias::new("quote_lines"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("auto_quote_rules"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("enabled").boolean().not_null())
                    .col(col("validity_days").integer().not_null())
                    .col(col("cap_minor").big_integer().null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("version").big_integer().not_null())
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id"]))
                    .foreign_key(&mut tenant_fk(
                        "fk_auto_quote_rules_tenant",
                        Alias::new("auto_quote_rules"),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("notices"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("kind").string_len(40).not_null())
                    .col(col("text").string_len(500).not_null())
                    .col(col("rfq_id").uuid().null())
                    .col(ts("at"))
                    .col(ts_null("read_at"))
                    .primary_key(&mut pk(&["tenant_id", "id"]))
                    .foreign_key(&mut tenant_fk("fk_notices_tenant", Alias::new("notices")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("rfq_activity"))
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("rfq_id").uuid().not_null())
                    .col(col("reseller_id").uuid().not_null())
                    .col(col("reseller_name").string_len(200).not_null())
                    .col(col("distributor_id").uuid().null())
                    .col(col("distributor_name").string_len(200).null())
                    // sent | answered | accepted | not_selected | unpriced
                    .col(col("kind").string_len(14).not_null())
                    .col(col("lines").integer().not_null())
                    .col(col("response_secs").big_integer().null())
                    .col(ts("at"))
                    .primary_key(&mut pk(&["tenant_id", "id"]))
                    .foreign_key(&mut tenant_fk(
                        "fk_rfq_activity_tenant",
                        Alias::new("rfq_activity"),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "ix_rfqs_list",
                "rfqs",
                &["tenant_id", "side", "updated_at"][..],
            ),
            ("ix_notices_at", "notices", &["tenant_id", "at"][..]),
            (
                "ix_rfq_activity_at",
                "rfq_activity",
                &["tenant_id", "at"][..],
            ),
        ] {
            let mut idx = Index::create();
            idx.name(name).table(Alias::new(table));
            for c in cols {
                idx.col(Alias::new(*c));
            }
            manager.create_index(idx.to_owned()).await?;
        }
        secure_tenant_tables(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "rfq_activity",
            "notices",
            "auto_quote_rules",
            "quote_lines",
            "quote_versions",
            "quotes",
            "rfq_attachments",
            "rfq_lines",
            "rfqs",
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
