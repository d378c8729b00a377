//! The cross-tenant probe. Seeds tenants of every kind with an account of every role, takes
//! every endpoint the server registers (from `server::http::endpoints()`, built from the same
//! sources as the router) and replays each with every account's session:
//!
//! - on every OTHER tenant's host (the session must count as none), and
//! - on its own host with another tenant's ids, e-mails and slugs as arguments.
//!
//! Server-function arguments are discovered from the server's own "missing field" answers, so
//! new functions are probed without editing this file. Every server function is sent in every
//! encoding a server function can take (a GET query for GET functions; a form, JSON and a
//! multipart body for POST functions), and an id argument gets an id of the kind it names
//! (a product, a category, a user, a cart, a tenant) owned by a tenant other than the
//! caller's. The probe prints how many calls it made in each encoding and how many of them
//! the server decoded (the rest were refused with 400 before the function ran). A leak is any answer that carries a
//! private marker (an account's unique e-mail or name) of a tenant other than the caller's own
//! (and, on a foreign host, of any tenant at all), or any change to another tenant's seeded
//! rows. Public endpoints may create rows as they would for any visitor; rows that pre-existed
//! must not change and nothing may be created under the attacker's identity.

use std::collections::BTreeMap;

use hub_tests::scenario::{Account, PASSWORD, Session, World, seed};
use hub_tests::{TestApp, backend_name, spawn_app_with};
use reqwest::header::{COOKIE, ORIGIN};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use server::http::{EndpointKind, endpoints};
use tenants::auth::Role;

/// The smallest PNG: what upload functions get in multipart calls.
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, b'I', b'D', b'A', b'T',
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, b'I', b'E', b'N',
    b'D', 0xae, 0x42, 0x60, 0x82,
];

/// The kinds of ids an argument can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum IdKind {
    Product,
    Category,
    User,
    Cart,
    ApiKey,
    WebhookEndpoint,
    WebhookDelivery,
    Order,
    Rfq,
    Tenant,
}

/// Which kind of id the argument `field` of the function at `path` takes, if it is an id.
fn id_kind(field: &str, path: &str) -> Option<IdKind> {
    let f = field.to_ascii_lowercase();
    Some(match f.as_str() {
        "id" if path.contains("categor") => IdKind::Category,
        "id" if path.contains("product") => IdKind::Product,
        "id" if path.contains("partner/key") => IdKind::ApiKey,
        "id" if path.contains("partner/staff") => IdKind::User,
        "id" if path.contains("partner/endpoint") => IdKind::WebhookEndpoint,
        "id" if path.contains("partner/deliver") => IdKind::WebhookDelivery,
        "id" | "reroute" if path.contains("order") || path.contains("transfer") => IdKind::Order,
        "id" if path.contains("rfq") || path.contains("quotes") => IdKind::Rfq,
        "id" => IdKind::Tenant,
        "seller" => IdKind::Tenant,
        "product" | "product_id" => IdKind::Product,
        "category" | "parent" | "category_id" => IdKind::Category,
        "user" | "user_id" => IdKind::User,
        "cart" | "cart_id" => IdKind::Cart,
        f if f.ends_with("_id") => IdKind::Tenant,
        _ => return None,
    })
}

/// Every id in the database by kind, with its owner tenant (`<uuid>`) and external form.
#[derive(Default)]
struct Ids(BTreeMap<IdKind, Vec<(String, String)>>);

impl Ids {
    async fn load(conn: &DatabaseConnection) -> Self {
        let backend = conn.get_database_backend();
        let mut out = Self::default();
        for (kind, sql) in [
            (
                IdKind::Product,
                "SELECT tenant_id, id FROM catalog_products",
            ),
            (
                IdKind::Category,
                "SELECT tenant_id, id FROM catalog_categories",
            ),
            (IdKind::User, "SELECT tenant_id, id FROM users"),
            (IdKind::Cart, "SELECT tenant_id, id FROM carts"),
            (IdKind::ApiKey, "SELECT tenant_id, id FROM api_keys"),
            (
                IdKind::WebhookEndpoint,
                "SELECT tenant_id, id FROM webhook_endpoints",
            ),
            (
                IdKind::WebhookDelivery,
                "SELECT tenant_id, id FROM webhook_deliveries",
            ),
            (IdKind::Order, "SELECT tenant_id, id FROM orders"),
            (IdKind::Rfq, "SELECT tenant_id, id FROM rfqs"),
            (IdKind::Tenant, "SELECT id, id FROM tenants"),
        ] {
            let rows = conn
                .query_all_raw(Statement::from_string(backend, sql.to_owned()))
                .await
                .expect("id query");
            for row in rows {
                let get = |i: usize| {
                    row.try_get_by_index::<uuid::Uuid>(i)
                        .or_else(|_| {
                            row.try_get_by_index::<String>(i)
                                .map(|s| uuid::Uuid::parse_str(&s).expect("a uuid"))
                        })
                        .expect("a uuid column")
                };
                let (owner, id) = (get(0), get(1));
                let external = match kind {
                    IdKind::Product => tenants::ProductId::from(id).to_string(),
                    IdKind::Category => tenants::CategoryId::from(id).to_string(),
                    IdKind::User => tenants::UserId::from(id).to_string(),
                    IdKind::Cart => tenants::CartId::from(id).to_string(),
                    IdKind::Tenant => tenants::TenantId::from(id).to_string(),
                    IdKind::ApiKey
                    | IdKind::WebhookEndpoint
                    | IdKind::WebhookDelivery
                    | IdKind::Order
                    | IdKind::Rfq => id.to_string(),
                };
                out.0
                    .entry(kind)
                    .or_default()
                    .push((owner.to_string(), external));
            }
        }
        out
    }

