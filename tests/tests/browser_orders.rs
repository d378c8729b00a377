//! Cart transfer in a real browser: a guest at acme fills a cart, transfers it, sees north,
//! swift and acme itself with their exact prices, picks north and confirms (giving a name
//! that carries markup); north's admin accepts and ships the order in its console; the
//! guest's order page shows it shipped with the tracking number. Every page shows the
//! customer's and partner's text as text.

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub, free_port, start_partner};
use tenants::access::operator;
use tenants::registry;

const DEMO_PASSWORD: &str = "demo-password-2026";
const PAYLOAD: &str = "Ada <img src=x onerror=\"window.__pwned=1\"> Lovelace";

async fn pwned(browser: &Browser) -> bool {
    browser
        .client
        .execute("return window.__pwned === 1", vec![])
        .await
        .expect("run a script")
        .as_bool()
        .unwrap_or(true)
}

/// A guest at acme puts a SKU all partners price in the cart, transfers it (seeing north,
/// swift and acme with exact prices), picks `partner` and confirms. Returns the order page's
/// address.
async fn transfer_to(hub: &BrowserHub, shopper: &Browser, partner: &str, shots: bool) -> String {
    let sku = hub.sku_priced_by(&["north", "swift", "acme"]).await;
    shopper
        .open_hydrated(&hub.url("acme.localhost", &format!("/p/{sku}")))
        .await;
    shopper.click("[data-testid=add-to-cart]").await;
    shopper
        .wait_text("[data-testid=cart-status] .success-text")
        .await;
    shopper
        .open_hydrated(&hub.url("acme.localhost", "/cart"))
        .await;
    let link = shopper
        .client
        .find(Locator::Css("[data-testid=transfer-cart]"))
        .await
        .expect("the cart offers a transfer");
    assert_eq!(
        link.attr("href").await.expect("href").as_deref(),
        Some("/cart/transfer")
    );
    // The ship-to form, then every partner's exact price for it, streamed in as it comes
    // (swift's, when its system prices live, a moment after the others).
    shopper
        .open_hydrated(&hub.url("acme.localhost", "/cart/transfer"))
        .await;
    shopper.wait_text("[data-testid=find-partners]").await;
    shopper.fill("country", "DE").await;
    shopper.fill("postal", "80331").await;
    shopper.click("[data-testid=find-partners]").await;
    shopper
        .wait_text_containing("[data-testid=offers-count]", "3 partner(s)")
        .await;
    // The address bar names the ship-to, so a reload (and a browser without JavaScript,
    // whose form is a plain GET) shows the same list, rendered whole by the server.
    let here = shopper.client.current_url().await.expect("url");
    assert!(
        here.query()
            .is_some_and(|q| q.contains("country=DE") && q.contains("postal=80331")),
        "{here}"
    );
    shopper.open_hydrated(here.as_str()).await;
    shopper
        .wait_text_containing("[data-testid=offers-count]", "3 partner(s)")
        .await;
    let offers = shopper
        .client
        .find_all(Locator::Css("[data-testid=offer]"))
        .await
        .expect("offers");
    let mut partners = Vec::new();
    for o in &offers {
        partners.push(
            o.attr("data-partner")
                .await
                .expect("attr")
                .unwrap_or_default(),
        );
    }
    partners.sort();
    assert_eq!(
        partners,
        ["acme", "north", "swift"],
        "every partner that can fulfil it"
    );
    if shots {
        shopper.screenshot("transfer-offers").await;
    }

    if partner == "swift" {
        // swift's system priced it live: its delivery charge is on the offer.
        let delivery = shopper
            .wait_text("[data-partner=swift] [data-testid=offer-delivery]")
            .await;
        assert!(delivery.contains("4.90"), "{delivery}");
    }

    // Pick the partner and confirm.
    shopper
        .click(&format!(
            "[data-partner={partner}] [data-testid=choose-offer]"
        ))
        .await;
    shopper.wait_text("[data-testid=confirm-order]").await;
    shopper.fill("name", PAYLOAD).await;
    shopper.fill("email", "ada@example.com").await;
    let address = shopper
        .client
        .find(Locator::Id("address"))
        .await
        .expect("address");
    address
        .send_keys("Marienplatz 1\n80331 München")
        .await
        .expect("type the address");
    if shots {
        shopper.screenshot("transfer-confirm").await;
    }
    shopper.click("[data-testid=confirm-order]").await;
    let state = shopper
        .wait_text("[data-testid=order-state]")
        .await
        .to_lowercase();
    if partner == "north" {
        // North answers by hand: nothing has happened to it yet.
        assert_eq!(state, "sent to the partner");
    } else {
        // An integrated partner's system may have moved it on already.
        assert!(
            ["sent to the partner", "acknowledged", "accepted", "shipped"]
                .contains(&state.as_str()),
            "{state}"
        );
    }
    let order_url = shopper.client.current_url().await.expect("url").to_string();
    assert!(
        order_url.contains("/orders/") && order_url.contains("key="),
        "{order_url}"
    );
    assert!(!pwned(shopper).await, "the name stays text");
    if shots {
        shopper.screenshot("order-placed").await;
    }

    order_url
}

