use hub_tests::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_tenant() {
    let Some(app) = spawn_app().await else { return };
    for path in ["/healthz", "/readyz"] {
        let res = app
            .client
            .get(app.url("localhost", path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers().contains_key("x-request-id"),
            "{path} has a request id"
        );
    }
}

#[tokio::test]
async fn unknown_hosts_get_a_404_page() {
    let Some(app) = spawn_app().await else { return };
    let res = app
        .client
        .get(app.url("nope.localhost", "/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body = res.text().await.unwrap();
    assert!(body.contains("No store here"), "{body}");
}

#[tokio::test]
async fn unknown_paths_render_the_app_404() {
    let Some(app) = spawn_app().await else { return };
    let res = app
        .client
        .get(app.url("localhost", "/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("We could not find that page")
    );
}
