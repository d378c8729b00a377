//! Several hub processes on one database: each `Database` handle opened here stands for a
//! process of its own. Tenant versions are bumped in SQL (a stale copy of a tenant still moves
//! the version on), migrations run one process at a time, and CSV import jobs live in the
//! database, so every process sees the same ones.

use std::time::{Duration, Instant};

use hub_tests::scenario::PASSWORD;
use hub_tests::{TestDb, backend_name, spawn_app};
use reqwest::header::{COOKIE, ORIGIN};
use sea_orm::{
    ConnectionTrait, DbBackend, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tenants::access::operator;
use tenants::auth::Role;
use tenants::auth::users::{self, NewUser};
use tenants::catalog::csv_io::{Phase, Progress};
use tenants::catalog::import_jobs::{self, ImportJobId, JobPhase, Outcome, ProgressWriter};
use tenants::db::SQLITE_BUSY_TIMEOUT;
use tenants::registry::{self, TenantKind, TenantStatus};
use tenants::{Backend, Database, DbOptions, Error};

async fn second_handle(url: &str) -> Database {
    Database::open(url, &DbOptions::default())
        .await
        .expect("a second handle on the database")
}

/// Runs `sql` (a statement that means the same on both backends) as the database's owner:
/// for planting rows the domain would never write.
async fn as_owner(app: &hub_tests::TestApp, sql: &str) {
    let owner = sea_orm::Database::connect(app.owner_db_url())
        .await
        .expect("the owner's connection");
    let backend = match app.db.backend() {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
    };
    owner
        .execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .expect("planted");
    owner.close().await.ok();
}

#[tokio::test]
async fn changes_made_from_stale_copies_of_a_tenant_each_bump_its_version() {
    let Some(app) = spawn_app().await else { return };
    let acme = registry::create(&app.db, TenantKind::Reseller, "acme", "Acme Trade")
        .await
        .expect("created");
    registry::create(&app.db, TenantKind::Reseller, "bolt", "Bolt Supplies")
        .await
        .expect("created");
    // Two copies of the same tenant, as two processes (or two requests) would hold them.
    let first = acme.clone();
    let second = acme.clone();
    let approved = registry::set_status(&app.db, &first, TenantStatus::Approved)
        .await
        .expect("approved");
    assert_eq!(approved.version(), acme.version() + 1);
    let renamed = registry::rename(&app.db, &second, "Acme Supplies")
        .await
        .expect("renamed");
    assert_eq!(
        renamed.version(),
        acme.version() + 2,
        "the second change counts too"
    );
    // What a change answers is the row after it, not the copy it was given.
    assert_eq!(renamed.status(), TenantStatus::Approved);
    assert_eq!(renamed.name(), "Acme Supplies");

    // A third stale copy moves the store: the version moves on again.
    let moved = registry::set_slug(&app.db, &acme, "acme-two")
        .await
        .expect("moved");
    assert_eq!(moved.version(), acme.version() + 3);
    assert_eq!(moved.slug(), "acme-two");
    assert_eq!(moved.name(), "Acme Supplies");

    // Renaming (or moving) to what the row already holds changes nothing, whatever the
    // stale copy says.
    let same = registry::rename(&app.db, &acme, "Acme Supplies")
        .await
        .expect("no change");
    assert_eq!(same.version(), acme.version() + 3);
    let same = registry::set_slug(&app.db, &acme, "acme-two")
        .await
        .expect("no change");
    assert_eq!(same.version(), acme.version() + 3);

    // A taken address is still a conflict (the unique key answers it), and changes nothing.
    match registry::set_slug(&app.db, &acme, "bolt").await {
        Err(Error::Conflict(message)) => assert!(message.contains("'bolt'"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let now = registry::find_by_id(&app.db, acme.id())
        .await
        .expect("db")
        .expect("the tenant");
    assert_eq!(now.version(), acme.version() + 3);
    assert_eq!(now.slug(), "acme-two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_migrating_at_once_apply_each_migration_once() {
    let Some(test_db) = TestDb::create().await else {
        return;
    };
    let url = test_db.owner_url().unwrap_or(test_db.url()).to_owned();
    let a = second_handle(&url).await;
    let b = second_handle(&url).await;
    let all = a.pending_migrations().await.expect("pending");
    assert!(
        all.len() >= 6,
        "a fresh database has every migration pending: {all:?}"
    );

    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    ra.expect("the first process migrates");
    rb.expect("the second process migrates");

    assert!(a.pending_migrations().await.expect("pending").is_empty());
    let conn = sea_orm::Database::connect(&url).await.expect("connect");
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .expect("the migration table");
    let applied: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index(0).expect("a name"))
        .collect();
    assert_eq!(applied, all, "one row per migration");
    conn.close().await.ok();

    // Later starts find nothing to do.
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    ra.expect("nothing to do");
    rb.expect("nothing to do");
    a.close().await.ok();
    b.close().await.ok();
}

/// On SQLite the migration holds the write lock; one that finds it taken waits for it longer
/// than the busy timeout, since another process's migration may well take longer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_a_migration_waits_out_a_long_writer() {
    if backend_name() != "sqlite" {
        eprintln!(
            "SQLite's write lock; nothing to check on {}",
            backend_name()
        );
        return;
    }
    let Some(test_db) = TestDb::create().await else {
        return;
    };
    let db = second_handle(test_db.url()).await;
    let blocker = sea_orm::Database::connect(test_db.url())
        .await
        .expect("connect");
    let tx = blocker
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
        .expect("the write lock");
    let migrating = tokio::spawn(async move { db.migrate().await });
    tokio::time::sleep(SQLITE_BUSY_TIMEOUT + Duration::from_secs(1)).await;
    assert!(!migrating.is_finished(), "the migration waits for the lock");
    tx.commit().await.expect("lock released");
    migrating
        .await
        .expect("the task ends")
        .expect("then the migration runs");
    blocker.close().await.ok();
}

#[tokio::test]
async fn import_jobs_are_shared_by_processes_and_bound_to_their_tenant() {
    let Some(app) = spawn_app().await else { return };
    let hub = registry::hub(&app.db).await.expect("db").expect("the hub");
    let acme = registry::create(&app.db, TenantKind::Reseller, "acme", "Acme Trade")
        .await
        .expect("created");
    let other = second_handle(app.app_db_url()).await;
    // The hub as this process and as another one sees it; a reseller.
    let here = operator(&app.db, &hub);
    let there = operator(&other, &hub);
    let acme_db = operator(&app.db, &acme);

    let job = import_jobs::start(&here, "products.csv", 1234)
        .await
        .expect("started");
    assert!(job.running());
    assert_eq!(job.phase, JobPhase::Queued);
    assert_eq!(ImportJobId::parse(&job.id.to_string()), Some(job.id));

    // The other process sees it, as the latest job too.
    let seen = import_jobs::get(&there, job.id)
        .await
        .expect("db")
        .expect("seen from the other process");
    assert_eq!(
        (seen.file_name.as_str(), seen.size_bytes, seen.phase),
        ("products.csv", 1234, JobPhase::Queued)
    );
    assert!(seen.running());
    let latest = import_jobs::latest(&there)
        .await
        .expect("db")
        .expect("latest");
    assert_eq!(latest.id, job.id);

    // A second import, from either process, is refused while this one runs.
    for db in [&here, &there] {
        match import_jobs::start(db, "again.csv", 10).await {
            Err(Error::Conflict(message)) => {
                assert!(message.contains("products.csv"), "{message}")
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    // Another tenant can neither read, move nor end it, nor start imports of its own.
    assert!(
        import_jobs::get(&acme_db, job.id)
            .await
            .expect("db")
            .is_none()
    );
    assert!(import_jobs::latest(&acme_db).await.expect("db").is_none());
    let halfway = Progress {
        phase: Phase::Writing,
        done: 500,
        total: 1000,
    };
    import_jobs::progress(&acme_db, job.id, halfway)
        .await
        .expect("a no-op");
    assert!(matches!(
        import_jobs::finish(
            &acme_db,
            job.id,
            &Outcome::FileError {
                message: "x".into()
            }
        )
        .await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        import_jobs::start(&acme_db, "mine.csv", 1).await,
        Err(Error::Forbidden)
    ));
    let seen = import_jobs::get(&there, job.id)
        .await
        .expect("db")
        .expect("still there");
    assert_eq!((seen.phase, seen.done), (JobPhase::Queued, 0));

    // Progress written here is read there.
    import_jobs::progress(&here, job.id, halfway)
        .await
        .expect("progress");
    let seen = import_jobs::get(&there, job.id)
        .await
        .expect("db")
        .expect("seen");
    assert_eq!(
        (seen.phase, seen.done, seen.total),
        (JobPhase::Writing, 500, 1000)
    );

    // Through the writer, a burst of reports ends with the newest one written.
    let writer = ProgressWriter::spawn(&here, job.id);
    let report = writer.progress_fn();
    for done in 501..=900 {
        report(Progress {
            phase: Phase::Writing,
            done,
            total: 1000,
        });
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = import_jobs::get(&there, job.id)
            .await
            .expect("db")
            .expect("seen");
        if seen.done == 900 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the newest progress never landed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    writer.close().await;

    // Finished here, read there; a job ends once.
    let outcome = Outcome::Imported {
        rows: 1000,
        created: 900,
        updated: 100,
    };
    import_jobs::finish(&here, job.id, &outcome)
        .await
        .expect("finished");
    let done = import_jobs::get(&there, job.id)
        .await
        .expect("db")
        .expect("kept after it ends");
    assert!(!done.running());
    assert_eq!(done.outcome, Some(outcome.clone()));
    assert_eq!(
        (done.phase, done.done, done.total),
        (JobPhase::Done, 1000, 1000)
    );
    assert!(matches!(
        import_jobs::finish(&there, job.id, &outcome).await,
        Err(Error::NotFound(_))
    ));
    import_jobs::progress(&there, job.id, halfway)
        .await
        .expect("a no-op");
    let still = import_jobs::get(&here, job.id)
        .await
        .expect("db")
        .expect("kept");
    assert_eq!((still.phase, still.done), (JobPhase::Done, 1000));

    // Now a new import may start, in the other process.
    let next = import_jobs::start(&there, "again.csv", 10)
        .await
        .expect("started");
    assert_eq!(
        import_jobs::latest(&here).await.expect("db").map(|j| j.id),
        Some(next.id)
    );

    // A job "running" for more than six hours is lost: not shown and not in the way. A job
    // that ended more than an hour ago is no longer shown.
    as_owner(
        &app,
        "UPDATE catalog_import_jobs SET started_at = '2000-01-01 00:00:00+00:00', \
         finished_at = '2000-01-01 00:10:00+00:00' WHERE file_name = 'products.csv'",
    )
    .await;
    as_owner(
        &app,
        "UPDATE catalog_import_jobs SET started_at = '2000-01-01 00:00:00+00:00' \
         WHERE file_name = 'again.csv'",
    )
    .await;
    assert!(import_jobs::get(&here, job.id).await.expect("db").is_none());
    assert!(
        import_jobs::get(&here, next.id)
            .await
            .expect("db")
            .is_none()
    );
    assert!(import_jobs::latest(&here).await.expect("db").is_none());

    // Two processes starting at the same moment: one wins, the other is told who did.
    let (a, b) = tokio::join!(
        import_jobs::start(&here, "left.csv", 1),
        import_jobs::start(&there, "right.csv", 1)
    );
    let (won, lost) = match (a, b) {
        (Ok(j), Err(e)) | (Err(e), Ok(j)) => (j, e),
        other => panic!("expected one start and one refusal, got {other:?}"),
    };
    match lost {
        Error::Conflict(message) => assert!(message.contains(&won.file_name), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    other.close().await.ok();
}

/// The hub admin's console, end to end: a CSV uploaded to the import function runs in the
/// background, and its status function follows it to the outcome.
#[tokio::test]
async fn the_console_follows_an_import_to_its_outcome() {
    let Some(app) = spawn_app().await else { return };
    let hub = registry::hub(&app.db).await.expect("db").expect("the hub");
    let email = "importer@hub.example";
    users::create(
        &operator(&app.db, &hub),
        NewUser::parse(email, "Hub Importer", PASSWORD, Role::HubAdmin)
            .await
            .expect("a valid account"),
    )
    .await
    .expect("account created");
    let session = app.log_in("localhost", email, PASSWORD).await;
    let cookie = session.cookie_header().expect("session cookies");

    let csv = "sku,name,price,currency\nJOB-1,Thing one,1.00,EUR\nJOB-2,Thing two,2.50,EUR\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
            .file_name("two.csv")
            .mime_str("text/csv")
            .expect("a mime type"),
    );
    let res = app
        .client
        .post(app.url("localhost", "/api/admin/catalog/import"))
        .header(ORIGIN, app.origin("localhost"))
        .header(COOKIE, cookie)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("the hub answers");
    assert_eq!(res.status(), 200);
    let started: serde_json::Value = res.json().await.expect("json");
    assert_eq!(started["file_name"], "two.csv");
    assert_eq!(started["outcome"], serde_json::Value::Null);
    let job = started["job"].as_str().expect("a job id").to_owned();

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let res = app
            .get_with(
                "localhost",
                &format!("/api/admin/catalog/import-status?job={job}"),
                Some(&session),
            )
            .await;
        assert_eq!(res.status(), 200);
        let status: serde_json::Value = res.json().await.expect("json");
        if !status["outcome"].is_null() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the import never ended: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["phase"], "done", "{status}");
    assert_eq!(
        status["outcome"]["Imported"],
        serde_json::json!({"rows": 2, "created": 2, "updated": 0}),
        "{status}"
    );
    assert_eq!(
        (status["done"].as_u64(), status["total"].as_u64()),
        (Some(2), Some(2))
    );

    // Without a job: the latest one. An unknown or malformed id is not found.
    let res = app
        .get_with(
            "localhost",
            "/api/admin/catalog/import-status",
            Some(&session),
        )
        .await;
    let latest: serde_json::Value = res.json().await.expect("json");
    assert_eq!(latest["job"], job.as_str());
    for bad in ["nope", "imp_0190f7a2c4b87d3e9a1b2c3d4e5f6a7b"] {
        let res = app
            .get_with(
                "localhost",
                &format!("/api/admin/catalog/import-status?job={bad}"),
                Some(&session),
            )
            .await;
        assert_eq!(res.status(), 404, "{bad}");
    }
}

/// A hub admin's session on a fresh hub.
async fn hub_admin_session(app: &hub_tests::TestApp) -> hub_tests::scenario::Session {
    let hub = registry::hub(&app.db).await.expect("db").expect("the hub");
    let email = "big-importer@hub.example";
    users::create(
        &operator(&app.db, &hub),
        NewUser::parse(email, "Big Importer", PASSWORD, Role::HubAdmin)
            .await
            .expect("a valid account"),
    )
    .await
    .expect("account created");
    app.log_in("localhost", email, PASSWORD).await
}

async fn upload(
    app: &hub_tests::TestApp,
    session: &hub_tests::scenario::Session,
    csv: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv)
            .file_name("catalog.csv")
            .mime_str("text/csv")
            .expect("a mime type"),
    );
    app.client
        .post(app.url("localhost", "/api/admin/catalog/import"))
        .header(ORIGIN, app.origin("localhost"))
        .header(COOKIE, session.cookie_header().expect("session cookies"))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("the hub answers")
}

#[tokio::test]
async fn a_100000_row_catalog_imports_through_the_console() {
    let Some(app) = hub_tests::spawn_app_with(&[("limits.body_bytes", "1048576")]).await else {
        return;
    };
    let session = hub_admin_session(&app).await;
    let mut csv = String::from("sku,name,price,currency\n");
    for i in 0..100_000 {
        csv.push_str(&format!(
            "BIG-{i:06},Product number {i},{}.{:02},EUR\n",
            1 + i % 500,
            i % 100
        ));
    }
    assert!(csv.len() > 3 * 1_048_576, "well over the global body limit");
    let res = upload(&app, &session, csv.into_bytes()).await;
    assert_eq!(res.status(), 200, "the import's own limit applies");
    let started: serde_json::Value = res.json().await.expect("json");
    let job = started["job"].as_str().expect("a job id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        let res = app
            .get_with(
                "localhost",
                &format!("/api/admin/catalog/import-status?job={job}"),
                Some(&session),
            )
            .await;
        let status: serde_json::Value = res.json().await.expect("json");
        if !status["outcome"].is_null() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the import never ended: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        status["outcome"]["Imported"],
        serde_json::json!({"rows": 100000, "created": 100000, "updated": 0}),
        "{status}"
    );
    // Another request of the same size is still refused by the global limit.
    let res = app
        .client
        .post(app.url("localhost", "/api/hub/register-interest"))
        .header(ORIGIN, app.origin("localhost"))
        .form(&[
            ("company", "x".repeat(2_000_000).as_str()),
            ("email", "a@b.example"),
        ])
        .send()
        .await
        .expect("the hub answers");
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn a_file_over_the_import_limit_is_refused_with_the_limit_named() {
    let Some(app) = hub_tests::spawn_app_with(&[("catalog.max_import_bytes", "1048576")]).await
    else {
        return;
    };
    let session = hub_admin_session(&app).await;
    let csv = format!(
        "sku,name,price,currency\n{}",
        "X-1,Thing,1.00,EUR\n".repeat(70_000)
    );
    let res = upload(&app, &session, csv.into_bytes()).await;
    // Over the import limit in total: the request itself is refused before it is read.
    assert_eq!(res.status(), 413);
    let body = res.text().await.expect("text");
    assert!(body.contains("1048576"), "the limit is named: {body}");
}