#[tokio::test]
async fn a_guest_transfers_a_cart_to_north_which_accepts_and_ships_it() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let shopper = Browser::start().await;
    let order_url = transfer_to(&hub, &shopper, "north", true).await;

    // North's admin finds it in the inbox, accepts and ships it.
    let north = Browser::start().await;
    north
        .log_in(
            &hub.url("north.localhost", "/login"),
            "owner@north.demo",
            DEMO_PASSWORD,
        )
        .await;
    north
        .open_hydrated(&hub.url("north.localhost", "/console/partner/orders"))
        .await;
    north.wait_text("[data-testid=order-row]").await;
    let href = north
        .client
        .find(Locator::Css("[data-testid=order-row] a"))
        .await
        .expect("a row")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    north
        .open_hydrated(&hub.url("north.localhost", &href))
        .await;
    north.wait_text("[data-testid=step-accept]").await;
    assert!(
        !pwned(&north).await,
        "the customer's name stays text in the console"
    );
    north.click("[data-testid=step-accept]").await;
    north
        .wait_text_containing("[data-testid=order-state]", "Accepted")
        .await;
    north.fill("carrier", "DHL").await;
    north.fill("tracking", "JD014600006101234567").await;
    north.click("[data-testid=step-ship]").await;
    north
        .wait_text_containing("[data-testid=order-state]", "Shipped")
        .await;
    north.screenshot("partner-order").await;

    // The guest's page shows it shipped, with the tracking number.
    shopper.open_hydrated(&order_url).await;
    shopper
        .wait_text_containing("[data-testid=order-state]", "Shipped")
        .await;
    let tracking = shopper.wait_text("[data-testid=order-tracking]").await;
    assert!(tracking.contains("JD014600006101234567"), "{tracking}");
    let timeline = shopper.wait_text("[data-testid=timeline]").await;
    assert!(
        timeline.contains("Accepted") && timeline.contains("Shipped"),
        "{timeline}"
    );
    assert!(!pwned(&shopper).await);
    shopper.screenshot("order-shipped").await;

    // The customer was told by e-mail at each step; in development the hub admin reads the
    // file outbox, where the name is text too.
    let admin = Browser::start().await;
    admin
        .log_in(
            &hub.url("localhost", "/login"),
            "admin@hub.demo",
            DEMO_PASSWORD,
        )
        .await;
    let mut subjects = String::new();
    for _ in 0..20 {
        admin
            .open_hydrated(&hub.url("localhost", "/admin/mail"))
            .await;
        subjects = admin.wait_text("main").await;
        if subjects.contains("has shipped") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(subjects.contains("has shipped"), "{subjects}");
    admin.click("[data-testid=mail] summary").await;
    let body = admin.wait_text("[data-testid=mail-body]").await;
    assert!(body.contains(PAYLOAD), "{body}");
    assert!(body.contains("JD014600006101234567"), "{body}");
    assert!(
        !pwned(&admin).await,
        "the name stays text in the mail console"
    );
    admin.screenshot("admin-mail").await;
}

/// The integrated partner: swift's system (the reference partner) registers its webhook
/// endpoint through the API, receives `order.created`, and acknowledges, accepts and ships the
/// order through the API; the guest's page follows.
#[tokio::test]
async fn a_cart_transferred_to_swift_is_fulfilled_by_its_system_through_the_api() {
    use tenants::partners::api_keys::{self, Mode, Scope};

    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let db = hub.database().await;
    let swift = registry::find_by_slug(&db, "swift")
        .await
        .expect("db")
        .expect("the demo has swift");
    let key = api_keys::create(&operator(&db, &swift), "ERP", Mode::Live, &Scope::ALL)
        .await
        .expect("a key")
        .key;
    let partner = start_partner(&hub.url("localhost", ""), &key, free_port());
    if let Err(seen) = partner.saw("registered", 30) {
        panic!("the reference partner did not register: {seen:?}");
    }
    let shopper = Browser::start().await;
    let order_url = transfer_to(&hub, &shopper, "swift", false).await;
    if let Err(seen) = partner.saw("order step ship done", 30) {
        panic!("the reference partner did not ship the order: {seen:?}");
    }
    shopper.open_hydrated(&order_url).await;
    shopper
        .wait_text_containing("[data-testid=order-state]", "Shipped")
        .await;
    let tracking = shopper.wait_text("[data-testid=order-tracking]").await;
    assert!(tracking.contains("RPSWIFT"), "{tracking}");
    let timeline = shopper.wait_text("[data-testid=timeline]").await;
    assert!(
        timeline.contains("Acknowledged") && timeline.contains("by the partner system"),
        "{timeline}"
    );
    shopper.screenshot("order-shipped-by-swift").await;
}
