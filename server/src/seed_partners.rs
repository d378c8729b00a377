//! The demo partner network for `hub seed`: two distributors, `north` (answers by hand in its
//! console) and `swift` (integrated: its systems use the partner API with the demo key),
//! each with a price list over most of the catalog, territories and links to acme and bolt;
//! and acme, which also fulfils from its own stock. Idempotent.

use std::path::Path;

use tenants::access::operator;
use tenants::catalog::CatalogCache;
use tenants::partners::api_keys::{self, Mode, Scope};
use tenants::partners::price_list::{self, Break, PriceInput};
use tenants::partners::profile::{self, ProfileInput};
use tenants::partners::territories::{self, Region};
use tenants::partners::{self, NewDistributor};
use tenants::registry::{self, Tenant};
use tenants::{Database, Error, TenantDb};

use crate::config::Config;

struct DemoDistributor {
    slug: &'static str,
    name: &'static str,
    owner: &'static str,
    contact: &'static str,
    /// Price as a percentage of the list price (within the hub's default policy).
    pct: i64,
    /// Of every `every` master products, the one it does not carry.
    skip_every: usize,
    stock: Option<u32>,
    lead_days: u32,
    regions: &'static [(&'static str, Option<&'static str>)],
}

const DISTRIBUTORS: [DemoDistributor; 2] = [
    DemoDistributor {
        slug: "north",
        name: "North Distribution",
        owner: "Nora North",
        contact: "orders@north.demo",
        pct: 96,
        skip_every: 7,
        stock: Some(250),
        lead_days: 2,
        regions: &[("DE", None), ("AT", None), ("CH", None), ("DK", None)],
    },
    DemoDistributor {
        slug: "swift",
        name: "Swift Wholesale",
        owner: "Sol Swift",
        contact: "integration@swift.demo",
        pct: 93,
        skip_every: 5,
        stock: None,
        lead_days: 5,
        regions: &[("DE", None), ("FR", None), ("NL", None), ("BE", None)],
    },
];

/// The file the demo key of swift is kept in (development only), so every `hub seed` can print
/// it again: the hub itself stores only its hash.
fn key_file(cfg: &Config) -> std::path::PathBuf {
    cfg.data_dir.join("demo").join("swift-api-key.txt")
}

fn hub_handle(db: &Database, hub: &Tenant) -> TenantDb {
    operator(db, hub)
}

