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
    let (status, body) = app.get_page("nope.localhost", "/").await;
    assert_eq!(status, 404);
    assert!(body.contains("No store here"), "{body}");
}

#[tokio::test]
async fn unknown_paths_render_the_app_404() {
    let Some(app) = spawn_app().await else { return };
    let (status, body) = app.get_page("localhost", "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(body.contains("We could not find that page"), "{body}");
}
