//! `hub-bench-webhooks`: webhook delivery speed, for `scripts/bench.sh`.
//!
//! In one run, on a fresh SQLite hub (the demo catalog, one distributor, one endpoint):
//!
//! 1. **hub**: `--events` price changes are committed through the domain (each its own
//!    transaction, which writes the event to the outbox), then the delivery workers start
//!    and send the backlog through the guarded client, and a local receiver verifies every
//!    signature. Measured: events per second from the workers' start to the last verified
//!    delivery. Then `--live-events` more are committed while the workers run: each
//!    event's time from its commit to its verified delivery (p50, p99).
//! 2. **bare**: a plain HTTP client (the same reqwest, the same concurrency) posts the very
//!    bodies and headers the receiver got to the same receiver, which verifies them the
//!    same way. Measured: posts per second.
//!
//! Before either is measured, both are warmed up alike (`--warmup` events: committed and
//! delivered by the workers, then the same bodies posted by the bare client), so that
//! neither side pays alone for what a running hub has done long before: the receiver's and
//! the clients' connections, the allocator's first pages, SQLite's page cache and prepared
//! statements.
//!
//! Prints one `BENCH_WEBHOOKS …` line with both rates, their ratio and the latencies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use clap::Parser;
use server::outbound::{Outbound, Policy};
use tenants::access::operator;
use tenants::catalog::CatalogCache;
use tenants::partners::price_list::{self, PriceInput};
use tenants::partners::profile::ProfileInput;
use tenants::partners::{self, NewDistributor};
use tenants::webhooks::endpoints::{self, EndpointInput};
use tenants::{Database, DbOptions, registry};

/// The hub's allocator (`server/src/main.rs`): the code measured here runs as it runs in
/// the hub, and the bare side shares the process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "hub-bench-webhooks", version)]
struct Args {
    /// Events in the backlog the workers deliver (the throughput part).
    #[arg(long, default_value_t = 16000)]
    events: usize,
    /// Events committed while the workers run (the latency part).
    #[arg(long, default_value_t = 4000)]
    live_events: usize,
    /// Deliveries (and bare posts) at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Tasks committing events at once.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// Events delivered (and posted by the bare client) before anything is measured.
    #[arg(long, default_value_t = 1000)]
    warmup: usize,
}

