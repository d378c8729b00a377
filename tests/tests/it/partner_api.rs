//! The partner API v1 as a partner's system uses it: keys name the tenant and nothing else,
//! every error is problem details with a stable type, batches are all or nothing, versions
//! guard updates, and the OpenAPI document matches the routes.

use hub_tests::scenario::seed;
use hub_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use tenants::access::operator;
use tenants::partners::api_keys::{self, Mode, Scope};
use tenants::partners::price_list::{self, PriceInput};
use tenants::partners::profile::ProfileInput;
use tenants::partners::{self, NewDistributor};
use tenants::registry::{self, Tenant};

const PASSWORD: &str = "Correct-Horse-Battery-9";

/// Two distributors with a price list each (their own SKU codes) and a live key each, plus
/// a test key and a read-only key of the first.
pub(crate) struct Net {
    pub(crate) north: Tenant,
    pub(crate) north_key: String,
    pub(crate) north_test_key: String,
    pub(crate) north_read_key: String,
    pub(crate) swift: Tenant,
    pub(crate) swift_key: String,
}

pub(crate) async fn network(app: &TestApp) -> Net {
    seed(app).await;
    let hub = registry::hub(&app.db).await.expect("db").expect("hub");
    let hdb = operator(&app.db, &hub);
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let mut made = Vec::new();
    for (slug, code) in [("nord", "N"), ("swif", "S")] {
        let (t, _) = partners::create_distributor(
            &app.db,
            &hdb,
            NewDistributor {
                name: &format!("{slug} Distribution"),
                slug,
                profile: ProfileInput {
                    contact_name: format!("{slug} contact"),
                    contact_email: format!("orders@{slug}.example"),
                    currency: "EUR".into(),
                    fulfils: None,
                    ack_window_hours: None,
                },
                admin_name: "Admin",
                admin_email: &format!("admin@{slug}.example"),
                admin_password: PASSWORD,
            },
        )
        .await
        .expect("distributor");
        let db = operator(&app.db, &t);
        let rows = hub_tests::scenario::list_prices(&master, 5, code);
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("prices");
        let key = api_keys::create(&db, "ERP", Mode::Live, &Scope::ALL)
            .await
            .expect("key")
            .key;
        made.push((t, db, key));
    }
    let (swift, _, swift_key) = made.pop().expect("swift");
    let (north, ndb, north_key) = made.pop().expect("north");
    let north_test_key = api_keys::create(&ndb, "Sandbox", Mode::Test, &Scope::ALL)
        .await
        .expect("test key")
        .key;
    let north_read_key = api_keys::create(&ndb, "Reader", Mode::Live, &[Scope::PricesRead])
        .await
        .expect("read key")
        .key;
    Net {
        north,
        north_key,
        north_test_key,
        north_read_key,
        swift,
        swift_key,
    }
}

/// acme, supplied by north and swift (linked by the hub), both shipping to Germany.
pub(crate) async fn supplied_acme(app: &TestApp, net: &Net) -> Tenant {
    let hub = registry::hub(&app.db).await.expect("db").expect("hub");
    let hdb = operator(&app.db, &hub);
    let acme = registry::find_by_slug(&app.db, "acme")
        .await
        .expect("db")
        .expect("acme");
    for d in [&net.north, &net.swift] {
        partners::link_supplier(&hdb, d.id(), acme.id())
            .await
            .expect("link");
        tenants::partners::territories::replace(
            &operator(&app.db, d),
            &[tenants::partners::territories::Region {
                country: "DE".into(),
                subdivision: None,
                postal_prefix: None,
            }],
        )
        .await
        .expect("territory");
    }
    acme
}

pub(crate) async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = app
        .client
        .request(method, app.url("localhost", &format!("/partner/v1{path}")));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("answer");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.expect("text");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, headers, value)
}

/// Asserts a problem answer of `kind` with `status`.
pub(crate) fn problem(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
    want: u16,
    kind: &str,
) {
    assert_eq!(status, want, "{body}");
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{body}"
    );
    assert_eq!(
        body["type"],
        format!("/partner/v1/problems#{kind}"),
        "{body}"
    );
    assert_eq!(body["status"], want, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    assert!(
        headers.contains_key("x-request-id"),
        "every answer names its request"
    );
}

