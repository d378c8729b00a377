//! `hub-bench-quotes`: the live-quote time of a quote request, for `scripts/bench-quotes.sh`.
//!
//! On a fresh SQLite hub (the test harness's, in this process): a master catalog of `--skus`
//! products (imported as CSV, as the hub admin would), five distributors each with a price
//! list over every one of them (quantity breaks, stock, lead time), Germany as territory,
//! auto-quote rules on, and a link to acme. Then `--requests` requests of `--lines` product
//! lines each (SKUs spread over the catalog, a new set each time) are written as drafts and
//! sent to the five; the time measured is from the call to `send` to its return, when every
//! distributor's automatic answer is stored (checked after each send: five offers, every
//! line priced). p50 and p99.
//!
//! Prints one `BENCH_QUOTES …` line.

use std::time::{Duration, Instant};

use clap::Parser;
use tenants::access::operator;
use tenants::partners::price_list::{self, Break, PriceInput};
use tenants::partners::profile::ProfileInput;
use tenants::partners::territories::{self, Region};
use tenants::partners::{self, NewDistributor};
use tenants::quotes::rfq::{DraftInput, LineInput, SendInput};
use tenants::quotes::rules::RulesInput;
use tenants::quotes::{self, Person, QuoteState};
use tenants::registry;

/// The hub's allocator (`server/src/main.rs`): the code measured runs as it runs in the hub.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "hub-bench-quotes", version)]
struct Args {
    /// Products in the master catalog, and in each distributor's price list.
    #[arg(long, default_value_t = 100_000)]
    skus: usize,
    /// Distributors asked.
    #[arg(long, default_value_t = 5)]
    distributors: usize,
    /// Product lines per request.
    #[arg(long, default_value_t = 20)]
    lines: usize,
    /// Requests to time (after 3 for warm-up).
    #[arg(long, default_value_t = 100)]
    requests: usize,
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

fn catalog_csv(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 90);
    out.push_str("sku,name,description,price,currency,category,status,attributes,image\n");
    for i in 0..n {
        let price = 5 + (i * 37) % 995;
        out.push_str(&format!(
            "BQ-{i:06},Bench part {i},A part for the quote benchmark,{price}.{:02},EUR,,active,,\n",
            (i * 13) % 100
        ));
    }
    out.into_bytes()
}

