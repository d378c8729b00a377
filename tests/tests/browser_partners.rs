//! The partner network in a real browser: the hub admin creates a distributor (with a name
//! that carries markup, which every page must show as text, the title included); its admin
//! logs in on its own subdomain, uploads a price list (a bad file first: nothing is written and
//! each bad line is named), creates an API key and a webhook endpoint pointing at the reference
//! partner, sends a test event and sees it delivered, verified by the reference partner, in
//! the log.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub, free_port, start_partner};

const DEMO_PASSWORD: &str = "demo-password-2026";
const PAYLOAD: &str = "Kappa <img src=x onerror=alert(1)> Supply";

async fn log_in(browser: &Browser, url: &str, email: &str, password: &str) {
    browser.open_hydrated(url).await;
    browser.fill("email", email).await;
    browser.fill("password", password).await;
    browser.click("form button[type=submit]").await;
}

/// Two SKUs of the demo catalog with their list price in cents.
async fn two_skus(hub: &BrowserHub) -> Vec<(String, i64)> {
    let db = hub.database().await;
    let master = tenants::catalog::CatalogCache::new(1024)
        .master(&db)
        .await
        .expect("the master catalog");
    master
        .items
        .iter()
        .take(2)
        .map(|i| (i.sku.clone(), i.price.minor))
        .collect()
}

