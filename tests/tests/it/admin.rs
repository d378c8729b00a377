//! The hub admin's reseller console: only hub admins on the hub's host; approve and suspend
//! take effect on the store's host at once.

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::spawn_app;
use tenants::auth::Role;

#[tokio::test]
async fn the_hub_admin_approves_and_suspends_resellers() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let admin = world.account("localhost", Role::HubAdmin);
    let s = app.log_in("localhost", &admin.email, PASSWORD).await;
    let res = app
        .get_with("localhost", "/api/admin/resellers?status=pending", Some(&s))
        .await;
    assert_eq!(res.status(), 200);
    let page: serde_json::Value = res.json().await.unwrap();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["slug"], "carl");
    let carl_id = items[0]["id"].as_str().unwrap().to_owned();
    // The pending store shows as not open; once approved it is.
    let (_, body) = app.get_page("carl.localhost", "/api/site").await;
    assert!(body.contains("\"pending\""), "{body}");
    let res = app
        .post_form(
            "localhost",
            "/api/admin/reseller-status",
            Some(&s),
            &[("id", &carl_id), ("status", "approved")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (_, body) = app.get_page("carl.localhost", "/api/site").await;
    assert!(body.contains("\"approved\""), "{body}");
    // Suspension closes the store at once.
    let res = app
        .post_form(
            "localhost",
            "/api/admin/reseller-status",
            Some(&s),
            &[("id", &carl_id), ("status", "suspended")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = app.get_page("carl.localhost", "/").await;
    assert_eq!(status, 503);
    assert!(!body.contains("carl Company"));
    // Search finds by name.
    let res = app
        .get_with("localhost", "/api/admin/resellers?search=bolt", Some(&s))
        .await;
    let page: serde_json::Value = res.json().await.unwrap();
    assert_eq!(page["total"], 1);
    // A tenant that is not one of the hub's resellers is not found, whatever it is.
    let dove = world.tenant("dove.localhost").id().to_string();
    let hub_id = world.tenant("localhost").id().to_string();
    for id in [
        dove.as_str(),
        hub_id.as_str(),
        "tnt_0190a0a0a0a0a0a0a0a0a0a0a0a0a0a0",
        "not-an-id",
    ] {
        let res = app
            .post_form(
                "localhost",
                "/api/admin/reseller-status",
                Some(&s),
                &[("id", id), ("status", "suspended")],
            )
            .await;
        assert_eq!(res.status(), 404, "{id}");
    }
}

#[tokio::test]
async fn only_hub_admins_reach_the_console() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    assert_eq!(
        app.get_with("localhost", "/api/admin/resellers", None)
            .await
            .status(),
        401
    );
    let customer = world.account("localhost", Role::Customer);
    let s = app.log_in("localhost", &customer.email, PASSWORD).await;
    assert_eq!(
        app.get_with("localhost", "/api/admin/resellers", Some(&s))
            .await
            .status(),
        403
    );
    let store_admin = world.account("acme.localhost", Role::ResellerAdmin);
    let s = app
        .log_in("acme.localhost", &store_admin.email, PASSWORD)
        .await;
    // The hub console does not exist on a store's host, whoever asks.
    assert_eq!(
        app.get_with("acme.localhost", "/api/admin/resellers", Some(&s))
            .await
            .status(),
        404
    );
    let bolt = world.tenant("bolt.localhost").id().to_string();
    let res = app
        .post_form(
            "acme.localhost",
            "/api/admin/reseller-status",
            Some(&s),
            &[("id", &bolt), ("status", "suspended")],
        )
        .await;
    assert_eq!(res.status(), 404);
}
