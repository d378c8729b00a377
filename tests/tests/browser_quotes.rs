//! Quote requests in a real browser: acme's admin writes a request with a product line and a
//! described line (texts carrying markup) and sends it to north and swift; swift's price list
//! answers the product line at once; north's admin answers both lines in its console; acme
//! counters north's price; north revises; acme sees what changed and accepts north's second
//! offer; north finds the purchase order in its inbox; swift sees it was not selected. Every
//! page shows the typed texts as text.

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub};

const DEMO_PASSWORD: &str = "demo-password-2026";
const TITLE: &str = "Fit-out </title><img src=x onerror=\"window.__pwned=1\">";
const PAYLOAD: &str = "<script>window.__pwned=1</script><b>16 GB</b>";

async fn pwned(browser: &Browser) -> bool {
    browser
        .client
        .execute("return window.__pwned === 1", vec![])
        .await
        .expect("run a script")
        .as_bool()
        .unwrap_or(true)
}

/// Clears the element matching `css` and types `text` into it.
async fn type_into(browser: &Browser, css: &str, text: &str) {
    let el = browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

#[tokio::test]
async fn a_request_is_answered_negotiated_and_accepted() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let sku = hub.sku_priced_by(&["north", "swift", "acme"]).await;
    let acme = Browser::start().await;
    acme.log_in(
        &hub.url("acme.localhost", "/login"),
        "owner@acme.demo",
        DEMO_PASSWORD,
    )
    .await;

    // The request: a product line and a described line, with markup in the texts.
    acme.open_hydrated(&hub.url("acme.localhost", "/console/rfqs/new"))
        .await;
    acme.fill("title", TITLE).await;
    acme.fill("postal", "80331").await;
    acme.fill("address", "Marienplatz 1\n80331 München").await;
    acme.fill("notes", PAYLOAD).await;
    acme.click("[data-testid=add-product]").await;
    type_into(&acme, "[data-testid=line-sku]", &sku).await;
    // The store's catalog suggests the product as it is typed.
    acme.wait_text(&format!("datalist option[value='{sku}']"))
        .await;
    type_into(&acme, "[data-testid=line-quantity]", "20").await;
    acme.click("[data-testid=add-text]").await;
    type_into(
        &acme,
        "[data-testid=draft-line]:nth-child(2) [data-testid=line-description]",
        &format!("200 mid-range laptops {PAYLOAD}"),
    )
    .await;
    type_into(
        &acme,
        "[data-testid=draft-line]:nth-child(2) [data-testid=line-quantity]",
        "200",
    )
    .await;
    acme.screenshot("rfq-draft").await;
    acme.click("[data-testid=save-draft]").await;
    acme.wait_text("[data-testid=send-panel]").await;
    let url = acme.client.current_url().await.expect("url").to_string();
    let id = url
        .rsplit('/')
        .next()
        .expect("the request's id in the address")
        .to_owned();
    // A drawing, whose name carries markup too.
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir
        .path()
        .join("drawing <img src=x onerror=window.__pwned=1>.pdf");
    std::fs::write(&file, b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n").expect("write the file");
    acme.fill("attach-file", &file.display().to_string()).await;
    acme.click("[data-testid=attach]").await;
    acme.wait_text_containing(
        "[data-testid=files-panel] .rfq-files",
        "drawing <img src=x onerror=window.__pwned=1>.pdf",
    )
    .await;
    acme.click("[data-testid=send-rfq]").await;
    // swift answered the product line at once; the described line waits for a person.
    acme.wait_text_containing(
        "[data-testid=quote][data-seller='Swift Wholesale']",
        "Offer 1",
    )
    .await;
    acme.screenshot("rfq-sent").await;
    assert!(!pwned(&acme).await, "the request's texts stay text");

    // north's admin answers both lines in its console.
    let north = Browser::start().await;
    north
        .log_in(
            &hub.url("north.localhost", "/login"),
            "owner@north.demo",
            DEMO_PASSWORD,
        )
        .await;
    north
        .open_hydrated(&hub.url("north.localhost", "/console/partner/rfqs"))
        .await;
    north
        .wait_text_containing("[data-testid=rfq-list]", "Acme")
        .await;
    north
        .open_hydrated(&hub.url("north.localhost", &format!("/console/partner/rfqs/{id}")))
        .await;
    type_into(
        &north,
        "[data-testid=offer-line]:nth-child(1) [data-testid=offer-price]",
        "25.00",
    )
    .await;
    type_into(
        &north,
        "[data-testid=offer-line]:nth-child(2) [data-testid=offer-price]",
        "489.00",
    )
    .await;
    north
        .wait_text_containing(
            "[data-testid=rfq-files]",
            "drawing <img src=x onerror=window.__pwned=1>.pdf",
        )
        .await;
    north.fill("terms", PAYLOAD).await;
    north.click("[data-testid=send-offer]").await;
    north
        .wait_text_containing("[data-testid=version]", "Offer 1")
        .await;
    north.screenshot("rfq-north-answered").await;
    assert!(!pwned(&north).await, "the buyer's texts stay text");

    // acme counters north's price for the product line.
    acme.open_hydrated(&url).await;
    acme.click("[data-testid=quote][data-seller='North Distribution'] [data-testid=counter-open]")
        .await;
    type_into(
        &acme,
        "[data-testid=quote][data-seller='North Distribution'] [data-testid=counter-price]",
        "22.50",
    )
    .await;
    acme.click("[data-testid=quote][data-seller='North Distribution'] [data-testid=send-counter]")
        .await;
    acme.wait_text_containing(
        "[data-testid=quote][data-seller='North Distribution']",
        "Your counter to offer 1",
    )
    .await;

    // north sees the counter and revises.
    north
        .open_hydrated(&hub.url("north.localhost", &format!("/console/partner/rfqs/{id}")))
        .await;
    north
        .wait_text_containing("[data-testid=countered]", "countered your offer 1")
        .await;
    type_into(
        &north,
        "[data-testid=offer-line]:nth-child(1) [data-testid=offer-price]",
        "23.17",
    )
    .await;
    north.click("[data-testid=send-offer]").await;
    north
        .wait_text_containing("[data-testid=version]", "Offer 2")
        .await;

    // acme compares, sees what changed, and accepts north's second offer.
    acme.open_hydrated(&url).await;
    acme.wait_text_containing("[data-testid=changes]", "offer 1 to offer 2")
        .await;
    acme.screenshot("rfq-compare").await;
    acme.click("[data-testid=accept][data-seller='North Distribution']")
        .await;
    let done = acme
        .wait_text_containing("[data-testid=accepted]", "Purchase order")
        .await;
    assert!(done.contains("NORTH-"), "{done}");
    acme.screenshot("rfq-accepted").await;
    let title = acme
        .client
        .execute("return document.title", vec![])
        .await
        .expect("title");
    assert!(
        title.as_str().is_some_and(|t| t.contains("</title><img")),
        "the title shows the typed text: {title}"
    );
    assert!(!pwned(&acme).await);

    // north has the purchase order; swift was not selected.
    north
        .open_hydrated(&hub.url("north.localhost", "/console/partner/orders"))
        .await;
    north
        .wait_text_containing("[data-testid=order-row]", "Acme")
        .await;
    let swift = Browser::start().await;
    swift
        .log_in(
            &hub.url("swift.localhost", "/login"),
            "owner@swift.demo",
            DEMO_PASSWORD,
        )
        .await;
    swift
        .open_hydrated(&hub.url("swift.localhost", &format!("/console/partner/rfqs/{id}")))
        .await;
    swift
        .wait_text_containing("[data-testid=rfq-state]", "Closed")
        .await;
    let page = swift.wait_text("main").await;
    assert!(page.to_lowercase().contains("not selected"), "{page}");
    assert!(!page.contains("23.17"), "swift never sees north's price");
    swift
        .open_hydrated(&hub.url("swift.localhost", "/console/partner/rfqs"))
        .await;
    swift.screenshot("rfq-swift-inbox").await;
    assert!(!pwned(&swift).await);

    // The hub admin sees the activity.
    let admin = Browser::start().await;
    admin
        .log_in(
            &hub.url("localhost", "/login"),
            "admin@hub.demo",
            DEMO_PASSWORD,
        )
        .await;
    admin
        .open_hydrated(&hub.url("localhost", "/admin/rfqs"))
        .await;
    admin
        .wait_text_containing("[data-testid=activity-table]", "North Distribution")
        .await;
    admin.screenshot("rfq-activity").await;
}