    /// An id of `kind` owned by `victim` if it has one, else by any tenant but `attacker`;
    /// never one the attacker holds too (a record two tenants share, such as an order or a
    /// quote request, is a row in each with the same id: using it at home is no attack).
    fn pick(&self, kind: IdKind, victim: &str, attacker: &str) -> Option<String> {
        let all = self.0.get(&kind)?;
        let theirs = |id: &str| !all.iter().any(|(o, i)| o == attacker && i == id);
        all.iter()
            .find(|(owner, id)| owner == victim && theirs(id))
            .or_else(|| {
                all.iter()
                    .find(|(owner, id)| owner != attacker && theirs(id))
            })
            .map(|(_, id)| id.clone())
    }
}

/// How a call carries its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Encoding {
    Query,
    Form,
    Json,
    Multipart,
}

/// A value for a server-function argument named `field` of the function at `path`, aimed at
/// `victim` by `attacker`.
fn value_for(
    field: &str,
    path: &str,
    victim: &Account,
    attacker: &Account,
    world: &World,
    ids: &Ids,
) -> String {
    let f = field.to_ascii_lowercase();
    if let Some(kind) = id_kind(&f, path) {
        let uuid = |a: &Account| world.tenant(&a.host).id().as_uuid().to_string();
        return ids
            .pick(kind, &uuid(victim), &uuid(attacker))
            .unwrap_or_else(|| world.tenant(&victim.host).id().to_string());
    }
    match f.as_str() {
        "email" => victim.email.clone(),
        "slug" | "store" => victim.tenant.slug().to_owned(),
        "status" => "suspended".into(),
        "page" => "0".into(),
        "search" | "q" => victim.name.clone(),
        "sku" => "DR-1".into(),
        "quantity" => "1".into(),
        f if f.contains("password") => "Probe-Passw0rd-xyz".into(),
        _ => "probe".into(),
    }
}