fn cents(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

#[tokio::test]
async fn a_new_distributor_uploads_prices_creates_a_key_and_an_endpoint_and_sees_its_test_event_delivered()
 {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    let c = &browser.client;

    // The hub admin creates the distributor.
    log_in(
        &browser,
        &hub.url("localhost", "/login"),
        "admin@hub.demo",
        DEMO_PASSWORD,
    )
    .await;
    browser.wait_text("[data-testid=account-chip]").await;
    browser
        .open_hydrated(&hub.url("localhost", "/admin/distributors"))
        .await;
    browser.wait_text("[data-testid=distributors]").await;
    browser.fill("name", PAYLOAD).await;
    browser.fill("slug", "kappa").await;
    browser.fill("contact_name", "Kim Kappa").await;
    browser.fill("contact_email", "kim@kappa.example").await;
    browser.fill("currency", "EUR").await;
    browser.fill("admin_name", "Kim Kappa").await;
    browser.fill("admin_email", "kim@kappa.example").await;
    browser.fill("admin_password", "Kappa-Supply-2026!").await;
    browser.click("[data-testid=distributor-create]").await;
    let created = browser.wait_text("[data-testid=distributor-created]").await;
    assert!(created.contains(PAYLOAD), "{created}");
    let row = browser
        .wait_text_containing("tr[data-slug=kappa]", "Kappa")
        .await;
    assert!(row.contains(PAYLOAD), "the name shows as text: {row}");
    browser.screenshot("admin-distributors").await;

    // Its admin logs in on its own subdomain and opens the console.
    log_in(
        &browser,
        &hub.url("kappa.localhost", "/login"),
        "kim@kappa.example",
        "Kappa-Supply-2026!",
    )
    .await;
    browser.wait_text("[data-testid=account-chip]").await;
    browser
        .open_hydrated(&hub.url("kappa.localhost", "/console/partner"))
        .await;
    let name = browser.wait_text("[data-testid=partner-name]").await;
    assert_eq!(name, PAYLOAD, "the heading shows the name as text");
    let title = c.title().await.expect("the title");
    assert!(
        title.starts_with(PAYLOAD),
        "the title shows the name as text: {title:?}"
    );
    let injected = c
        .execute(
            "return document.querySelectorAll('img[src=x]').length",
            vec![],
        )
        .await
        .expect("count images");
    assert_eq!(
        injected.as_u64(),
        Some(0),
        "no element was made from the name"
    );
    browser.wait_text("[data-testid=prices-empty]").await;

    // Where it ships: a bad line is named, good ones are saved and shown.
    browser.fill("regions", "DE\nXX").await;
    browser.click("[data-testid=territories-save]").await;
    browser
        .wait_text_containing("#territories .field__error", "line 2")
        .await;
    c.find(Locator::Id("regions"))
        .await
        .expect("the editor")
        .clear()
        .await
        .expect("clear it");
    browser.fill("regions", "DE\nAT-9\nFR 75").await;
    browser.click("[data-testid=territories-save]").await;
    let saved = browser.wait_text("[data-testid=territories-saved]").await;
    assert_eq!(saved, "Saved 3 region(s).");

    // A colleague: added as staff, listed, and removable (the admin cannot remove itself).
    browser
        .fill("staff-name", "Sam <script>alert(1)</script> Staff")
        .await;
    browser.fill("staff-email", "sam@kappa.example").await;
    browser.fill("staff-password", "Kappa-Staff-2026!").await;
    browser.click("[data-testid=staff-add]").await;
    let staff = browser
        .wait_text_containing("[data-testid=staff]", "sam@kappa.example")
        .await;
    assert!(
        staff.contains("Sam <script>alert(1)</script> Staff"),
        "the name shows as text: {staff}"
    );

    // A bad file: nothing is written, each bad line is named.
    let skus = two_skus(&hub).await;
    assert_eq!(skus.len(), 2, "the demo catalog has products");
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "sku,price,currency,stock,lead_days\n{},{},EUR,12,3\nNO-SUCH-SKU,1.00,EUR,,2\n{},abc,EUR,1,1\n",
            skus[0].0,
            cents(skus[0].1),
            skus[1].0
        ),
    )
    .expect("write the file");
    c.find(Locator::Css("[data-testid=price-file]"))
        .await
        .expect("the file input")
        .send_keys(&bad.to_string_lossy())
        .await
        .expect("choose the file");
    browser.click("[data-testid=price-import-submit]").await;
    let problems = browser
        .wait_text("[data-testid=price-import-problems]")
        .await;
    assert!(problems.contains("Nothing was imported"), "{problems}");
    assert!(
        problems.contains("Line 4"),
        "the bad price's line: {problems}"
    );
    browser.screenshot("partner-import-problems").await;

    // A good file.
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "sku,partner_sku,price,currency,min_quantity,breaks,stock,lead_days\n{},K-1,{},EUR,1,10:{},25,2\n{},K-2,{},EUR,1,,,7\n",
            skus[0].0,
            cents(skus[0].1),
            cents(skus[0].1 - 100),
            skus[1].0,
            cents(skus[1].1)
        ),
    )
    .expect("write the file");
    c.find(Locator::Css("[data-testid=price-file]"))
        .await
        .expect("the file input")
        .send_keys(&good.to_string_lossy())
        .await
        .expect("choose the file");
    browser.click("[data-testid=price-import-submit]").await;
    let done = browser.wait_text("[data-testid=price-import-done]").await;
    assert_eq!(done, "Imported 2 price(s).");
    let table = browser
        .wait_text_containing("[data-testid=prices]", "K-2")
        .await;
    assert!(table.contains("made to order"), "{table}");

    // An API key, shown once.
    browser.fill("name", "ERP production").await;
    browser.click("[data-testid=key-create]").await;
    let key = browser.wait_text("[data-testid=new-key]").await;
    assert!(key.starts_with("hub_live_"), "{key}");
    browser
        .wait_text_containing("[data-testid=keys]", "ERP production")
        .await;

    // A webhook endpoint at the reference partner's address.
    let port = free_port();
    let hook = format!("http://127.0.0.1:{port}/webhooks");
    browser.fill("url", &hook).await;
    browser.fill("description", "reference partner").await;
    browser.click("[data-testid=endpoint-create]").await;
    let secret = browser.wait_text("[data-testid=endpoint-secret]").await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    browser
        .wait_text_containing("[data-testid=endpoints]", &hook)
        .await;

    // The reference partner starts with the key, finds the endpoint through the API and
    // learns its secret there.
    let partner = start_partner(&hub.url("localhost", ""), &key, port);
    if let Err(seen) = partner.saw("registered", 30) {
        panic!("the reference partner did not register: {seen:?}");
    }

    browser.click("[data-testid=send-test]").await;
    browser.wait_text("[data-testid=test-sent]").await;
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        browser.click("[data-testid=log-refresh]").await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        if c.find(Locator::Css(
            "tr[data-event='endpoint.test'][data-state=delivered]",
        ))
        .await
        .is_ok()
        {
            break;
        }
        if Instant::now() > deadline {
            let shot = browser.screenshot("partner-delivery-failure").await;
            panic!(
                "the test event was not delivered within 45 s; screenshot {}",
                shot.display()
            );
        }
    }
    if let Err(seen) = partner.saw("endpoint.test", 10) {
        panic!("the reference partner did not verify the test event: {seen:?}");
    }
    browser.screenshot("partner-console").await;
}
