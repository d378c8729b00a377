//! The storefront in a real browser: branded stores from the demo data, a reseller setting up
//! its store with the wizard and a customer filling a cart, and hostile names, descriptions and
//! branding that must stay inert text.

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub};
use tenants::catalog::master::{self, ProductInput};
use tenants::catalog::store;

const DEMO_PASSWORD: &str = "demo-password-2026";
const PAYLOAD: &str = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>";

async fn pwned(browser: &Browser) -> bool {
    browser
        .client
        .execute("return window.__pwned === 1", vec![])
        .await
        .expect("run a script")
        .as_bool()
        .unwrap_or(true)
}

#[tokio::test]
async fn demo_stores_are_branded_and_browsable() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    for (host, shot) in [
        ("acme.localhost", "store-acme"),
        ("bolt.localhost", "store-bolt"),
        ("localhost", "store-hub"),
    ] {
        browser.open_hydrated(&hub.url(host, "/")).await;
        browser.wait_text("[data-testid=product-tile]").await;
        browser.screenshot(shot).await;
    }
    // Different branding per store, as custom properties.
    browser
        .open_hydrated(&hub.url("acme.localhost", "/c/drills-drivers"))
        .await;
    let acme = browser
        .client
        .execute(
            "return getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()",
            vec![],
        )
        .await
        .expect("css");
    browser.screenshot("store-acme-category").await;
    browser
        .open_hydrated(&hub.url("bolt.localhost", "/c/drills-drivers"))
        .await;
    let bolt = browser
        .client
        .execute(
            "return getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()",
            vec![],
        )
        .await
        .expect("css");
    assert_eq!(acme.as_str(), Some("#0b5d3b"));
    assert_eq!(bolt.as_str(), Some("#1e3a8a"));
    // Choosing a sort order reloads the listing in that order (a handler, no inline code).
    browser
        .client
        .execute(
            "const s = document.getElementById('sort'); s.value = 'price_desc'; s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await
        .expect("choose a sort order");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let url = browser.client.current_url().await.expect("url").to_string();
        if url.contains("sort=price_desc") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sort did not submit: {url}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Search tolerates a typo.
    browser
        .open_hydrated(&hub.url("acme.localhost", "/search?q=cordles"))
        .await;
    let count = browser.wait_text("[data-testid=result-count]").await;
    assert!(!count.starts_with('0'), "{count}");
    browser.screenshot("store-acme-search").await;
}

#[tokio::test]
async fn hostile_text_is_rendered_inert() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let db = hub.database().await;
    let hub_tenant = tenants::registry::hub(&db).await.expect("db").expect("hub");
    let hdb = tenants::access::operator(&db, &hub_tenant);
    master::save_product(
        &hdb,
        None,
        &ProductInput {
            sku: "XSS-1".into(),
            name: format!("Drill {PAYLOAD}"),
            description: format!("{PAYLOAD}\n\n[click](javascript:window.__pwned=1)"),
            price: "10.00".into(),
            currency: "EUR".into(),
            category: "drills-drivers".into(),
            status: "active".into(),
            attributes: format!("Note={}", "<b onmouseover=window.__pwned=1>x</b>"),
            image: String::new(),
        },
    )
    .await
    .expect("saved");
    let acme = tenants::registry::find_by_slug(&db, "acme")
        .await
        .expect("db")
        .expect("acme");
    let adb = tenants::access::operator(&db, &acme);
    let mut s = store::settings(&adb)
        .await
        .expect("db")
        .expect("acme is set up");
    s.branding.tagline = format!("Tagline {PAYLOAD}");
    s.branding.hero_text = format!("Hero {PAYLOAD}");
    store::save_settings(&adb, &s).await.expect("saved");

    let browser = Browser::start().await;
    for path in ["/", "/p/XSS-1", "/c/drills-drivers", "/search?q=drill"] {
        browser
            .open_hydrated(&hub.url("acme.localhost", path))
            .await;
        assert!(!pwned(&browser).await, "a script ran on {path}");
        let handlers = browser
            .client
            .find_all(Locator::Css(
                "[onerror], [onmouseover], main script, a[href^='javascript']",
            ))
            .await
            .expect("query");
        assert!(
            handlers.is_empty(),
            "an injected handler or script on {path}"
        );
    }
    browser
        .open_hydrated(&hub.url("acme.localhost", "/p/XSS-1"))
        .await;
    let name = browser.wait_text("[data-testid=product-name]").await;
    assert!(name.contains("<script>"), "the name shows as text: {name}");
    browser.screenshot("xss-inert").await;
}

