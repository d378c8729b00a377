//! PostgreSQL's second wall: every tenant table has row-level security enabled AND forced with
//! the tenant policy, and the server's role could not get around it. Read from the catalogue,
//! so a new table without RLS fails here.

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::{backend_name, spawn_app};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use tenants::auth::Role;

#[tokio::test]
async fn every_tenant_table_has_forced_rls_and_the_server_role_is_weak() {
    if backend_name() != "postgres" {
        eprintln!(
            "row-level security is PostgreSQL's; nothing to check on {}",
            backend_name()
        );
        return;
    }
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let owner = Database::connect(app.owner_db_url()).await.unwrap();
    let rows = owner
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
               EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname \
                       AND p.policyname = 'tenant_isolation' \
                       AND p.qual LIKE '%current_setting(''app.tenant_id''%') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r' \
               AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
                           AND a.attname = 'tenant_id' AND NOT a.attisdropped) \
             ORDER BY 1",
        ))
        .await
        .unwrap();
    assert!(
        rows.len() >= 5,
        "expected the tenant tables, found {}",
        rows.len()
    );
    let mut weak = vec![];
    for row in &rows {
        let table: String = row.try_get_by_index(0).unwrap();
        let enabled: bool = row.try_get_by_index(1).unwrap();
        let forced: bool = row.try_get_by_index(2).unwrap();
        let policy: bool = row.try_get_by_index(3).unwrap();
        if !(enabled && forced && policy) {
            weak.push(format!(
                "{table}: enabled={enabled} forced={forced} policy={policy}"
            ));
        }
    }
    assert!(
        weak.is_empty(),
        "tenant tables without forced RLS: {weak:?}"
    );

    // The server's own connection: not superuser, no BYPASSRLS, owns nothing.
    let report = app
        .db
        .role_report()
        .await
        .unwrap()
        .expect("a PostgreSQL report");
    assert_eq!(report.role, hub_tests::PG_APP_ROLE);
    assert!(!report.is_too_strong(), "{report:?}");

    // And the wall holds on its own: the server's role, outside any tenant transaction, sees
    // no tenant rows and cannot write one. Each table has rows (a log-in makes a session, a
    // visitor leaves a lead), so seeing none means they were hidden.
    let customer = world.account("acme.localhost", Role::Customer);
    app.log_in("acme.localhost", &customer.email, PASSWORD)
        .await;
    let res = app
        .post_form(
            "localhost",
            "/api/hub/register-interest",
            None,
            &[("company", "Lead Co"), ("email", "lead@lead.example")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let app_conn = Database::connect(app.app_db_url()).await.unwrap();
    let count = |conn: &DatabaseConnection, table: &str| {
        let sql = format!("SELECT count(*) FROM {table}");
        let conn = conn.clone();
        async move {
            conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap()
        }
    };
    for table in ["users", "sessions", "tenant_links", "partner_leads"] {
        assert!(
            count(&owner, table).await > 0,
            "{table} has no rows to hide"
        );
        assert_eq!(
            count(&app_conn, table).await,
            0,
            "{table} is readable without a tenant"
        );
    }
    let hub = tenants::registry::hub(&app.db).await.unwrap().unwrap();
    let insert = app_conn
        .execute_unprepared(&format!(
            "INSERT INTO partner_leads (tenant_id, id, company, email, created_at) \
             VALUES ('{}', gen_random_uuid(), 'X', 'x@example.com', now())",
            hub.id().as_uuid()
        ))
        .await;
    // Refused by the policy itself: not a missing grant, a constraint or a typo in the SQL.
    let err = insert
        .expect_err("a write without the tenant setting must fail")
        .to_string();
    assert!(
        err.contains("new row violates row-level security policy for table \"partner_leads\""),
        "{err}"
    );
}