#[tokio::test]
async fn a_key_reaches_its_own_partner_only() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let (s, h, body) = call(&app, Method::GET, "/profile", Some(&net.north_key), None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["slug"], "nord");
    assert_eq!(h.get("etag").and_then(|v| v.to_str().ok()), Some("\"v1\""));
    // Every price north lists carries its own codes; none of swift's.
    let (s, _, page) = call(
        &app,
        Method::GET,
        "/prices?limit=500",
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    assert!(
        items.iter().all(|p| p["partner_sku"]
            .as_str()
            .is_some_and(|c| c.starts_with("N-"))),
        "{page}"
    );
    // swift's own code is no SKU of north's.
    let (s, h, body) = call(&app, Method::GET, "/prices/S-0", Some(&net.north_key), None).await;
    problem(s, &h, &body, 404, "not-found");
    // north deleting a SKU both carry removes north's price only.
    let sku = items[0]["sku"].as_str().expect("sku").to_owned();
    let (s, _, _) = call(
        &app,
        Method::DELETE,
        &format!("/prices/{sku}"),
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, h, body) = call(
        &app,
        Method::GET,
        &format!("/prices/{sku}"),
        Some(&net.north_key),
        None,
    )
    .await;
    problem(s, &h, &body, 404, "not-found");
    let (s, _, body) = call(
        &app,
        Method::GET,
        &format!("/prices/{sku}"),
        Some(&net.swift_key),
        None,
    )
    .await;
    assert_eq!(s, 200, "swift's price of {sku} is untouched: {body}");
    assert_eq!(body["partner_sku"], "S-0");
    // By its own code too.
    let (s, _, body) = call(&app, Method::GET, "/prices/S-1", Some(&net.swift_key), None).await;
    assert_eq!(s, 200, "{body}");
    assert!(body["sku"].as_str().is_some_and(|s| !s.is_empty()));
    let _ = (&net.north, &net.swift);
}

#[tokio::test]
async fn keys_that_cannot_act_are_refused_with_problem_details() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let (s, h, b) = call(&app, Method::GET, "/profile", None, None).await;
    problem(s, &h, &b, 401, "missing-api-key");
    assert!(h.contains_key("www-authenticate"));
    let (s, h, b) = call(&app, Method::GET, "/profile", Some("hub_live_nope"), None).await;
    problem(s, &h, &b, 401, "invalid-api-key");
    let unknown = format!("hub_live_{}", "0".repeat(64));
    let (s, h, b) = call(&app, Method::GET, "/profile", Some(&unknown), None).await;
    problem(s, &h, &b, 401, "invalid-api-key");
    // A read-only key reads prices but not the profile, and writes nothing.
    let (s, _, _) = call(
        &app,
        Method::GET,
        "/prices",
        Some(&net.north_read_key),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/profile",
        Some(&net.north_read_key),
        None,
    )
    .await;
    problem(s, &h, &b, 403, "insufficient-scope");
    let (s, h, b) = call(
        &app,
        Method::DELETE,
        "/prices/X",
        Some(&net.north_read_key),
        None,
    )
    .await;
    problem(s, &h, &b, 403, "insufficient-scope");
    // A test key reads live data but changes none of it.
    let (s, _, _) = call(
        &app,
        Method::GET,
        "/prices",
        Some(&net.north_test_key),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, h, b) = call(
        &app,
        Method::PUT,
        "/territories",
        Some(&net.north_test_key),
        Some(json!({"regions": [{"country": "DE"}]})),
    )
    .await;
    problem(s, &h, &b, 403, "test-key-on-live-data");
    let (s, _, t) = call(
        &app,
        Method::GET,
        "/territories",
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!((s, t["regions"].as_array().map(Vec::len)), (200, Some(0)));
    // A revoked key is refused at once.
    let ndb = operator(&app.db, &net.north);
    let keys = api_keys::list(&ndb).await.expect("keys");
    let live = keys.iter().find(|k| k.name == "ERP").expect("the live key");
    api_keys::revoke(&ndb, live.id).await.expect("revoke");
    let (s, h, b) = call(&app, Method::GET, "/profile", Some(&net.north_key), None).await;
    problem(s, &h, &b, 401, "invalid-api-key");
    // A suspended partner's keys stop working.
    registry::set_status(&app.db, &net.swift, tenants::TenantStatus::Suspended)
        .await
        .expect("suspend");
    let (s, h, b) = call(&app, Method::GET, "/profile", Some(&net.swift_key), None).await;
    problem(s, &h, &b, 403, "partner-inactive");
}

