//! The dataset behind `hub-bench-data`: a synthetic hub for `make bench` (scripts/bench.sh). A master catalog of
//! N products in a tree of categories, imported as one CSV (the import is timed: it is one of
//! the figures), then S approved reseller stores, each published with branding, a pricing
//! rule and overrides on about P % of the catalog (prices within the hub's range, names,
//! featured flags). Everything goes through the domain's public API, so the dataset is one
//! the hub itself could have produced.
//!
//! Stores come two ways, both timed: the first few through the reseller sign-up (argon2 hash,
//! admin account, the hub's link to the partner: what a real application does, ~0.1 s each
//! for the hash alone), the rest through `registry::create` + `registry::set_status`, the
//! registry's own path. Those stores serve exactly like the others but have no admin account
//! and are not in the hub's partner list: for a storefront benchmark that makes no difference,
//! and 10,000 argon2 hashes would take a quarter of an hour on two cores.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use tenants::auth::signup::{self, ResellerApplication};
use tenants::catalog::csv_io::{self, ImportError, ProgressFn};
use tenants::catalog::master::{self, CategoryInput};
use tenants::catalog::snapshot::Master;
use tenants::catalog::store::{self, Branding, Field, Font, Selection, StoreSetup, Value};
use tenants::catalog::{CatalogCache, PricingRule, Rounding, Sort};
use tenants::registry::{self, TenantKind};
use tenants::{Database, Error, Tenant, TenantStatus};
use tokio::task::JoinSet;

use server::config::{Config, ConfigError};
use server::startup;

/// The category the benchmark pages show (a leaf with 1/20 of the catalog).
pub const BENCH_CATEGORY: &str = "cordless-drills";
/// The password of the sign-up stores' admins (development datasets only).
pub const BENCH_PASSWORD: &str = "bench-password-2026";
/// Products per category page, as the storefront shows them.
const PAGE: usize = 48;

/// Four departments of five leaf categories: `(department, [(leaf, product noun)])`.
const TREE: [(&str, [(&str, &str); 5]); 4] = [
    (
        "Power Tools",
        [
            ("Cordless Drills", "Drill"),
            ("Angle Grinders", "Grinder"),
            ("Circular Saws", "Saw"),
            ("Sanders", "Sander"),
            ("Impact Drivers", "Impact Driver"),
        ],
    ),
    (
        "Hand Tools",
        [
            ("Hammers", "Hammer"),
            ("Screwdrivers", "Screwdriver"),
            ("Pliers", "Pliers"),
            ("Wrenches", "Wrench"),
            ("Chisels", "Chisel"),
        ],
    ),
    (
        "Garden",
        [
            ("Lawn Mowers", "Mower"),
            ("Hedge Trimmers", "Hedge Trimmer"),
            ("Hoses", "Hose"),
            ("Pruners", "Pruner"),
            ("Wheelbarrows", "Wheelbarrow"),
        ],
    ),
    (
        "Workshop",
        [
            ("Workbenches", "Workbench"),
            ("Clamps", "Clamp"),
            ("Storage", "Tool Case"),
            ("Lighting", "Work Light"),
            ("Safety Gear", "Safety Kit"),
        ],
    ),
];
const LEAVES: usize = 20;

/// Space-separated word lists for product names.
const ADJECTIVES: &str = "Compact Heavy-Duty Pro Lightweight Precision Rugged Classic Ultra Smart Quiet Rapid Ergonomic Industrial Essential Premium Titan";
const MATERIALS: &str = "Steel Carbon Alloy Graphite Chrome Titanium Oak Composite";
const FEATURES: [&str; 12] = [
    "a soft-grip handle",
    "a hardened steel core",
    "a brushless motor",
    "a quick-release chuck",
    "an anti-vibration frame",
    "a weather-sealed body",
    "an LED work light",
    "a magnetic bit holder",
    "a two-speed gearbox",
    "a tool-free blade change",
    "a belt clip",
    "a rust-proof finish",
];
const COLOURS: [&str; 6] = ["Red", "Blue", "Yellow", "Black", "Green", "Orange"];

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetSpec {
    /// Products in the master catalog.
    pub skus: u32,
    /// Approved reseller stores, all live.
    pub stores: u32,
    /// The share of the catalog each store overrides, in percent (one field per product).
    pub override_pct: f64,
    /// How many of the stores go through the full reseller sign-up (the rest through
    /// `registry::create`); see the module documentation.
    pub signup_stores: u32,
    /// Stores created at once. 1 is as fast on SQLite, whose writes are serialised anyway
    /// (write transactions queue on `BEGIN IMMEDIATE`).
    pub jobs: usize,
    /// Seeds the generator: the same spec and seed give the same catalog and overrides.
    pub seed: u64,
}