#[tokio::test]
async fn a_reseller_opens_its_store_with_the_wizard_and_a_customer_fills_a_cart() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    // dash is approved and has not set up its store.
    browser
        .open_hydrated(&hub.url("dash.localhost", "/login"))
        .await;
    browser.fill("email", "owner@dash.demo").await;
    browser.fill("password", DEMO_PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_text("[data-testid=account-chip]").await;
    browser
        .open_hydrated(&hub.url("dash.localhost", "/console/store"))
        .await;
    browser.screenshot("wizard-start").await;
    // Step through the wizard, keeping the address and the defaults, with our own words.
    browser.fill("tagline", "Hardware for everyone").await;
    browser.click("[data-testid=wizard-next]").await;
    browser
        .fill("hero-text", "Dash into your next project")
        .await;
    browser.screenshot("wizard-branding").await;
    for _ in 0..6 {
        if browser
            .client
            .find(Locator::Css("[data-testid=wizard-publish]"))
            .await
            .is_ok()
        {
            break;
        }
        browser.click("[data-testid=wizard-next]").await;
    }
    browser.screenshot("wizard-review").await;
    browser.click("[data-testid=wizard-publish]").await;
    let live = browser.wait_text("[data-testid=store-live]").await;
    assert!(live.contains("dash.localhost"), "{live}");
    browser.screenshot("wizard-live").await;

    // A visitor (a fresh browser: no session) opens the store and adds two products.
    let visitor = Browser::start().await;
    visitor.open_hydrated(&hub.url("dash.localhost", "/")).await;
    let hero = visitor.wait_text("[data-testid=store-hero]").await;
    assert!(hero.contains("Dash into your next project"), "{hero}");
    let mut links = Vec::new();
    for a in visitor
        .client
        .find_all(Locator::Css("[data-testid=product-tile] a"))
        .await
        .expect("tiles")
        .into_iter()
        .take(2)
    {
        links.push(a.attr("href").await.expect("href").expect("a link"));
    }
    assert_eq!(links.len(), 2, "the store shows products");
    for link in links {
        visitor
            .open_hydrated(&hub.url("dash.localhost", &link))
            .await;
        visitor.click("[data-testid=add-to-cart]").await;
        visitor
            .wait_text("[data-testid=cart-status] .success-text")
            .await;
    }
    visitor.screenshot("product-added").await;
    visitor
        .open_hydrated(&hub.url("dash.localhost", "/cart"))
        .await;
    let total = visitor.wait_text("[data-testid=cart-total]").await;
    assert!(total.contains('€'), "{total}");
    visitor.screenshot("cart").await;
    // The cart survives a reload.
    visitor
        .open_hydrated(&hub.url("dash.localhost", "/cart"))
        .await;
    visitor.wait_text("[data-testid=cart-line]").await;
}

/// Payloads aimed at the document head (`<title>`, meta tags) and at attributes.
const HEAD_PAYLOADS: [&str; 3] = [
    "</title><script>window.__pwned=1</script>",
    "</title><svg onload=window.__pwned=1>",
    "\"><img src=x onerror=window.__pwned=1></style><script>window.__pwned=1</script>",
];

/// Nothing the payloads carry runs or becomes an element, head included: no flag set, no
/// element with a handler, no script without the response's nonce (the CSP would stop such a
/// script from running; its existence is the injection).
async fn assert_inert(browser: &Browser, what: &str) {
    assert!(!pwned(browser).await, "a script ran on {what}");
    let found = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[onload], [onerror], [onmouseover], svg, script:not([nonce]), a[href^=\"javascript\"]')).map(e => e.outerHTML.slice(0, 120))",
            vec![],
        )
        .await
        .expect("query the page");
    assert_eq!(
        found.as_array().map_or(0, Vec::len),
        0,
        "injected elements on {what}: {found}"
    );
    let title = browser.client.title().await.expect("the title");
    assert!(
        !title.contains("window.__pwned") || title.contains("</title>"),
        "on {what} the title was cut by markup: {title}"
    );
}