#[tokio::test]
async fn a_bad_batch_writes_nothing_and_names_every_bad_row() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let item = &master.items[0];
    let list = item.price.minor;
    let (s, h, b) = call(
        &app,
        Method::PUT,
        "/prices",
        Some(&net.north_key),
        Some(json!({"prices": [
            {"sku": item.sku, "price_minor": list, "currency": "EUR", "partner_sku": "N-NEW"},
            {"sku": "NO-SUCH-SKU", "price_minor": 100, "currency": "EUR"},
            {"sku": item.sku, "price_minor": list / 10, "currency": "EUR"},
        ]})),
    )
    .await;
    problem(s, &h, &b, 422, "validation");
    let errors = b["errors"].as_array().expect("errors");
    let named: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap_or(99),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(named, vec![(1, "sku"), (2, "price_minor")], "{b}");
    assert!(
        errors[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("policy allows")),
        "{b}"
    );
    // Nothing was written: the first row's new code is not there.
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/prices/N-NEW",
        Some(&net.north_key),
        None,
    )
    .await;
    problem(s, &h, &b, 404, "not-found");
    // A good batch is written whole, and a version counts each write.
    let (s, _, b) = call(
        &app,
        Method::PUT,
        "/prices",
        Some(&net.north_key),
        Some(json!({"prices": [{"sku": item.sku, "price_minor": list, "currency": "EUR", "partner_sku": "N-NEW", "stock": 12, "lead_days": 3, "breaks": [{"min_quantity": 10, "price_minor": list - 1}]}]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["items"][0]["partner_sku"], "N-NEW");
    assert_eq!(b["items"][0]["version"], 2, "{b}");
    // Malformed bodies are problems too.
    let res = app
        .client
        .put(app.url("localhost", "/partner/v1/prices"))
        .bearer_auth(&net.north_key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answer");
    let h = res.headers().clone();
    let b: Value = res.json().await.expect("json");
    problem(400, &h, &b, 400, "malformed-request");
    let res = app
        .client
        .put(app.url("localhost", "/partner/v1/prices"))
        .bearer_auth(&net.north_key)
        .body("prices")
        .send()
        .await
        .expect("answer");
    let (s, h) = (res.status().as_u16(), res.headers().clone());
    let b: Value = res.json().await.expect("json");
    problem(s, &h, &b, 415, "unsupported-media-type");
    let (s, h, b) = call(
        &app,
        Method::PUT,
        "/prices",
        Some(&net.north_key),
        Some(json!({"prices": [], "extra": 1})),
    )
    .await;
    problem(s, &h, &b, 422, "validation");
}

#[tokio::test]
async fn an_update_names_the_version_it_read() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let update =
        json!({"contact_name": "Nina", "contact_email": "nina@nord.example", "currency": "EUR"});
    let put = |if_match: &'static str| {
        let app = &app;
        let key = net.north_key.clone();
        let update = update.clone();
        async move {
            let res = app
                .client
                .put(app.url("localhost", "/partner/v1/profile"))
                .bearer_auth(key)
                .header("if-match", if_match)
                .json(&update)
                .send()
                .await
                .expect("answer");
            let (s, h) = (res.status().as_u16(), res.headers().clone());
            (s, h, res.json::<Value>().await.expect("json"))
        }
    };
    let (s, h, b) = put("\"v1\"").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(h.get("etag").and_then(|v| v.to_str().ok()), Some("\"v2\""));
    assert_eq!(b["contact_name"], "Nina");
    let (s, h, b) = put("\"v1\"").await;
    problem(s, &h, &b, 412, "stale-version");
    assert_eq!(b["current_version"], 2);
    let (s, h, b) = put("\"banana\"").await;
    problem(s, &h, &b, 400, "malformed-request");
    let bad =
        json!({"contact_name": "Nina", "contact_email": "not an address", "currency": "EURO"});
    let (s, h, b) = call(
        &app,
        Method::PUT,
        "/profile",
        Some(&net.north_key),
        Some(bad),
    )
    .await;
    problem(s, &h, &b, 422, "validation");
}

#[tokio::test]
async fn pages_follow_the_cursor_and_unknown_routes_are_problems() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/prices?limit=2&cursor={c}"),
            None => "/prices?limit=2".into(),
        };
        let (s, _, b) = call(&app, Method::GET, &path, Some(&net.swift_key), None).await;
        assert_eq!(s, 200, "{b}");
        for p in b["items"].as_array().expect("items") {
            seen.push(p["sku"].as_str().expect("sku").to_owned());
        }
        match b["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "every price once, in SKU order");
    assert_eq!(seen.len(), 5);
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/prices?cursor=zz",
        Some(&net.swift_key),
        None,
    )
    .await;
    problem(s, &h, &b, 400, "malformed-request");
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/prices?limit=0",
        Some(&net.swift_key),
        None,
    )
    .await;
    problem(s, &h, &b, 400, "malformed-request");
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/nothing-here",
        Some(&net.swift_key),
        None,
    )
    .await;
    problem(s, &h, &b, 404, "not-found");
    let (s, h, b) = call(
        &app,
        Method::POST,
        "/profile",
        Some(&net.swift_key),
        Some(json!({})),
    )
    .await;
    problem(s, &h, &b, 405, "method-not-allowed");
}