impl DatasetSpec {
    /// ≈1,000 SKUs and 3 stores (all signed up) overriding 20 % of the catalog: the bench
    /// category has 50 products, about 10 of them overridden in each store. (scripts/bench.sh
    /// passes these numbers as flags; the tests check them here.)
    #[cfg(test)]
    pub fn small() -> Self {
        Self {
            skus: 1_000,
            stores: 3,
            override_pct: 20.0,
            signup_stores: 3,
            jobs: 1,
            seed: 1,
        }
    }

    /// 10,000 stores × 100,000 SKUs × 1 % overrides per store (10 million override rows).
    #[cfg(test)]
    pub fn scale() -> Self {
        Self {
            skus: 100_000,
            stores: 10_000,
            override_pct: 1.0,
            signup_stores: 20,
            jobs: 1,
            seed: 1,
        }
    }

    fn overrides_per_store(&self) -> usize {
        let n = (f64::from(self.skus) * self.override_pct / 100.0).round();
        (n.max(0.0) as usize).min(self.skus as usize)
    }

    fn check(&self) -> Result<(), Error> {
        if self.skus == 0 || self.skus > 999_999 {
            return Err(Error::validation("skus", "must be 1 to 999,999"));
        }
        if self.stores > 99_999 {
            return Err(Error::validation("stores", "must be at most 99,999"));
        }
        if !(0.0..=100.0).contains(&self.override_pct) {
            return Err(Error::validation("override_pct", "must be 0 to 100"));
        }
        Ok(())
    }
}

/// What was generated, and how long it took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetReport {
    pub skus: u64,
    pub categories: u64,
    pub stores: u64,
    pub signup_stores: u64,
    /// Override rows written, over all stores.
    pub overrides: u64,
    /// The CSV import of the master catalog (checking and writing, one transaction).
    pub import: Duration,
    pub csv_bytes: u64,
    /// Wall time of the sign-up stores (creation, approval, publication).
    pub signup_time: Duration,
    /// Wall time of the other stores (creation, approval, publication).
    pub create_time: Duration,
    /// Building the master snapshot from the database, cold.
    pub master_snapshot: Duration,
    /// Building the bench store's snapshot over a built master, cold.
    pub store_snapshot: Duration,
    /// The bench store's snapshot as the cache weighs it.
    pub store_snapshot_kib: u64,
    /// The store whose pages the benchmark measures, and its category.
    pub bench_store: String,
    pub bench_category: String,
    pub bench_category_products: u64,
    /// Products on the first page of the bench category that differ from the master.
    pub bench_page_overridden: u64,
    pub total: Duration,
}

impl DatasetReport {
    pub fn import_rows_per_sec(&self) -> f64 {
        per_sec(self.skus, self.import)
    }

