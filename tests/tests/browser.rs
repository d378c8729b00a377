//! Browser tests in headless Chromium against the binary the Leptos build produced.

use std::time::Duration;

use fantoccini::Locator;
use hub_tests::browser::{Browser, BrowserHub};

#[tokio::test]
async fn landing_page_hydrates_and_the_form_answers_without_a_reload() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    let c = &browser.client;
    browser.open_hydrated(&hub.url("localhost", "/")).await;

    let count = c
        .find(Locator::Css("[data-testid=lead-count]"))
        .await
        .unwrap();
    assert_eq!(count.text().await.unwrap(), "0");

    // A marker in the page's JS context: a full reload would wipe it.
    c.execute("window.__noReload = true; return true;", vec![])
        .await
        .unwrap();

    submit_partner_form(&browser, "Acme Tools", "buyer@acme.example").await;

    let receipt = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("[data-testid=lead-receipt]"))
        .await;
    let receipt = match receipt {
        Ok(r) => r,
        Err(e) => {
            let shot = browser.screenshot("landing-failure").await;
            let url = c.current_url().await.unwrap();
            let src = c.source().await.unwrap();
            panic!(
                "no answer ({e}); at {url}; screenshot {}; page: {}",
                shot.display(),
                &src[..src.len().min(3000)]
            );
        }
    };
    let text = receipt.text().await.unwrap();
    assert!(text.contains("Thank you, Acme Tools!"), "{text}");
    assert!(text.contains("company number 1"), "{text}");

    let still_same_page = c
        .execute("return window.__noReload === true;", vec![])
        .await
        .unwrap();
    assert_eq!(
        still_same_page,
        serde_json::Value::Bool(true),
        "no page reload"
    );

    // The counter follows the write once the overview reloads.
    let mut updated = false;
    for _ in 0..50 {
        if c.find(Locator::Css("[data-testid=lead-count]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            == "1"
        {
            updated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(updated, "the lead counter shows the new registration");
    let shot = browser.screenshot("landing").await;
    eprintln!("screenshot: {}", shot.display());
}

#[tokio::test]
async fn validation_errors_show_next_to_the_field() {
    let Some(hub) = BrowserHub::start().await else {
        return;
    };
    let browser = Browser::start().await;
    let c = &browser.client;
    browser.open_hydrated(&hub.url("localhost", "/")).await;
    submit_partner_form(&browser, "Acme Tools", "not-an-address").await;
    let mut message = String::new();
    for _ in 0..100 {
        message = c
            .find(Locator::Css("#email ~ .field__error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if !message.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(message.contains("missing an '@'"), "{message:?}");
    browser.screenshot("landing-validation").await;
}

/// Types into the partner form as a person would and submits it.
async fn submit_partner_form(browser: &Browser, company: &str, email: &str) {
    for (id, text) in [("company", company), ("email", email)] {
        browser
            .client
            .find(Locator::Id(id))
            .await
            .expect("form field")
            .send_keys(text)
            .await
            .expect("type into the field");
    }
    browser.click("form button[type=submit]").await;
}