#[tokio::test]
async fn the_document_and_the_reference_describe_the_served_routes() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let (s, _, doc) = call(&app, Method::GET, "/openapi.json", None, None).await;
    assert_eq!(s, 200);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{doc}"
    );
    // Every documented operation is served: without a key each answers 401 (not 404/405).
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
            let concrete = path.replace("{sku}", "X-1");
            let (s, h, b) = call(&app, m, &concrete, None, None).await;
            problem(s, &h, &b, 401, "missing-api-key");
        }
    }
    let (s, page) = app.get_page("localhost", "/partner/v1/docs").await;
    assert_eq!(s, 200);
    assert!(
        page.contains("/partner/v1/prices/{sku}"),
        "the reference lists the routes"
    );
    assert!(!page.contains("<script"), "the reference needs no script");
    let _ = net;
}

#[tokio::test]
async fn a_key_over_its_rate_is_told_when_to_come_back() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let burst = server::partner_api::limits::BURST as usize;
    // Sent all at once, so the quota's pace (10 a second) cannot refill the burst while they
    // run, however slow the database.
    let sent = burst * 5 / 2;
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..sent {
        let client = app.client.clone();
        let url = app.url("localhost", "/partner/v1/territories");
        let key = net.swift_key.clone();
        calls.spawn(async move {
            let res = client
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .expect("answer");
            let (s, h) = (res.status().as_u16(), res.headers().clone());
            (s, h, res.json::<Value>().await.expect("json"))
        });
    }
    let (mut ok, mut refused) = (0, 0);
    while let Some(r) = calls.join_next().await {
        let (s, h, b) = r.expect("task");
        assert_eq!(
            h.get("ratelimit-policy").and_then(|v| v.to_str().ok()),
            Some(server::partner_api::limits::POLICY)
        );
        match s {
            200 => ok += 1,
            _ => {
                problem(s, &h, &b, 429, "rate-limited");
                let wait: u64 = h
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After in seconds");
                assert!((1..=60).contains(&wait), "{wait}");
                assert_eq!(b["retry_after"], wait);
                refused += 1;
            }
        }
    }
    assert!(ok >= burst, "the whole burst is allowed ({ok} of {sent})");
    assert!(
        refused > 0,
        "refused once the burst is spent ({ok} allowed of {sent})"
    );
    // Another key of another partner has its own quota.
    let (s, _, _) = call(
        &app,
        Method::GET,
        "/territories",
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(s, 200);
}

