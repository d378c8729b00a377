//! The catalog end to end: the master feeding stores through their selection, pricing rule
//! and overrides; the hub's locks and price policy; snapshot invalidation; CSV import and
//! export; uploads; the storefront's pages and cart (guest cart merged at log-in).

use std::sync::Arc;

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::spawn_app;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use tenants::auth::Role;
use tenants::catalog::csv_io::{self, ImportError, ProgressFn};
use tenants::catalog::master::{self, ProductInput};
use tenants::catalog::store::{self, Field, Policy};

fn no_progress() -> ProgressFn {
    Arc::new(|_| {})
}

async fn json(app: &hub_tests::TestApp, host: &str, path: &str) -> (u16, serde_json::Value) {
    let res = app
        .client
        .get(app.url(host, path))
        .send()
        .await
        .expect("answer");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

fn input(sku: &str, name: &str, price: &str) -> ProductInput {
    ProductInput {
        sku: sku.into(),
        name: name.into(),
        description: "Plain.".into(),
        price: price.into(),
        currency: "EUR".into(),
        category: "drills".into(),
        status: "active".into(),
        attributes: String::new(),
        image: String::new(),
    }
}

#[tokio::test]
async fn inherited_fields_follow_the_master_and_overrides_stick() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let hview = tenants::access::MasterView::of_hub(&hdb).expect("the hub's view");
    let acme_marker = world
        .markers
        .iter()
        .find(|(h, _)| h == "acme.localhost")
        .expect("marker")
        .1
        .clone();

    // acme overrides DR-1's name; bolt too (its own marker); both inherit DR-2's name.
    let (s, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-1").await;
    assert_eq!(s, 200);
    assert_eq!(p["card"]["name"], acme_marker.as_str());
    // A markup of +10 % on the list price of 60.00.
    assert_eq!(p["card"]["price"], "€66.00");
    assert_eq!(
        p["card"]["list_price"],
        serde_json::Value::Null,
        "no strike-through above list"
    );
    let (_, p) = json(&app, "bolt.localhost", "/api/store/product?sku=DR-2").await;
    assert_eq!(p["card"]["name"], "Cordless drill model 2");

    // The hub renames both products and changes a price: inherited fields follow at once,
    // the override stays.
    let builds = app.state.catalog.builds();
    let all = master::list_products(
        &hdb,
        &master::ProductQuery {
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .expect("list");
    let dr1 = all
        .items
        .iter()
        .find(|p| p.sku == "DR-1")
        .expect("DR-1")
        .clone();
    let dr2 = all
        .items
        .iter()
        .find(|p| p.sku == "DR-2")
        .expect("DR-2")
        .clone();
    master::save_product(&hdb, Some(dr1.id), &input("DR-1", "Renamed one", "100.00"))
        .await
        .expect("save");
    master::save_product(&hdb, Some(dr2.id), &input("DR-2", "Renamed two", "70.00"))
        .await
        .expect("save");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-1").await;
    assert_eq!(
        p["card"]["name"],
        acme_marker.as_str(),
        "the override stays"
    );
    assert_eq!(
        p["card"]["price"], "€110.00",
        "the inherited price follows the master"
    );
    for host in ["acme.localhost", "bolt.localhost", "localhost"] {
        let (_, p) = json(&app, host, "/api/store/product?sku=DR-2").await;
        assert_eq!(p["card"]["name"], "Renamed two", "{host}");
    }
    assert!(
        app.state.catalog.builds() > builds,
        "the change rebuilt the snapshots"
    );

    // Warm: repeated reads build nothing.
    let warm = app.state.catalog.builds();
    for _ in 0..5 {
        let (s, _) = json(&app, "acme.localhost", "/api/store/category?slug=drills").await;
        assert_eq!(s, 200);
    }
    assert_eq!(
        app.state.catalog.builds(),
        warm,
        "a warm storefront builds nothing"
    );

    // The hub locks names: every store shows the master's name; unlocking brings the
    // override back (it was kept).
    store::set_policy(
        &hdb,
        &Policy {
            locked: vec![Field::Name],
            ..Policy::default()
        },
    )
    .await
    .expect("policy");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-1").await;
    assert_eq!(p["card"]["name"], "Renamed one");
    let acme = world.tenant("acme.localhost").clone();
    let adb = tenants::access::operator(&app.db, &acme);
    let err = store::set_override(&adb, &hview, dr2.id, Field::Name, Some("Mine"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("DR-2") && err.contains("name") && err.contains("locked"),
        "{err}"
    );
    store::set_policy(&hdb, &Policy::default())
        .await
        .expect("policy");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-1").await;
    assert_eq!(p["card"]["name"], acme_marker.as_str());

    // The price policy: 90 % to 150 % of the list price, named in the refusal.
    let err = store::set_override(&adb, &hview, dr2.id, Field::Price, Some("200"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("DR-2")
            && err.contains("price")
            && err.contains("€63.00")
            && err.contains("€105.00"),
        "{err}"
    );
    store::set_override(&adb, &hview, dr2.id, Field::Price, Some("99.50"))
        .await
        .expect("in range");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-2").await;
    assert_eq!(p["card"]["price"], "€99.50");
    // The drift view lists both overrides of acme; reverting one restores the master.
    let policy = store::policy(&hview).await.expect("policy");
    let drift = store::drift(&adb, &hview, &policy).await.expect("drift");
    assert!(
        drift
            .iter()
            .any(|d| d.sku == "DR-2" && d.field == Field::Price && d.store == "€99.50"),
        "{drift:?}"
    );
    assert!(drift.iter().all(|d| d.outside_range.is_none()), "{drift:?}");
    // The hub tightens its range to 90 %–120 %: €99.50 (142 %) is no longer shown, the rule's
    // price is, and the drift view says why.
    store::set_policy(
        &hdb,
        &Policy {
            price_max_pct: 120,
            ..Policy::default()
        },
    )
    .await
    .expect("policy");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-2").await;
    assert_eq!(p["card"]["price"], "€77.00");
    let policy = store::policy(&hview).await.expect("policy");
    let drift = store::drift(&adb, &hview, &policy).await.expect("drift");
    let row = drift
        .iter()
        .find(|d| d.sku == "DR-2" && d.field == Field::Price)
        .expect("the price override is still listed");
    assert_eq!(row.outside_range.as_deref(), Some("€63.00 to €84.00"));
    store::set_policy(&hdb, &Policy::default())
        .await
        .expect("policy");
    store::set_override(&adb, &hview, dr2.id, Field::Price, None)
        .await
        .expect("revert");
    let (_, p) = json(&app, "acme.localhost", "/api/store/product?sku=DR-2").await;
    assert_eq!(p["card"]["price"], "€77.00");
    // Bolt never saw acme's price.
    let (_, p) = json(&app, "bolt.localhost", "/api/store/product?sku=DR-2").await;
    assert_eq!(p["card"]["price"], "€77.00");
}

#[tokio::test]
async fn selection_hides_what_a_store_does_not_sell() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let bolt = world.tenant("bolt.localhost").clone();
    let bdb = tenants::access::operator(&app.db, &bolt);
    let all = master::list_products(
        &hdb,
        &master::ProductQuery {
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .expect("list");
    let dr3 = all.items.iter().find(|p| p.sku == "DR-3").expect("DR-3").id;
    let mut s = store::settings(&bdb)
        .await
        .expect("settings")
        .expect("published");
    s.selection.exclude_products = vec![dr3];
    store::save_settings(&bdb, &s).await.expect("saved");
    let (status, _) = json(&app, "bolt.localhost", "/api/store/product?sku=DR-3").await;
    assert_eq!(status, 404);
    let (_, l) = json(
        &app,
        "bolt.localhost",
        "/api/store/category?slug=drills&sort=price",
    )
    .await;
    assert_eq!(l["total"], 5);
    let prices: Vec<i64> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["price_minor"].as_i64().expect("minor"))
        .collect();
    let mut sorted = prices.clone();
    sorted.sort();
    assert_eq!(prices, sorted, "sorted by price");
    let (_, l) = json(&app, "acme.localhost", "/api/store/category?slug=drills").await;
    assert_eq!(l["total"], 6, "acme still sells it");
    // Typo-tolerant search over the store's own names.
    let (_, r) = json(
        &app,
        "acme.localhost",
        "/api/store/search?q=cordles%20drils",
    )
    .await;
    assert!(r["total"].as_u64().expect("total") >= 5, "{r}");
    let (_, r) = json(&app, "acme.localhost", "/api/store/search?q=dr-4").await;
    assert_eq!(r["items"][0]["sku"], "DR-4", "{r}");
    // A pending store sells nothing: its categories are not found, and its page says so.
    let (status, body) = json(&app, "carl.localhost", "/api/store/category?slug=drills").await;
    assert_eq!((status, body), (404, serde_json::json!("NotFound")));
    let (status, html) = app.get_page("carl.localhost", "/c/drills").await;
    assert_eq!(status, 404);
    assert!(html.contains("This store does not sell that"), "{html}");
    assert!(!html.contains("Cordless drill"), "{html}");
}

#[tokio::test]
async fn storefront_pages_render_server_side_with_branding_and_escape_names() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let mut evil = input("XSS-1", "<script>window.__pwned=1</script>Drill", "60.00");
    evil.description =
        "<img src=x onerror=\"window.__pwned=1\"> **bold** [x](javascript:alert(1))".into();
    master::save_product(&hdb, None, &evil)
        .await
        .expect("saved");
    for host in [
        "acme.localhost",
        "bolt.localhost",
        "localhost",
        "carl.localhost",
        "dove.localhost",
    ] {
        let (status, _) = app.get_page(host, "/").await;
        assert_eq!(status, 200, "the home page of {host}");
    }
    let (status, html) = app.get_page("acme.localhost", "/c/drills").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("--brand:#1e3a8a"),
        "branding as custom properties"
    );
    assert!(html.contains("Cordless drill model 2"));
    assert!(
        !html.contains("<script>window.__pwned"),
        "names are escaped"
    );
    let (status, html) = app.get_page("acme.localhost", "/p/XSS-1").await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>bold</strong>"));
    assert!(!html.contains("onerror"), "descriptions are sanitised");
    assert!(!html.contains("javascript:alert"));
    assert!(html.contains("<title>"), "a title");
    let (status, html) = app.get_page("acme.localhost", "/p/NOPE-1").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("does not sell that"),
        "the store's own not-found page"
    );
}

#[tokio::test]
async fn a_guest_cart_survives_and_merges_into_the_customers_cart() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let host = "acme.localhost";
    let add = |cookie: Option<String>, sku: &'static str| {
        let mut req = app
            .client
            .post(app.url(host, "/api/store/cart/add"))
            .header(ORIGIN, app.origin(host))
            .header("accept", "application/json")
            .form(&[("sku", sku), ("quantity", "2")]);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send()
    };
    let res = add(None, "DR-2").await.expect("answer");
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(app::session::CART_COOKIE))
        .expect("a cart cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("Secure")
            && !cookie.to_lowercase().contains("domain")
    );
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let res = add(Some(pair.clone()), "DR-3").await.expect("answer");
    let cart: serde_json::Value = res.json().await.expect("json");
    assert_eq!(cart["count"], 4);
    // The same cookie at another store is no cart there.
    let res = app
        .client
        .get(app.url("bolt.localhost", "/api/store/cart"))
        .header(COOKIE, pair.clone())
        .send()
        .await
        .expect("answer");
    let other: serde_json::Value = res.json().await.expect("json");
    assert_eq!(other["count"], 0);
    // Log in as acme's customer with the guest cookie: the cart moves to the account.
    let customer = world.account(host, Role::Customer);
    let res = app
        .client
        .post(app.url(host, "/api/auth/login"))
        .header(ORIGIN, app.origin(host))
        .header("accept", "application/json")
        .header(COOKIE, pair)
        .form(&[("email", customer.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), 200);
    let mut session = hub_tests::scenario::Session::default();
    session.absorb(res.headers());
    let res = app.get_with(host, "/api/store/cart", Some(&session)).await;
    let cart: serde_json::Value = res.json().await.expect("json");
    assert_eq!(cart["count"], 4, "{cart}");
    assert_eq!(cart["lines"].as_array().expect("lines").len(), 2);
    // €77.00 × 2 + €88.00 × 2 (list + 10 %).
    assert_eq!(cart["totals"][0], "€330.00");
}

