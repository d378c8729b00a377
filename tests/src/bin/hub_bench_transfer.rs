//! `hub-bench-transfer`: cart transfer speed, for `scripts/bench-transfer.sh`.
//!
//! In one run, on a fresh SQLite hub served in this process (the test harness's hub, over
//! real HTTP):
//!
//! 1. **live list**: acme's shopper has a 5-line cart; eleven distributors can fulfil it and
//!    price it live: ten answer in `--answer-ms` (50 ms), one never answers. The shopper's
//!    browser asks `GET /api/store/transfer/live` (what the page calls on "Find partners"),
//!    and reads the list as it streams in. Measured per request: the time to the full list
//!    (all ten live prices in), and to its end (the hanging partner marked "no answer in
//!    time" at the deadline). p50 and p99 of both.
//! 2. **confirms**: `--confirms` guest carts of the same 5 lines are confirmed through the
//!    domain (`transfer::confirm`: the order on both sides, lines, history, the outbox event,
//!    the cart marked, the customer's e-mail queued), with the mail sender and the webhook
//!    workers off (what they send later is not part of a confirmation): first one shopper
//!    at a time, then `--writers` shoppers at once (on SQLite, confirmations that queue for
//!    the write turn share a commit); then a bare loop of as many one-row insert
//!    transactions on the same database file (same pool settings: WAL, `synchronous=FULL`),
//!    one after the other. Measured: the three rates, and both confirmation rates as ratios
//!    to the bare loop.
//!
//! Prints one `BENCH_TRANSFER …` line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use futures::StreamExt as _;
use hub_tests::live::{self, Behaviour};
use tenants::CartId;
use tenants::access::operator;
use tenants::catalog::cart::{self, Owner};
use tenants::orders::transfer::{self, ConfirmInput, Source};

/// The hub's allocator (`server/src/main.rs`): the code measured here runs as it runs in
/// the hub, and the bare side shares the process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "hub-bench-transfer", version)]
struct Args {
    /// Live-list requests to time (after 5 for warm-up).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// How long each of the ten live partners takes to answer.
    #[arg(long, default_value_t = 50)]
    answer_ms: u64,
    /// Confirmations to time (and bare inserts to compare with).
    #[arg(long, default_value_t = 400)]
    confirms: usize,
    /// Shoppers confirming at once in the second count.
    #[arg(long, default_value_t = 16)]
    writers: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// One live-list request: (time to the full list of `want` prices, time to its end).
async fn live_list(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    want: usize,
) -> Result<(Duration, Duration), String> {
    let started = Instant::now();
    let res = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        let status = res.status();
        return Err(format!(
            "{status}: {}",
            res.text().await.unwrap_or_default()
        ));
    }
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let (mut priced, mut unanswered) = (0, 0);
    let mut full = None;
    while let Some(chunk) = stream.next().await {
        buf.push_str(&String::from_utf8_lossy(&chunk.map_err(|e| e.to_string())?));
        while let Some(at) = buf.find('\n') {
            let line: String = buf.drain(..=at).collect();
            let v: serde_json::Value =
                serde_json::from_str(line.trim()).map_err(|e| format!("{e}: {line}"))?;
            if v.get("Offer").is_some() {
                priced += 1;
            } else if v.get("Unanswered").is_some() {
                unanswered += 1;
            } else if v.get("View").is_some() {
                priced += v["View"]["offers"].as_array().map_or(0, Vec::len);
            }
            if priced == want && full.is_none() {
                full = Some(started.elapsed());
            }
            if v == serde_json::json!("Done") {
                let end = started.elapsed();
                if priced != want || unanswered != 1 {
                    return Err(format!(
                        "{priced} prices and {unanswered} unanswered, not {want} and 1"
                    ));
                }
                return Ok((full.unwrap_or(end), end));
            }
        }
    }
    Err("the list ended without Done".into())
}