#[tokio::test]
async fn hostile_text_stays_text_in_the_head_and_the_consoles() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let [p1, p2, p3] = HEAD_PAYLOADS;
    let db = hub.database().await;
    let hub_tenant = tenants::registry::hub(&db).await.expect("db").expect("hub");
    let hdb = tenants::access::operator(&db, &hub_tenant);
    let hview = tenants::access::MasterView::of_hub(&hdb).expect("the hub's view");
    let category = master::save_category(
        &hdb,
        None,
        &master::CategoryInput {
            name: format!("Cat {p2}"),
            slug: "hostile-cat".into(),
            parent: String::new(),
            position: 99,
        },
    )
    .await
    .expect("category saved");
    let product = master::save_product(
        &hdb,
        None,
        &ProductInput {
            sku: "XSS-H1".into(),
            name: format!("Drill {p1}"),
            description: format!("{p3} {p2}"),
            price: "10.00".into(),
            currency: "EUR".into(),
            category: category.slug.clone(),
            status: "active".into(),
            attributes: format!("Note={p1}"),
            image: String::new(),
        },
    )
    .await
    .expect("saved");
    // Before anything asks the server for acme (its host cache would keep the old name).
    let acme = tenants::registry::find_by_slug(&db, "acme")
        .await
        .expect("db")
        .expect("acme");
    let acme = tenants::registry::rename(&db, &acme, &format!("Acme {p1}"))
        .await
        .expect("renamed");
    let adb = tenants::access::operator(&db, &acme);
    let mut s = store::settings(&adb)
        .await
        .expect("db")
        .expect("acme is set up");
    s.branding.tagline = format!("Tagline {p3}");
    s.branding.hero_text = format!("Hero {p2}");
    s.selection.all = true;
    store::save_settings(&adb, &s).await.expect("saved");
    store::set_override(
        &adb,
        &hview,
        product.id,
        store::Field::Name,
        Some(&format!("Override {p3}")),
    )
    .await
    .expect("override saved");

    let q = url_encode(p1);
    let browser = Browser::start().await;
    for (host, path) in [
        ("acme.localhost", "/".to_owned()),
        ("acme.localhost", "/c/hostile-cat".to_owned()),
        ("acme.localhost", "/p/XSS-H1".to_owned()),
        ("acme.localhost", format!("/search?q={q}")),
        ("acme.localhost", "/cart".to_owned()),
        ("acme.localhost", "/no-such-page".to_owned()),
        ("localhost", "/p/XSS-H1".to_owned()),
        ("localhost", "/c/hostile-cat".to_owned()),
        ("localhost", format!("/search?q={q}")),
    ] {
        let what = format!("{host}{path}");
        browser.open_hydrated(&hub.url(host, &path)).await;
        assert_inert(&browser, &what).await;
    }
    // The search query and the names are in the title as text.
    browser
        .open_hydrated(&hub.url("acme.localhost", &format!("/search?q={q}")))
        .await;
    let title = browser.client.title().await.expect("title");
    assert!(title.contains(p1), "the query shows as text: {title}");
    browser
        .open_hydrated(&hub.url("acme.localhost", "/p/XSS-H1"))
        .await;
    let title = browser.client.title().await.expect("title");
    assert!(title.contains(p3), "the override shows as text: {title}");
    assert!(title.contains(p1), "the store name shows as text: {title}");
    browser.screenshot("xss-head-inert").await;

    // The consoles, signed in.
    let admin = Browser::start().await;
    admin
        .log_in(
            &hub.url("localhost", "/login"),
            "admin@hub.demo",
            DEMO_PASSWORD,
        )
        .await;
    for path in [
        "/admin/catalog".to_owned(),
        "/admin/catalog?q=XSS-H1".to_owned(),
        format!("/admin/catalog/products/{}", product.id),
        "/admin/catalog/categories".to_owned(),
        "/admin/resellers".to_owned(),
    ] {
        admin.open_hydrated(&hub.url("localhost", &path)).await;
        assert_inert(&admin, &format!("hub console {path}")).await;
    }
    let owner = Browser::start().await;
    owner
        .open_hydrated(&hub.url("acme.localhost", "/login"))
        .await;
    owner.fill("email", "owner@acme.demo").await;
    owner.fill("password", DEMO_PASSWORD).await;
    owner.click("form button[type=submit]").await;
    owner.wait_text("[data-testid=account-chip]").await;
    for path in ["/console/catalog", "/console/store", "/account"] {
        owner.open_hydrated(&hub.url("acme.localhost", path)).await;
        assert_inert(&owner, &format!("store console {path}")).await;
    }
    owner.screenshot("xss-console-inert").await;
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The wasm bundles the current document loaded, by file name.
async fn bundles(browser: &Browser) -> Vec<String> {
    let v = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm'))",
            vec![],
        )
        .await
        .expect("resource timings");
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_shopper_gets_the_shop_bundle_and_the_consoles_load_theirs() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    for path in ["/", "/c/drills-drivers", "/search?q=drill", "/cart"] {
        browser
            .open_hydrated(&hub.url("acme.localhost", path))
            .await;
        assert_eq!(
            bundles(&browser).await,
            vec!["/pkg/hub-shop.wasm".to_owned()],
            "{path} loads the storefront bundle only"
        );
    }
    // Following a link to a page the shop bundle does not carry loads it with the full one.
    browser.open_hydrated(&hub.url("acme.localhost", "/")).await;
    browser.click("a[href='/login']").await;
    browser.wait_text("form button[type=submit]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let b = bundles(&browser).await;
        if b == vec!["/pkg/hub.wasm".to_owned()] {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the log-in page did not load the full bundle: {b:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/login");
    browser.fill("email", "shopper@acme.demo").await;
    browser.fill("password", DEMO_PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_text("[data-testid=account-chip]").await;
}
