//! A fresh database per test: a SQLite file in a temp dir, or a PostgreSQL database created
//! for the test and dropped (with FORCE) when it ends.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database};

const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// `sqlite` (default) or `postgres`, from `TEST_DB`.
pub fn backend_name() -> String {
    std::env::var("TEST_DB").unwrap_or_else(|_| "sqlite".to_owned())
}

fn pg_admin_url() -> String {
    std::env::var("TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.to_owned())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The role the hub's server connects as in PostgreSQL tests: it owns no tables and has
/// neither SUPERUSER nor BYPASSRLS, so row-level security binds it as in production.
pub const PG_APP_ROLE: &str = "hub_app";

pub struct TestDb {
    url: String,
    owner_url: Option<String>,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn create() -> Option<Self> {
        match backend_name().as_str() {
            "sqlite" => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
                Some(Self {
                    url,
                    owner_url: None,
                    pg_name: None,
                    _dir: Some(dir),
                })
            }
            "postgres" => Self::create_pg().await,
            other => panic!("TEST_DB={other}: expected sqlite or postgres"),
        }
    }

    async fn create_pg() -> Option<Self> {
        let admin = pg_admin_url();
        let mut opts = ConnectOptions::new(admin.clone());
        opts.connect_timeout(Duration::from_secs(3))
            .sqlx_logging(false);
        let conn = match Database::connect(opts).await {
            Ok(c) => c,
            Err(e) if in_ci() => panic!("CI=true but PostgreSQL at {admin} is unreachable: {e}"),
            Err(_) => {
                eprintln!(
                    "skipping: PostgreSQL is not reachable at {admin}; start it or set TEST_PG_URL to run the PostgreSQL tests"
                );
                return None;
            }
        };
        let name = format!("hub_test_{}", uuid::Uuid::now_v7().simple());
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        // Cluster-wide and shared by all tests; concurrent creators race, the loser shrugs.
        conn.execute_unprepared(&format!(
            "DO $$ BEGIN CREATE ROLE {PG_APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        ))
        .await
        .expect("create the application role");
        conn.close().await.ok();
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let host = base.rsplit_once('@').map_or(base, |(_, h)| h);
        Some(Self {
            url: format!("postgres://{PG_APP_ROLE}@{host}/{name}"),
            owner_url: Some(format!("{base}/{name}")),
            pg_name: Some(name),
            _dir: None,
        })
    }

    /// The URL the server connects with (on PostgreSQL, the unprivileged application role).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// On PostgreSQL, the tables' owner, which runs the migrations.
    pub fn owner_url(&self) -> Option<&str> {
        self.owner_url.as_deref()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime; the clean-up gets a runtime of its own.
        let admin = pg_admin_url();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(conn) = Database::connect(admin).await {
                    let _ = conn
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    conn.close().await.ok();
                }
            });
        })
        .join();
    }
}