async fn run(args: Args) -> Result<String, String> {
    // The background senders stay off: the mail each confirmation queues and its webhook
    // deliveries go out later, and would otherwise take turns at the write lock mid-count.
    let app = hub_tests::spawn_app_with(&[("mail.worker", "false"), ("webhooks.worker", "false")])
        .await
        .ok_or("no database for the hub (TEST_DB)")?;
    if !app.database_url().starts_with("sqlite") {
        return Err("the transfer bench runs on SQLite (TEST_DB=sqlite)".into());
    }
    let world = hub_tests::scenario::seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let mut behaviours: Vec<Behaviour> = (0..10)
        .map(|i| Behaviour::Answer {
            delay: Duration::from_millis(args.answer_ms),
            discount_pct: i % 4,
            delivery_minor: 100 * i,
            lead_days: 2,
        })
        .collect();
    behaviours.push(Behaviour::Hang);
    let net = live::network(&app, &acme, "bx", &behaviours, 5).await;
    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .map_err(|e| e.to_string())?;
    let adb = operator(&app.db, &acme);
    let products: Vec<_> = store
        .master
        .items
        .iter()
        .take(5)
        .filter_map(|i| store.detail(&i.sku).map(|d| d.product.id))
        .collect();
    if products.len() != 5 {
        return Err(format!(
            "acme sells {} of the 5 priced products",
            products.len()
        ));
    }
    // 1. The live list, as the page asks for it.
    let shopper = fill_carts(&adb, &products, 1)
        .await?
        .pop()
        .ok_or("no cart")?;
    let cookie = format!("{}={shopper}", "__Host-hub_cart");
    let url = app.url(
        "acme.localhost",
        "/api/store/transfer/live?country=DE&region=DE-BY&postal=80331",
    );
    let client = reqwest::Client::builder()
        .resolve("acme.localhost", app.addr)
        .build()
        .map_err(|e| e.to_string())?;
    for _ in 0..5 {
        live_list(&client, &url, &cookie, 10).await?;
    }
    let mut full = Vec::with_capacity(args.requests);
    let mut end = Vec::with_capacity(args.requests);
    for _ in 0..args.requests {
        let (f, e) = live_list(&client, &url, &cookie, 10).await?;
        full.push(f);
        end.push(e);
    }
    full.sort();
    end.sort();
    let deadline = app.state.quote_deadline;
    let late = end
        .iter()
        .filter(|e| **e > deadline + Duration::from_millis(100))
        .count();

    // 2. Confirmations against a bare insert loop on the same file.
    let now = app.clock.now();
    let basket = transfer::basket(&adb, &store, Source::Cart(Owner::Guest(shopper)), now)
        .await
        .map_err(|e| e.to_string())?;
    let found = transfer::offers(
        &adb,
        app.state.keys.price(),
        None,
        basket,
        net.to.clone(),
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let token = found
        .complete
        .first()
        .ok_or("no offer to confirm")?
        .token
        .clone();
    let carts = fill_carts(&adb, &products, 2 * args.confirms).await?;
    let (alone, together) = carts.split_at(args.confirms);
    let job = Confirming {
        adb: adb.clone(),
        store: store.clone(),
        key: app.state.keys.price().clone(),
        token,
        to: net.to.clone(),
        now,
    };
    let alone_secs = job.run(alone.to_vec(), 1).await?;
    let writers = args.writers.max(1);
    // Phase marks on stderr, for a profiler attached to one phase.
    eprintln!("hub-bench-transfer: {writers} shoppers confirming at once");
    let together_secs = job.run(together.to_vec(), writers).await?;
    eprintln!("hub-bench-transfer: confirmed");
    let bare_secs = bare_inserts(app.database_url(), args.confirms).await?;
    let per_s = |secs: f64| args.confirms as f64 / secs;
    let (alone_per_s, confirms_per_s, bare_per_s) =
        (per_s(alone_secs), per_s(together_secs), per_s(bare_secs));
    Ok(format!(
        "BENCH_TRANSFER requests={} answer_ms={} deadline_ms={} full_p50_ms={} full_p99_ms={} end_p50_ms={} end_p99_ms={} late={late} confirms={} alone_per_s={alone_per_s:.0} ratio_alone={:.3} writers={writers} confirms_per_s={confirms_per_s:.0} bare_per_s={bare_per_s:.0} ratio={:.3}",
        args.requests,
        args.answer_ms,
        deadline.as_millis(),
        ms(percentile(&full, 0.5)),
        ms(percentile(&full, 0.99)),
        ms(percentile(&end, 0.5)),
        ms(percentile(&end, 0.99)),
        args.confirms,
        alone_per_s / bare_per_s,
        confirms_per_s / bare_per_s,
    ))
}

/// `n` one-row insert transactions on the database at `url`, one after the other, with the
/// hub's SQLite settings (WAL, `synchronous=FULL`, the same busy timeout). Returns seconds.
async fn bare_inserts(url: &str, n: usize) -> Result<f64, String> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    use sea_orm::{ConnectionTrait as _, TransactionTrait as _};

    let mut co = sea_orm::ConnectOptions::new(url.to_owned());
    // The hub's pool settings (`Database::open`): no ping before each checkout.
    co.max_connections(1)
        .sqlx_logging(false)
        .test_before_acquire(false);
    co.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .synchronous(SqliteSynchronous::Full)
    });
    let db = sea_orm::Database::connect(co)
        .await
        .map_err(|e| e.to_string())?;
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    )
    .await
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for _ in 0..n {
        let tx = db.begin().await.map_err(|e| e.to_string())?;
        tx.execute_unprepared("INSERT INTO bench_bare (body) VALUES ('an order')")
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// `n` guest carts holding the same 5 products as the timed one, filled 16 at once.
async fn fill_carts(
    adb: &tenants::TenantDb,
    products: &[tenants::ProductId],
    n: usize,
) -> Result<Vec<CartId>, String> {
    let carts: Vec<CartId> = (0..n).map(|_| CartId::generate()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in carts.chunks(n.div_ceil(16).max(1)) {
        let (adb, products, chunk) = (adb.clone(), products.to_vec(), chunk.to_vec());
        tasks.spawn(async move {
            for c in chunk {
                for (i, p) in products.iter().enumerate() {
                    cart::add(&adb, Owner::Guest(c), *p, 1 + i as u32)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok::<_, String>(())
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.map_err(|e| e.to_string())??;
    }
    Ok(carts)
}

/// What every timed confirmation shares: the store, the held price, the ship-to.
struct Confirming {
    adb: tenants::TenantDb,
    store: Arc<tenants::catalog::Storefront>,
    key: tenants::orders::token::PriceKey,
    token: String,
    to: tenants::partners::territories::ShipTo,
    now: chrono::DateTime<chrono::Utc>,
}

impl Confirming {
    /// Confirms every cart of `carts`, `writers` shoppers at once. Returns seconds.
    async fn run(&self, carts: Vec<CartId>, writers: usize) -> Result<f64, String> {
        let queue = Arc::new(std::sync::Mutex::new(carts));
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..writers {
            let (queue, adb, store, key, token, to, now) = (
                queue.clone(),
                self.adb.clone(),
                self.store.clone(),
                self.key.clone(),
                self.token.clone(),
                self.to.clone(),
                self.now,
            );
            tasks.spawn(async move {
                let mut n = 0;
                loop {
                    let Some(c) = queue.lock().map_err(|e| e.to_string())?.pop() else {
                        return Ok::<usize, String>(n);
                    };
                    transfer::confirm(
                        &adb,
                        &store,
                        &key,
                        Source::Cart(Owner::Guest(c)),
                        &ConfirmInput {
                            token: token.clone(),
                            idempotency_key: format!(
                                "bench-{w}-{n}-{}",
                                c.to_string().replace('_', "-")
                            ),
                            ship_to: Some(to.clone()),
                            name: "Bench Shopper".into(),
                            email: "bench@example.com".into(),
                            address: "Marienplatz 1".into(),
                            user: None,
                            referrer: None,
                        },
                        now,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    n += 1;
                }
            });
        }
        while let Some(t) = tasks.join_next().await {
            t.map_err(|e| e.to_string())??;
        }
        Ok(started.elapsed().as_secs_f64())
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hub-bench-transfer: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hub-bench-transfer: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
