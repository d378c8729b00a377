//! Seeded scenarios: tenants of every kind with an account of every role, and sessions
//! logged in through the real HTTP endpoint. Cookies are handled by hand: the session cookies
//! are `Secure` (`__Host-`), which a cookie jar would not send over the tests' plain HTTP.

use reqwest::header::{COOKIE, HeaderMap, HeaderValue, ORIGIN, SET_COOKIE};
use tenants::TenantStatus;
use tenants::auth::Role;
use tenants::auth::signup::{self, ResellerApplication};
use tenants::auth::users::{self, NewUser};
use tenants::registry::{self, Tenant, TenantKind};

use crate::TestApp;

pub const PASSWORD: &str = "Correct-Horse-Battery-9";

/// One seeded account.
#[derive(Clone, Debug)]
pub struct Account {
    pub host: String,
    pub tenant: Tenant,
    pub role: Role,
    pub email: String,
    pub name: String,
    pub user_id: String,
}

/// Tenants and accounts of every role: the hub (hub admin, customer), two approved resellers
/// `acme` and `bolt` (admin, staff, customer), a pending reseller `carl` (admin) and a
/// distributor `dove` (admin, staff). Names and e-mails are unique markers: if one shows up
/// in an answer to another tenant, that is a leak.
pub struct World {
    pub accounts: Vec<Account>,
    pub tenants: Vec<(String, Tenant)>,
    /// Store data public on its own host only: `(host, marker)`. Seen on another host, it is
    /// a leak.
    pub markers: Vec<(String, String)>,
}

impl World {
    pub fn account(&self, host: &str, role: Role) -> &Account {
        self.accounts
            .iter()
            .find(|a| a.host == host && a.role == role)
            .expect("a seeded account")
    }

    pub fn tenant(&self, host: &str) -> &Tenant {
        &self
            .tenants
            .iter()
            .find(|(h, _)| h == host)
            .expect("a seeded tenant")
            .1
    }
}