/// The fulfilment question cart transfer and quotes will ask: which partners linked to this
/// store can fulfil these lines for this ship-to, at what price.
#[tokio::test]
async fn a_store_sees_offers_from_its_own_suppliers_only() {
    use chrono::NaiveDate;
    use tenants::partners::fulfilment::{Lack, Want, candidates};
    use tenants::partners::territories::{self, Region, ShipTo};

    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let hub = registry::hub(&app.db).await.expect("db").expect("hub");
    let hdb = operator(&app.db, &hub);
    let acme = registry::find_by_slug(&app.db, "acme")
        .await
        .expect("db")
        .expect("acme");
    let bolt = registry::find_by_slug(&app.db, "bolt")
        .await
        .expect("db")
        .expect("bolt");
    for d in [&net.north, &net.swift] {
        partners::link_supplier(&hdb, d.id(), acme.id())
            .await
            .expect("link");
    }
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let (a, b) = (&master.items[0], &master.items[1]);
    let region = |c: &str| Region {
        country: c.into(),
        subdivision: None,
        postal_prefix: None,
    };
    let ndb = operator(&app.db, &net.north);
    let sdb = operator(&app.db, &net.swift);
    territories::replace(&ndb, &[region("DE")])
        .await
        .expect("north ships to DE");
    territories::replace(&sdb, &[region("DE"), region("FR")])
        .await
        .expect("swift ships to DE, FR");
    // swift is cheaper on the first product; north has only one of the second on hand.
    // A write replaces the row, the partner's own code included.
    let price = |sku: &str, code: &str, minor: i64, stock: Option<u32>| PriceInput {
        sku: sku.into(),
        partner_sku: Some(code.into()),
        price_minor: minor,
        currency: "EUR".into(),
        min_quantity: 1,
        stock,
        ..Default::default()
    };
    price_list::upsert(
        &sdb,
        &master,
        &[price(&a.sku, "S-0", a.price.percent(95).minor, None)],
    )
    .await
    .expect("swift's price");
    price_list::upsert(
        &ndb,
        &master,
        &[price(&b.sku, "N-1", b.price.minor, Some(1))],
    )
    .await
    .expect("north's stock");
    let day = NaiveDate::from_ymd_opt(2026, 12, 2).expect("day");
    let wants = [
        Want {
            sku: a.sku.clone(),
            quantity: 2,
        },
        Want {
            sku: b.sku.clone(),
            quantity: 3,
        },
    ];
    let to_de = ShipTo {
        country: "DE".into(),
        ..Default::default()
    };
    let acme_db = operator(&app.db, &acme);
    let c = candidates(&acme_db, &wants, &to_de, day)
        .await
        .expect("candidates");
    assert_eq!(c.complete.len(), 1, "{c:?}");
    let swift = &c.complete[0];
    assert_eq!(swift.partner.slug, "swif");
    let expected = a.price.percent(95).minor * 2 + b.price.minor * 3;
    assert_eq!(swift.total.map(|t| t.minor), Some(expected));
    assert_eq!(
        swift.lines[0].partner_sku.as_deref(),
        Some("S-0"),
        "both codes on every line"
    );
    assert_eq!(c.partial.len(), 1, "{c:?}");
    assert_eq!(c.partial[0].partner.slug, "nord");
    assert_eq!(
        c.partial[0].lacks,
        vec![Lack::Stock {
            sku: b.sku.clone(),
            on_hand: 1
        }]
    );
    // To France north does not ship at all.
    let to_fr = ShipTo {
        country: "FR".into(),
        ..Default::default()
    };
    let c = candidates(&acme_db, &wants, &to_fr, day)
        .await
        .expect("candidates");
    assert!(
        c.partial
            .iter()
            .any(|o| o.partner.slug == "nord" && o.lacks.contains(&Lack::Territory))
    );
    // bolt has no supplier links: nobody's prices reach it.
    let c = candidates(&operator(&app.db, &bolt), &wants, &to_de, day)
        .await
        .expect("candidates");
    assert!(c.complete.is_empty() && c.partial.is_empty(), "{c:?}");
    // A suspended supplier is not offered.
    registry::set_status(&app.db, &net.swift, tenants::TenantStatus::Suspended)
        .await
        .expect("suspend");
    let c = candidates(&acme_db, &wants, &to_de, day)
        .await
        .expect("candidates");
    assert!(c.complete.is_empty(), "{c:?}");
    assert!(c.partial.iter().all(|o| o.partner.slug != "swif"));
    // Bad input is refused.
    assert!(candidates(&acme_db, &[], &to_de, day).await.is_err());
}
