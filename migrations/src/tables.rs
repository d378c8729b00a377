//! Pieces the migrations share: for tenant-owned tables, for re-indexing one, and for adding
//! and dropping a column.

use sea_orm_migration::prelude::*;

use crate::m0001_tenants::Tenants;

/// The foreign key from a tenant-owned table's `tenant_id` to its tenant (rows go with it).
pub fn tenant_fk(name: &str, table: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, Alias::new("tenant_id"))
        .to(Tenants::Table, Tenants::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// A timestamp with time zone that is never null.
pub fn ts(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

/// Replaces the index `old` of `table` with `new`, on `cols` in that order (created first, so
/// the table is never without one).
pub async fn replace_index(
    manager: &SchemaManager<'_>,
    table: &str,
    old: &str,
    new: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(new).table(Alias::new(table));
    for c in cols {
        idx.col(Alias::new(*c));
    }
    manager.create_index(idx.to_owned()).await?;
    manager
        .drop_index(Index::drop().name(old).table(Alias::new(table)).to_owned())
        .await
}

/// Adds the column `def` to `table` (one per statement: SQLite adds one at a time).
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: &str,
    def: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(def)
                .to_owned(),
        )
        .await
}

/// Drops the column `col` of `table`.
pub async fn drop_column(manager: &SchemaManager<'_>, table: &str, col: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(col))
                .to_owned(),
        )
        .await
}