async fn add(app: &TestApp, host: &str, tenant: &Tenant, role: Role, out: &mut Vec<Account>) {
    let tag = format!("{}-{}", tenant.slug(), role.as_str().replace('_', "-"));
    let email = format!("{tag}@probe-{}.example", tenant.slug());
    let name = format!(
        "Marker {tag} {}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    );
    let user = users::create(
        &tenants::access::operator(&app.db, tenant),
        NewUser::parse(&email, &name, PASSWORD, role)
            .await
            .expect("valid account"),
    )
    .await
    .expect("account created");
    out.push(Account {
        host: host.to_owned(),
        tenant: tenant.clone(),
        role,
        email,
        name,
        user_id: user.id.to_string(),
    });
}

pub async fn seed(app: &TestApp) -> World {
    let hub = registry::hub(&app.db).await.expect("db").expect("the hub");
    let mut accounts = Vec::new();
    let mut tenants = vec![("localhost".to_owned(), hub.clone())];
    add(app, "localhost", &hub, Role::HubAdmin, &mut accounts).await;
    add(app, "localhost", &hub, Role::Customer, &mut accounts).await;
    for (slug, approve) in [("acme", true), ("bolt", true), ("carl", false)] {
        let host = format!("{slug}.localhost");
        let admin_email = format!("{slug}-reseller-admin@probe-{slug}.example");
        let admin_name = format!(
            "Marker {slug}-reseller-admin {}",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        let (tenant, user) = signup::reseller(
            &app.db,
            &hub,
            ResellerApplication {
                company: &format!("{slug} Company"),
                slug,
                name: &admin_name,
                email: &admin_email,
                password: PASSWORD,
            },
        )
        .await
        .expect("reseller signed up");
        let tenant = if approve {
            registry::set_status(&app.db, &tenant, TenantStatus::Approved)
                .await
                .expect("approved")
        } else {
            tenant
        };
        app.resolver.invalidate(&tenant).await;
        accounts.push(Account {
            host: host.clone(),
            tenant: tenant.clone(),
            role: Role::ResellerAdmin,
            email: admin_email,
            name: admin_name,
            user_id: user.id.to_string(),
        });
        if approve {
            add(app, &host, &tenant, Role::ResellerStaff, &mut accounts).await;
            add(app, &host, &tenant, Role::Customer, &mut accounts).await;
        }
        tenants.push((host, tenant));
    }
    let dove = registry::create(
        &app.db,
        TenantKind::Distributor,
        "dove",
        "Dove Distribution",
    )
    .await
    .expect("distributor");
    add(
        app,
        "dove.localhost",
        &dove,
        Role::DistributorAdmin,
        &mut accounts,
    )
    .await;
    add(
        app,
        "dove.localhost",
        &dove,
        Role::DistributorStaff,
        &mut accounts,
    )
    .await;
    tenants.push(("dove.localhost".to_owned(), dove));
    let markers = seed_catalog(app, &hub, &tenants).await;
    World {
        accounts,
        tenants,
        markers,
    }
}

/// A small master catalog on the hub, and the `acme` and `bolt` stores published with
/// overrides that carry markers.
async fn seed_catalog(
    app: &TestApp,
    hub: &Tenant,
    tenants: &[(String, Tenant)],
) -> Vec<(String, String)> {
    use tenants::catalog::master::{self, CategoryInput, ProductInput};
    use tenants::catalog::store::{
        self, Branding, BrandingInput, Field, Selection, StoreSetup, Value,
    };
    use tenants::catalog::{PricingRule, Rounding};

    let hdb = tenants::access::operator(&app.db, hub);
    master::save_category(
        &hdb,
        None,
        &CategoryInput {
            name: "Drills".into(),
            slug: "drills".into(),
            parent: String::new(),
            position: 1,
        },
    )
    .await
    .expect("category");
    let mut products = Vec::new();
    for i in 1..=6 {
        let p = master::save_product(
            &hdb,
            None,
            &ProductInput {
                sku: format!("DR-{i}"),
                name: format!("Cordless drill model {i}"),
                description: format!("A *good* drill, number {i}."),
                price: format!("{}.00", 50 + i * 10),
                currency: "EUR".into(),
                category: "drills".into(),
                status: "active".into(),
                attributes: "Voltage=18 V".into(),
                image: String::new(),
            },
        )
        .await
        .expect("product");
        products.push(p);
    }
    let mut markers = Vec::new();
    for (host, t) in tenants {
        let slug = t.slug();
        if !(slug == "acme" || slug == "bolt") {
            continue;
        }
        let marker = format!(
            "Marker {slug}-store {}",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        let tagline = format!(
            "Marker {slug}-tagline {}",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        let branding = Branding::parse(&BrandingInput {
            tagline: tagline.clone(),
            hero_text: format!("{slug} hero"),
            primary_color: "#1e3a8a".into(),
            accent_color: "#9a3412".into(),
            font: "system".into(),
            logo: String::new(),
        })
        .expect("branding");
        store::publish(
            &tenants::access::operator(&app.db, t),
            &StoreSetup {
                branding,
                selection: Selection {
                    all: true,
                    ..Default::default()
                },
                pricing: PricingRule::new(1000, Rounding::None).expect("rule"),
                overrides: vec![
                    (products[0].id, Field::Name, Value::Text(marker.clone())),
                    (products[1].id, Field::Featured, Value::Flag(true)),
                ],
            },
        )
        .await
        .expect("store published");
        markers.push((host.clone(), marker));
        markers.push((host.clone(), tagline));
    }
    markers
}

/// The tokens of a logged-in browser.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub access: Option<String>,
    pub refresh: Option<String>,
}

impl Session {
    pub fn cookie_header(&self) -> Option<HeaderValue> {
        let mut parts = vec![];
        if let Some(a) = &self.access {
            parts.push(format!("{}={a}", app::session::ACCESS_COOKIE));
        }
        if let Some(r) = &self.refresh {
            parts.push(format!("{}={r}", app::session::REFRESH_COOKIE));
        }
        (!parts.is_empty()).then(|| HeaderValue::from_str(&parts.join("; ")).expect("cookie"))
    }

    /// Takes the session cookies a response set.
    pub fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let text = v.to_str().expect("ascii cookie");
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            let value = (!value.is_empty()).then(|| value.to_owned());
            if name == app::session::ACCESS_COOKIE {
                self.access = value;
            } else if name == app::session::REFRESH_COOKIE {
                self.refresh = value;
            }
        }
    }
}

impl TestApp {
    /// A same-origin form POST to a server function on `host`, with `session`'s cookies.
    pub async fn post_form(
        &self,
        host: &str,
        path: &str,
        session: Option<&Session>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(host, path))
            .header(ORIGIN, self.origin(host))
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = session.and_then(Session::cookie_header) {
            req = req.header(COOKIE, c);
        }
        req.send().await.expect("the hub answers")
    }

    /// A GET on `host` with `session`'s cookies.
    pub async fn get_with(
        &self,
        host: &str,
        path: &str,
        session: Option<&Session>,
    ) -> reqwest::Response {
        let mut req = self.client.get(self.url(host, path));
        if let Some(c) = session.and_then(Session::cookie_header) {
            req = req.header(COOKIE, c);
        }
        req.send().await.expect("the hub answers")
    }

    /// Logs in through `/api/auth/login` and returns the session, or panics with the answer.
    pub async fn log_in(&self, host: &str, email: &str, password: &str) -> Session {
        let res = self
            .post_form(
                host,
                "/api/auth/login",
                None,
                &[("email", email), ("password", password)],
            )
            .await;
        let status = res.status();
        let mut s = Session::default();
        s.absorb(res.headers());
        let body = res.text().await.unwrap_or_default();
        assert_eq!(status, 200, "log-in at {host} failed: {body}");
        assert!(
            s.access.is_some() && s.refresh.is_some(),
            "no session cookies"
        );
        s
    }

    /// Who `/api/me` (the visitor's header) says is signed in on `host` with `session`: their
    /// e-mail, or None.
    pub async fn whoami(&self, host: &str, session: Option<&Session>) -> Option<String> {
        let res = self.get_with(host, "/api/me", session).await;
        assert_eq!(res.status(), 200);
        let v: serde_json::Value = res.json().await.expect("json");
        v["session"]["email"].as_str().map(str::to_owned)
    }
}

/// A price list over the master's first `n` products at their list prices, the partner's own
/// codes being `{code}-0`, `{code}-1`…
pub fn list_prices(
    master: &tenants::catalog::snapshot::Master,
    n: usize,
    code: &str,
) -> Vec<tenants::partners::price_list::PriceInput> {
    master
        .items
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, item)| tenants::partners::price_list::PriceInput {
            sku: item.sku.clone(),
            partner_sku: Some(format!("{code}-{i}")),
            price_minor: item.price.minor,
            currency: item.price.currency.code().into(),
            min_quantity: 1,
            ..Default::default()
        })
        .collect()
}
