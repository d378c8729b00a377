//! The JWT rejection suite: every forged, foreign, stale or revoked token counts as no token.
//! A correctly forged token (same key, right claims, live session) IS accepted: the control
//! that shows the suite could see an acceptance.

use hub_tests::scenario::{PASSWORD, Session, seed};
use hub_tests::spawn_app;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use tenants::auth::Role;
use tenants::auth::sessions::{Claims, TokenError, TokenKeys, unix_now};

fn b64(data: &[u8]) -> String {
    // base64url without padding, enough for hand-made tokens.
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn forged_foreign_stale_and_revoked_tokens_are_no_session() {
    let Some(app) = spawn_app().await else { return };
    let world = seed(&app).await;
    let acct = world.account("acme.localhost", Role::ResellerAdmin);
    let acme = world.tenant("acme.localhost").clone();
    let bolt = world.tenant("bolt.localhost").clone();
    let real = app.log_in("acme.localhost", &acct.email, PASSWORD).await;
    let keys = TokenKeys::new(&app.signing_key, None, app.state.keys.issuer()).unwrap();
    let real_claims = keys
        .verify(real.access.as_deref().unwrap(), acme.id())
        .expect("the real token verifies");
    let kid = keys.current_kid().to_owned();
    let now = unix_now();
    let claims = |f: &dyn Fn(&mut Claims)| {
        let mut c = real_claims.clone();
        c.iat = now;
        c.nbf = now;
        c.exp = now + 300;
        f(&mut c);
        c
    };
    let key = app.signing_key.clone();
    let sign = |alg: Algorithm, kid: Option<&str>, c: &Claims| {
        let mut h = Header::new(alg);
        h.kid = kid.map(str::to_owned);
        encode(&h, c, &EncodingKey::from_secret(&key)).unwrap()
    };
    let app = &app;
    let check = |token: String| {
        let s = Session {
            access: Some(token),
            refresh: None,
        };
        async move { app.whoami("acme.localhost", Some(&s)).await }
    };

    // Control: a token we sign with the right key and claims is accepted.
    assert_eq!(
        check(sign(Algorithm::HS256, Some(&kid), &claims(&|_| {})))
            .await
            .as_deref(),
        Some(acct.email.as_str()),
        "the suite must be able to see an accepted token"
    );

    let payload = serde_json::to_vec(&claims(&|_| {})).unwrap();
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(&payload)
    );
    let none_kid = format!(
        "{}.{}.",
        b64(format!(r#"{{"alg":"none","kid":"{kid}"}}"#).as_bytes()),
        b64(&payload)
    );
    let cases: Vec<(&str, String)> = vec![
        ("alg none", none),
        ("alg none with our kid", none_kid),
        (
            "another algorithm (HS512)",
            sign(Algorithm::HS512, Some(&kid), &claims(&|_| {})),
        ),
        ("no kid", sign(Algorithm::HS256, None, &claims(&|_| {}))),
        (
            "unknown kid",
            sign(Algorithm::HS256, Some("0123456789abcdef"), &claims(&|_| {})),
        ),
        (
            "expired beyond leeway",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| {
                    c.iat = now - 3600;
                    c.nbf = now - 3600;
                    c.exp = now - 120;
                }),
            ),
        ),
        (
            "nbf in the future",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.nbf = now + 600),
            ),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.aud = "tnt_00000000000000000000000000000000".into()),
            ),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.iss = "https://evil.example".into()),
            ),
        ),
        (
            "another tenant's audience",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.aud = bolt.id().to_string()),
            ),
        ),
        (
            "unknown session",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.sid = tenants::SessionId::generate().to_string()),
            ),
        ),
        (
            "another user in the session",
            sign(
                Algorithm::HS256,
                Some(&kid),
                &claims(&|c| c.sub = tenants::UserId::generate().to_string()),
            ),
        ),
        ("tampered signature", {
            let t = sign(Algorithm::HS256, Some(&kid), &claims(&|_| {}));
            let (head, sig) = t.rsplit_once('.').unwrap();
            format!("{head}.{}", sig.chars().rev().collect::<String>())
        }),
        ("garbage", "not-a-token".into()),
    ];
    for (what, token) in cases {
        assert_eq!(check(token).await, None, "{what} was accepted");
    }

    // Another tenant's real token, on this tenant's host.
    let bolt_acct = world.account("bolt.localhost", Role::ResellerAdmin);
    let bolt_session = app
        .log_in("bolt.localhost", &bolt_acct.email, PASSWORD)
        .await;
    assert_eq!(
        app.whoami("acme.localhost", Some(&bolt_session)).await,
        None,
        "bolt's token on acme"
    );

    // A revoked token: log out, then replay it.
    let res = app
        .post_form("acme.localhost", "/api/auth/logout", Some(&real), &[])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.whoami("acme.localhost", Some(&real)).await,
        None,
        "revoked token"
    );
}

#[tokio::test]
async fn the_previous_key_still_verifies_during_a_rotation() {
    let old = [7u8; 48];
    let new = [9u8; 48];
    let tenant = tenants::TenantId::generate();
    let before = TokenKeys::new(&old, None, "iss").unwrap();
    let token = before
        .mint(
            tenant,
            tenants::UserId::generate(),
            tenants::SessionId::generate(),
        )
        .unwrap();
    let during = TokenKeys::new(&new, Some(&old), "iss").unwrap();
    assert!(during.verify(&token, tenant).is_ok());
    let after = TokenKeys::new(&new, None, "iss").unwrap();
    // Once the old key is dropped, its tokens name a key nobody knows.
    assert!(
        matches!(after.verify(&token, tenant), Err(TokenError::UnknownKey)),
        "a token of the dropped key"
    );
    assert_eq!(
        TokenKeys::new(&[1u8; 8], None, "iss").unwrap_err(),
        "a signing key needs at least 32 bytes, this one has 8",
        "short keys are refused"
    );
}
