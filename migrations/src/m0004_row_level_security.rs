//! PostgreSQL row-level security on every tenant-owned table (every table with a `tenant_id`
//! column), enabled and FORCED so even the tables' owner is bound by it. The policies read
//! `app.tenant_id`, which the tenant-scoped handle sets per transaction. SQLite has no RLS;
//! there the tenant-scoped handle is the only wall.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose rows anyone may read (routing data looked up before a tenant is known);
/// writing them is still bound to the tenant.
const PUBLIC_READ: [&str; 1] = ["tenant_domains"];

/// Enables and forces RLS with the tenant policy on every table that has a `tenant_id` column
/// and no policy yet. Later migrations that add tenant tables call this again.
pub async fn secure_tenant_tables(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.table_name FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' \
               AND t.table_type = 'BASE TABLE' \
               AND NOT EXISTS (SELECT 1 FROM pg_policies p \
                               WHERE p.schemaname = c.table_schema AND p.tablename = c.table_name \
                                 AND p.policyname = 'tenant_isolation')"
                .to_owned(),
        ))
        .await?;
    for row in rows {
        let table: String = row.try_get_by_index(0)?;
        // Table names come from the catalogue, not from input; quoted all the same.
        let t = format!("\"{}\"", table.replace('"', "\"\""));
        let condition = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid";
        db.execute_unprepared(&format!(
            "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY; \
             ALTER TABLE {t} FORCE ROW LEVEL SECURITY; \
             CREATE POLICY tenant_isolation ON {t} USING ({condition}) WITH CHECK ({condition});"
        ))
        .await?;
        if PUBLIC_READ.contains(&table.as_str()) {
            db.execute_unprepared(&format!(
                "CREATE POLICY public_read ON {t} FOR SELECT USING (true);"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        secure_tenant_tables(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for t in [
            "partner_leads",
            "users",
            "sessions",
            "tenant_domains",
            "tenant_links",
        ] {
            db.execute_unprepared(&format!(
                "DROP POLICY IF EXISTS tenant_isolation ON {t}; \
                 DROP POLICY IF EXISTS public_read ON {t}; \
                 ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY; \
                 ALTER TABLE {t} DISABLE ROW LEVEL SECURITY;"
            ))
            .await?;
        }
        Ok(())
    }
}
