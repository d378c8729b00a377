//! What every answer carries (CSP with a fresh nonce, no framing, nosniff, referrer policy,
//! HSTS behind https), text from URLs and names escaped in the document head, and wrong
//! current passwords throttled like failed log-ins.

use hub_tests::scenario::{PASSWORD, seed};
use hub_tests::{spawn_app, spawn_app_with};
use tenants::auth::Role;
use tenants::auth::throttle::ACCOUNT_LIMIT;

/// The nonce the CSP header names for scripts.
fn header_nonce(csp: &str) -> String {
    let script = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp}"));
    script
        .split_whitespace()
        .find_map(|t| t.strip_prefix("'nonce-")?.strip_suffix('\''))
        .unwrap_or_else(|| panic!("no nonce in {script}"))
        .to_owned()
}

fn assert_security_headers(what: &str, headers: &reqwest::header::HeaderMap) -> String {
    let get = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_str()
            .expect("a text header")
            .to_owned()
    };
    let csp = get("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(
        get("referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert!(
        headers.get("strict-transport-security").is_none(),
        "{what}: HSTS over plain http"
    );
    csp
}

/// Every `<script` and `<style` tag in `html` carries `nonce`.
fn assert_tags_carry(what: &str, html: &str, nonce: &str) {
    for tag in ["<script", "<style"] {
        for (at, _) in html.match_indices(tag) {
            let end = html[at..].find('>').map_or(html.len(), |e| at + e);
            let open = &html[at..end];
            assert!(
                open.contains(&format!("nonce=\"{nonce}\"")),
                "{what}: {open} lacks this response's nonce {nonce}"
            );
        }
    }
}

#[tokio::test]
async fn every_page_and_error_page_carries_the_security_headers() {
    let Some(app) = spawn_app_with(&[("limits.body_bytes", "4096")]).await else {
        return;
    };
    let _world = seed(&app).await;
    for (host, path, status) in [
        ("localhost", "/", 200),
        ("localhost", "/login", 200),
        ("localhost", "/search?q=drill", 200),
        ("localhost", "/cart", 200),
        ("localhost", "/admin/catalog", 401),
        ("acme.localhost", "/", 200),
        ("acme.localhost", "/account", 200),
        ("localhost", "/no/such/page", 404),
        ("nope.localhost", "/", 404),
        ("localhost", "/healthz", 200),
        ("localhost", "/media/0000000000000000.png", 404),
        ("localhost", "/pkg/no-such-file.js", 404),
    ] {
        let what = format!("GET {host}{path}");
        let res = app.client.get(app.url(host, path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{what}");
        let csp = assert_security_headers(&what, res.headers());
        let html = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        let body = res.text().await.unwrap();
        if html && !path.starts_with("/media") {
            assert_tags_carry(&what, &body, &header_nonce(&csp));
        }
    }
    // Answers given before the app: a body over the limit, a cross-site post.
    let res = app
        .client
        .post(app.url("localhost", "/api/hub/register-interest"))
        .header("origin", app.origin("localhost"))
        .form(&[
            ("company", "x".repeat(10_000).as_str()),
            ("email", "a@b.example"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_security_headers("413", res.headers());
    let res = app
        .client
        .post(app.url("localhost", "/api/hub/register-interest"))
        .header("origin", "http://evil.example")
        .form(&[("company", "x"), ("email", "a@b.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_security_headers("403", res.headers());
}

#[tokio::test]
async fn each_response_has_its_own_nonce_even_from_the_page_cache() {
    let Some(app) = spawn_app().await else { return };
    let _world = seed(&app).await;
    let mut seen = Vec::new();
    // The first answer renders and is kept; the next two come from the page cache.
    for _ in 0..3 {
        let res = app
            .client
            .get(app.url("localhost", "/search?q=kept"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let nonce = header_nonce(res.headers()["content-security-policy"].to_str().unwrap());
        let body = res.text().await.unwrap();
        assert!(body.contains("<script"), "the page has scripts");
        assert_tags_carry("cached page", &body, &nonce);
        assert!(!seen.contains(&nonce), "nonce {nonce} served twice");
        seen.push(nonce);
    }
}

#[tokio::test]
async fn hsts_is_sent_when_people_reach_the_hub_over_https() {
    let Some(app) = spawn_app_with(&[("server.public_scheme", "https")]).await else {
        return;
    };
    let res = app
        .client
        .get(app.url("localhost", "/login"))
        .send()
        .await
        .unwrap();
    let hsts = res.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age=63072000"), "{hsts}");
}

#[tokio::test]
async fn text_from_the_url_is_escaped_in_the_document_head() {
    let Some(app) = spawn_app().await else { return };
    let payload = "</title><script>window.__pwned=1</script><svg onload=alert(1)>";
    let res = app
        .client
        .get(app.url("localhost", "/search"))
        .query(&[("q", payload)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    let head = &body[..body.find("</head>").expect("a head")];
    let title = &head[head.find("<title>").expect("a title")..];
    assert!(
        title.starts_with("<title>Search: &lt;/title&gt;&lt;script&gt;"),
        "{title}"
    );
    assert!(
        !body.contains("<script>window.__pwned"),
        "the payload is markup"
    );
    assert!(!body.contains("<svg onload"), "the payload is markup");
    // A made-up request id is not echoed anywhere.
    let res = app
        .client
        .get(app.url("localhost", "/"))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!id.contains('<'), "{id}");
}

#[tokio::test]
async fn the_eleventh_wrong_current_password_in_an_hour_gets_429() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("acme.localhost", Role::Customer);
    let session = app.log_in("acme.localhost", &acct.email, PASSWORD).await;
    let guess = |n: usize| {
        let session = &session;
        let app = &app;
        async move {
            app.post_form(
                "acme.localhost",
                "/api/account/password",
                Some(session),
                &[
                    ("current_password", format!("Guess-number-{n}").as_str()),
                    ("new_password", "Fresh-Pass-Word-42"),
                ],
            )
            .await
        }
    };
    for n in 1..=ACCOUNT_LIMIT {
        let res = guess(n).await;
        assert_eq!(res.status(), 422, "wrong guess {n} is a plain refusal");
    }
    let res = guess(ACCOUNT_LIMIT + 1).await;
    assert_eq!(
        res.status(),
        429,
        "guess {} is throttled",
        ACCOUNT_LIMIT + 1
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60 + 1, "Retry-After {retry}");
    // The right password is refused too while the account is locked: no oracle.
    let res = app
        .post_form(
            "acme.localhost",
            "/api/account/password",
            Some(&session),
            &[
                ("current_password", PASSWORD),
                ("new_password", "Fresh-Pass-Word-42"),
            ],
        )
        .await;
    assert_eq!(res.status(), 429);
}
