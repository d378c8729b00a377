//! Crash safety of cart transfer: the built `hub` binary serves the demo while shoppers
//! confirm transfers as fast as they can, and is killed with SIGKILL at a random moment,
//! again and again. Afterwards every order whose confirmation was answered 2xx must exist on
//! both sides with its lines, history and `order.created` event, and no order anywhere may
//! be half-written (one side without the other, an order without lines or event).
//!
//! `make test` runs a few rounds (`tests/tests/crash.rs`); `make bench` runs many
//! (`hub-crash`) and reports the counts.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait as _, Statement};
use uuid::Uuid;

use crate::TestDb;
use crate::browser::{Guard, free_port, hub_command, wait_for_http};

/// What a crash run found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rounds: usize,
    /// Confirmations answered 2xx (each an order the customer was told exists).
    pub answered: usize,
    /// Of those, orders missing or incomplete after the crashes.
    pub lost: Vec<String>,
    /// Orders in the database, answered or not.
    pub orders: usize,
    /// Orders written in part (whatever their confirmation's fate).
    pub half_written: Vec<String>,
}

impl Report {
    pub fn line(&self) -> String {
        format!(
            "BENCH_CRASH rounds={} answered={} orders={} lost={} half_written={}",
            self.rounds,
            self.answered,
            self.orders,
            self.lost.len(),
            self.half_written.len()
        )
    }
}

/// A random number below `n` (no RNG crate needed for this).
fn below(n: u64) -> u64 {
    (Uuid::new_v4().as_u128() % u128::from(n.max(1))) as u64
}

