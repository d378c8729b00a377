//! Host → tenant: stores by subdomain, suspended stores, and the cache in front of the registry.

use hub_tests::spawn_app;
use tenants::registry::{self, TenantKind, TenantStatus};

#[tokio::test]
async fn a_store_host_resolves_case_insensitively() {
    let Some(app) = spawn_app().await else { return };
    registry::create(&app.db, TenantKind::Reseller, "acme", "Acme Outdoor")
        .await
        .unwrap();
    let res = app
        .client
        .get(app.url("acme.localhost", "/healthz-not-a-route"))
        .header("host", format!("ACME.LocalHost:{}", app.addr.port()))
        .send()
        .await
        .unwrap();
    // The store exists, so the app (not the unknown-host page) answers its 404.
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("We could not find that page")
    );
}

#[tokio::test]
async fn a_suspended_store_shows_none_of_its_data() {
    let Some(app) = spawn_app().await else { return };
    let acme = registry::create(&app.db, TenantKind::Reseller, "acme", "Acme Outdoor")
        .await
        .unwrap();
    let before = app
        .client
        .get(app.url("acme.localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_ne!(before.status(), 503);
    let body = before.text().await.unwrap();
    assert!(!body.contains("No store here"), "resolved (and now cached)");

    let acme = registry::set_status(&app.db, &acme, TenantStatus::Suspended)
        .await
        .unwrap();
    app.resolver.invalidate(&acme).await;
    let res = app
        .client
        .get(app.url("acme.localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let body = res.text().await.unwrap();
    assert!(body.contains("Store unavailable"), "{body}");
    assert!(!body.contains("Acme Outdoor"), "no store data on the page");

    let acme = registry::set_status(&app.db, &acme, TenantStatus::Approved)
        .await
        .unwrap();
    app.resolver.invalidate(&acme).await;
    let res = app
        .client
        .get(app.url("acme.localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 503, "reinstated");
}

#[tokio::test]
async fn a_new_store_appears_once_its_host_is_invalidated() {
    let Some(app) = spawn_app().await else { return };
    let res = app
        .client
        .get(app.url("bolt.localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("No store here"),
        "unknown (and remembered as unknown)"
    );
    let bolt = registry::create(&app.db, TenantKind::Reseller, "bolt", "Bolt Tools")
        .await
        .unwrap();
    app.resolver.invalidate(&bolt).await;
    let res = app
        .client
        .get(app.url("bolt.localhost", "/"))
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(!body.contains("No store here"), "the new store resolves");
}

#[tokio::test]
async fn slugs_are_unique_and_validated() {
    let Some(app) = spawn_app().await else { return };
    registry::create(&app.db, TenantKind::Reseller, "acme", "Acme Outdoor")
        .await
        .unwrap();
    let dup = registry::create(&app.db, TenantKind::Distributor, "ACME", "Other")
        .await
        .unwrap_err();
    assert!(matches!(dup, tenants::Error::Conflict(_)), "{dup}");
    let reserved = registry::create(&app.db, TenantKind::Reseller, "admin", "Sneaky")
        .await
        .unwrap_err();
    assert!(reserved.to_string().contains("reserved"), "{reserved}");
    let hub = registry::hub(&app.db).await.unwrap().unwrap();
    let err = registry::set_status(&app.db, &hub, TenantStatus::Suspended)
        .await
        .unwrap_err();
    assert!(matches!(err, tenants::Error::Forbidden));
}