/// A summary of every seeded tenant's rows: changes show up as differences.
async fn fingerprint(conn: &DatabaseConnection) -> BTreeMap<String, String> {
    let backend = conn.get_database_backend();
    let queries = [
        (
            "tenants",
            "SELECT id, status, version, name FROM tenants ORDER BY id",
        ),
        (
            "users",
            "SELECT tenant_id, id, email, name, role, password_hash FROM users ORDER BY tenant_id, id",
        ),
        (
            "sessions",
            "SELECT tenant_id, id, user_id, revoked_at IS NULL FROM sessions ORDER BY tenant_id, id",
        ),
        (
            "links",
            "SELECT tenant_id, partner_id, relation FROM tenant_links ORDER BY tenant_id, partner_id",
        ),
        (
            "domains",
            "SELECT tenant_id, domain FROM tenant_domains ORDER BY domain",
        ),
        (
            "leads",
            "SELECT tenant_id, id, email FROM partner_leads ORDER BY tenant_id, id",
        ),
        (
            "products",
            "SELECT tenant_id, id, sku, name, price_minor, status FROM catalog_products ORDER BY tenant_id, id",
        ),
        (
            "categories",
            "SELECT tenant_id, id, slug, name FROM catalog_categories ORDER BY tenant_id, id",
        ),
        (
            "policy",
            "SELECT tenant_id, locked_fields, price_min_pct, price_max_pct FROM catalog_policy ORDER BY tenant_id",
        ),
        (
            "store_settings",
            "SELECT tenant_id, tagline, primary_color, markup_bp, live FROM store_settings ORDER BY tenant_id",
        ),
        (
            "store_overrides",
            "SELECT tenant_id, product_id, field, value FROM store_overrides ORDER BY tenant_id, product_id, field",
        ),
        (
            "store_selection",
            "SELECT tenant_id, target_id, target_kind FROM store_selection ORDER BY tenant_id, target_id",
        ),
        (
            "carts",
            "SELECT tenant_id, id, user_id FROM carts ORDER BY tenant_id, id",
        ),
        (
            "import_jobs",
            "SELECT tenant_id, id, file_name, phase FROM catalog_import_jobs ORDER BY tenant_id, id",
        ),
        (
            "partner_profiles",
            "SELECT tenant_id, contact_name, contact_email, currency, version FROM partner_profiles ORDER BY tenant_id",
        ),
        (
            "price_list_items",
            "SELECT tenant_id, sku, partner_sku, price_minor, version FROM price_list_items ORDER BY tenant_id, sku",
        ),
        (
            "territories",
            "SELECT tenant_id, id, country FROM territories ORDER BY tenant_id, id",
        ),
        (
            "api_keys",
            "SELECT tenant_id, id, name, revoked_at IS NULL FROM api_keys ORDER BY tenant_id, id",
        ),
        (
            "webhook_endpoints",
            "SELECT tenant_id, id, url, enabled, version, secret FROM webhook_endpoints ORDER BY tenant_id, id",
        ),
        (
            "webhook_deliveries",
            "SELECT tenant_id, id, state, attempts FROM webhook_deliveries ORDER BY tenant_id, id",
        ),
        (
            "idempotency_keys",
            "SELECT tenant_id, key, status FROM idempotency_keys ORDER BY tenant_id, key",
        ),
        (
            "orders",
            "SELECT tenant_id, id, side, state, version, number, customer_email FROM orders ORDER BY tenant_id, side, id",
        ),
        (
            "order_lines",
            "SELECT tenant_id, order_id, side, sku, quantity, unit_minor FROM order_lines ORDER BY tenant_id, side, order_id, line_no",
        ),
        (
            "order_history",
            "SELECT tenant_id, id, order_id, state FROM order_history ORDER BY tenant_id, id",
        ),
        (
            "rfqs",
            "SELECT tenant_id, id, side, state, version, title, notes FROM rfqs ORDER BY tenant_id, side, id",
        ),
        (
            "rfq_lines",
            "SELECT tenant_id, rfq_id, side, line_no, description, quantity FROM rfq_lines ORDER BY tenant_id, side, rfq_id, line_no",
        ),
        (
            "quotes",
            "SELECT tenant_id, rfq_id, side, seller_id, state, offer_no, version FROM quotes ORDER BY tenant_id, side, rfq_id, seller_id",
        ),
        (
            "quote_versions",
            "SELECT tenant_id, rfq_id, side, seller_id, no, author, total_minor FROM quote_versions ORDER BY tenant_id, side, rfq_id, seller_id, no, author",
        ),
        (
            "rfq_attachments",
            "SELECT tenant_id, rfq_id, side, id, name, blob FROM rfq_attachments ORDER BY tenant_id, side, rfq_id, id",
        ),
        (
            "auto_quote_rules",
            "SELECT tenant_id, enabled, validity_days, version FROM auto_quote_rules ORDER BY tenant_id",
        ),
        (
            "notices",
            // Whether a notice was read is the reader's own business (marking one's own notices
            // read is a legitimate call the probe makes at home); quotes::notices_are_private
            // checks that no other tenant can.
            "SELECT tenant_id, id, kind, text FROM notices ORDER BY tenant_id, id",
        ),
    ];
    let mut out = BTreeMap::new();
    for (name, sql) in queries {
        let rows = conn
            .query_all_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("fingerprint query");
        for row in rows {
            let mut cols = vec![];
            for i in 0..8 {
                let v = row
                    .try_get_by_index::<String>(i)
                    .or_else(|_| row.try_get_by_index::<uuid::Uuid>(i).map(|u| u.to_string()))
                    .or_else(|_| row.try_get_by_index::<i64>(i).map(|n| n.to_string()))
                    .or_else(|_| row.try_get_by_index::<bool>(i).map(|b| b.to_string()));
                match v {
                    Ok(v) => cols.push(v),
                    Err(_) => break,
                }
            }
            let key = format!(
                "{name}:{}:{}",
                cols.first().cloned().unwrap_or_default(),
                cols.get(1).cloned().unwrap_or_default()
            );
            out.insert(key, cols.join("|"));
        }
    }
    out
}

struct Probe<'a> {
    app: &'a TestApp,
    ids: Ids,
    requests: usize,
    /// Per encoding: calls made, calls the server decoded (not refused with 400).
    calls: BTreeMap<Encoding, (usize, usize)>,
    leaks: Vec<String>,
    /// (host, marker): a marker of another tenant that answers on `host` may show, because an
    /// explicit relationship shares it.
    shared: Vec<(String, String)>,
}

/// The JSON body for a function at `path` with `args`: a JSON function's struct argument
/// gets a whole value of its type.
fn json_body(
    path: &str,
    args: &[(String, String)],
    victim: &Account,
    ids: &Ids,
) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in args {
        map.insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    if path.starts_with("/api/console/store/") {
        let categories = ids
            .0
            .get(&IdKind::Category)
            .map(|c| c.iter().take(2).map(|(_, id)| id.clone()).collect())
            .unwrap_or_default();
        let input = app::store_console::api::StoreInput {
            slug: victim.tenant.slug().to_owned(),
            name: "Probe store".into(),
            markup: "10".into(),
            rounding: "none".into(),
            primary_color: "#1f3a5f".into(),
            accent_color: "#b4461f".into(),
            font: "system".into(),
            include_categories: categories,
            ..Default::default()
        };
        map.insert(
            "store".into(),
            serde_json::to_value(input).expect("a store input"),
        );
    }
    serde_json::Value::Object(map)
}

