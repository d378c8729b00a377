//! Host → tenant: stores by subdomain, suspended stores, and the cache in front of the registry.

use std::time::{Duration, Instant};

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::{TestApp, spawn_app};
use tenants::Tenant;
use tenants::auth::Role;
use tenants::registry::{self, TenantKind, TenantStatus};

const UNKNOWN_HOST: &str = "No store here";
/// How long an unknown host is remembered as unknown (the registry cache's `MISSING_TTL`),
/// plus a second for a slow test machine.
const UNKNOWN_REMEMBERED: Duration = Duration::from_secs(3 + 1);

async fn reseller(app: &TestApp, slug: &str, name: &str) -> Tenant {
    registry::create(&app.db, TenantKind::Reseller, slug, name)
        .await
        .expect("create the reseller")
}

async fn approved(app: &TestApp, slug: &str, name: &str) -> Tenant {
    let pending = reseller(app, slug, name).await;
    registry::set_status(&app.db, &pending, TenantStatus::Approved)
        .await
        .expect("approved")
}

/// GETs `path` on `host` until `ready` accepts the answer; returns the body and how long it
/// took. Gives up after ten seconds.
async fn wait_for(
    app: &TestApp,
    host: &str,
    path: &str,
    ready: impl Fn(u16, &str) -> bool,
) -> (String, Duration) {
    let started = Instant::now();
    loop {
        let (status, body) = app.get_page(host, path).await;
        if ready(status, &body) {
            return (body, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{host}{path} still answers {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// The hub admin suspends a store its host has just served (so the host is cached): the
/// next visitor gets the "store unavailable" page and none of the store's data; reinstated,
/// the store is back at once.
#[tokio::test]
async fn a_suspended_store_shows_none_of_its_data() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let tagline = world
        .markers
        .iter()
        .filter(|(h, _)| h == "acme.localhost")
        .map(|(_, m)| m.clone())
        .find(|m| m.contains("tagline"))
        .expect("acme's tagline");
    let (status, body) = app.get_page("acme.localhost", "/").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(acme.name()) && body.contains(&tagline),
        "{body}"
    );

    let admin = world.account("localhost", Role::HubAdmin);
    let hub_session = app.log_in("localhost", &admin.email, PASSWORD).await;
    let set_status = |status: &'static str| {
        let id = acme.id().to_string();
        let s = &hub_session;
        let app = &app;
        async move {
            let res = app
                .post_form(
                    "localhost",
                    "/api/admin/reseller-status",
                    Some(s),
                    &[("id", &id), ("status", status)],
                )
                .await;
            assert_eq!(res.status(), 200, "{status}");
        }
    };
    set_status("suspended").await;
    for path in ["/", "/p/DR-2", "/api/store/product?sku=DR-2", "/api/site"] {
        let (status, body) = app.get_page("acme.localhost", path).await;
        assert_eq!(status, 503, "{path}");
        assert!(body.contains("Store unavailable"), "{path}: {body}");
        for data in [acme.name(), tagline.as_str(), "Cordless drill"] {
            assert!(!body.contains(data), "{path} shows {data}: {body}");
        }
    }

    set_status("approved").await;
    let (status, body) = app.get_page("acme.localhost", "/").await;
    assert_eq!(status, 200, "reinstated");
    assert!(
        body.contains(acme.name()) && body.contains(&tagline),
        "{body}"
    );
}

/// A company applies on the hub for a store at an address someone has just visited (so the
/// address is remembered as unknown): the store appears within the few seconds an unknown
/// address is remembered.
#[tokio::test]
async fn a_new_store_appears_within_seconds_of_its_application() {
    let Some(app) = spawn_app().await else { return };
    let (status, body) = app.get_page("bolt.localhost", "/").await;
    assert_eq!(status, 404);
    assert!(
        body.contains(UNKNOWN_HOST),
        "unknown (and remembered as unknown)"
    );
    let res = app
        .post_form(
            "localhost",
            "/api/partners/apply",
            None,
            &[
                ("company", "Bolt Tools"),
                ("slug", "bolt"),
                ("name", "Bo Bolt"),
                ("email", "bo@bolt.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let applied: serde_json::Value = res.json().await.expect("json");
    assert_eq!(applied["slug"], "bolt", "{applied}");
    let (body, took) = wait_for(&app, "bolt.localhost", "/", |status, _| status == 200).await;
    assert!(took <= UNKNOWN_REMEMBERED, "the new store took {took:?}");
    assert!(body.contains("Bolt Tools"), "{body}");
    assert!(body.contains("This store is being set up"), "{body}");
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
    let acme = approved(&app, "acme", "Acme Outfitters").await;
    let bolt = approved(&app, "bolt", "Bolt Supply").await;
    let (status, body) = app.get_page("shop.acme.example", "/api/site").await;
    assert_eq!(status, 404, "no tenant owns the domain yet");
    assert!(body.contains(UNKNOWN_HOST), "{body}");
    // Added from outside the server (no console has it yet), so nothing tells this process's
    // cache: the domain is served once its memory of the unknown host lapses.
    let domain = registry::Domain::parse(" Shop.ACME.example. ").expect("a domain");
    registry::add_domain(
        &tenants::access::operator(&app.db, &acme),
        &domain,
        "localhost",
    )
    .await
    .expect("domain added");
    let (body, took) = wait_for(&app, "shop.acme.example", "/api/site", |status, _| {
        status == 200
    })
    .await;
    assert!(took <= UNKNOWN_REMEMBERED, "the domain took {took:?}");
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