#[derive(Clone, Debug)]
struct Got {
    at: Instant,
    sku: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

#[derive(Default)]
struct Sink {
    secret: String,
    got: Vec<Got>,
    bad: usize,
}

async fn receive(
    State(sink): State<Arc<Mutex<Sink>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = Instant::now();
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let (id, ts, sig) = (
        h("webhook-id"),
        h("webhook-timestamp"),
        h("webhook-signature"),
    );
    let mut s = sink
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ok = ts
        .parse::<i64>()
        .is_ok_and(|t| tenants::webhooks::verify(&s.secret, &id, t, &body, &sig));
    if !ok {
        s.bad += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let sku = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["data"]["skus"][0].as_str().map(str::to_owned))
        .unwrap_or_default();
    s.got.push(Got {
        at,
        sku,
        headers: vec![
            ("content-type", "application/json".into()),
            ("webhook-id", id),
            ("webhook-timestamp", ts),
            ("webhook-signature", sig),
        ],
        body,
    });
    StatusCode::NO_CONTENT
}

/// The tasks that commit price changes through the domain, each its own transaction with
/// its outbox event.
struct Writers {
    pdb: tenants::TenantDb,
    master: Arc<tenants::catalog::snapshot::Master>,
    /// Each SKU's row at its list price, and how far above it the hub's policy lets a
    /// partner's price go (in minor units, at least 2).
    items: Arc<Vec<(PriceInput, i64)>>,
    count: usize,
}

impl Writers {
    /// Commits events number `range`: event `i` changes SKU `i mod SKUs` in round
    /// `i / SKUs`, to its list price plus 1 + (round mod its room), so that each change
    /// differs from the last and stays within the policy however many rounds there are.
    /// Returns each SKU's commit times.
    async fn commit(
        &self,
        range: std::ops::Range<usize>,
    ) -> Result<HashMap<String, Vec<Instant>>, String> {
        let committed: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..self.count {
            let (pdb, master, items, committed) = (
                self.pdb.clone(),
                self.master.clone(),
                self.items.clone(),
                committed.clone(),
            );
            let (count, end) = (self.count, range.end);
            let mut i = range.start + w;
            tasks.spawn(async move {
                while i < end {
                    let (row, room) = &items[i % items.len()];
                    let mut row = row.clone();
                    let round = i64::try_from(i / items.len()).unwrap_or(0);
                    row.price_minor += round % room + 1;
                    price_list::upsert(&pdb, &master, &[row.clone()])
                        .await
                        .map_err(|e| format!("{e:?}"))?;
                    committed
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .entry(row.sku)
                        .or_default()
                        .push(Instant::now());
                    i += count;
                }
                Ok::<(), String>(())
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.map_err(|e| e.to_string())??;
        }
        let out = committed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Ok(out)
    }
}

/// Waits until the receiver has verified `n` deliveries (at most five minutes); returns them.
async fn wait_for(sink: &Arc<Mutex<Sink>>, n: usize) -> Result<Vec<Got>, String> {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        {
            let s = sink
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if s.bad > 0 {
                return Err(format!("{} deliveries failed verification", s.bad));
            }
            if s.got.len() >= n {
                return Ok(s.got.clone());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "only {} of {n} events arrived in 5 minutes",
                    s.got.len()
                ));
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The bare client: posts `got`'s bodies and headers to `url`, `concurrency` at once, each
/// answered 2xx. Returns the seconds it took.
async fn post_bare(
    client: &reqwest::Client,
    url: &str,
    got: Vec<Got>,
    concurrency: usize,
) -> Result<f64, String> {
    let queue = Arc::new(Mutex::new(got));
    let start = Instant::now();
    let mut posters = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, queue, url) = (client.clone(), queue.clone(), url.to_owned());
        posters.spawn(async move {
            loop {
                let Some(g) = queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop()
                else {
                    return Ok::<(), String>(());
                };
                let mut req = client.post(&url).body(g.body);
                for (k, v) in g.headers {
                    req = req.header(k, v);
                }
                let res = req.send().await.map_err(|e| e.to_string())?;
                if !res.status().is_success() {
                    return Err(format!("bare post answered {}", res.status()));
                }
            }
        });
    }
    while let Some(r) = posters.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// Empties the receiver's list of what it got.
fn clear(sink: &Arc<Mutex<Sink>>) {
    sink.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .got
        .clear();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(args: Args) -> Result<String, String> {
    if args.events == 0 || args.live_events == 0 || args.concurrency == 0 || args.writers == 0 {
        return Err(
            "--events, --live-events, --concurrency and --writers must be at least 1".into(),
        );
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
    let db = Database::open(&url, &DbOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let hub = registry::ensure_hub(&db, "Bench Hub", "bench")
        .await
        .map_err(|e| e.to_string())?;
    let media = tenants::catalog::media::Media::new(
        Arc::new(
            tenants::catalog::media::DirStorage::new(dir.path().join("media"))
                .map_err(|e| e.to_string())?,
        ),
        2 * 1024 * 1024,
    );
    server::seed_catalog::catalog(&db, &hub, &media)
        .await
        .map_err(|e| e.to_string())?;
    let master = CatalogCache::new(16 * 1024)
        .master(&db)
        .await
        .map_err(|e| e.to_string())?;
    let (dist, _) = partners::create_distributor(
        &db,
        &operator(&db, &hub),
        NewDistributor {
            name: "Bench Distribution",
            slug: "bench",
            profile: ProfileInput {
                contact_name: "Bench".into(),
                contact_email: "bench@bench.example".into(),
                currency: "EUR".into(),
                fulfils: None,
                ack_window_hours: None,
            },
            admin_name: "Bench",
            admin_email: "admin@bench.example",
            admin_password: "Correct-Horse-Battery-9",
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let pdb = operator(&db, &dist);

    let sink = Arc::new(Mutex::new(Sink::default()));
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state(sink.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let hook_url = format!("http://{addr}/hooks");
    let (_, secret) = endpoints::create(
        &pdb,
        &EndpointInput {
            url: hook_url.clone(),
            enabled: true,
            ..EndpointInput::default()
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    sink.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .secret = secret;

    let outbound = Outbound::new(Policy {
        allow_http: true,
        allow_loopback: true,
        ..Policy::default()
    });

    // One event per SKU and round, so each delivery names its commit.
    let items: Vec<(PriceInput, i64)> = master
        .items
        .iter()
        .filter_map(|item| {
            let (_, hi) = master.policy.price_range(item.price);
            let room = hi.minor - item.price.minor;
            (room >= 2).then(|| {
                (
                    PriceInput {
                        sku: item.sku.clone(),
                        price_minor: item.price.minor,
                        currency: item.price.currency.code().into(),
                        min_quantity: 1,
                        ..Default::default()
                    },
                    room,
                )
            })
        })
        .collect();
    if items.is_empty() {
        return Err("the demo catalog is empty".into());
    }
    let n = args.events;
    let writers = Writers {
        pdb,
        master,
        items: Arc::new(items),
        count: args.writers,
    };

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;

    // 0. Warm-up, alike for both sides and not measured: `w` events committed and delivered
    //    by the workers, then the same bodies posted by the bare client.
    let w = args.warmup;
    if w > 0 {
        writers.commit(0..w).await?;
        server::workers::webhooks::run_once(
            &db,
            &outbound,
            &tenants::clock::system(),
            args.concurrency,
        )
        .await
        .map_err(|e| e.to_string())?;
        let warm = wait_for(&sink, w).await?;
        clear(&sink);
        post_bare(&client, &hook_url, warm, args.concurrency).await?;
        clear(&sink);
    }

    // 1. Throughput: `n` events committed with no worker running (the outbox holds them
    //    all), then the worker starts and delivers the backlog.
    let commit_start = Instant::now();
    writers.commit(w..w + n).await?;
    let commit_eps = n as f64 / commit_start.elapsed().as_secs_f64();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    // Phase marks on stderr, for a profiler attached to one phase.
    eprintln!("hub-bench-webhooks: delivering the backlog of {n}");
    let deliver_start = Instant::now();
    let worker = tokio::spawn(server::workers::webhooks::run(
        db.clone(),
        outbound.clone(),
        tenants::clock::system(),
        args.concurrency,
        stop_rx,
    ));
    let got = wait_for(&sink, n).await?;
    let last = got.iter().map(|g| g.at).max().unwrap_or(deliver_start);
    let hub_eps = n as f64 / (last - deliver_start).as_secs_f64();
    eprintln!("hub-bench-webhooks: backlog delivered");

    // 2. Latency: with the worker running, `m` more events committed as fast as the writers
    //    go; each event's time from its commit to its verified delivery.
    clear(&sink);
    let live_start = Instant::now();
    let m = args.live_events;
    let committed = writers.commit(w + n..w + n + m).await?;
    let live = wait_for(&sink, m).await?;
    let live_last = live.iter().map(|g| g.at).max().unwrap_or(live_start);
    let live_eps = m as f64 / (live_last - live_start).as_secs_f64();
    let _ = stop_tx.send(true);
    let _ = worker.await;
    let mut arrivals: HashMap<String, Vec<Instant>> = HashMap::new();
    for g in &live {
        arrivals.entry(g.sku.clone()).or_default().push(g.at);
    }
    let mut lat: Vec<Duration> = Vec::with_capacity(m);
    for (sku, mut commits) in committed {
        commits.sort();
        let mut arr = arrivals.remove(&sku).unwrap_or_default();
        arr.sort();
        for (c, a) in commits.iter().zip(arr.iter()) {
            lat.push(a.saturating_duration_since(*c));
        }
    }
    lat.sort();

    // The bare client: the same bodies and headers, the same receiver, the same concurrency.
    clear(&sink);
    eprintln!("hub-bench-webhooks: bare client posting {n}");
    let bare_secs = post_bare(&client, &hook_url, got, args.concurrency).await?;
    eprintln!("hub-bench-webhooks: bare client done");
    let bare_eps = n as f64 / bare_secs;
    let received = sink
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .got
        .len();
    if received != n {
        return Err(format!("the bare client delivered {received} of {n}"));
    }
    Ok(format!(
        "BENCH_WEBHOOKS events={n} live_events={m} warmup={w} concurrency={} writers={} hub_eps={hub_eps:.0} bare_eps={bare_eps:.0} ratio={:.2} commit_eps={commit_eps:.0} live_eps={live_eps:.0} p50_ms={:.1} p99_ms={:.1}",
        args.concurrency,
        args.writers,
        hub_eps / bare_eps,
        percentile(&lat, 0.50).as_secs_f64() * 1000.0,
        percentile(&lat, 0.99).as_secs_f64() * 1000.0,
    ))
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
