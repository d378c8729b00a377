//! Accounts and sessions over HTTP: log-in, cookies, host-bound sessions, log-out and password
//! change revoking at once, sign-up, throttling and unlock, rehash of weak hashes.

use std::time::{Duration, Instant};

use hub_tests::scenario::{PASSWORD, Session, seed};
use hub_tests::spawn_app;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tenants::auth::Role;
use tenants::auth::throttle::{ACCOUNT_LIMIT, FREE_FAILURES};

#[tokio::test]
async fn log_in_sets_host_only_cookies_and_binds_the_session_to_its_host() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.account("acme.localhost", Role::Customer);
    let res = app
        .post_form(
            "acme.localhost",
            "/api/auth/login",
            None,
            &[("email", &acme.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for c in &cookies {
        assert!(c.starts_with("__Host-"), "{c}");
        for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{c} lacks {attr}");
        }
        assert!(!c.to_lowercase().contains("domain="), "{c}");
    }
    let mut session = Session::default();
    session.absorb(res.headers());
    assert_eq!(
        app.whoami("acme.localhost", Some(&session))
            .await
            .as_deref(),
        Some(acme.email.as_str())
    );
    // The same cookies on a sibling store, the hub or a distributor: nobody.
    for host in [
        "bolt.localhost",
        "localhost",
        "dove.localhost",
        "carl.localhost",
    ] {
        assert_eq!(app.whoami(host, Some(&session)).await, None, "{host}");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.account("acme.localhost", Role::Customer);
    let wrong = app
        .post_form(
            "acme.localhost",
            "/api/auth/login",
            None,
            &[("email", &acme.email), ("password", "Wrong-password-1")],
        )
        .await;
    let unknown = app
        .post_form(
            "acme.localhost",
            "/api/auth/login",
            None,
            &[
                ("email", "nobody@nowhere.example"),
                ("password", "Wrong-password-1"),
            ],
        )
        .await;
    // An account of another store is unknown here.
    let foreign = world.account("bolt.localhost", Role::Customer);
    let elsewhere = app
        .post_form(
            "acme.localhost",
            "/api/auth/login",
            None,
            &[("email", &foreign.email), ("password", PASSWORD)],
        )
        .await;
    let a = (wrong.status(), wrong.text().await.unwrap());
    let b = (unknown.status(), unknown.text().await.unwrap());
    let c = (elsewhere.status(), elsewhere.text().await.unwrap());
    assert_eq!(a.0, 401);
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[tokio::test]
async fn log_out_revokes_the_session_at_once() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acme = world.account("acme.localhost", Role::ResellerStaff);
    let session = app.log_in("acme.localhost", &acme.email, PASSWORD).await;
    let res = app
        .post_form("acme.localhost", "/api/auth/logout", Some(&session), &[])
        .await;
    assert_eq!(res.status(), 200);
    // The old tokens, replayed: the access token alone, the refresh token alone, both.
    let access_only = Session {
        access: session.access.clone(),
        refresh: None,
    };
    let refresh_only = Session {
        access: None,
        refresh: session.refresh.clone(),
    };
    for s in [&session, &access_only, &refresh_only] {
        assert_eq!(app.whoami("acme.localhost", Some(s)).await, None);
    }
}

#[tokio::test]
async fn password_change_revokes_every_other_session_and_keeps_this_one() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("bolt.localhost", Role::ResellerAdmin);
    let other_browser = app.log_in("bolt.localhost", &acct.email, PASSWORD).await;
    let mut this_browser = app.log_in("bolt.localhost", &acct.email, PASSWORD).await;
    let weak = app
        .post_form(
            "bolt.localhost",
            "/api/account/password",
            Some(&this_browser),
            &[
                ("current_password", PASSWORD),
                ("new_password", "password1"),
            ],
        )
        .await;
    assert_eq!(weak.status(), 422, "a common password is refused");
    let wrong = app
        .post_form(
            "bolt.localhost",
            "/api/account/password",
            Some(&this_browser),
            &[
                ("current_password", "Not-my-password-7"),
                ("new_password", "Fresh-Pass-Word-42"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("current_password"));
    let ok = app
        .post_form(
            "bolt.localhost",
            "/api/account/password",
            Some(&this_browser),
            &[
                ("current_password", PASSWORD),
                ("new_password", "Fresh-Pass-Word-42"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 200);
    let old = this_browser.clone();
    this_browser.absorb(ok.headers());
    assert_eq!(
        app.whoami("bolt.localhost", Some(&other_browser)).await,
        None
    );
    assert_eq!(
        app.whoami("bolt.localhost", Some(&old)).await,
        None,
        "the pre-change tokens are revoked too"
    );
    assert_eq!(
        app.whoami("bolt.localhost", Some(&this_browser))
            .await
            .as_deref(),
        Some(acct.email.as_str())
    );
    app.log_in("bolt.localhost", &acct.email, "Fresh-Pass-Word-42")
        .await;
    let old_pw = app
        .post_form(
            "bolt.localhost",
            "/api/auth/login",
            None,
            &[("email", &acct.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old_pw.status(), 401);
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_by_the_refresh_token() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("acme.localhost", Role::Customer);
    let session = app.log_in("acme.localhost", &acct.email, PASSWORD).await;
    let refresh_only = Session {
        access: None,
        refresh: session.refresh.clone(),
    };
    let res = app
        .get_with("acme.localhost", "/api/me", Some(&refresh_only))
        .await;
    let mut renewed = Session::default();
    renewed.absorb(res.headers());
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["session"]["email"].as_str(), Some(acct.email.as_str()));
    assert!(renewed.access.is_some(), "a new access token was set");
    assert!(
        renewed.refresh.is_none(),
        "the refresh token is kept, not reissued"
    );
}

#[tokio::test]
async fn customers_sign_up_at_live_stores_only() {
    let Some(app) = spawn_app().await else { return };
    seed(&app).await;
    let form = [
        ("name", "Nia New"),
        ("email", "nia@example.com"),
        ("password", "Plum-Tree-Orbit-5"),
    ];
    let res = app
        .post_form("acme.localhost", "/api/auth/signup", None, &form)
        .await;
    assert_eq!(res.status(), 200);
    let mut s = Session::default();
    s.absorb(res.headers());
    assert_eq!(
        app.whoami("acme.localhost", Some(&s)).await.as_deref(),
        Some("nia@example.com")
    );
    // The same e-mail is a different account at another store.
    assert_eq!(
        app.post_form("bolt.localhost", "/api/auth/signup", None, &form)
            .await
            .status(),
        200
    );
    // ...but not twice at the same store, whatever its case.
    let again = [
        ("name", "Nia"),
        ("email", "NIA@Example.com"),
        ("password", "Plum-Tree-Orbit-5"),
    ];
    assert_eq!(
        app.post_form("acme.localhost", "/api/auth/signup", None, &again)
            .await
            .status(),
        409
    );
    // A pending store and a distributor take no customers.
    assert_eq!(
        app.post_form("carl.localhost", "/api/auth/signup", None, &form)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_form("dove.localhost", "/api/auth/signup", None, &form)
            .await
            .status(),
        404
    );
    let weak = [
        ("name", "Wes"),
        ("email", "wes@example.com"),
        ("password", "qwerty123"),
    ];
    let res = app
        .post_form("acme.localhost", "/api/auth/signup", None, &weak)
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("common"));
}

#[tokio::test]
async fn a_reseller_applies_and_its_pending_admin_can_log_in() {
    let Some(app) = spawn_app().await else { return };
    let form = [
        ("company", "Eve's Electronics"),
        ("slug", "Eve-Shop"),
        ("name", "Eve Owner"),
        ("email", "eve@eve.example"),
        ("password", "Violet-Kettle-88"),
    ];
    let res = app
        .post_form("localhost", "/api/partners/apply", None, &form)
        .await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["slug"], "eve-shop");
    assert!(
        v["login_url"]
            .as_str()
            .unwrap()
            .contains("eve-shop.localhost")
    );
    // The address is taken now; applications go to the hub only.
    assert_eq!(
        app.post_form("localhost", "/api/partners/apply", None, &form)
            .await
            .status(),
        409
    );
    let (_, check) = app
        .get_page("localhost", "/api/partners/slug-check?slug=eve-shop")
        .await;
    assert!(check.contains("\"available\":false"), "{check}");
    let (_, check) = app
        .get_page("localhost", "/api/partners/slug-check?slug=www")
        .await;
    assert!(check.contains("reserved"), "{check}");
    // A bad field writes nothing.
    let bad = [
        ("company", "Fay"),
        ("slug", "fay-shop"),
        ("name", "Fay"),
        ("email", "fay@fay.example"),
        ("password", "short"),
    ];
    assert_eq!(
        app.post_form("localhost", "/api/partners/apply", None, &bad)
            .await
            .status(),
        422
    );
    assert!(
        tenants::registry::find_by_slug(&app.db, "fay-shop")
            .await
            .unwrap()
            .is_none()
    );
    let s = app
        .log_in("eve-shop.localhost", "eve@eve.example", "Violet-Kettle-88")
        .await;
    let res = app
        .get_with("eve-shop.localhost", "/api/site", Some(&s))
        .await;
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["status"], "pending");
    let res = app
        .get_with("eve-shop.localhost", "/api/me", Some(&s))
        .await;
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["session"]["role"], "reseller_admin");
    assert_eq!(v["session"]["tenant_status"], "pending");
}

#[tokio::test]
async fn failed_log_ins_slow_down_then_get_429_until_unlocked() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let victim = world.account("acme.localhost", Role::Customer);
    let mut refused_at = None;
    // How long each failed attempt took to answer, as the client sees it.
    let mut took = Vec::new();
    for n in 1..=ACCOUNT_LIMIT + 1 {
        let started = Instant::now();
        let res = app
            .post_form(
                "acme.localhost",
                "/api/auth/login",
                None,
                &[("email", &victim.email), ("password", "Guess-guess-1")],
            )
            .await;
        let elapsed = started.elapsed();
        if res.status() == 429 {
            let retry: u64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                (15 * 60..=15 * 60 + 1).contains(&retry),
                "Retry-After {retry}"
            );
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(
                body,
                serde_json::json!({ "TooManyAttempts": { "retry_after_secs": retry } })
            );
            refused_at = Some(n);
            break;
        }
        assert_eq!(res.status(), 401);
        assert_eq!(res.text().await.unwrap(), "\"BadCredentials\"");
        took.push(elapsed);
    }
    assert_eq!(
        refused_at,
        Some(ACCOUNT_LIMIT + 1),
        "refused after {ACCOUNT_LIMIT} failures"
    );
    // The attempts after FREE_FAILURES failures wait before the password is checked, 250 ms
    // then doubling up to 4 s; the ones before only pay for the hash (tens of ms), well under
    // the first wait.
    let (free, slowed) = took.split_at(FREE_FAILURES + 1);
    assert!(
        free.iter().all(|t| *t < Duration::from_millis(200)),
        "free attempts were slow: {took:?}"
    );
    let promised = [250, 500, 1_000, 2_000, 4_000, 4_000].map(Duration::from_millis);
    assert_eq!(slowed.len(), promised.len(), "{took:?}");
    for (k, (t, wait)) in slowed.iter().zip(promised).enumerate() {
        assert!(
            *t >= wait,
            "attempt {} took {t:?}, not the {wait:?} promised: {took:?}",
            FREE_FAILURES + 2 + k
        );
    }
    // Even the right password is refused while locked.
    let res = app
        .post_form(
            "acme.localhost",
            "/api/auth/login",
            None,
            &[("email", &victim.email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 429);
    // The hub admin lifts the lock.
    let admin = world.account("localhost", Role::HubAdmin);
    let hub_session = app.log_in("localhost", &admin.email, PASSWORD).await;
    let res = app
        .post_form(
            "localhost",
            "/api/admin/unlock",
            Some(&hub_session),
            &[("store", "acme"), ("email", &victim.email)],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "true");
    app.log_in("acme.localhost", &victim.email, PASSWORD).await;
    // Nobody else may unlock.
    let store_admin = world.account("acme.localhost", Role::ResellerAdmin);
    let s = app
        .log_in("acme.localhost", &store_admin.email, PASSWORD)
        .await;
    let res = app
        .post_form(
            "acme.localhost",
            "/api/admin/unlock",
            Some(&s),
            &[("store", "acme"), ("email", &victim.email)],
        )
        .await;
    assert_eq!(res.status(), 404, "no hub console on a store's host");
}

#[tokio::test]
async fn a_weak_stored_hash_is_upgraded_at_log_in() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("acme.localhost", Role::Customer);
    let weak = tenants::auth::password::hash_with_costs(PASSWORD, 4096, 1, 1).unwrap();
    let owner = Database::connect(app.owner_db_url()).await.unwrap();
    let backend = owner.get_database_backend();
    let (set, get) = match backend {
        DbBackend::Postgres => (
            "UPDATE users SET password_hash = $1 WHERE email = $2",
            "SELECT password_hash FROM users WHERE email = $1",
        ),
        _ => (
            "UPDATE users SET password_hash = ? WHERE email = ?",
            "SELECT password_hash FROM users WHERE email = ?",
        ),
    };
    owner
        .execute_raw(Statement::from_sql_and_values(
            backend,
            set,
            [weak.clone().into(), acct.email.clone().into()],
        ))
        .await
        .unwrap();
    app.log_in("acme.localhost", &acct.email, PASSWORD).await;
    let row = owner
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            get,
            [acct.email.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let stored: String = row.try_get_by_index(0).unwrap();
    assert_ne!(stored, weak);
    assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
    assert!(!tenants::auth::password::needs_rehash(&stored));
}
