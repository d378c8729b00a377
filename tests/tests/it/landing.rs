//! The vertical slice: the hub's landing page reads from the database and its form writes.

use hub_tests::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn landing_page_is_server_rendered_from_the_database() {
    let Some(app) = spawn_app().await else { return };
    tenants::leads::register(&hub_db(&app).await, "Existing Co", "first@existing.example")
        .await
        .unwrap();
    let res = app
        .client
        .get(app.url("localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Demand-Chain Hub"),
        "hub name from the tenant row"
    );
    assert!(
        html.contains(r#"data-testid="lead-count">1<"#),
        "lead count from the database: {html}"
    );
    // The hub's front page is its own store's: it loads the shopper's bundle.
    assert!(html.contains("/pkg/hub-shop.js"), "hydration script");
    assert!(!html.contains("/pkg/hub.js"), "not the console bundle");
    let login = app
        .client
        .get(app.url("localhost", "/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login.contains("/pkg/hub.js"),
        "a console page loads the full bundle"
    );
}

#[tokio::test]
async fn registering_interest_writes_and_answers() {
    let Some(app) = spawn_app().await else { return };
    let res = register(&app, "localhost", "Acme Tools", "Sales@Acme.example").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["company"], "Acme Tools");
    assert_eq!(body["total"], 1);
    assert_eq!(tenants::leads::count(&hub_db(&app).await).await.unwrap(), 1);

    // The same address again (in other case) is a conflict, and nothing more is written.
    let res = register(&app, "localhost", "Acme again", "sales@acme.EXAMPLE").await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("already registered"), "{body}");
    assert_eq!(tenants::leads::count(&hub_db(&app).await).await.unwrap(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_with_the_field_named() {
    let Some(app) = spawn_app().await else { return };
    let res = register(&app, "localhost", "Acme", "not-an-address").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Validation"]["field"], "email", "{body}");
    let res = register(&app, "localhost", " ", "a@b.example").await;
    assert_eq!(res.status(), 422);
    assert_eq!(tenants::leads::count(&hub_db(&app).await).await.unwrap(), 0);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let Some(app) = spawn_app().await else { return };
    let url = app.url("localhost", "/api/hub/register-interest");
    let form = [("company", "Evil Corp"), ("email", "x@evil.example")];
    let missing = app.client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(missing.status(), 403, "no Origin");
    let foreign = app
        .client
        .post(&url)
        .header("origin", app.origin("acme.localhost"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "a sibling store's origin");
    let fetch_meta = app
        .client
        .post(&url)
        .header("origin", app.origin("localhost"))
        .header("sec-fetch-site", "same-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_meta.status(), 403, "Sec-Fetch-Site: same-site");
    assert_eq!(tenants::leads::count(&hub_db(&app).await).await.unwrap(), 0);
}

async fn register(
    app: &hub_tests::TestApp,
    host: &str,
    company: &str,
    email: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(host, "/api/hub/register-interest"))
        .header("origin", app.origin(host))
        .header("accept", "application/json")
        .form(&[("company", company), ("email", email)])
        .send()
        .await
        .expect("the hub answers")
}

async fn hub_db(app: &hub_tests::TestApp) -> tenants::TenantDb {
    let hub = tenants::registry::hub(&app.db)
        .await
        .expect("registry readable")
        .expect("the hub exists");
    tenants::access::operator(&app.db, &hub)
}
