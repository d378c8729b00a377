//! Webhooks to partner systems: signed after Standard Webhooks (checked by the reference
//! library from PyPI, during a secret rotation too), written in the same transaction as the
//! change (an outbox that survives a restart and sends nothing for a rolled-back change),
//! retried on schedule for three days under a simulated clock, dead-lettered, replayed, and
//! sent only where the outbound guard allows.

use std::sync::Arc;

use chrono::{Duration, Utc};
use hub_tests::receiver::{Mode, Receiver};
use hub_tests::{TestApp, spawn_app, spawn_app_with, spawn_app_with_clock};
use reqwest::Method;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};
use tenants::access::operator;
use tenants::clock::{ManualClock, SharedClock};
use tenants::partners::price_list::{self, PriceInput};
use tenants::webhooks::deliveries::{self, Filter, State};
use tenants::webhooks::endpoints::{self, EndpointInput};
use tenants::webhooks::{SCHEDULE, worker};

use crate::partner_api::{call, network, problem};

/// A price row for the first SKU of the hub's catalog at `minor`.
/// A price for the first SKU: its list price plus `bump` cents (a change the hub's price
/// policy allows: the tests bump by a few euros at most).
async fn price_change(
    app: &TestApp,
    bump: i64,
) -> (
    std::sync::Arc<tenants::catalog::snapshot::Master>,
    Vec<PriceInput>,
) {
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let mut rows = hub_tests::scenario::list_prices(&master, 1, "W");
    rows[0].price_minor = master.items[0].price.minor + bump;
    (master, rows)
}

/// North's handle (the test network's distributor) and an enabled endpoint of north's at a
/// fresh receiver, for tests that run the delivery worker's parts by hand.
async fn north_with_endpoint(app: &TestApp) -> (tenants::TenantDb, Receiver, endpoints::Endpoint) {
    let net = network(app).await;
    let db = operator(&app.db, &net.north);
    let rx = Receiver::start().await;
    let (endpoint, _) = endpoints::create(
        &db,
        &EndpointInput {
            url: rx.url(),
            enabled: true,
            ..EndpointInput::default()
        },
        Utc::now(),
    )
    .await
    .expect("endpoint");
    (db, rx, endpoint)
}

