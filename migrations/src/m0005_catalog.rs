//! The master catalog (categories, products), each store's settings, selection and per-field
//! overrides, the hub's catalog policy, carts, and the catalog version counter on `tenants`
//! that tells every server process when a cached effective catalog is stale.

use sea_orm_migration::prelude::*;

use crate::tables::tenant_fk;

use crate::m0001_tenants::Tenants;
use crate::m0004_row_level_security::secure_tenant_tables;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogVersion {
    CatalogVersion,
}

fn col(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
}

fn ts(name: &str) -> ColumnDef {
    col(name).timestamp_with_time_zone().not_null().to_owned()
}

fn pk(cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

fn unique(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(Alias::new(table)).unique();
    for c in cols {
        idx.col(Alias::new(*c));
    }
    idx.to_owned()
}

const TABLES: [&str; 8] = [
    "catalog_categories",
    "catalog_products",
    "catalog_policy",
    "store_settings",
    "store_selection",
    "store_overrides",
    "carts",
    "cart_items",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(
                        ColumnDef::new(CatalogVersion::CatalogVersion)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("catalog_categories");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("parent_id").uuid().null())
                    .col(col("slug").string_len(64).not_null())
                    .col(col("name").string_len(80).not_null())
                    .col(col("position").integer().not_null())
                    .col(ts("created_at"))
                    .primary_key(&mut pk(&["tenant_id", "id"]))
                    .foreign_key(&mut tenant_fk("fk_catalog_categories_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_catalog_categories_slug",
                "catalog_categories",
                &["tenant_id", "slug"],
            ))
            .await?;

        let t = Alias::new("catalog_products");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("sku").string_len(64).not_null())
                    .col(col("name").string_len(200).not_null())
                    .col(col("description").text().not_null())
                    .col(col("price_minor").big_integer().not_null())
                    .col(col("currency").string_len(3).not_null())
                    .col(col("category_id").uuid().null())
                    .col(col("status").string_len(16).not_null())
                    .col(col("attributes").text().not_null())
                    .col(col("image").string_len(100).null())
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id", "id"]))
                    .foreign_key(&mut tenant_fk("fk_catalog_products_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_catalog_products_sku",
                "catalog_products",
                &["tenant_id", "sku"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_catalog_products_category")
                    .table(Alias::new("catalog_products"))
                    .col(Alias::new("tenant_id"))
                    .col(Alias::new("category_id"))
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("catalog_policy");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null().primary_key())
                    .col(col("price_min_pct").integer().not_null())
                    .col(col("price_max_pct").integer().not_null())
                    .col(col("locked_fields").string_len(200).not_null())
                    .col(ts("updated_at"))
                    .foreign_key(&mut tenant_fk("fk_catalog_policy_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("store_settings");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null().primary_key())
                    .col(col("tagline").string_len(160).not_null())
                    .col(col("hero_text").string_len(400).not_null())
                    .col(col("primary_color").string_len(7).not_null())
                    .col(col("accent_color").string_len(7).not_null())
                    .col(col("font").string_len(32).not_null())
                    .col(col("logo").string_len(100).null())
                    .col(col("select_all").boolean().not_null())
                    .col(col("markup_bp").integer().not_null())
                    .col(col("rounding").string_len(16).not_null())
                    .col(col("live").boolean().not_null())
                    .col(ts("updated_at"))
                    .foreign_key(&mut tenant_fk("fk_store_settings_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("store_selection");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("target_kind").string_len(16).not_null())
                    .col(col("target_id").uuid().not_null())
                    .col(col("include").boolean().not_null())
                    .primary_key(&mut pk(&["tenant_id", "target_kind", "target_id"]))
                    .foreign_key(&mut tenant_fk("fk_store_selection_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("store_overrides");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("product_id").uuid().not_null())
                    .col(col("field").string_len(16).not_null())
                    .col(col("value").text().not_null())
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id", "product_id", "field"]))
                    .foreign_key(&mut tenant_fk("fk_store_overrides_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;

        let t = Alias::new("carts");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("id").uuid().not_null())
                    .col(col("user_id").uuid().null())
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .primary_key(&mut pk(&["tenant_id", "id"]))
                    .foreign_key(&mut tenant_fk("fk_carts_tenant", t.clone()))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique("ux_carts_user", "carts", &["tenant_id", "user_id"]))
            .await?;

        let t = Alias::new("cart_items");
        manager
            .create_table(
                Table::create()
                    .table(t.clone())
                    .col(col("tenant_id").uuid().not_null())
                    .col(col("cart_id").uuid().not_null())
                    .col(col("product_id").uuid().not_null())
                    .col(col("quantity").integer().not_null())
                    .col(ts("added_at"))
                    .primary_key(&mut pk(&["tenant_id", "cart_id", "product_id"]))
                    .foreign_key(&mut tenant_fk("fk_cart_items_tenant", t.clone()))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_cart_items_cart")
                            .from(t.clone(), (Alias::new("tenant_id"), Alias::new("cart_id")))
                            .to(
                                Alias::new("carts"),
                                (Alias::new("tenant_id"), Alias::new("id")),
                            )
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;

        secure_tenant_tables(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*t)).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(CatalogVersion::CatalogVersion)
                    .to_owned(),
            )
            .await
    }
}
