//! Pieces every migration that adds tenant-owned tables uses.

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
