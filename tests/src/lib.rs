//! The test harness: a hub on a free port with a fresh database (SQLite in a temp dir, or a
//! fresh PostgreSQL database when `TEST_DB=postgres`), and HTTP clients that reach its
//! `*.localhost` hosts. Every integration and browser test builds on this.

pub mod browser;
pub mod crash;
mod db;
pub mod live;
pub mod receiver;
pub mod scenario;

use std::net::SocketAddr;

use tokio::sync::oneshot;

pub use db::{PG_APP_ROLE, TestDb, backend_name};

/// Store hosts the client resolves to the test server (glibc does not resolve `*.localhost`).
pub const TEST_HOSTS: [&str; 9] = [
    "shop.acme.example",
    "other.example",
    "eve-shop.localhost",
    "localhost",
    "acme.localhost",
    "bolt.localhost",
    "carl.localhost",
    "dove.localhost",
    "nope.localhost",
];

/// A running hub, in this process, stopped and cleaned up when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: tenants::Database,
    pub resolver: server::http::HostResolver,
    /// What the app's pages and server functions see (throttle, keys, registry cache).
    pub state: app::context::AppState,
    /// The page cache the server answers from (its counters tell what it served).
    pub pages: server::http::PageCache,
    /// The development signing key the server created, for tests that forge tokens.
    pub signing_key: Vec<u8>,
    /// The clock the server's handlers and workers read.
    pub clock: tenants::clock::SharedClock,
    /// The server's guarded outbound client (tests allow loopback: receivers run here).
    pub outbound: server::outbound::Outbound,
    shutdown: Option<oneshot::Sender<()>>,
    // Dropped last: the database and the data directory outlive the server.
    _data_dir: tempfile::TempDir,
    _test_db: TestDb,
}

impl TestApp {
    /// The database URL the server connects with.
    pub fn database_url(&self) -> &str {
        self._test_db.url()
    }

    /// `http://{host}:{port}{path}`, e.g. `app.url("acme.localhost", "/")`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    /// The `Origin` a page on `host` would send.
    pub fn origin(&self, host: &str) -> String {
        self.url(host, "")
    }

    /// GETs `path` on `host` and returns the status and the body text.
    pub async fn get_page(&self, host: &str, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(self.url(host, path))
            .send()
            .await
            .expect("the hub answers");
        let status = res.status().as_u16();
        (status, res.text().await.expect("a text body"))
    }

    /// The URL of the database as its owner (PostgreSQL) or the file (SQLite): for tests that
    /// read the catalogue or plant rows the app could not.
    pub fn owner_db_url(&self) -> &str {
        self._test_db.owner_url().unwrap_or(self._test_db.url())
    }

    /// The URL the server itself connects with.
    pub fn app_db_url(&self) -> &str {
        self._test_db.url()
    }

    /// A fresh client with its own cookie jar, resolving every test host to this server.
    pub fn new_client(&self) -> reqwest::Client {
        client_for(self.addr)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn client_for(addr: SocketAddr) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none());
    for host in TEST_HOSTS {
        builder = builder.resolve(host, addr);
    }
    builder.build().expect("an HTTP client")
}

/// Starts a hub with a fresh database, or returns `None` (after one line saying why) when the
/// chosen backend is unavailable outside CI. With `CI=true` an unavailable backend panics.
pub async fn spawn_app() -> Option<TestApp> {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with configuration overrides such as `("limits.body_bytes", "4096")`.
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> Option<TestApp> {
    spawn_app_with_clock(overrides, None).await
}

/// Like [`spawn_app_with`], with the clock the server reads (a `ManualClock` a test moves).
pub async fn spawn_app_with_clock(
    overrides: &[(&str, &str)],
    clock: Option<tenants::clock::SharedClock>,
) -> Option<TestApp> {
    let test_db = TestDb::create().await?;
    let data_dir = tempfile::tempdir().expect("a temp dir");
    let data = data_dir.path().to_string_lossy().into_owned();
    let mut settings: Vec<(&str, &str)> = vec![
        ("server.listen", "127.0.0.1:0"),
        ("data.dir", &data),
        ("database.url", test_db.url()),
        ("log.filter", "warn"),
        // Webhook receivers in tests listen on this machine, over plain http.
        ("outbound.allow_http", "true"),
        ("outbound.allow_loopback", "true"),
        ("outbound.timeout_secs", "5"),
    ];
    if let Some(owner) = test_db.owner_url() {
        settings.push(("database.migrate_url", owner));
    }
    settings.extend_from_slice(overrides);
    let cfg = server::Config::with_overrides(settings).expect("test configuration");
    let hub = server::prepare_with_clock(cfg, true, clock.unwrap_or_else(tenants::clock::system))
        .await
        .expect("hub starts");
    let clock = hub.clock.clone();
    let outbound = hub.outbound.clone();
    let addr = hub.local_addr().expect("bound address");
    let db = hub.db.clone();
    let resolver = hub.resolver.clone();
    let state = hub.app.clone();
    let pages = hub.pages.clone();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = hub
            .serve(async {
                let _ = rx.await;
            })
            .await;
    });
    let signing_key = std::fs::read_to_string(data_dir.path().join("secrets").join("signing.key"))
        .expect("the development signing key");
    Some(TestApp {
        addr,
        client: client_for(addr),
        db,
        resolver,
        state,
        pages,
        signing_key: hex_decode(signing_key.trim()),
        clock,
        outbound,
        shutdown: Some(tx),
        _data_dir: data_dir,
        _test_db: test_db,
    })
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
