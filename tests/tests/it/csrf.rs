//! CSRF: state-changing requests need Origin = own host or Sec-Fetch-Site: same-origin. A
//! sibling store is same-site to a browser, so it must be refused as well.

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::spawn_app;
use reqwest::header::COOKIE;
use tenants::auth::Role;

#[tokio::test]
async fn posts_from_other_origins_are_refused_even_with_a_valid_session() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("acme.localhost", Role::ResellerAdmin);
    let session = app.log_in("acme.localhost", &acct.email, PASSWORD).await;
    let cookie = session.cookie_header().unwrap();
    let url = app.url("acme.localhost", "/api/auth/logout");
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "cross-site",
            vec![
                ("origin", "https://evil.example".into()),
                ("sec-fetch-site", "cross-site".into()),
            ],
        ),
        (
            "sibling store",
            vec![
                ("origin", app.origin("bolt.localhost")),
                ("sec-fetch-site", "same-site".into()),
            ],
        ),
        (
            "sibling store, no fetch metadata",
            vec![("origin", app.origin("bolt.localhost"))],
        ),
        ("the hub", vec![("origin", app.origin("localhost"))]),
        ("no Origin, no fetch metadata", vec![]),
        ("null Origin", vec![("origin", "null".into())]),
    ];
    for (what, headers) in cases {
        let mut req = app.client.post(&url).header(COOKIE, cookie.clone());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{what}");
        // The session survived: nothing was done.
        assert_eq!(
            app.whoami("acme.localhost", Some(&session))
                .await
                .as_deref(),
            Some(acct.email.as_str()),
            "{what}"
        );
    }
    let ok = app
        .client
        .post(&url)
        .header(COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "same-origin is allowed");
    assert_eq!(app.whoami("acme.localhost", Some(&session)).await, None);
}
