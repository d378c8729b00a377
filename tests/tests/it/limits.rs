use hub_tests::spawn_app_with;

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let Some(app) = spawn_app_with(&[("limits.body_bytes", "4096")]).await else {
        return;
    };
    let big = "x".repeat(10_000);
    let res = app
        .client
        .post(app.url("localhost", "/api/hub/register-interest"))
        .header("origin", app.origin("localhost"))
        .form(&[("company", big.as_str()), ("email", "a@b.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}
