//! `hub seed`: the demo hub with demo partners and logins, and `hub admin create`. Idempotent:
//! what exists is kept, so `make run` can call it on every start.

use tenants::auth::signup::{self, ResellerApplication};
use tenants::auth::users::{self, NewUser};
use tenants::auth::{Role, User};
use tenants::registry::{self, Tenant};
use tenants::{Database, Error, TenantStatus};

use crate::config::{Config, RunEnv};

/// The password of every demo account (development only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";
pub const DEMO_HUB_ADMIN: &str = "admin@hub.demo";

struct DemoReseller {
    slug: &'static str,
    company: &'static str,
    owner: &'static str,
    approved: bool,
}

const RESELLERS: [DemoReseller; 4] = [
    DemoReseller {
        slug: "acme",
        company: "Acme Outfitters",
        owner: "Ada Acme",
        approved: true,
    },
    DemoReseller {
        slug: "bolt",
        company: "Bolt Supply Co.",
        owner: "Ben Bolt",
        approved: true,
    },
    // Approved, store not set up yet: its admin meets the store wizard.
    DemoReseller {
        slug: "dash",
        company: "Dash Hardware",
        owner: "Dana Dash",
        approved: true,
    },
    DemoReseller {
        slug: "carl",
        company: "Carl's Corner Shop",
        owner: "Carla Carl",
        approved: false,
    },
];

async fn hub(cfg: &Config, db: &Database) -> Result<Tenant, Error> {
    registry::ensure_hub(db, &cfg.hub_name, &cfg.hub_tagline).await
}

pub async fn create_hub_admin(
    cfg: &Config,
    db: &Database,
    email: &str,
    name: &str,
    password: &str,
) -> Result<User, Error> {
    let hub = hub(cfg, db).await?;
    let new = NewUser::parse(email, name, password, Role::HubAdmin).await?;
    users::create(&tenants::access::operator(db, &hub), new).await
}

/// `Conflict` means it was there already: fine for an idempotent seed.
fn existed<T>(r: Result<T, Error>) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn run(cfg: &Config, db: &Database) -> Result<(), Error> {
    let hub = hub(cfg, db).await?;
    println!("The hub \"{}\" is ready.", hub.name());
    println!();
    println!("  Hub store and partner programme: {}", cfg.public_url());
    if cfg.env == RunEnv::Production {
        println!("  (production: no demo accounts; create an admin with `hub admin create`)");
        return Ok(());
    }
    existed(create_hub_admin(cfg, db, DEMO_HUB_ADMIN, "Hub Admin", DEMO_PASSWORD).await)?;
    let media =
        crate::startup::media(cfg).map_err(|e| Error::validation("catalog", e.to_string()))?;
    let created = crate::seed_catalog::catalog(db, &hub, &media).await?;
    if created > 0 {
        println!("  Master catalog: {created} demo products with images");
    }
    println!("  Catalog console:   {}/admin/catalog", cfg.public_url());
    println!("  Hub admin console: {}/admin/resellers", cfg.public_url());
    println!(
        "  Distributors:      {}/admin/distributors",
        cfg.public_url()
    );
    println!();
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    println!(
        "  {:<16} {DEMO_HUB_ADMIN:<24} at {}/login",
        "hub admin",
        cfg.public_url()
    );
    for r in RESELLERS {
        let owner = format!("owner@{}.demo", r.slug);
        let shopper = format!("shopper@{}.demo", r.slug);
        let tenant = match registry::find_by_slug(db, r.slug).await? {
            Some(t) => t,
            None => {
                signup::reseller(
                    db,
                    &hub,
                    ResellerApplication {
                        company: r.company,
                        slug: r.slug,
                        name: r.owner,
                        email: &owner,
                        password: DEMO_PASSWORD,
                    },
                )
                .await?
                .0
            }
        };
        let tenant = if r.approved && tenant.status() == TenantStatus::Pending {
            registry::set_status(db, &tenant, TenantStatus::Approved).await?
        } else {
            tenant
        };
        let look = match r.slug {
            "acme" => Some(&crate::seed_catalog::ACME),
            "bolt" => Some(&crate::seed_catalog::BOLT),
            _ => None,
        };
        if let (true, Some(look)) = (r.approved, look) {
            crate::seed_catalog::store(db, &hub, &tenant, look, &media).await?;
        }
        let url = cfg.store_url(r.slug);
        let state = if r.approved {
            ""
        } else {
            "  (pending approval)"
        };
        let role = format!("{} admin", r.slug);
        println!("  {role:<16} {owner:<24} at {url}/login{state}");
        if r.approved {
            existed(
                signup::customer(
                    &tenants::access::operator(db, &tenant),
                    &shopper,
                    "Sam Shopper",
                    DEMO_PASSWORD,
                )
                .await,
            )?;
            let role = format!("{} customer", r.slug);
            println!("  {role:<16} {shopper:<24} at {url}/login");
        }
    }
    crate::seed_partners::run(cfg, db, &hub, DEMO_PASSWORD).await?;
    crate::seed_orders::run(cfg, db).await?;
    crate::seed_quotes::run(db).await
}
