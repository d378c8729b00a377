//! Accounts in a real browser: a reseller applies on the hub, the hub admin approves it, the
//! reseller logs in on its own subdomain; a customer signed in at one store is anonymous at
//! another (host-only cookies).

use std::time::Duration;

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub};

const DEMO_PASSWORD: &str = "demo-password-2026";

async fn log_in(browser: &Browser, url: &str, email: &str, password: &str) {
    browser.open_hydrated(url).await;
    browser.fill("email", email).await;
    browser.fill("password", password).await;
    browser.click("form button[type=submit]").await;
}

#[tokio::test]
async fn a_reseller_applies_is_approved_and_logs_in_on_its_subdomain() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    let c = &browser.client;

    browser
        .open_hydrated(&hub.url("localhost", "/partners/apply"))
        .await;
    browser.fill("company", "Zeta Gear").await;
    browser.fill("slug", "zeta").await;
    // Availability is checked as the applicant types.
    browser
        .wait_text_containing("[data-testid=slug-status] .ok", "zeta is available")
        .await;
    browser.fill("name", "Zoe Zeta").await;
    browser.fill("email", "zoe@zeta.example").await;
    browser.fill("password", "Zebra-Crossing-77").await;
    browser.screenshot("apply-form").await;
    browser.click("form button[type=submit]").await;
    let receipt = browser.wait_text("[data-testid=application-receipt]").await;
    assert!(receipt.contains("Zeta Gear"), "{receipt}");
    browser.screenshot("apply-receipt").await;

    // The pending reseller logs in on its own subdomain and sees that it awaits approval.
    log_in(
        &browser,
        &hub.url("zeta.localhost", "/login"),
        "zoe@zeta.example",
        "Zebra-Crossing-77",
    )
    .await;
    let notice = browser.wait_text("[data-testid=pending-notice]").await;
    assert!(notice.contains("Awaiting approval"), "{notice}");
    browser.screenshot("account-pending").await;

    // The hub admin approves it.
    log_in(
        &browser,
        &hub.url("localhost", "/login"),
        "admin@hub.demo",
        DEMO_PASSWORD,
    )
    .await;
    browser.wait_text("[data-testid=resellers]").await;
    browser
        .open_hydrated(&hub.url("localhost", "/admin/resellers"))
        .await;
    browser.click("[data-testid=approved-zeta]").await;
    let mut approved = false;
    for _ in 0..100 {
        let pill = c
            .find(Locator::Css("tr[data-slug=zeta] .pill"))
            .await
            .expect("zeta's row")
            .text()
            .await
            .unwrap_or_default();
        if pill.eq_ignore_ascii_case("approved") {
            approved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !approved {
        let shot = browser.screenshot("approve-failure").await;
        let src = c.source().await.unwrap_or_default();
        let row = src
            .find("data-slug=\"zeta\"")
            .map(|i| &src[i..(i + 800).min(src.len())])
            .unwrap_or("");
        panic!(
            "zeta does not show as approved; screenshot {}; console: {}; row: {row}",
            shot.display(),
            browser.console_log().await
        );
    }
    browser.screenshot("admin-resellers").await;

    // Back on its own subdomain, the reseller (still logged in there) is approved.
    browser
        .open_hydrated(&hub.url("zeta.localhost", "/account"))
        .await;
    let name = browser.wait_text("[data-testid=account-name]").await;
    assert_eq!(name, "Zoe Zeta");
    assert!(
        c.find(Locator::Css("[data-testid=pending-notice]"))
            .await
            .is_err_and(|e| e.is_no_such_element()),
        "no pending notice once approved"
    );
}

#[tokio::test]
async fn a_customer_signed_in_at_one_store_is_anonymous_at_another() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    let c = &browser.client;
    log_in(
        &browser,
        &hub.url("acme.localhost", "/login"),
        "shopper@acme.demo",
        DEMO_PASSWORD,
    )
    .await;
    let email = browser.wait_text("[data-testid=account-email]").await;
    assert_eq!(email, "shopper@acme.demo");
    browser.screenshot("account-acme").await;

    browser.open_hydrated(&hub.url("bolt.localhost", "/")).await;
    browser.wait_text("[data-testid=login-link]").await;
    assert!(
        c.find(Locator::Css("[data-testid=account-chip]"))
            .await
            .is_err_and(|e| e.is_no_such_element()),
        "no account chip: anonymous at bolt"
    );
    browser.screenshot("bolt-anonymous").await;

    // And acme still knows them.
    browser.open_hydrated(&hub.url("acme.localhost", "/")).await;
    let chip = browser.wait_text("[data-testid=account-chip]").await;
    assert!(chip.contains("Sam Shopper"), "{chip}");

    // A wrong password is answered in place.
    browser
        .open_hydrated(&hub.url("bolt.localhost", "/login"))
        .await;
    browser.fill("email", "shopper@bolt.demo").await;
    browser.fill("password", "not-the-password").await;
    browser.click("form button[type=submit]").await;
    let mut message = String::new();
    for _ in 0..100 {
        message = c
            .find(Locator::Css("[data-testid=login-error]"))
            .await
            .expect("the error line")
            .text()
            .await
            .unwrap_or_default();
        if !message.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(message.contains("not right"), "{message:?}");
    browser.screenshot("login-error").await;
}