impl Probe<'_> {
    /// Sends `path` on `host` with `session` in `encoding`; fills arguments the server says
    /// are missing with values aimed at `victim`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call of the probe, spelled out"
    )]
    async fn send(
        &mut self,
        encoding: Encoding,
        path: &str,
        host: &str,
        session: &Session,
        victim: &Account,
        attacker: &Account,
        world: &World,
    ) -> (u16, String, Vec<String>) {
        let mut args: Vec<(String, String)> = vec![];
        for _ in 0..12 {
            let url = self.app.url(host, path);
            let mut req = match encoding {
                Encoding::Query => self.app.client.get(&url).query(&args),
                Encoding::Form => self.app.client.post(&url).form(&args),
                Encoding::Json => self
                    .app
                    .client
                    .post(&url)
                    .json(&json_body(path, &args, victim, &self.ids)),
                Encoding::Multipart => {
                    let mut form = reqwest::multipart::Form::new();
                    for (k, v) in &args {
                        form = form.text(k.clone(), v.clone());
                    }
                    // Upload functions take a file under one of these names.
                    for name in ["file", "image", "logo"] {
                        form = form.part(
                            name,
                            reqwest::multipart::Part::bytes(PNG.to_vec())
                                .file_name("probe.png")
                                .mime_str("image/png")
                                .expect("a mime type"),
                        );
                    }
                    self.app.client.post(&url).multipart(form)
                }
            };
            if encoding != Encoding::Query {
                req = req.header(ORIGIN, self.app.origin(host));
            }
            req = req.header("accept", "application/json");
            if let Some(c) = session.cookie_header() {
                req = req.header(COOKIE, c);
            }
            let res = req.send().await.expect("the hub answers");
            self.requests += 1;
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            let missing = body
                .split("missing field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned);
            match missing {
                Some(field) if !args.iter().any(|(k, _)| *k == field) => {
                    let v = value_for(&field, path, victim, attacker, world, &self.ids);
                    args.push((field, v));
                }
                _ => {
                    let c = self.calls.entry(encoding).or_default();
                    c.0 += 1;
                    if status != 400 {
                        c.1 += 1;
                    }
                    return (status, body, args.into_iter().map(|(_, v)| v).collect());
                }
            }
        }
        (0, String::new(), vec![])
    }

    /// `sent`: the argument values of the request; an answer echoing what it was sent (a
    /// sign-up repeating the e-mail it was given) reveals nothing.
    fn check(
        &mut self,
        what: &str,
        host: &str,
        body: &str,
        allowed_tenant: Option<&str>,
        world: &World,
        sent: &[String],
    ) {
        // A store's own data (its overrides, its words) is public on its host only, except
        // what a relationship shares (a store's name, to a partner it sent an order).
        // The development mail outbox is the hub operator's mailbox: it holds every store's
        // e-mail to its customers (order lines carry a store's product names), and the hub
        // admin reads it by design (/admin/mail). Nothing else on the hub may show them.
        let outbox = host == "localhost"
            && (what.starts_with("GET /admin/mail ") || what.starts_with("GET /api/admin/mail "))
            && what.ends_with("(hub_admin)");
        for (owner, marker) in &world.markers {
            let shared = self
                .shared
                .iter()
                .any(|(viewer, m)| viewer == host && m == marker);
            if owner != host
                && !shared
                && !outbox
                && body.contains(marker.as_str())
                && !sent.contains(marker)
            {
                self.leaks.push(format!("{what}: shows {owner}'s {marker}"));
            }
        }
        for a in &world.accounts {
            if Some(a.host.as_str()) == allowed_tenant
                || sent.contains(&a.email)
                || sent.contains(&a.name)
            {
                continue;
            }
            if body.contains(&a.email) || body.contains(&a.name) {
                self.leaks
                    .push(format!("{what}: shows {} of {}", a.email, a.host));
            }
        }
    }
}

/// An order from acme's store at dove (a row in each), so the functions that take an order's
/// id are aimed at another tenant's order. Its customer is not one of the markers: the order
/// is shared by acme and dove by design.
async fn transferred_order(app: &TestApp, world: &World) {
    use tenants::access::operator;
    use tenants::catalog::cart::{self, Owner};
    use tenants::orders::transfer::{self, ConfirmInput, Source};
    use tenants::partners::territories::{self, Region, ShipTo};

    let hub = tenants::registry::hub(&app.db)
        .await
        .expect("db")
        .expect("hub");
    let (acme, dove) = (
        world.tenant("acme.localhost"),
        world.tenant("dove.localhost"),
    );
    tenants::partners::link_supplier(&operator(&app.db, &hub), dove.id(), acme.id())
        .await
        .expect("link");
    let ddb = operator(&app.db, dove);
    tenants::partners::profile::put(
        &ddb,
        &tenants::partners::profile::ProfileInput {
            contact_name: "Dove".into(),
            contact_email: "orders@dove.example".into(),
            currency: "EUR".into(),
            fulfils: None,
            ack_window_hours: None,
        },
        None,
    )
    .await
    .expect("profile");
    territories::replace(
        &ddb,
        &[Region {
            country: "DE".into(),
            subdivision: None,
            postal_prefix: None,
        }],
    )
    .await
    .expect("territory");
    let store = app
        .state
        .catalog
        .storefront(&app.db, acme)
        .await
        .expect("acme's store");
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let item = master
        .items
        .iter()
        .find(|i| store.detail(&i.sku).is_some())
        .expect("acme sells something");
    tenants::partners::price_list::upsert(
        &ddb,
        &master,
        &hub_tests::scenario::list_prices(&master, master.items.len(), "D")
            .into_iter()
            .filter(|p| p.sku == item.sku)
            .collect::<Vec<_>>(),
    )
    .await
    .expect("dove's price");
    let adb = operator(&app.db, acme);
    let owner = Owner::Guest(tenants::CartId::generate());
    cart::add(
        &adb,
        owner,
        store.detail(&item.sku).expect("sold").product.id,
        1,
    )
    .await
    .expect("cart");
    let now = app.clock.now();
    let to = ShipTo {
        country: "DE".into(),
        ..Default::default()
    };
    let basket = transfer::basket(&adb, &store, Source::Cart(owner), now)
        .await
        .expect("basket");
    let offers = transfer::offers(&adb, app.state.keys.price(), None, basket, to.clone(), now)
        .await
        .expect("offers");
    let offer = offers
        .complete
        .iter()
        .find(|o| o.offer.partner.id == dove.id())
        .expect("dove offers");
    transfer::confirm(
        &adb,
        &store,
        app.state.keys.price(),
        Source::Cart(owner),
        &ConfirmInput {
            token: offer.token.clone(),
            idempotency_key: "probe-order-0000000001".into(),
            ship_to: Some(to),
            name: "Probe Buyer".into(),
            email: "buyer@probe.example".into(),
            address: "Probe street 1".into(),
            user: None,
            referrer: None,
        },
        now,
    )
    .await
    .expect("an order");
}

