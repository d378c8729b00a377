use hub_tests::{spawn_app, spawn_app_with};

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

/// Sends `raw` as is on a fresh connection and returns the status line's code and the head.
async fn raw_request(app: &hub_tests::TestApp, raw: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut conn = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect to the hub");
    conn.write_all(raw).await.expect("send the request");
    let mut buf = Vec::new();
    // The server answers and closes (or we stop at the end of the head).
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut chunk))
            .await
            .expect("an answer within 10 s")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, head)
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_413_not_a_server_error() {
    let Some(app) = spawn_app_with(&[("limits.body_bytes", "4096")]).await else {
        return;
    };
    let host = format!("localhost:{}", app.addr.port());
    let origin = app.origin("localhost");
    let mut raw = format!(
        "POST /api/hub/register-interest HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..3 {
        let chunk = format!("company={}", "x".repeat(3000));
        raw.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let (status, head) = raw_request(&app, &raw).await;
    assert_eq!(status, 413, "{head}");
    // A chunked body under the limit still reaches the server function.
    let body = "company=Small+Co&email=small%40co.example";
    let raw = format!(
        "POST /api/hub/register-interest HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let (status, head) = raw_request(&app, raw.as_bytes()).await;
    assert_eq!(status, 200, "{head}");
}

#[tokio::test]
async fn two_host_headers_get_400() {
    let Some(app) = spawn_app().await else { return };
    let port = app.addr.port();
    let raw = format!(
        "GET / HTTP/1.1\r\nHost: acme.localhost:{port}\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n"
    );
    let (status, head) = raw_request(&app, raw.as_bytes()).await;
    assert_eq!(status, 400, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-security-policy"),
        "{head}"
    );
    // One Host header is served.
    let raw =
        format!("GET /healthz HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_request(&app, raw.as_bytes()).await.0, 200);
}

#[tokio::test]
async fn undecodable_arguments_get_400_with_a_short_message() {
    let Some(app) = spawn_app().await else { return };
    let origin = app.origin("localhost");
    /// Method, path and (for a POST) the content type and body.
    type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>);
    let cases: [Case; 5] = [
        // A quantity that is not a number.
        (
            "POST",
            "/api/store/cart/add",
            Some(("application/x-www-form-urlencoded", "sku=DR-1&quantity=abc")),
        ),
        // A page number below zero.
        ("GET", "/api/store/category?slug=tools&page=-1", None),
        // JSON sent to a form endpoint: its fields are missing.
        (
            "POST",
            "/api/auth/login",
            Some((
                "application/json",
                r#"{"email":"a@b.example","password":"x"}"#,
            )),
        ),
        // A form sent to a JSON endpoint.
        (
            "POST",
            "/api/console/store/check",
            Some(("application/x-www-form-urlencoded", "store=1")),
        ),
        // Broken JSON.
        (
            "POST",
            "/api/console/store/check",
            Some(("application/json", "{\"store\": ")),
        ),
    ];
    for (method, path, body) in cases {
        let url = app.url("localhost", path);
        let req = if method == "GET" {
            app.client.get(url)
        } else {
            let (ct, b) = body.expect("a body");
            app.client
                .post(url)
                .header("origin", &origin)
                .header("content-type", ct)
                .body(b.to_owned())
        };
        let res = req
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert_eq!(status, 400, "{method} {path}: {text}");
        assert!(text.contains("BadRequest"), "{method} {path}: {text}");
        assert!(
            text.len() < 400,
            "{method} {path}: a short message, got {text}"
        );
    }
}
