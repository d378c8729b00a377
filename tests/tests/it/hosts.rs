//! Host → tenant: stores by subdomain, suspended stores, and the cache in front of the registry.

use hub_tests::{TestApp, spawn_app};
use tenants::Tenant;
use tenants::registry::{self, TenantKind, TenantStatus};

const UNKNOWN_HOST: &str = "No store here";

async fn reseller(app: &TestApp, slug: &str, name: &str) -> Tenant {
    registry::create(&app.db, TenantKind::Reseller, slug, name)
        .await
        .expect("create the reseller")
}

async fn set_status(app: &TestApp, tenant: &Tenant, status: TenantStatus) -> Tenant {
    let tenant = registry::set_status(&app.db, tenant, status)
        .await
        .expect("change the status");
    app.resolver.invalidate(&tenant).await;
    tenant
}

#[tokio::test]
async fn a_store_host_resolves_case_insensitively() {
    let Some(app) = spawn_app().await else { return };
    reseller(&app, "acme", "Acme Outdoor").await;
    let res = app
        .client
        .get(app.url("acme.localhost", "/no-such-page"))
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
    let acme = reseller(&app, "acme", "Acme Outdoor").await;
    let (status, body) = app.get_page("acme.localhost", "/").await;
    assert_ne!(status, 503);
    assert!(!body.contains(UNKNOWN_HOST), "resolved (and now cached)");

    let acme = set_status(&app, &acme, TenantStatus::Suspended).await;
    let (status, body) = app.get_page("acme.localhost", "/").await;
    assert_eq!(status, 503);
    assert!(body.contains("Store unavailable"), "{body}");
    assert!(!body.contains("Acme Outdoor"), "no store data on the page");

    set_status(&app, &acme, TenantStatus::Approved).await;
    let (status, _) = app.get_page("acme.localhost", "/").await;
    assert_ne!(status, 503, "reinstated");
}

#[tokio::test]
async fn a_new_store_appears_once_its_host_is_invalidated() {
    let Some(app) = spawn_app().await else { return };
    let (status, body) = app.get_page("bolt.localhost", "/").await;
    assert_eq!(status, 404);
    assert!(
        body.contains(UNKNOWN_HOST),
        "unknown (and remembered as unknown)"
    );
    let bolt = reseller(&app, "bolt", "Bolt Tools").await;
    app.resolver.invalidate(&bolt).await;
    let (_, body) = app.get_page("bolt.localhost", "/").await;
    assert!(!body.contains(UNKNOWN_HOST), "the new store resolves");
}

#[tokio::test]
async fn slugs_are_unique_and_validated() {
    let Some(app) = spawn_app().await else { return };
    reseller(&app, "acme", "Acme Outdoor").await;
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

#[tokio::test]
async fn a_custom_domain_reaches_its_store_and_belongs_to_one_tenant() {
    let Some(app) = spawn_app().await else { return };
    let acme = set_status(
        &app,
        &reseller(&app, "acme", "Acme Outfitters").await,
        TenantStatus::Approved,
    )
    .await;
    let bolt = set_status(
        &app,
        &reseller(&app, "bolt", "Bolt Supply").await,
        TenantStatus::Approved,
    )
    .await;
    let (status, _) = app.get_page("shop.acme.example", "/api/site").await;
    assert_eq!(status, 404, "no tenant owns the domain yet");
    let domain = registry::Domain::parse(" Shop.ACME.example. ").expect("a domain");
    registry::add_domain(
        &tenants::access::operator(&app.db, &acme),
        &domain,
        "localhost",
    )
    .await
    .expect("domain added");
    app.resolver.invalidate(&acme).await;
    let (status, body) = app.get_page("shop.acme.example", "/api/site").await;
    assert_eq!(status, 200);
    assert!(body.contains("Acme Outfitters"), "{body}");
    // Normalised and unique across the hub: bolt cannot take it, nor a hub address.
    let taken = registry::add_domain(
        &tenants::access::operator(&app.db, &bolt),
        &domain,
        "localhost",
    )
    .await;
    assert!(
        matches!(taken, Err(tenants::Error::Conflict(_))),
        "{taken:?}"
    );
    let hubs = registry::Domain::parse("acme.localhost").expect("a domain");
    let own = registry::add_domain(
        &tenants::access::operator(&app.db, &bolt),
        &hubs,
        "localhost",
    )
    .await;
    assert!(
        matches!(own, Err(tenants::Error::Validation { .. })),
        "{own:?}"
    );
    // Bolt cannot remove acme's domain through its own handle.
    let removed =
        registry::remove_domain(&tenants::access::operator(&app.db, &bolt), &domain).await;
    assert!(
        matches!(removed, Err(tenants::Error::NotFound(_))),
        "{removed:?}"
    );
    assert_eq!(
        registry::domains_of(&tenants::access::operator(&app.db, &acme))
            .await
            .expect("list"),
        vec!["shop.acme.example".to_owned()]
    );
    let (status, _) = app.get_page("other.example", "/").await;
    assert_eq!(status, 404);
}