fn python() -> String {
    std::env::var("TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

#[tokio::test]
async fn signatures_verify_with_the_reference_library_during_a_rotation() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let rx = Receiver::start().await;

    let (status, headers, body) = call(
        &app,
        Method::POST,
        "/webhooks/endpoints",
        Some(&net.north_key),
        Some(json!({"url": rx.url(), "description": "ERP <b>hooks</b>"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(headers.contains_key("etag"));
    let first_secret = body["secret"].as_str().expect("secret").to_owned();
    assert!(first_secret.starts_with("whsec_"));
    let endpoint = body["endpoint"]["id"].as_str().expect("id").to_owned();

    // A price change through the API is an event.
    let (_, rows) = price_change(&app, 123).await;
    let (status, _, body) = call(
        &app,
        Method::PUT,
        "/prices",
        Some(&net.north_key),
        Some(json!({"prices": [{"sku": rows[0].sku, "price_minor": rows[0].price_minor, "currency": rows[0].currency}]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let got = rx.wait_for(1).await;
    assert_eq!(got.len(), 1, "the event arrived: {got:?}");
    let event: Value = serde_json::from_str(&got[0].body).expect("json body");
    assert_eq!(event["type"], "price_list.updated");
    assert_eq!(event["data"]["skus"][0], rows[0].sku);

    // Rotation: the new secret is returned, and both sign for the overlap.
    let (status, _, body) = call(
        &app,
        Method::POST,
        &format!("/webhooks/endpoints/{endpoint}/rotate-secret"),
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let second_secret = body["secret"].as_str().expect("secret").to_owned();
    assert_ne!(first_secret, second_secret);
    assert!(body["endpoint"]["rotating_until"].is_string(), "{body}");
    let (status, _, body) = call(
        &app,
        Method::POST,
        &format!("/webhooks/endpoints/{endpoint}/test"),
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let got = rx.wait_for(2).await;
    assert_eq!(got.len(), 2, "the test event arrived: {got:?}");
    assert_eq!(
        got[1].signature.split(' ').count(),
        2,
        "two signatures during the overlap"
    );

    let case = |r: &hub_tests::receiver::Received, secret: &str, body: &str, expect: bool| {
        json!({"secret": secret, "id": r.id, "timestamp": r.timestamp,
               "signature": r.signature, "body": body, "expect": expect})
    };
    let cases = json!([
        case(&got[0], &first_secret, &got[0].body, true),
        case(&got[0], &second_secret, &got[0].body, false),
        case(&got[1], &first_secret, &got[1].body, true),
        case(&got[1], &second_secret, &got[1].body, true),
        case(
            &got[1],
            &second_secret,
            &got[1].body.replace("test event", "tampered"),
            false
        ),
    ]);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("cases.json");
    std::fs::write(&file, cases.to_string()).expect("cases written");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/verify_webhooks.py");
    let out = std::process::Command::new(python())
        .arg(script)
        .arg(&file)
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("No module named 'standardwebhooks'") && std::env::var("CI").is_err() {
        eprintln!(
            "skipped: the standardwebhooks library is not installed (make test-tools installs it)"
        );
        return;
    }
    assert!(out.status.success(), "{text}");
    assert!(text.contains("5 case(s), 0 surprise(s)"), "{text}");

    // The log shows both deliveries, delivered, with the receiver's answer. The worker
    // records an answer after the receiver has given it: wait for the record.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (status, body) = loop {
        let (status, _, body) = call(
            &app,
            Method::GET,
            &format!("/webhooks/deliveries?endpoint_id={endpoint}"),
            Some(&net.north_key),
            None,
        )
        .await;
        let recorded = body["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|d| d["state"] != "pending"));
        if status != 200 || recorded || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{body}");
    assert!(items.iter().all(|d| d["state"] == "delivered"), "{body}");
    let id = items[0]["id"].as_str().expect("id");
    let (_, _, detail) = call(
        &app,
        Method::GET,
        &format!("/webhooks/deliveries/{id}"),
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(detail["attempts"][0]["status"], 200, "{detail}");
    assert_eq!(detail["attempts"][0]["response_body"], "thanks", "{detail}");

    // Another partner's key sees none of it.
    for path in [
        format!("/webhooks/endpoints/{endpoint}"),
        format!("/webhooks/deliveries/{id}"),
        format!("/webhooks/endpoints/{endpoint}/secret"),
    ] {
        let (s, h, b) = call(&app, Method::GET, &path, Some(&net.swift_key), None).await;
        problem(s, &h, &b, 404, "not-found");
    }
    let (s, h, b) = call(
        &app,
        Method::POST,
        &format!("/webhooks/deliveries/{id}/replay"),
        Some(&net.swift_key),
        None,
    )
    .await;
    problem(s, &h, &b, 404, "not-found");
    let (_, _, list) = call(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        Some(&net.swift_key),
        None,
    )
    .await;
    assert_eq!(list, json!([]), "swift has no endpoints");
}

#[tokio::test]
async fn idempotency_keys_give_the_first_answer_again_and_refuse_another_body() {
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let url = app.url("localhost", "/partner/v1/webhooks/endpoints");
    let post = |key: &str, body: Value| {
        app.client
            .post(&url)
            .bearer_auth(&net.north_key)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let one = json!({"url": "http://127.0.0.1:9/a"});
    let first = post("k-1", one.clone()).await.expect("answer");
    assert_eq!(first.status(), 201);
    assert!(
        first.headers().contains_key("ratelimit"),
        "RateLimit header"
    );
    let first: Value = first.json().await.expect("json");
    let again = post("k-1", one.clone()).await.expect("answer");
    assert_eq!(again.status(), 201);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again: Value = again.json().await.expect("json");
    assert_eq!(first, again, "the same answer, the same endpoint");
    let (_, _, list) = call(
        &app,
        Method::GET,
        "/webhooks/endpoints",
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(1),
        "created once: {list}"
    );

    let other = post("k-1", json!({"url": "http://127.0.0.1:9/b"}))
        .await
        .expect("answer");
    let s = other.status().as_u16();
    let h = other.headers().clone();
    let b: Value = other.json().await.expect("json");
    problem(s, &h, &b, 422, "idempotency-key-reused");

    // The same key is another partner's own.
    let theirs = app
        .client
        .post(&url)
        .bearer_auth(&net.swift_key)
        .header("idempotency-key", "k-1")
        .json(&json!({"url": "http://127.0.0.1:9/c"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(theirs.status(), 201);

    // A refused request is kept too: the retry is refused the same way, not run.
    let bad = json!({"url": "ftp://example.com/"});
    let r1 = post("k-2", bad.clone()).await.expect("answer");
    assert_eq!(r1.status(), 422);
    let r2 = post("k-2", bad).await.expect("answer");
    assert_eq!(r2.status(), 422);
    assert!(r2.headers().contains_key("idempotent-replayed"));

    // A test key cannot register endpoints (live data); the If-Match guard holds.
    let (s, h, b) = call(
        &app,
        Method::POST,
        "/webhooks/endpoints",
        Some(&net.north_test_key),
        Some(json!({"url": "http://127.0.0.1:9/d"})),
    )
    .await;
    problem(s, &h, &b, 403, "test-key-on-live-data");
    let id = first["endpoint"]["id"].as_str().expect("id");
    let res = app
        .client
        .put(app.url("localhost", &format!("/partner/v1/webhooks/endpoints/{id}")))
        .bearer_auth(&net.north_key)
        .header("if-match", "\"v99\"")
        .json(&json!({"url": "http://127.0.0.1:9/e"}))
        .send()
        .await
        .expect("answer");
    let s = res.status().as_u16();
    let h = res.headers().clone();
    let b: Value = res.json().await.expect("json");
    problem(s, &h, &b, 412, "stale-version");
}

#[tokio::test]
async fn unsafe_webhook_urls_are_refused_and_redirects_are_not_followed() {
    // A hub configured as in production: https only, no loopback.
    let Some(app) = spawn_app_with(&[
        ("outbound.allow_http", "false"),
        ("outbound.allow_loopback", "false"),
    ])
    .await
    else {
        return;
    };
    let net = network(&app).await;
    for url in [
        "http://example.com/hooks".to_owned(),
        "https://127.0.0.1/".into(),
        "https://2130706433/".into(),
        "https://0x7f.1/".into(),
        "https://[::ffff:127.0.0.1]/".into(),
        "https://[::1]/".into(),
        "https://169.254.169.254/latest/meta-data/".into(),
        "https://10.0.0.1/".into(),
        "https://172.16.0.1/".into(),
        "https://192.168.0.1/".into(),
        "https://100.64.0.1/".into(),
        "https://224.0.0.1/".into(),
        "https://0.0.0.0/".into(),
        "https://[fe80::1]/".into(),
        "https://[fc00::1]/".into(),
        format!("https://localhost:{}/hooks", app.addr.port()),
    ] {
        let (s, h, b) = call(
            &app,
            Method::POST,
            "/webhooks/endpoints",
            Some(&net.north_key),
            Some(json!({"url": url})),
        )
        .await;
        problem(s, &h, &b, 422, "unsafe-url");
    }

    // A receiver that redirects to loopback: with loopback allowed (as in the tests), the
    // redirect is still not followed.
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let target = Receiver::start().await;
    let redirector = Receiver::start().await;
    redirector.set(Mode::Redirect(target.url()));
    let (s, _, b) = call(
        &app,
        Method::POST,
        "/webhooks/endpoints",
        Some(&net.north_key),
        Some(json!({"url": redirector.url()})),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    let endpoint = b["endpoint"]["id"].as_str().expect("id").to_owned();
    let (s, _, b) = call(
        &app,
        Method::POST,
        &format!("/webhooks/endpoints/{endpoint}/test"),
        Some(&net.north_key),
        None,
    )
    .await;
    assert_eq!(s, 202, "{b}");
    let delivery = b["id"].as_str().expect("id").to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let detail = loop {
        let (_, _, d) = call(
            &app,
            Method::GET,
            &format!("/webhooks/deliveries/{delivery}"),
            Some(&net.north_key),
            None,
        )
        .await;
        if !d["attempts"].as_array().is_none_or(Vec::is_empty)
            || std::time::Instant::now() > deadline
        {
            break d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(detail["attempts"][0]["status"], 302, "{detail}");
    assert!(
        detail["attempts"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("redirects are not followed")),
        "{detail}"
    );
    assert_eq!(
        detail["delivery"]["state"], "pending",
        "retried later: {detail}"
    );
    assert_eq!(redirector.got().len(), 1);
    assert!(target.got().is_empty(), "the redirect target got nothing");
}

/// Runs the worker with the simulated clock until nothing is pending, switching the receiver
/// up at `up_at`. Returns the times of the attempts.
async fn drive(app: &TestApp, clock: &ManualClock, rx: &Receiver, up_at: chrono::DateTime<Utc>) {
    let shared: SharedClock = Arc::new(clock.clone());
    for _ in 0..100 {
        if clock.now() >= up_at {
            rx.set(Mode::Up);
        }
        server::workers::webhooks::run_once(&app.db, &app.outbound, &shared, 32)
            .await
            .expect("worker ran");
        let Some(next) = worker::next_due(&app.db).await.expect("queue") else {
            return;
        };
        // Jump to the next attempt, or to the moment the receiver comes back if sooner.
        let to = if clock.now() < up_at && up_at < next {
            up_at
        } else {
            next
        };
        if to > clock.now() {
            clock.set(to);
        }
    }
    panic!("the worker did not finish in 100 rounds");
}

use tenants::clock::Clock as _;

#[tokio::test]
async fn retries_follow_the_schedule_and_dead_letters_replay_under_a_simulated_clock() {
    let clock = ManualClock::at(Utc::now());
    let Some(app) = spawn_app_with_clock(
        &[("webhooks.worker", "false")],
        Some(Arc::new(clock.clone())),
    )
    .await
    else {
        return;
    };
    let net = network(&app).await;
    let db = operator(&app.db, &net.north);
    let rx = Receiver::start().await;
    let (endpoint, _) = endpoints::create(
        &db,
        &EndpointInput {
            url: rx.url(),
            description: "ERP".into(),
            events: vec!["price_list.updated".into()],
            enabled: true,
        },
        clock.now(),
    )
    .await
    .expect("endpoint");
    // The network's own price lists were written before the endpoint existed: no deliveries.
    let none = deliveries::list(&db, &Filter::default(), None, 10)
        .await
        .expect("list");
    assert!(none.items.is_empty(), "{none:?}");

    for (n, down) in [
        Duration::minutes(1),
        Duration::hours(1),
        Duration::hours(24),
    ]
    .into_iter()
    .enumerate()
    {
        rx.set(Mode::Down);
        let t0 = clock.now();
        let (master, rows) = price_change(&app, 200 + n as i64).await;
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("upsert");
        drive(&app, &clock, &rx, t0 + down).await;
        let page = deliveries::list(&db, &Filter::default(), None, 1)
            .await
            .expect("list");
        let d = &page.items[0];
        assert_eq!(d.state, State::Delivered, "down {down}: {d:?}");
        let detail = deliveries::get(&db, d.id).await.expect("detail");
        // Each wait is the schedule's, plus at most 5 %.
        for pair in detail.attempts.windows(2) {
            let i = (pair[0].attempt - 1) as usize;
            let gap = pair[1].started_at - pair[0].started_at;
            assert!(
                gap >= SCHEDULE[i] && gap <= SCHEDULE[i] + SCHEDULE[i] / 20,
                "attempt {}: {gap}",
                pair[1].attempt
            );
        }
        let last = detail.attempts.last().expect("attempts");
        assert!(
            last.started_at >= t0 + down,
            "delivered after the receiver came back"
        );
        assert_eq!(last.status, Some(200));
        // Every failed attempt was while it was down.
        assert!(
            detail
                .attempts
                .iter()
                .rev()
                .skip(1)
                .all(|a| a.status == Some(503))
        );
    }
    let accepted = rx.accepted();
    assert_eq!(accepted.len(), 3, "every event arrived once: {accepted:?}");
    let mut ids: Vec<&str> = accepted.iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "none twice");

    // Down for 80 hours: dead-lettered after the last attempt, the endpoint disabled.
    rx.set(Mode::Down);
    let t0 = clock.now();
    let (master, rows) = price_change(&app, 300).await;
    price_list::upsert(&db, &master, &rows)
        .await
        .expect("upsert");
    drive(&app, &clock, &rx, t0 + Duration::hours(80)).await;
    let dead = deliveries::list(
        &db,
        &Filter {
            state: Some(State::Dead),
            ..Filter::default()
        },
        None,
        10,
    )
    .await
    .expect("list");
    assert_eq!(dead.items.len(), 1, "{dead:?}");
    assert_eq!(dead.items[0].attempts, SCHEDULE.len() as u32 + 1);
    let e = endpoints::get(&db, endpoint.id, clock.now())
        .await
        .expect("endpoint");
    assert!(!e.enabled, "disabled after 72 h of failures");
    assert!(
        e.disabled_reason
            .as_deref()
            .is_some_and(|r| r.contains("72 h")),
        "{e:?}"
    );
    assert!(
        clock.now() - t0 < Duration::hours(80),
        "given up before the receiver came back"
    );
    // A change while it is disabled is not sent to it.
    let (master, rows) = price_change(&app, 301).await;
    price_list::upsert(&db, &master, &rows)
        .await
        .expect("upsert");

    // The receiver is fixed: enable the endpoint, replay the dead letters.
    clock.set(t0 + Duration::hours(81));
    rx.set(Mode::Up);
    let enabled = endpoints::update(
        &db,
        endpoint.id,
        &EndpointInput {
            url: rx.url(),
            description: "ERP".into(),
            events: vec!["price_list.updated".into()],
            enabled: true,
        },
        Some(e.version),
        clock.now(),
    )
    .await
    .expect("enabled");
    assert!(enabled.failing_since.is_none() && enabled.disabled_reason.is_none());
    let n = deliveries::replay_dead(&db, Some(endpoint.id), clock.now())
        .await
        .expect("replay");
    assert_eq!(n, 1);
    drive(&app, &clock, &rx, clock.now()).await;
    let accepted = rx.accepted();
    assert_eq!(
        accepted.len(),
        4,
        "the dead letter arrived on replay: {accepted:?}"
    );
}

#[tokio::test]
async fn the_outbox_survives_a_restart_and_holds_nothing_for_a_rolled_back_change() {
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let (db, rx, _) = north_with_endpoint(&app).await;

    // A batch refused as a whole writes no price and no event.
    let (master, mut rows) = price_change(&app, 400).await;
    let mut bad = rows[0].clone();
    bad.price_minor = -1;
    rows.push(bad);
    assert!(price_list::upsert(&db, &master, &rows).await.is_err());
    let none = deliveries::list(&db, &Filter::default(), None, 10)
        .await
        .expect("list");
    assert!(
        none.items.is_empty(),
        "no event for a rolled-back change: {none:?}"
    );

    // Committed while no worker runs: it waits in the outbox.
    rows.pop();
    price_list::upsert(&db, &master, &rows)
        .await
        .expect("upsert");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(rx.got().is_empty(), "nothing sent without a worker");

    // Another process (its own database handle and worker) starts and delivers it.
    let other = tenants::Database::open(app.app_db_url(), &tenants::DbOptions::default())
        .await
        .expect("a second process's handle");
    let clock: SharedClock = tenants::clock::system();
    let sent = server::workers::webhooks::run_once(&other, &app.outbound, &clock, 8)
        .await
        .expect("worker");
    assert_eq!(sent, 1);
    assert_eq!(rx.accepted().len(), 1);
    // Run again: nothing is sent twice.
    let sent = server::workers::webhooks::run_once(&other, &app.outbound, &clock, 8)
        .await
        .expect("worker");
    assert_eq!(sent, 0);
    assert_eq!(rx.got().len(), 1);
}

#[tokio::test]
async fn parallel_claims_take_each_delivery_once_and_dead_letter_a_disabled_endpoints() {
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let (db, rx, on) = north_with_endpoint(&app).await;
    let input = |enabled| EndpointInput {
        url: rx.url(),
        enabled,
        ..EndpointInput::default()
    };
    let (off, _) = endpoints::create(&db, &input(true), Utc::now())
        .await
        .expect("endpoint");
    for bump in 1..=10 {
        let (master, rows) = price_change(&app, bump).await;
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("upsert");
    }
    // Disabled after its deliveries were queued: they are dead-lettered, never sent.
    endpoints::update(&db, off.id, &input(false), None, Utc::now())
        .await
        .expect("disable");

    // Four workers claim at once: each delivery to the enabled endpoint goes to one of them.
    let now = Utc::now();
    let claims = futures::future::join_all((0..4).map(|_| worker::claim(&app.db, now, 100))).await;
    let mut taken = Vec::new();
    for claimed in claims {
        for job in claimed.expect("claim") {
            assert_eq!(job.endpoint, on.id, "a job for the disabled endpoint");
            assert_eq!(job.attempt, 1);
            taken.push(job.delivery);
        }
    }
    let n = taken.len();
    taken.sort();
    taken.dedup();
    assert_eq!(taken.len(), n, "a delivery was claimed twice");
    assert_eq!(n, 10, "every delivery to the enabled endpoint is claimed");
    // The leases hold: nothing is left to claim.
    assert!(
        worker::claim(&app.db, now, 100)
            .await
            .expect("claim")
            .is_empty()
    );
    let dead = deliveries::list(
        &db,
        &Filter {
            endpoint: Some(off.id),
            state: Some(State::Dead),
            ..Filter::default()
        },
        None,
        100,
    )
    .await
    .expect("list");
    assert_eq!(dead.items.len(), 10, "{dead:?}");
    assert!(
        dead.items
            .iter()
            .all(|d| d.last_error.as_deref() == Some("endpoint disabled") && d.attempts == 0),
        "{dead:?}"
    );
    assert!(rx.got().is_empty(), "a claim sends nothing");
}

#[tokio::test]
async fn a_claim_that_cannot_read_what_it_sends_leaves_its_deliveries_due() {
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let (db, rx, on) = north_with_endpoint(&app).await;
    for bump in 1..=3 {
        let (master, rows) = price_change(&app, bump).await;
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("upsert");
    }
    // The events' table out of reach (renamed by its owner): the claim's lease succeeds and
    // its read of the events' bodies fails, in the same transaction.
    let owner = sea_orm::Database::connect(app.owner_db_url())
        .await
        .expect("owner connection");
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    owner
        .execute_unprepared(&rename("webhook_events", "webhook_events_away"))
        .await
        .expect("rename");
    let now = Utc::now();
    let failed = worker::claim(&app.db, now, 100).await;
    owner
        .execute_unprepared(&rename("webhook_events_away", "webhook_events"))
        .await
        .expect("rename back");
    assert!(failed.is_err(), "{failed:?}");
    // The lease went with the failed read: due again at once, not at the lease's end ten
    // minutes on.
    let jobs = worker::claim(&app.db, now, 100).await.expect("claim");
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    assert!(jobs.iter().all(|j| j.endpoint == on.id && j.attempt == 1));
    assert!(rx.got().is_empty(), "a claim sends nothing");
}

#[tokio::test]
async fn a_delivery_sent_twice_after_its_lease_lapsed_ends_delivered_if_either_attempt_was() {
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let (db, _rx, _) = north_with_endpoint(&app).await;
    let (master, rows) = price_change(&app, 3).await;
    price_list::upsert(&db, &master, &rows)
        .await
        .expect("upsert");

    let now = Utc::now();
    let first = worker::claim(&app.db, now, 10).await.expect("claim");
    assert_eq!(first.len(), 1);
    // The first worker stalls past its lease: another claims the same delivery.
    let later = now + worker::LEASE + Duration::seconds(1);
    let second = worker::claim(&app.db, later, 10).await.expect("claim");
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].delivery, second[0].delivery);
    let delivery = first[0].delivery;
    let job = |jobs: Vec<worker::Job>| jobs.into_iter().next().expect("a job");
    // Both answers are recorded in one batch: the first worker's success, then the
    // second's failure.
    let recorded = worker::record(
        vec![
            worker::Attempt {
                job: job(first),
                outcome: worker::Outcome {
                    status: Some(204),
                    ..worker::Outcome::default()
                },
                started: later,
            },
            worker::Attempt {
                job: job(second),
                outcome: worker::Outcome {
                    status: Some(500),
                    error: Some("answered 500".into()),
                    ..worker::Outcome::default()
                },
                started: later,
            },
        ],
        later,
    )
    .await
    .expect("record");
    assert_eq!(recorded[0], worker::Recorded::Delivered);
    let d = deliveries::get(&db, delivery).await.expect("delivery");
    assert_eq!(d.delivery.state, State::Delivered, "{d:?}");
    assert_eq!(d.attempts.len(), 2, "{d:?}");
}

#[tokio::test]
async fn the_log_keeps_every_successful_attempt_through_replays_and_second_sends() {
    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let (db, _rx, _) = north_with_endpoint(&app).await;
    let (master, rows) = price_change(&app, 4).await;
    price_list::upsert(&db, &master, &rows)
        .await
        .expect("upsert");
    let answered = |job: worker::Job, status: u16, body: &str, started| worker::Attempt {
        job,
        outcome: worker::Outcome {
            status: Some(status),
            body: Some(body.into()),
            duration_ms: 7,
            ..worker::Outcome::default()
        },
        started,
    };
    let claim_one = |at| {
        let db = app.db.clone();
        async move {
            let mut jobs = worker::claim(&db, at, 10).await.expect("claim");
            assert_eq!(jobs.len(), 1, "one delivery due");
            jobs.remove(0)
        }
    };

    // Delivered at the first attempt: the log shows it, with what the receiver answered.
    let t1 = Utc::now();
    let job = claim_one(t1).await;
    let delivery = job.delivery;
    worker::record(vec![answered(job, 204, "first", t1)], t1)
        .await
        .expect("record");
    let d = deliveries::get(&db, delivery).await.expect("delivery");
    assert_eq!(d.delivery.state, State::Delivered, "{d:?}");
    assert_eq!(d.delivery.attempts, 1);
    assert_eq!(d.attempts.len(), 1, "{d:?}");
    assert_eq!(
        (
            d.attempts[0].attempt,
            d.attempts[0].status,
            d.attempts[0].duration_ms
        ),
        (1, Some(204), 7)
    );
    assert_eq!(d.attempts[0].response_body.as_deref(), Some("first"));

    // Replayed and delivered again: both successes are in the log, oldest first.
    let t2 = t1 + Duration::minutes(5);
    deliveries::replay(&db, delivery, t2).await.expect("replay");
    let job = claim_one(t2).await;
    worker::record(vec![answered(job, 200, "second", t2)], t2)
        .await
        .expect("record");
    let d = deliveries::get(&db, delivery).await.expect("delivery");
    assert_eq!(d.delivery.state, State::Delivered, "{d:?}");
    let got: Vec<_> = d
        .attempts
        .iter()
        .map(|a| (a.status, a.response_body.as_deref()))
        .collect();
    assert_eq!(
        got,
        [(Some(204), Some("first")), (Some(200), Some("second"))],
        "{d:?}"
    );

    // Replayed again, and sent twice (the first worker's lease lapsed), both answered 2xx
    // and recorded in one batch: neither is lost.
    let t3 = t2 + Duration::minutes(5);
    deliveries::replay(&db, delivery, t3).await.expect("replay");
    let a = claim_one(t3).await;
    let t4 = t3 + worker::LEASE + Duration::seconds(1);
    let b = claim_one(t4).await;
    worker::record(
        vec![
            answered(a, 202, "third", t3),
            answered(b, 201, "fourth", t4),
        ],
        t4,
    )
    .await
    .expect("record");
    let d = deliveries::get(&db, delivery).await.expect("delivery");
    assert_eq!(d.delivery.state, State::Delivered, "{d:?}");
    assert_eq!(d.delivery.last_status, Some(201), "{d:?}");
    let got: Vec<_> = d.attempts.iter().map(|a| a.status).collect();
    assert_eq!(got, [Some(204), Some(200), Some(202), Some(201)], "{d:?}");
}