/// The `__Host-hub_cart` value a response set, if any.
fn cart_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("__Host-hub_cart="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// One shopper: fills a fresh cart with `skus`, asks for the prices, confirms the cheapest,
/// and records the order id of every confirmation answered 2xx, until the server dies.
async fn shopper(port: u16, skus: Vec<String>, answered: Arc<Mutex<Vec<String>>>) {
    let host = "acme.localhost";
    let origin = format!("http://{host}:{port}");
    let Ok(client) = reqwest::Client::builder()
        .resolve(host, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return;
    };
    loop {
        let mut cookie: Option<String> = None;
        for sku in &skus {
            let mut req = client
                .post(format!("{origin}/api/store/cart/add"))
                .header("origin", &origin)
                .form(&[("sku", sku.as_str()), ("quantity", "2")]);
            if let Some(c) = &cookie {
                req = req.header("cookie", format!("__Host-hub_cart={c}"));
            }
            let Ok(res) = req.send().await else { return };
            if !res.status().is_success() {
                return;
            }
            cookie = cookie.or_else(|| cart_cookie(&res));
        }
        let Some(cookie) = cookie else { return };
        let cookie = format!("__Host-hub_cart={cookie}");
        let Ok(res) = client
            .get(format!(
                "{origin}/api/store/transfer?country=DE&region=DE-BY&postal=80331"
            ))
            .header("cookie", &cookie)
            .send()
            .await
        else {
            return;
        };
        let Ok(view) = res.json::<serde_json::Value>().await else {
            return;
        };
        let Some(token) = view["offers"][0]["token"].as_str().map(str::to_owned) else {
            return;
        };
        let key = format!("crash{}", Uuid::new_v4().simple());
        let Ok(res) = client
            .post(format!("{origin}/api/store/transfer/confirm"))
            .header("origin", &origin)
            .header("cookie", &cookie)
            .form(&[
                ("token", token.as_str()),
                ("confirm_key", key.as_str()),
                ("country", "DE"),
                ("region", "DE-BY"),
                ("postal", "80331"),
                ("name", "Crash Tester"),
                ("email", "crash@example.com"),
                ("address", "Marienplatz 1"),
            ])
            .send()
            .await
        else {
            return;
        };
        if !res.status().is_success() {
            continue;
        }
        let Ok(done) = res.json::<serde_json::Value>().await else {
            // The answer's status came, its body did not: the customer saw no confirmation.
            return;
        };
        if let Some(id) = done["url"]
            .as_str()
            .and_then(|u| u.strip_prefix("/orders/"))
            .and_then(|u| u.split('?').next())
        {
            answered.lock().expect("lock").push(id.to_owned());
        }
    }
}

/// The SKUs acme sells that north prices (north fulfils from its price list in the demo).
async fn skus(db: &TestDb) -> Vec<String> {
    use tenants::access::operator;
    let db = tenants::Database::open(
        db.owner_url().unwrap_or(db.url()),
        &tenants::DbOptions::default(),
    )
    .await
    .expect("open the database");
    let north = tenants::registry::find_by_slug(&db, "north")
        .await
        .expect("db")
        .expect("the demo has north");
    let page = tenants::partners::price_list::list(&operator(&db, &north), None, 50)
        .await
        .expect("north's prices");
    page.items.into_iter().take(3).map(|p| p.sku).collect()
}

/// Every order row, line count, history count and `order.created` event, read straight from
/// the database file the killed server left.
async fn audit(url: &str, answered: &[String], report: &mut Report) {
    let db = sea_orm::Database::connect(url)
        .await
        .expect("open the database");
    let backend = db.get_database_backend();
    let rows = |sql: &str| Statement::from_string(backend, sql.to_owned());
    let mut sides: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for r in db
        .query_all_raw(rows("SELECT id, side FROM orders"))
        .await
        .expect("orders")
    {
        let id: Uuid = r.try_get_by_index(0).expect("id");
        let side: String = r.try_get_by_index(1).expect("side");
        sides.entry(id).or_default().insert(side);
    }
    let count = |sql: &'static str| {
        let db = &db;
        async move {
            let mut out: HashMap<(Uuid, String), i64> = HashMap::new();
            for r in db.query_all_raw(rows(sql)).await.expect("count") {
                let id: Uuid = r.try_get_by_index(0).expect("id");
                let side: String = r.try_get_by_index(1).expect("side");
                let n: i64 = r.try_get_by_index(2).expect("n");
                out.insert((id, side), n);
            }
            out
        }
    };
    let lines =
        count("SELECT order_id, side, COUNT(*) FROM order_lines GROUP BY order_id, side").await;
    let history =
        count("SELECT order_id, side, COUNT(*) FROM order_history GROUP BY order_id, side").await;
    let mut created: HashSet<Uuid> = HashSet::new();
    for r in db
        .query_all_raw(rows(
            "SELECT payload FROM webhook_events WHERE event_type = 'order.created'",
        ))
        .await
        .expect("events")
    {
        let payload: String = r.try_get_by_index(0).expect("payload");
        let v: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
        if let Some(id) = v["data"]["order"]["id"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
        {
            created.insert(id);
        }
    }
    let complete = |id: &Uuid| {
        sides.get(id).is_some_and(|s| s.len() == 2)
            && ["store", "partner"].iter().all(|side| {
                lines
                    .get(&(*id, (*side).to_owned()))
                    .is_some_and(|n| *n > 0)
                    && history
                        .get(&(*id, (*side).to_owned()))
                        .is_some_and(|n| *n > 0)
            })
            && created.contains(id)
    };
    report.orders = sides.len();
    report.half_written = sides
        .keys()
        .filter(|id| !complete(id))
        .map(Uuid::to_string)
        .collect();
    report.lost = answered
        .iter()
        .filter(|a| Uuid::parse_str(a).map_or(true, |id| !complete(&id)))
        .cloned()
        .collect();
}

/// Runs `rounds` rounds of `clients` shoppers against `bin` (serving `site`), each ended by
/// SIGKILL after 0.3 to 1.5 s, then audits the database. Returns `None` when the database
/// backend is unavailable.
pub async fn run(bin: &Path, site: &Path, rounds: usize, clients: usize) -> Option<Report> {
    // Durability under SIGKILL is SQLite's question here (PostgreSQL's own server survives
    // the hub's death by construction); the audit reads the file directly.
    if crate::backend_name() != "sqlite" {
        println!("crash run: SQLite only (TEST_DB={})", crate::backend_name());
        return None;
    }
    let db = TestDb::create().await?;
    let data = tempfile::tempdir().expect("a temp dir");
    let port = free_port();
    let seeded = hub_command(bin, site, port, data.path(), &db, "seed")
        .output()
        .expect("run hub seed");
    assert!(
        seeded.status.success(),
        "hub seed failed: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let skus = skus(&db).await;
    assert!(!skus.is_empty(), "north prices acme's products");
    let answered = Arc::new(Mutex::new(Vec::new()));
    for _ in 0..rounds {
        let child = hub_command(bin, site, port, data.path(), &db, "serve")
            .env("HUB_WEBHOOKS_WORKER", "false")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start the hub");
        let mut server = Guard(child);
        wait_for_http(&format!("http://127.0.0.1:{port}/healthz")).await;
        let tasks: Vec<_> = (0..clients)
            .map(|_| tokio::spawn(shopper(port, skus.clone(), answered.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(300 + below(1200))).await;
        // Child::kill is SIGKILL on Unix: no shutdown, no flush, no goodbye.
        server.0.kill().expect("kill the hub");
        let _ = server.0.wait();
        for t in tasks {
            let _ = t.await;
        }
    }
    // The hub starts again after the last crash (recovery works), and is stopped.
    let child = hub_command(bin, site, port, data.path(), &db, "serve")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the hub");
    let server = Guard(child);
    wait_for_http(&format!("http://127.0.0.1:{port}/readyz")).await;
    drop(server);
    let answered = answered.lock().expect("lock").clone();
    let mut report = Report {
        rounds,
        answered: answered.len(),
        ..Report::default()
    };
    audit(db.owner_url().unwrap_or(db.url()), &answered, &mut report).await;
    Some(report)
}