    /// `KEY=value` lines (numbers and slugs, no spaces) for scripts to source.
    pub fn to_env(&self) -> String {
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        let s = |d: Duration| format!("{:.2}", d.as_secs_f64());
        let fast = self.stores - self.signup_stores;
        let lines = [
            ("DS_SKUS", self.skus.to_string()),
            ("DS_CATEGORIES", self.categories.to_string()),
            ("DS_STORES", self.stores.to_string()),
            ("DS_SIGNUP_STORES", self.signup_stores.to_string()),
            ("DS_OVERRIDES", self.overrides.to_string()),
            ("DS_CSV_BYTES", self.csv_bytes.to_string()),
            ("DS_IMPORT_SECS", s(self.import)),
            (
                "DS_IMPORT_ROWS_PER_SEC",
                format!("{:.0}", self.import_rows_per_sec()),
            ),
            ("DS_SIGNUP_SECS", s(self.signup_time)),
            (
                "DS_SIGNUP_MS_PER_STORE",
                ms(per_item(self.signup_time, self.signup_stores)),
            ),
            ("DS_CREATE_SECS", s(self.create_time)),
            (
                "DS_CREATE_MS_PER_STORE",
                ms(per_item(self.create_time, fast)),
            ),
            ("DS_MASTER_SNAPSHOT_MS", ms(self.master_snapshot)),
            ("DS_STORE_SNAPSHOT_MS", ms(self.store_snapshot)),
            ("DS_STORE_SNAPSHOT_KIB", self.store_snapshot_kib.to_string()),
            ("DS_BENCH_STORE", self.bench_store.clone()),
            ("DS_BENCH_CATEGORY", self.bench_category.clone()),
            (
                "DS_BENCH_CATEGORY_PRODUCTS",
                self.bench_category_products.to_string(),
            ),
            (
                "DS_BENCH_PAGE_OVERRIDDEN",
                self.bench_page_overridden.to_string(),
            ),
            ("DS_TOTAL_SECS", s(self.total)),
        ];
        let mut out = String::new();
        for (k, v) in lines {
            let _ = writeln!(out, "{k}={v}");
        }
        out
    }
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn per_item(d: Duration, n: u64) -> Duration {
    if n == 0 {
        Duration::ZERO
    } else {
        d.div_f64(n as f64)
    }
}

/// The slug of store `n` (1-based): `store-00001`.
pub fn store_slug(n: u32) -> String {
    format!("store-{n:05}")
}

/// A small deterministic generator (SplitMix64): reproducible datasets without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform enough in `0..n` for a benchmark (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }

    /// `k` distinct indexes of `0..n` (Floyd's sampling).
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut set = HashSet::with_capacity(k);
        for j in n - k.min(n)..n {
            let t = self.below(j as u64 + 1) as usize;
            if !set.insert(t) {
                set.insert(j);
            }
        }
        let mut v: Vec<usize> = set.into_iter().collect();
        v.sort_unstable();
        v
    }
}

fn leaf(i: usize) -> (&'static str, &'static str) {
    let l = i % LEAVES;
    TREE[l / 5].1[l % 5]
}