async fn run(args: Args) -> Result<String, String> {
    let app = hub_tests::spawn_app_with(&[("mail.worker", "false"), ("webhooks.worker", "false")])
        .await
        .ok_or("no database for the hub (TEST_DB)")?;
    if !app.database_url().starts_with("sqlite") {
        return Err("the quote bench runs on SQLite (TEST_DB=sqlite)".into());
    }
    let world = hub_tests::scenario::seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let hub = registry::hub(&app.db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no hub")?;
    let hdb = operator(&app.db, &hub);
    let setup = Instant::now();
    tenants::catalog::csv_io::import(&hdb, catalog_csv(args.skus), std::sync::Arc::new(|_| {}))
        .await
        .map_err(|e| format!("import: {e:?}"))?;
    let master = app
        .state
        .catalog
        .master(&app.db)
        .await
        .map_err(|e| e.to_string())?;
    let skus: Vec<&tenants::catalog::snapshot::MasterItem> = master
        .items
        .iter()
        .filter(|i| i.sku.starts_with("BQ-"))
        .collect();
    if skus.len() != args.skus {
        return Err(format!("{} of {} products imported", skus.len(), args.skus));
    }
    let now = app.clock.now();
    let mut sellers = Vec::new();
    for d in 0..args.distributors {
        let slug = format!("bq{d}");
        let (t, _) = partners::create_distributor(
            &app.db,
            &hdb,
            NewDistributor {
                name: &format!("Bench Supply {d}"),
                slug: &slug,
                profile: ProfileInput {
                    contact_name: "Quotes desk".into(),
                    contact_email: format!("quotes@{slug}.example"),
                    currency: "EUR".into(),
                    fulfils: None,
                    ack_window_hours: None,
                },
                admin_name: "Admin",
                admin_email: &format!("admin@{slug}.example"),
                admin_password: hub_tests::scenario::PASSWORD,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        let db = operator(&app.db, &t);
        let rows: Vec<PriceInput> = skus
            .iter()
            .enumerate()
            .map(|(i, item)| PriceInput {
                sku: item.sku.clone(),
                partner_sku: Some(format!("B{d}-{i:06}")),
                price_minor: item.price.minor,
                currency: "EUR".into(),
                min_quantity: 1,
                breaks: vec![Break {
                    min_quantity: 50,
                    price_minor: item.price.percent(95).minor.max(1),
                }],
                stock: Some(u32::try_from(1000 + i % 500).unwrap_or(1000)),
                lead_days: u32::try_from(1 + (i + d) % 9).unwrap_or(1),
                ..Default::default()
            })
            .collect();
        for chunk in rows.chunks(price_list::MAX_BATCH) {
            price_list::upsert(&db, &master, chunk)
                .await
                .map_err(|e| format!("prices: {e}"))?;
        }
        territories::replace(
            &db,
            &[Region {
                country: "DE".into(),
                subdivision: None,
                postal_prefix: None,
            }],
        )
        .await
        .map_err(|e| e.to_string())?;
        quotes::rules::put(
            &db,
            &RulesInput {
                enabled: true,
                validity_days: 14,
                cap: String::new(),
                currency: "EUR".into(),
            },
            None,
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
        partners::link_supplier(&hdb, t.id(), acme.id())
            .await
            .map_err(|e| e.to_string())?;
        sellers.push(t.id());
    }
    let setup = setup.elapsed();
    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .map_err(|e| e.to_string())?;
    let sold: Vec<&str> = skus
        .iter()
        .filter(|i| store.detail(&i.sku).is_some())
        .map(|i| i.sku.as_str())
        .collect();
    if sold.len() < args.lines * 10 {
        return Err(format!(
            "acme sells only {} of the bench products",
            sold.len()
        ));
    }
    let adb = operator(&app.db, &acme);
    let buyer = Person {
        user: None,
        name: "Bench buyer".into(),
        email: "buyer@acme.example".into(),
    };
    let mut times = Vec::with_capacity(args.requests);
    let stride = sold.len() / (args.lines * (args.requests + 3)).max(1);
    for r in 0..args.requests + 3 {
        let lines: Vec<LineInput> = (0..args.lines)
            .map(|l| LineInput {
                kind: "product".into(),
                sku: sold[((r * args.lines + l) * stride.max(1)) % sold.len()].to_owned(),
                quantity: u32::try_from(10 + (r + l) % 90).unwrap_or(10),
                ..Default::default()
            })
            .collect();
        let d = quotes::rfq::save_draft(
            &adb,
            &store,
            None,
            &DraftInput {
                title: format!("Bench request {r}"),
                country: "DE".into(),
                postal_code: "80331".into(),
                address: "Bench street 1".into(),
                lines,
                ..Default::default()
            },
            None,
            &buyer,
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
        let input = SendInput {
            distributors: sellers.clone(),
            deadline: Some(now + chrono::Duration::days(7)),
            close_after: 0,
            close_on_targets: false,
        };
        let started = Instant::now();
        let v = quotes::rfq::send(&adb, d.id, &input, None, now)
            .await
            .map_err(|e| e.to_string())?;
        let took = started.elapsed();
        let complete = v
            .quotes
            .iter()
            .filter(|q| {
                q.state == QuoteState::Offered && q.current().is_some_and(|o| o.complete(&v.rfq))
            })
            .count();
        if complete != args.distributors {
            return Err(format!(
                "request {r}: {complete} of {} distributors answered every line",
                args.distributors
            ));
        }
        if r >= 3 {
            times.push(took);
        }
    }
    times.sort();
    Ok(format!(
        "BENCH_QUOTES skus={} distributors={} lines={} requests={} setup_s={:.0} p50_ms={} p99_ms={} min_ms={} max_ms={}",
        args.skus,
        args.distributors,
        args.lines,
        times.len(),
        setup.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(times.first().copied().unwrap_or_default()),
        ms(times.last().copied().unwrap_or_default()),
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
            eprintln!("hub-bench-quotes: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hub-bench-quotes: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