/// A quote request from acme to dove (the link the transferred order made), answered by
/// dove: rows on both sides, for the functions that take an RFQ's id to be aimed at.
async fn quote_request(app: &TestApp, world: &World) {
    use tenants::quotes::{self, Person};
    let (acme, dove) = (
        world.tenant("acme.localhost"),
        world.tenant("dove.localhost"),
    );
    let adb = tenants::access::operator(&app.db, acme);
    let store = app
        .state
        .catalog
        .storefront(&app.db, acme)
        .await
        .expect("acme's store");
    let now = app.clock.now();
    let d = quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &quotes::rfq::DraftInput {
            title: "Probe request".into(),
            country: "DE".into(),
            address: "Probe street 1".into(),
            lines: vec![quotes::rfq::LineInput {
                kind: "text".into(),
                description: "Probe goods".into(),
                quantity: 3,
                ..Default::default()
            }],
            ..Default::default()
        },
        None,
        &Person {
            user: None,
            name: "Probe Buyer".into(),
            email: "buyer@probe.example".into(),
        },
        now,
    )
    .await
    .expect("a draft");
    quotes::rfq::send(
        &adb,
        d.id,
        &quotes::rfq::SendInput {
            distributors: vec![dove.id()],
            deadline: Some(now + chrono::Duration::days(3)),
            ..Default::default()
        },
        None,
        now,
    )
    .await
    .expect("sent");
    quotes::answer::offer(
        &tenants::access::operator(&app.db, dove),
        d.id,
        &quotes::answer::OfferInput {
            lines: vec![quotes::answer::OfferLineInput {
                line_no: 1,
                price: "9.50".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
        None,
        tenants::orders::Actor::Partner,
        now,
    )
    .await
    .expect("answered");
}

#[tokio::test]
async fn no_endpoint_leaks_across_tenants() {
    // No delivery worker: the seeded deliveries stay as they are unless a request moves them.
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let world = seed(&app).await;
    let owner = Database::connect(app.owner_db_url())
        .await
        .expect("owner connection");
    // A partner of each kind with an API key, a webhook endpoint and a pending delivery, so the
    // consoles' functions that take their ids are aimed at another partner's.
    for host in ["dove.localhost", "acme.localhost"] {
        let db = tenants::access::operator(&app.db, world.tenant(host));
        tenants::partners::api_keys::create(
            &db,
            "probe key",
            tenants::partners::api_keys::Mode::Live,
            &tenants::partners::api_keys::Scope::ALL,
        )
        .await
        .expect("key");
        let (endpoint, _) = tenants::webhooks::endpoints::create(
            &db,
            &tenants::webhooks::endpoints::EndpointInput {
                url: "http://127.0.0.1:9/hooks".into(),
                description: "probe hooks".into(),
                events: vec![],
                enabled: true,
            },
            chrono::Utc::now(),
        )
        .await
        .expect("endpoint");
        tenants::webhooks::deliveries::send_test(&db, endpoint.id, chrono::Utc::now())
            .await
            .expect("test event");
    }
    transferred_order(&app, &world).await;
    quote_request(&app, &world).await;
    let eps = endpoints();
    assert!(
        eps.iter().any(|e| e.kind == EndpointKind::ServerFn),
        "server functions are listed"
    );
    assert!(
        eps.iter().any(|e| e.kind == EndpointKind::Page),
        "pages are listed"
    );
    let hosts: Vec<String> = world.tenants.iter().map(|(h, _)| h.clone()).collect();

    let mut sessions = vec![];
    for a in &world.accounts {
        sessions.push((a.clone(), app.log_in(&a.host, &a.email, PASSWORD).await));
    }
    let mut probe = Probe {
        app: &app,
        ids: Ids::load(&owner).await,
        requests: 0,
        calls: BTreeMap::new(),
        leaks: vec![],
        // The order from acme's store at dove is a record both keep: dove sees acme's name.
        shared: world
            .markers
            .iter()
            .filter(|(owner, m)| owner == "acme.localhost" && m.contains("acme-store"))
            .map(|(_, m)| ("dove.localhost".to_owned(), m.clone()))
            .collect(),
    };
    let before = fingerprint(&owner).await;

    for (attacker, session) in &sessions {
        for host in &hosts {
            let foreign_host = host != &attacker.host;
            // The victim: on a foreign host, that host's tenant; at home, every other tenant in turn.
            // Relationships are explicit and exempt: the hub admin governs the hub's resellers
            // (approve, suspend, unlock) through the tenant_links table by design.
            let related = |v: &Account| {
                attacker.role == Role::HubAdmin && v.tenant.kind() == tenants::TenantKind::Reseller
            };
            let victims: Vec<&Account> = if foreign_host {
                world
                    .accounts
                    .iter()
                    .filter(|a| &a.host == host)
                    .take(1)
                    .collect()
            } else {
                world
                    .accounts
                    .iter()
                    .filter(|a| a.host != attacker.host && !related(a))
                    .collect()
            };
            for victim in victims {
                for ep in &eps {
                    // Log-out would end the attacker's own session mid-probe; it is probed last.
                    if ep.path.ends_with("/auth/logout")
                        || ep.path.contains(':')
                        || ep.path.contains('*')
                    {
                        continue;
                    }
                    let encodings: &[Encoding] = match (ep.kind, ep.method.as_str()) {
                        (EndpointKind::ServerFn, "POST") => {
                            &[Encoding::Form, Encoding::Json, Encoding::Multipart]
                        }
                        _ => &[Encoding::Query],
                    };
                    for &encoding in encodings {
                        let (status, body, sent) = probe
                            .send(encoding, &ep.path, host, session, victim, attacker, &world)
                            .await;
                        let what = format!(
                            "{} {} ({encoding:?}) on {host} as {} ({})",
                            ep.method,
                            ep.path,
                            attacker.email,
                            attacker.role.as_str()
                        );
                        // On a foreign host the session is no session: nobody's private data.
                        let allowed = if foreign_host {
                            None
                        } else {
                            Some(attacker.host.as_str())
                        };
                        probe.check(&what, host, &body, allowed, &world, &sent);
                        if status == 0 {
                            probe
                                .leaks
                                .push(format!("{what}: argument discovery did not settle"));
                        }
                        if status >= 500 {
                            probe
                                .leaks
                                .push(format!("{what}: answered {status}: {body}"));
                        }
                    }
                }
            }
        }
    }
    // Log-out last, every session on every foreign host: refused or harmless, never revoking.
    for (attacker, session) in &sessions {
        for host in hosts.iter().filter(|h| **h != attacker.host) {
            let (_, body, sent) = probe
                .send(
                    Encoding::Form,
                    "/api/auth/logout",
                    host,
                    session,
                    attacker,
                    attacker,
                    &world,
                )
                .await;
            probe.check("logout", host, &body, None, &world, &sent);
        }
        assert_eq!(
            app.whoami(&attacker.host, Some(session)).await.as_deref(),
            Some(attacker.email.as_str()),
            "{}'s session must survive everything sent elsewhere",
            attacker.email
        );
    }

    let after = fingerprint(&owner).await;
    for (key, was) in &before {
        match after.get(key) {
            Some(now) if now == was => {}
            Some(now) => probe.leaks.push(format!("changed: {key}: {was} -> {now}")),
            None => probe.leaks.push(format!("deleted: {key}")),
        }
    }
    // New rows may only come from public endpoints (as for any visitor) and never belong to
    // a seeded account: no session, link or lead attributed to someone who did not make it.
    for (key, row) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
        for (a, _) in &sessions {
            let uuid = tenants::UserId::parse(&a.user_id)
                .expect("a user id")
                .as_uuid()
                .to_string();
            // At home an account may create its own rows (a customer's cart); anywhere else
            // nothing may carry its identity.
            let home = key.split(':').nth(1) == Some(a.tenant.id().as_uuid().to_string().as_str());
            if row.contains(&uuid) && !home {
                probe.leaks.push(format!("created for {}: {key}", a.email));
            }
        }
    }
    let by_encoding: Vec<String> = probe
        .calls
        .iter()
        .map(|(e, (made, decoded))| format!("{e:?} {made} ({decoded} decoded)"))
        .collect();
    println!(
        "cross-tenant probe ({}): {} endpoints, {} accounts, {} hosts, {} requests; calls by encoding: {}; {} leaks",
        backend_name(),
        eps.len(),
        sessions.len(),
        hosts.len(),
        probe.requests,
        by_encoding.join(", "),
        probe.leaks.len()
    );
    for e in [
        Encoding::Query,
        Encoding::Form,
        Encoding::Json,
        Encoding::Multipart,
    ] {
        assert!(
            probe.calls.get(&e).is_some_and(|(_, decoded)| *decoded > 0),
            "no {e:?} call was decoded: the probe is not exercising that encoding"
        );
    }
    assert!(probe.leaks.is_empty(), "leaks:\n{}", probe.leaks.join("\n"));
}

/// The partner API's half of the probe: every operation of the OpenAPI document, sent with
/// each partner's key and aimed at the other partner (its SKU codes, its SKUs, its words in
/// the body). A key acts on its own partner only: no answer shows another partner's markers
/// and no row of another tenant changes.
#[tokio::test]
async fn no_partner_key_reaches_another_partner() {
    use reqwest::Method;
    use tenants::access::operator;
    use tenants::partners::api_keys::{self, Mode, Scope};
    use tenants::partners::price_list;
    use tenants::partners::profile::{self, ProfileInput};
    use tenants::partners::territories::{self, Region};

    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let world = seed(&app).await;
    let owner = Database::connect(app.owner_db_url())
        .await
        .expect("owner connection");
    let master = app.state.catalog.master(&app.db).await.expect("master");
    // Two partners of different kinds, each with marked data and a live key.
    let mut partners = vec![];
    let mut ids = vec![];
    for host in ["dove.localhost", "acme.localhost"] {
        let tenant = world.tenant(host).clone();
        let db = operator(&app.db, &tenant);
        let mark = format!("MARK{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        profile::put(
            &db,
            &ProfileInput {
                contact_name: format!("{mark} contact"),
                contact_email: format!("{}@partner.example", mark.to_lowercase()),
                currency: "EUR".into(),
                fulfils: Some(true),
                ack_window_hours: None,
            },
            None,
        )
        .await
        .expect("profile");
        let rows = hub_tests::scenario::list_prices(&master, 3, &mark);
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("prices");
        territories::replace(
            &db,
            &[Region {
                country: "DE".into(),
                subdivision: None,
                postal_prefix: Some(
                    mark[4..9]
                        .to_ascii_uppercase()
                        .replace(|c: char| !c.is_ascii_alphanumeric(), "0"),
                ),
            }],
        )
        .await
        .expect("territories");
        let key = api_keys::create(&db, &format!("{mark} key"), Mode::Live, &Scope::ALL)
            .await
            .expect("key")
            .key;
        // A marked webhook endpoint with one delivery (a receiver that is never there).
        let (endpoint, secret) = tenants::webhooks::endpoints::create(
            &db,
            &tenants::webhooks::endpoints::EndpointInput {
                url: format!("http://127.0.0.1:9/{mark}"),
                description: format!("{mark} hooks"),
                events: vec![],
                enabled: true,
            },
            chrono::Utc::now(),
        )
        .await
        .expect("endpoint");
        let delivery =
            tenants::webhooks::deliveries::send_test(&db, endpoint.id, chrono::Utc::now())
                .await
                .expect("test event");
        ids.push((endpoint.id, delivery.id, secret));
        partners.push((tenant, mark, key));
    }
    // A real order at each partner, from acme's store (dove supplies acme; acme fulfils its
    // own store), its customer marked: the order routes are aimed at the victim's real order.
    let mut order_ids = vec![];
    {
        use tenants::catalog::cart::{self, Owner};
        use tenants::orders::transfer::{self, ConfirmInput, Source};
        use tenants::partners::territories::ShipTo;

        let hub = tenants::registry::hub(&app.db)
            .await
            .expect("db")
            .expect("hub");
        let acme = world.tenant("acme.localhost").clone();
        tenants::partners::link_supplier(
            &operator(&app.db, &hub),
            world.tenant("dove.localhost").id(),
            acme.id(),
        )
        .await
        .expect("link");
        let store = app
            .state
            .catalog
            .storefront(&app.db, &acme)
            .await
            .expect("acme's store");
        let adb = operator(&app.db, &acme);
        let item = master
            .items
            .iter()
            .take(3)
            .find(|i| store.detail(&i.sku).is_some())
            .expect("acme sells a product both partners price");
        let key = app.state.keys.price();
        for (tenant, mark, _) in &partners {
            let owner = Owner::Guest(tenants::CartId::generate());
            cart::add(
                &adb,
                owner,
                store.detail(&item.sku).expect("sold").product.id,
                1,
            )
            .await
            .expect("cart");
            let now = app.clock.now();
            let to = ShipTo {
                country: "DE".into(),
                subdivision: None,
                postal_code: Some(
                    mark[4..9]
                        .to_ascii_uppercase()
                        .replace(|c: char| !c.is_ascii_alphanumeric(), "0"),
                ),
            };
            let basket = transfer::basket(&adb, &store, Source::Cart(owner), now)
                .await
                .expect("basket");
            let offers = transfer::offers(&adb, key, None, basket, to.clone(), now)
                .await
                .expect("offers");
            let offer = offers
                .complete
                .iter()
                .find(|o| o.offer.partner.id == tenant.id())
                .unwrap_or_else(|| panic!("{} offers: {:?}", tenant.slug(), offers.partial));
            let done = transfer::confirm(
                &adb,
                &store,
                key,
                Source::Cart(owner),
                &ConfirmInput {
                    token: offer.token.clone(),
                    idempotency_key: format!("probe-key-order-{mark}"),
                    ship_to: Some(to),
                    name: format!("{mark} customer"),
                    email: format!("{}-buyer@probe.example", mark.to_lowercase()),
                    address: format!("{mark} street"),
                    user: None,
                    referrer: None,
                },
                now,
            )
            .await
            .expect("an order");
            order_ids.push(done.order);
        }
    }
    let doc = server::partner_api::openapi();
    let mut requests = 0usize;
    let mut leaks = vec![];
    for (attacker, _, key) in &partners {
        let before = fingerprint(&owner).await;
        for (n, (victim, vmark, _)) in partners
            .iter()
            .enumerate()
            .filter(|(_, (t, _, _))| t.id() != attacker.id())
        {
            let victim_sku = master.items[0].sku.clone();
            let (v_endpoint, v_delivery, v_secret) = &ids[n];
            for (path, item) in &doc.paths.paths {
                for (method, present) in [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                ] {
                    if !present {
                        continue;
                    }
                    let targets: Vec<String> = if path.contains("{sku}") {
                        vec![
                            path.replace("{sku}", &format!("{vmark}-0")),
                            path.replace("{sku}", &victim_sku),
                        ]
                    } else if path.starts_with("/webhooks/endpoints/{id}") {
                        vec![path.replace("{id}", &v_endpoint.to_string())]
                    } else if path.starts_with("/webhooks/deliveries/{id}") {
                        vec![path.replace("{id}", &v_delivery.to_string())]
                    } else if path.starts_with("/orders/{id}") {
                        vec![path.replace("{id}", &order_ids[n].to_string())]
                    } else {
                        vec![path.clone()]
                    };
                    for target in targets {
                        let body = match (path.as_str(), &method) {
                            ("/prices", &Method::PUT) => Some(serde_json::json!({"prices": [
                                {"sku": victim_sku, "partner_sku": format!("{vmark}-0"), "price_minor": master.items[0].price.minor, "currency": "EUR"}
                            ]})),
                            ("/profile", &Method::PUT) => Some(serde_json::json!({
                                "contact_name": "Probe", "contact_email": "probe@probe.example", "currency": "EUR"
                            })),
                            ("/territories", &Method::PUT) => {
                                Some(serde_json::json!({"regions": [{"country": "FR"}]}))
                            }
                            ("/webhooks/endpoints", &Method::POST)
                            | ("/webhooks/endpoints/{id}", &Method::PUT) => {
                                Some(serde_json::json!({
                                    "url": format!("http://127.0.0.1:9/{vmark}"), "description": format!("{vmark} hooks")
                                }))
                            }
                            ("/webhooks/deliveries/replay-dead", &Method::POST) => {
                                Some(serde_json::json!({"endpoint_id": v_endpoint}))
                            }
                            ("/orders/{id}/reject" | "/orders/{id}/cancel", &Method::POST) => {
                                Some(serde_json::json!({"reason": format!("{vmark} reason")}))
                            }
                            ("/orders/{id}/ship", &Method::POST) => {
                                Some(serde_json::json!({"carrier": "DHL", "tracking": "PROBE1"}))
                            }
                            _ => None,
                        };
                        let mut req = app
                            .client
                            .request(
                                method.clone(),
                                app.url("localhost", &format!("/partner/v1{target}")),
                            )
                            .bearer_auth(key);
                        if let Some(b) = &body {
                            req = req.json(b);
                        }
                        let res = req.send().await.expect("answer");
                        requests += 1;
                        let status = res.status().as_u16();
                        let text = res.text().await.unwrap_or_default();
                        let what = format!("{method} {target} with {}'s key", attacker.slug());
                        if status >= 500 {
                            leaks.push(format!("{what}: answered {status}: {text}"));
                        }
                        // The attacker names the victim's first code itself (codes are per
                        // partner, so it may claim one for its own list); the victim's other
                        // codes and its contact are never sent, so they must never come back.
                        for private in [
                            format!("{vmark}-1"),
                            format!("{vmark}-2"),
                            format!("{vmark} contact"),
                            v_secret.clone(),
                            v_delivery.to_string(),
                            format!("{vmark} customer"),
                            format!("{vmark} street"),
                        ] {
                            if text.contains(&private) {
                                leaks.push(format!(
                                    "{what}: shows {}'s {private}: {text}",
                                    victim.slug()
                                ));
                            }
                        }
                    }
                }
            }
        }
        // A key may change its own partner's rows and no one else's.
        let after = fingerprint(&owner).await;
        let own = attacker.id().as_uuid().to_string();
        for (row, was) in &before {
            if row.split(':').nth(1) == Some(own.as_str()) {
                continue;
            }
            match after.get(row) {
                Some(now) if now == was => {}
                Some(now) => leaks.push(format!(
                    "{}'s key changed {row}: {was} -> {now}",
                    attacker.slug()
                )),
                None => leaks.push(format!("{}'s key deleted {row}", attacker.slug())),
            }
        }
        for row in after.keys().filter(|k| !before.contains_key(*k)) {
            if row.split(':').nth(1) != Some(own.as_str()) {
                leaks.push(format!("{}'s key created {row}", attacker.slug()));
            }
        }
    }
    println!(
        "partner probe on {}: {requests} requests, {} leaks",
        backend_name(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
}