/// A CSV cell, quoted when it must be.
fn cell(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The master catalog as the CSV the hub's import reads: `skus` active products spread
/// round-robin over the leaf categories, priced €4.99 to €999.99.
pub fn catalog_csv(skus: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let adjectives: Vec<&str> = ADJECTIVES.split(' ').collect();
    let materials: Vec<&str> = MATERIALS.split(' ').collect();
    let mut out = String::with_capacity(skus as usize * 330);
    out.push_str("sku,name,description,price,currency,category,status,attributes,image\n");
    for i in 0..skus as usize {
        let (cat, noun) = leaf(i);
        let name = format!(
            "{} {} {} {}{:04}",
            rng.pick(&adjectives),
            rng.pick(&materials),
            noun,
            (b'A' + (rng.below(26) as u8)) as char,
            i % 10_000
        );
        let description = format!(
            "The **{name}** is made for daily work: {}, {} and {}.\n\nBacked by a {}-year warranty and spare parts for ten years. Part of our {} range.",
            rng.pick(&FEATURES),
            rng.pick(&FEATURES),
            rng.pick(&FEATURES),
            1 + rng.below(5),
            cat.to_lowercase(),
        );
        let minor = 499 + rng.below(99_501);
        let attributes = format!(
            "Colour={}; Weight={}.{} kg; Warranty={} years",
            rng.pick(&COLOURS),
            rng.below(20),
            rng.below(10),
            1 + rng.below(5)
        );
        let _ = write!(out, "BN-{i:06},");
        cell(&mut out, &name);
        out.push(',');
        cell(&mut out, &description);
        let _ = write!(
            out,
            ",{}.{:02},EUR,{},active,",
            minor / 100,
            minor % 100,
            master::slugify(cat)
        );
        cell(&mut out, &attributes);
        out.push_str(",\n");
    }
    out.into_bytes()
}

fn import_error(e: ImportError) -> Error {
    match e {
        ImportError::Other(e) => e,
        ImportError::File(m) => Error::validation("csv", m),
        ImportError::Rows { errors, total } => Error::validation(
            "csv",
            format!(
                "{total} bad rows, the first: {}",
                errors
                    .first()
                    .map(|r| format!("line {}: {}", r.line, r.reasons.join("; ")))
                    .unwrap_or_default()
            ),
        ),
    }
}

fn task_error(e: tokio::task::JoinError) -> Error {
    Error::validation("stores", format!("a store task failed: {e}"))
}

/// The store's setup: branding, a markup within the hub's policy and one override on each of
/// `overrides_per_store` products picked at random.
fn setup_for(n: u32, master: &Master, spec: &DatasetSpec) -> Result<StoreSetup, Error> {
    let policy = &master.policy;
    let pricing = PricingRule::new(
        (n % 5) as i32 * 250,
        if n.is_multiple_of(2) {
            Rounding::Ends99
        } else {
            Rounding::None
        },
    )?;
    store::check_pricing(&pricing, policy)?;
    let branding = Branding {
        tagline: format!("Bench store {n}: tools for every trade"),
        hero_text: "Everything from the master catalog, at this store's prices.".to_owned(),
        font: Font::ALL[n as usize % Font::ALL.len()],
        ..Branding::default()
    };
    let slug = store_slug(n);
    let mut rng = Rng::new(spec.seed.wrapping_mul(1_000_003) ^ u64::from(n));
    let picks = rng.sample(master.items.len(), spec.overrides_per_store());
    let mut overrides = Vec::with_capacity(picks.len());
    for i in picks {
        let m = &master.items[i];
        let roll = rng.below(10);
        let (field, value) = match roll {
            0..=4 => {
                let pct = i64::from(policy.price_min_pct)
                    + rng.below((policy.price_max_pct - policy.price_min_pct + 1).max(1) as u64)
                        as i64;
                (Field::Price, Value::Price(m.price.percent(pct).minor))
            }
            5..=7 => (
                Field::Name,
                Value::Text(format!("{} ({slug} pick)", m.name)),
            ),
            _ => (Field::Featured, Value::Flag(true)),
        };
        if !policy.is_locked(field) {
            overrides.push((m.id, field, value));
        }
    }
    Ok(StoreSetup {
        branding,
        selection: Selection {
            all: true,
            ..Selection::default()
        },
        pricing,
        overrides,
    })
}

/// Creates, approves and publishes store `n`. Returns the store and its override count.
async fn make_store(
    db: Database,
    hub: Tenant,
    master: Arc<Master>,
    spec: Arc<DatasetSpec>,
    n: u32,
    via_signup: bool,
) -> Result<(Tenant, u64), Error> {
    let slug = store_slug(n);
    let company = format!("Bench Store {n:05}");
    let tenant = if via_signup {
        let email = format!("owner@{slug}.bench.test");
        signup::reseller(
            &db,
            &hub,
            ResellerApplication {
                company: &company,
                slug: &slug,
                name: "Bench Owner",
                email: &email,
                password: BENCH_PASSWORD,
            },
        )
        .await?
        .0
    } else {
        registry::create(&db, TenantKind::Reseller, &slug, &company).await?
    };
    let tenant = registry::set_status(&db, &tenant, TenantStatus::Approved).await?;
    let setup = setup_for(n, &master, &spec)?;
    store::publish(&tenants::access::operator(&db, &tenant), &setup).await?;
    Ok((tenant, setup.overrides.len() as u64))
}

/// Creates stores `from..=to`, `jobs` at a time. Returns the override rows written.
async fn make_stores(
    db: &Database,
    hub: &Tenant,
    master: &Arc<Master>,
    spec: &Arc<DatasetSpec>,
    (from, to): (u32, u32),
    via_signup: bool,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<u64, Error> {
    let total = u64::from(to.saturating_sub(from) + 1);
    let every = (total / 10).max(1);
    let started = Instant::now();
    let mut set = JoinSet::new();
    let mut overrides = 0;
    let mut done: u64 = 0;
    let mut finish =
        |r: Result<Result<(Tenant, u64), Error>, tokio::task::JoinError>| -> Result<(), Error> {
            let (_, o) = r.map_err(task_error)??;
            overrides += o;
            done += 1;
            if done.is_multiple_of(every) || done == total {
                let rate = per_sec(done, started.elapsed());
                progress(&format!(
                    "  {done}/{total} stores ({rate:.1}/s, {} via {})",
                    fmt_duration(started.elapsed()),
                    if via_signup {
                        "sign-up"
                    } else {
                        "registry::create"
                    }
                ));
            }
            Ok(())
        };
    for n in from..=to {
        while set.len() >= spec.jobs.max(1) {
            if let Some(r) = set.join_next().await {
                finish(r)?;
            }
        }
        set.spawn(make_store(
            db.clone(),
            hub.clone(),
            master.clone(),
            spec.clone(),
            n,
            via_signup,
        ));
    }
    while let Some(r) = set.join_next().await {
        finish(r)?;
    }
    Ok(overrides)
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.2} s")
    } else if s < 120.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

/// Generates the dataset into a hub that has no catalog yet: categories, the master catalog
/// (by CSV import), then the stores. `progress` gets one line per step.
pub async fn generate(
    db: &Database,
    hub: &Tenant,
    spec: &DatasetSpec,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<DatasetReport, Error> {
    spec.check()?;
    if hub.kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let started = Instant::now();
    let hub_db = tenants::access::operator(db, hub);
    let mut report = DatasetReport {
        bench_store: store_slug(1),
        bench_category: BENCH_CATEGORY.to_owned(),
        ..DatasetReport::default()
    };

    progress(&format!(
        "categories: {} departments, {LEAVES} leaves",
        TREE.len()
    ));
    for (pi, (department, leaves)) in TREE.iter().enumerate() {
        let parent = master::save_category(
            &hub_db,
            None,
            &CategoryInput {
                name: (*department).to_owned(),
                slug: String::new(),
                parent: String::new(),
                position: pi as i32,
            },
        )
        .await?;
        report.categories += 1;
        for (li, (name, _)) in leaves.iter().enumerate() {
            master::save_category(
                &hub_db,
                None,
                &CategoryInput {
                    name: (*name).to_owned(),
                    slug: String::new(),
                    parent: parent.id.to_string(),
                    position: li as i32,
                },
            )
            .await?;
            report.categories += 1;
        }
    }

    let csv = catalog_csv(spec.skus, spec.seed);
    report.csv_bytes = csv.len() as u64;
    progress(&format!(
        "master catalog: importing {} products ({:.1} MB of CSV)",
        spec.skus,
        csv.len() as f64 / 1e6
    ));
    let noop: ProgressFn = Arc::new(|_| {});
    let t = Instant::now();
    let imported = csv_io::import(&hub_db, csv, noop)
        .await
        .map_err(import_error)?;
    report.import = t.elapsed();
    report.skus = imported.rows;
    progress(&format!(
        "  imported {} rows in {} ({:.0} rows/s)",
        imported.rows,
        fmt_duration(report.import),
        report.import_rows_per_sec()
    ));

    let cache = CatalogCache::new(4 << 20);
    let t = Instant::now();
    let master = cache.master(db).await?;
    report.master_snapshot = t.elapsed();

    let spec = Arc::new(spec.clone());
    let signups = spec.signup_stores.min(spec.stores);
    report.stores = u64::from(spec.stores);
    report.signup_stores = u64::from(signups);
    progress(&format!(
        "stores: {} ({} via the reseller sign-up, {} via registry::create), {} overrides each",
        spec.stores,
        signups,
        spec.stores - signups,
        spec.overrides_per_store()
    ));
    if signups > 0 {
        let t = Instant::now();
        report.overrides +=
            make_stores(db, hub, &master, &spec, (1, signups), true, progress).await?;
        report.signup_time = t.elapsed();
    }
    if spec.stores > signups {
        let t = Instant::now();
        report.overrides += make_stores(
            db,
            hub,
            &master,
            &spec,
            (signups + 1, spec.stores),
            false,
            progress,
        )
        .await?;
        report.create_time = t.elapsed();
    }

    if spec.stores > 0
        && let Some(bench) = registry::find_by_slug(db, &report.bench_store).await?
    {
        // The master snapshot expires after 10 idle minutes (a large dataset takes longer to
        // write): fetch it first so the timing below is the store's alone. The cache holds the
        // hub's own store too, hence the difference in weight.
        cache.master(db).await?;
        let before = cache.usage().await.1;
        let t = Instant::now();
        let sf = cache.storefront(db, &bench).await?;
        report.store_snapshot = t.elapsed();
        report.store_snapshot_kib = cache.usage().await.1.saturating_sub(before);
        if let Some(c) = sf.category(BENCH_CATEGORY) {
            report.bench_category_products = c.count() as u64;
            let page = sf.list(c, Sort::Featured, 0, PAGE);
            report.bench_page_overridden = page
                .items
                .iter()
                .filter(|p| {
                    let base = master.items.iter().find(|m| m.id == p.id);
                    p.featured
                        || base.is_some_and(|m| {
                            m.name != p.name || sf.settings.pricing.apply(m.price) != p.price
                        })
                })
                .count() as u64;
        }
    }
    report.total = started.elapsed();
    Ok(report)
}

/// Where and how large: the dataset goes into a fresh SQLite data directory.
#[derive(Clone, Debug, Args)]
pub struct BenchDataArgs {
    /// A new data directory for the dataset (refused if it already holds a hub.db).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Approved, live reseller stores.
    #[arg(long, default_value_t = 3)]
    pub stores: u32,
    /// Products in the master catalog.
    #[arg(long, default_value_t = 1_000)]
    pub skus: u32,
    /// The share of the catalog each store overrides, in percent.
    #[arg(long, default_value_t = 20.0)]
    pub override_pct: f64,
    /// Stores created through the full reseller sign-up (argon2 hash, admin account); the
    /// rest through registry::create [default: up to 20].
    #[arg(long)]
    pub signup_stores: Option<u32>,
    /// Stores created at once (keep 1 on SQLite; see `DatasetSpec::jobs`).
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Seeds the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl BenchDataArgs {
    pub fn spec(&self) -> DatasetSpec {
        DatasetSpec {
            skus: self.skus,
            stores: self.stores,
            override_pct: self.override_pct,
            signup_stores: self.signup_stores.unwrap_or(20).min(self.stores),
            jobs: self.jobs,
            seed: self.seed,
        }
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Generates the dataset: a SQLite hub at `args.out` (the configuration's hub name and
/// tagline; every other setting at its default), the dataset, and `dataset.env` beside the
/// database with the report's figures.
pub async fn run(cfg: &Config, args: BenchDataArgs) -> Result<(), ConfigError> {
    let out = args.out.clone();
    if out.join("hub.db").exists() {
        return Err(ConfigError::new(
            "--out",
            format!(
                "{} already holds a hub.db; bench-data only writes into a fresh directory (remove it first)",
                out.display()
            ),
        ));
    }
    let dir = out.to_string_lossy().into_owned();
    let mut bench_cfg = Config::with_overrides([("data.dir", dir.as_str())])?;
    bench_cfg.hub_name.clone_from(&cfg.hub_name);
    bench_cfg.hub_tagline.clone_from(&cfg.hub_tagline);
    startup::check_data_dir(&bench_cfg)?;
    let db = startup::open_database(&bench_cfg).await?;
    startup::migrate_as_owner(&bench_cfg, &db).await?;
    let as_config_error = |e: Error| match e {
        Error::Validation { field, message } => ConfigError::new(field, message),
        other => ConfigError::new("database.url", other.to_string()),
    };
    let hub = registry::ensure_hub(&db, &bench_cfg.hub_name, &bench_cfg.hub_tagline)
        .await
        .map_err(as_config_error)?;
    let spec = args.spec();
    eprintln!(
        "bench-data: {} SKUs, {} stores, {} % overrides per store, into {}",
        spec.skus,
        spec.stores,
        spec.override_pct,
        out.display()
    );
    let progress = |line: &str| eprintln!("bench-data: {line}");
    let report = generate(&db, &hub, &spec, &progress)
        .await
        .map_err(as_config_error)?;
    db.close().await.ok();
    let mut env = report.to_env();
    let _ = writeln!(env, "DS_DB_BYTES={}", dir_bytes(&out));
    let _ = writeln!(env, "DS_OVERRIDE_PCT={}", spec.override_pct);
    let _ = writeln!(env, "DS_SEED={}", spec.seed);
    std::fs::write(out.join("dataset.env"), &env)
        .map_err(|e| ConfigError::new("--out", format!("cannot write dataset.env: {e}")))?;
    println!(
        "Generated {} products in {} categories, {} stores ({} via sign-up), {} overrides in {}.",
        report.skus,
        report.categories,
        report.stores,
        report.signup_stores,
        report.overrides,
        fmt_duration(report.total)
    );
    println!(
        "CSV import: {} rows in {} = {:.0} rows/s.",
        report.skus,
        fmt_duration(report.import),
        report.import_rows_per_sec()
    );
    println!(
        "Bench page: http://{}.{}:<port>/c/{}?page=0 ({} products, {} of the first {PAGE} overridden).",
        report.bench_store,
        bench_cfg.domain,
        report.bench_category,
        report.bench_category_products,
        report.bench_page_overridden
    );
    println!("Figures: {}", out.join("dataset.env").display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_distinct_and_in_range() {
        let mut rng = Rng::new(7);
        for (n, k) in [(10, 10), (100, 1), (1000, 200), (5, 0), (3, 9)] {
            let v = rng.sample(n, k);
            assert_eq!(v.len(), k.min(n));
            assert!(v.iter().all(|i| *i < n));
            let set: HashSet<_> = v.iter().collect();
            assert_eq!(set.len(), v.len());
        }
    }

    #[test]
    fn the_csv_is_what_the_import_reads() {
        let csv = String::from_utf8(catalog_csv(40, 1)).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "sku,name,description,price,currency,category,status,attributes,image"
        );
        assert!(lines[1].starts_with("BN-000000,"));
        assert!(csv.contains(",cordless-drills,active,"));
        assert_eq!(catalog_csv(40, 1), catalog_csv(40, 1));
        assert_eq!(DatasetSpec::small().overrides_per_store(), 200);
        assert_eq!(DatasetSpec::scale().overrides_per_store(), 1_000);
        assert_eq!(master::slugify(TREE[0].1[0].0), BENCH_CATEGORY);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_generated_hub_has_live_stores_with_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
        let db = Database::open(&url, &tenants::DbOptions::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let hub = registry::ensure_hub(&db, "Bench Hub", "Benchmarks")
            .await
            .unwrap();
        let spec = DatasetSpec {
            skus: 1_000,
            stores: 3,
            override_pct: 20.0,
            signup_stores: 1,
            jobs: 1,
            seed: 3,
        };
        let lines = std::sync::Mutex::new(Vec::new());
        let progress = |l: &str| lines.lock().unwrap().push(l.to_owned());
        let r = generate(&db, &hub, &spec, &progress).await.unwrap();
        assert_eq!(
            (r.skus, r.categories, r.stores, r.signup_stores),
            (1_000, 24, 3, 1)
        );
        assert_eq!(r.overrides, 600);
        assert_eq!(r.bench_category_products, 50);
        assert!(r.bench_page_overridden > 0, "{r:?}");
        assert!(!lines.lock().unwrap().is_empty());
        for n in 1..=3 {
            let t = registry::find_by_slug(&db, &store_slug(n))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(t.status(), TenantStatus::Approved);
        }
        let env = r.to_env();
        assert!(env.contains("DS_BENCH_STORE=store-00001\n"), "{env}");
        assert!(env.lines().all(|l| !l.contains(' ')), "{env}");
    }
}