#[tokio::test]
async fn csv_import_reports_every_bad_row_and_round_trips() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let bad = "sku,name,price,currency,category\nNEW-1,Fine,1.00,EUR,drills\nNEW 2,,x,EUR,drills\nNEW-3,Bad cur,1,ZZZ,\nNEW-4,Cat,1,EUR,nowhere\n";
    match csv_io::import(&hdb, bad.as_bytes().to_vec(), no_progress()).await {
        Err(ImportError::Rows { errors, total }) => {
            assert_eq!(total, 3);
            assert_eq!(
                errors.iter().map(|e| e.line).collect::<Vec<_>>(),
                vec![3, 4, 5]
            );
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    let page = master::list_products(
        &hdb,
        &master::ProductQuery {
            search: Some("NEW-".into()),
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .expect("list");
    assert_eq!(page.total, 0, "nothing was imported");
    // A formula in a name is neutralised on export and restored on import.
    master::save_product(
        &hdb,
        None,
        &input("F-1", "=HYPERLINK(\"http://x\")", "5.00"),
    )
    .await
    .expect("saved");
    let out = String::from_utf8(csv_io::export(&hdb).await.expect("export")).expect("utf-8");
    assert!(out.contains("'=HYPERLINK"), "{out}");
    let report = csv_io::import(&hdb, out.clone().into_bytes(), no_progress())
        .await
        .expect("round trip");
    assert_eq!(report.created, 0);
    assert_eq!(report.rows, 7);
    let again = String::from_utf8(csv_io::export(&hdb).await.expect("export")).expect("utf-8");
    assert_eq!(out, again, "export → import → export is stable");
    // Importing into a store is refused: only the hub has a master catalog.
    let acme = world.tenant("acme.localhost").clone();
    let refused = csv_io::import(
        &tenants::access::operator(&app.db, &acme),
        out.into_bytes(),
        no_progress(),
    )
    .await;
    assert!(
        matches!(refused, Err(ImportError::Other(tenants::Error::Forbidden))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn media_is_checked_by_content_and_served_immutable() {
    let Some(app) = spawn_app().await else { return };
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-a-real-image-but-a-png-signature";
    let name = app
        .state
        .media
        .store_image(png, Some("image/png"))
        .await
        .expect("stored");
    let res = app
        .client
        .get(app.url("acme.localhost", &format!("/media/{name}")))
        .send()
        .await
        .expect("answer");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let lie = app
        .state
        .media
        .store_image(b"<svg onload=alert(1)>", Some("image/png"))
        .await;
    assert!(lie.unwrap_err().to_string().contains("not a PNG"));
    let big = vec![0xFF_u8; app.state.media.max_bytes() + 1];
    assert!(
        app.state
            .media
            .store_image(&big, None)
            .await
            .unwrap_err()
            .to_string()
            .contains("limit")
    );
    for bad in [
        "/media/..%2Fsecrets%2Fsigning.key",
        "/media/nothing.png",
        "/media/0123456789abcdef0123456789abcdef.exe",
    ] {
        let res = app
            .client
            .get(app.url("localhost", bad))
            .send()
            .await
            .expect("answer");
        assert_eq!(res.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn the_export_is_for_hub_admins_only() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let (status, _) = app.get_page("localhost", "/admin/catalog/export.csv").await;
    assert_eq!(status, 401);
    let acme_admin = world.account("acme.localhost", Role::ResellerAdmin);
    let s = app
        .log_in("acme.localhost", &acme_admin.email, PASSWORD)
        .await;
    let res = app
        .get_with("acme.localhost", "/admin/catalog/export.csv", Some(&s))
        .await;
    assert_eq!(res.status(), 404, "no hub console on a store's host");
    let customer = world.account("localhost", Role::Customer);
    let s = app.log_in("localhost", &customer.email, PASSWORD).await;
    let res = app
        .get_with("localhost", "/admin/catalog/export.csv", Some(&s))
        .await;
    assert_eq!(
        res.status(),
        403,
        "a customer of the hub's store is not its admin"
    );
    let admin = world.account("localhost", Role::HubAdmin);
    let s = app.log_in("localhost", &admin.email, PASSWORD).await;
    let res = app
        .get_with("localhost", "/admin/catalog/export.csv", Some(&s))
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.expect("text");
    assert!(body.starts_with("sku,name,description,price,currency"));
    assert!(body.contains("DR-6"));
}

#[tokio::test]
async fn cached_anonymous_pages_follow_every_change() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let (_, first) = app.get_page("acme.localhost", "/p/DR-2").await;
    let (_, again) = app.get_page("acme.localhost", "/p/DR-2").await;
    assert!(first.contains("Cordless drill model 2") && again.contains("Cordless drill model 2"));
    let all = master::list_products(
        &hdb,
        &master::ProductQuery {
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .expect("list");
    let dr2 = all.items.iter().find(|p| p.sku == "DR-2").expect("DR-2").id;
    master::save_product(&hdb, Some(dr2), &input("DR-2", "Brand new name", "70.00"))
        .await
        .expect("save");
    let (_, page) = app.get_page("acme.localhost", "/p/DR-2").await;
    assert!(
        page.contains("Brand new name"),
        "a master change shows on the next request"
    );
    // A store change too (acme's own override), and not at bolt.
    let acme = world.tenant("acme.localhost").clone();
    store::set_override(
        &tenants::access::operator(&app.db, &acme),
        &tenants::access::MasterView::of_hub(&hdb).expect("the hub's view"),
        dr2,
        Field::Name,
        Some("Acme's own name"),
    )
    .await
    .expect("override");
    let (_, page) = app.get_page("acme.localhost", "/p/DR-2").await;
    assert!(
        page.contains("Acme&#39;s own name") || page.contains("Acme's own name"),
        "{page}"
    );
    let (_, page) = app.get_page("bolt.localhost", "/p/DR-2").await;
    assert!(page.contains("Brand new name"));
    // The same listings as JSON (kept like the pages) follow the change too.
    let (status, json) = app
        .get_page("acme.localhost", "/api/store/product?sku=DR-2")
        .await;
    assert_eq!(status, 200, "{json}");
    assert!(json.contains("Acme's own name"), "{json}");
    store::set_override(
        &tenants::access::operator(&app.db, &acme),
        &tenants::access::MasterView::of_hub(&hdb).expect("the hub's view"),
        dr2,
        Field::Name,
        Some("Acme's second name"),
    )
    .await
    .expect("override");
    let (_, json) = app
        .get_page("acme.localhost", "/api/store/product?sku=DR-2")
        .await;
    assert!(
        json.contains("Acme's second name"),
        "a kept JSON answer follows: {json}"
    );
    let (_, json) = app
        .get_page("bolt.localhost", "/api/store/product?sku=DR-2")
        .await;
    assert!(
        !json.contains("Acme"),
        "another store's answer is its own: {json}"
    );
    // A visitor with a cart gets the kept page with their own header swapped in.
    let res = app
        .post_form(
            "acme.localhost",
            "/api/store/cart/add",
            None,
            &[("sku", "DR-3"), ("quantity", "1")],
        )
        .await;
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(app::session::CART_COOKIE))
        .expect("a cart cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();
    let page_with = |cookie: Option<String>| {
        let app = &app;
        async move {
            let mut req = app.client.get(app.url("acme.localhost", "/p/DR-2"));
            if let Some(c) = cookie {
                req = req.header(COOKIE, c);
            }
            req.send()
                .await
                .expect("answer")
                .text()
                .await
                .expect("text")
        }
    };
    let cart_count = |html: &str| {
        html.split("data-testid=\"cart-count\"")
            .nth(1)
            .and_then(|r| r.split('>').nth(1))
            .and_then(|r| r.split('<').next())
            .unwrap_or("none")
            .to_owned()
    };
    let anonymous = page_with(None).await;
    let (_, spliced) = app.pages.served();
    let html = page_with(Some(cookie.clone())).await;
    assert_eq!(cart_count(&html), "1", "the visitor's own cart count");
    // A storefront page is islands: the header is server HTML only, with no hydration
    // value that could still hold the anonymous count (or anyone's).
    assert!(
        !html.contains("cart_count") && !anonymous.contains("cart_count"),
        "no hydration value for the header on a storefront page"
    );
    assert_eq!(
        app.pages.served().1,
        spliced + 1,
        "answered from the kept page, not rendered again"
    );
    // Apart from the header block, it is the anonymous page.
    let body = |html: &str| html.split("<main").nth(1).unwrap_or_default().to_owned();
    let strip = |html: &str| html.split("<script").next().unwrap_or_default().to_owned();
    assert_eq!(strip(&body(&html)), strip(&body(&anonymous)));
    // A signed-in customer (whose name is a payload) sees their name, escaped, and their
    // cart; the next anonymous visitor sees neither.
    let evil = "<img src=x onerror=alert(1)>Dana";
    let res = app
        .post_form(
            "acme.localhost",
            "/api/auth/signup",
            None,
            &[
                ("name", evil),
                ("email", "dana@example.com"),
                ("password", "Plum-Tree-Orbit-5"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut session = hub_tests::scenario::Session::default();
    session.absorb(res.headers());
    let cookie = session
        .cookie_header()
        .and_then(|v| v.to_str().ok().map(str::to_owned));
    let html = page_with(cookie).await;
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;Dana"),
        "the customer's name, escaped"
    );
    assert!(!html.contains(evil), "never as markup");
    assert!(!html.contains("data-testid=\"login-link\""));
    assert_eq!(app.pages.served().1, spliced + 2);
    let again = page_with(None).await;
    assert!(again.contains("data-testid=\"login-link\""));
    assert!(
        !again.contains("Dana"),
        "nothing of theirs stays in the kept page"
    );
    assert_eq!(cart_count(&again), "0");
}

/// Many requests changing one cart at once (a double click, several tabs): none fails and
/// none loses another's change, on SQLite (write transactions take the lock at BEGIN) and on
/// PostgreSQL (the cart row is locked).
#[tokio::test]
async fn concurrent_cart_changes_all_land() {
    use tenants::catalog::cart::{self, Owner};
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let sdb = tenants::access::operator(&app.db, &acme);
    let front = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("acme's storefront");
    let product = front.detail("DR-2").expect("acme sells DR-2").product.id;
    let other = front.detail("DR-3").expect("acme sells DR-3").product.id;
    let guest = cart::new_guest_id().expect("id");
    let mut adds = tokio::task::JoinSet::new();
    for i in 0..12 {
        let sdb = sdb.clone();
        let p = if i % 3 == 0 { other } else { product };
        adds.spawn(async move { cart::add(&sdb, Owner::Guest(guest), p, 1).await });
    }
    while let Some(r) = adds.join_next().await {
        r.expect("task").expect("every add lands");
    }
    let lines = cart::lines(&sdb, Owner::Guest(guest)).await.expect("lines");
    let qty = |p| {
        lines
            .iter()
            .find(|l| l.product == p)
            .map_or(0, |l| l.quantity)
    };
    assert_eq!((qty(product), qty(other)), (8, 4), "{lines:?}");
}

/// The wizard's name step: a reseller's admin renames its store through the wizard; the
/// storefront (a cached page included) shows the new name at once. Bad names and other
/// tenants' kinds are refused.
#[tokio::test]
async fn a_store_rename_shows_at_once() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let home = || async { app.get_page("acme.localhost", "/").await };
    // Twice, so the page cache holds the page with the old name.
    for _ in 0..2 {
        let (status, html) = home().await;
        assert_eq!(status, 200);
        assert!(html.contains(acme.name()), "{html}");
    }
    let admin = world.account("acme.localhost", Role::ResellerAdmin);
    let session = app.log_in("acme.localhost", &admin.email, PASSWORD).await;
    // The wizard's whole input, as its page sends it (JSON).
    let publish = |name: &str| {
        let store = serde_json::json!({
            "slug": "acme", "name": name, "tagline": "", "hero_text": "",
            "primary_color": "#1e3a8a", "accent_color": "#9a3412", "font": "system", "logo": "",
            "select_all": true, "include_categories": [], "exclude_categories": [],
            "include_products": [], "exclude_products": [],
            "markup": "10", "rounding": "none", "overrides": [],
        });
        let mut req = app
            .client
            .post(app.url("acme.localhost", "/api/console/store/publish"))
            .header(ORIGIN, app.origin("acme.localhost"))
            .json(&serde_json::json!({ "store": store }));
        if let Some(c) = session.cookie_header() {
            req = req.header(COOKIE, c);
        }
        async move {
            let res = req.send().await.expect("answer");
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.expect("json"))
        }
    };
    let (status, published) = publish("  Acme   Trade Supplies ").await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["name"], "Acme Trade Supplies");
    assert_eq!(published["renamed"], true);
    let (status, html) = home().await;
    assert_eq!(status, 200);
    assert!(html.contains("Acme Trade Supplies"), "{html}");
    assert!(!html.contains(acme.name()), "the old name is gone: {html}");

    let (status, err) = publish("x").await;
    assert_eq!(status, 422);
    assert_eq!(
        err,
        serde_json::json!({ "Validation": { "field": "name", "message": "must be 2 to 120 characters" } })
    );
    let (_, html) = home().await;
    assert!(html.contains("Acme Trade Supplies"), "unchanged: {html}");
    let hub = world.tenant("localhost").clone();
    let err = tenants::registry::rename(&app.db, &hub, "Someone else").await;
    assert!(matches!(err, Err(tenants::Error::Forbidden)), "{err:?}");
}

/// Version reads are shared between concurrent requests, but a request only ever joins a
/// read that starts after it arrived: a change committed before a request begins is always
/// seen, however busy the server is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_version_reads_never_miss_a_committed_change() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let hub = world.tenant("localhost").clone();
    let acme = world.tenant("acme.localhost").clone();
    let hdb = tenants::access::operator(&app.db, &hub);
    let hview = tenants::access::MasterView::of_hub(&hdb).expect("the hub's view");
    let adb = tenants::access::operator(&app.db, &acme);
    let dr2 = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("storefront")
        .detail("DR-2")
        .expect("DR-2")
        .product
        .id;
    // Background load: readers that keep a version read under way at all times.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (cache, db, acme, stop) = (
            app.state.catalog.clone(),
            app.db.clone(),
            acme.clone(),
            stop.clone(),
        );
        load.spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                cache.versions(&db, &acme).await.expect("versions");
            }
        });
    }
    let before = app.state.catalog.version_reads();
    for round in 0..25 {
        let flag = if round % 2 == 0 { "true" } else { "false" };
        store::set_override(&adb, &hview, dr2, Field::Featured, Some(flag))
            .await
            .expect("override");
        let committed = tenants::registry::catalog_versions(&app.db, &[acme.id()])
            .await
            .expect("read")[0]
            .1;
        let (_, seen) = app
            .state
            .catalog
            .versions(&app.db, &acme)
            .await
            .expect("versions");
        assert_eq!(seen, committed, "round {round}: a stale version was served");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    let (queries, answered) = app.state.catalog.version_reads();
    let (queries, answered) = (queries - before.0, answered - before.1);
    assert!(
        queries < answered,
        "under load reads are shared: {queries} queries for {answered} requests"
    );
}