/// Creates what is missing and prints the partners' logins and the demo API key.
pub async fn run(cfg: &Config, db: &Database, hub: &Tenant, password: &str) -> Result<(), Error> {
    let hdb = hub_handle(db, hub);
    let catalog = CatalogCache::new(16 * 1024);
    let master = catalog.master(db).await?;
    let acme = registry::find_by_slug(db, "acme").await?;
    let bolt = registry::find_by_slug(db, "bolt").await?;
    for d in DISTRIBUTORS {
        let owner = format!("owner@{}.demo", d.slug);
        let tenant = match registry::find_by_slug(db, d.slug).await? {
            Some(t) => t,
            None => {
                partners::create_distributor(
                    db,
                    &hdb,
                    NewDistributor {
                        name: d.name,
                        slug: d.slug,
                        profile: ProfileInput {
                            contact_name: d.owner.into(),
                            contact_email: d.contact.into(),
                            currency: "EUR".into(),
                            fulfils: None,
                            ack_window_hours: None,
                        },
                        admin_name: d.owner,
                        admin_email: &owner,
                        admin_password: password,
                    },
                )
                .await?
                .0
            }
        };
        let pdb = operator(db, &tenant);
        if price_list::list(&pdb, None, 1).await?.items.is_empty() {
            let rows: Vec<PriceInput> = master
                .items
                .iter()
                .enumerate()
                .filter(|(i, _)| i % d.skip_every != 0)
                .map(|(i, item)| {
                    let price = item.price.percent(d.pct).minor;
                    PriceInput {
                        sku: item.sku.clone(),
                        partner_sku: Some(format!("{}-{:05}", d.slug.to_ascii_uppercase(), i + 1)),
                        price_minor: price,
                        currency: item.price.currency.code().to_owned(),
                        min_quantity: 1,
                        breaks: vec![Break {
                            min_quantity: 10,
                            price_minor: item.price.percent(d.pct - 3).minor,
                        }],
                        stock: d.stock,
                        lead_days: d.lead_days,
                        valid_from: None,
                        valid_to: None,
                    }
                })
                .collect();
            for chunk in rows.chunks(price_list::MAX_BATCH) {
                price_list::upsert(&pdb, &master, chunk)
                    .await
                    .map_err(|e| Error::validation("price list", e.to_string()))?;
            }
        }
        if territories::list(&pdb).await?.is_empty() {
            let regions: Vec<Region> = d
                .regions
                .iter()
                .map(|(c, s)| Region {
                    country: (*c).into(),
                    subdivision: s.map(Into::into),
                    postal_prefix: None,
                })
                .collect();
            territories::replace(&pdb, &regions).await?;
        }
        for reseller in [&acme, &bolt].into_iter().flatten() {
            partners::link_supplier(&hdb, tenant.id(), reseller.id()).await?;
        }
        let url = cfg.store_url(d.slug);
        let role = format!("{} admin", d.slug);
        println!("  {role:<16} {owner:<24} at {url}/login");
    }
    // acme also fulfils from its own stock: a partner profile that opts in.
    if let Some(acme) = &acme {
        let adb = operator(db, acme);
        if profile::get(&adb).await.is_err() {
            profile::put(
                &adb,
                &ProfileInput {
                    contact_name: "Ada Acme".into(),
                    contact_email: "owner@acme.demo".into(),
                    currency: "EUR".into(),
                    fulfils: Some(true),
                    ack_window_hours: None,
                },
                None,
            )
            .await?;
            territories::replace(
                &adb,
                &[Region {
                    country: "DE".into(),
                    subdivision: None,
                    postal_prefix: None,
                }],
            )
            .await?;
        }
        // Its own stock: what its store sells, at its store's prices, a dozen of each on hand.
        if price_list::list(&adb, None, 1).await?.items.is_empty() {
            let store = catalog.storefront(db, acme).await?;
            let rows: Vec<PriceInput> = master
                .items
                .iter()
                .filter_map(|item| store.detail(&item.sku))
                .map(|d| PriceInput {
                    sku: d.product.sku.clone(),
                    partner_sku: None,
                    price_minor: d.product.price.minor,
                    currency: d.product.price.currency.code().into(),
                    min_quantity: 1,
                    breaks: Vec::new(),
                    stock: Some(12),
                    lead_days: 1,
                    valid_from: None,
                    valid_to: None,
                })
                .collect();
            for chunk in rows.chunks(price_list::MAX_BATCH) {
                price_list::upsert(&adb, &master, chunk)
                    .await
                    .map_err(|e| Error::validation("price list", e.to_string()))?;
            }
        }
    }
    if let Some(swift) = registry::find_by_slug(db, "swift").await? {
        let key = demo_key(cfg, &operator(db, &swift)).await?;
        println!();
        println!("swift's demo API key (live, every scope): {key}");
        println!(
            "  try: curl -H 'Authorization: Bearer {key}' {}/partner/v1/profile",
            cfg.public_url()
        );
        println!("  API reference: {}/partner/v1/docs", cfg.public_url());
        println!(
            "  swift's order system (the reference partner: registers its webhook endpoint, verifies \
             every delivery, pulls prices):"
        );
        println!(
            "    cargo run -p reference-partner -- --hub {} --key {key}",
            cfg.public_url()
        );
    }
    Ok(())
}

/// swift's demo key: created once and kept in the data directory, so it can be printed again.
async fn demo_key(cfg: &Config, swift: &TenantDb) -> Result<String, Error> {
    let file = key_file(cfg);
    if let Ok(key) = std::fs::read_to_string(&file) {
        let key = key.trim().to_owned();
        if api_keys::well_formed(&key) {
            return Ok(key);
        }
    }
    let new = api_keys::create(swift, "Swift ERP (demo)", Mode::Live, &Scope::ALL).await?;
    write_key(&file, &new.key).map_err(|e| Error::validation("data.dir", e.to_string()))?;
    Ok(new.key)
}

fn write_key(file: &Path, key: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(file, format!("{key}\n"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
