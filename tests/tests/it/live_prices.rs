//! Live exact prices: partners whose systems price carts are asked at once through the
//! guarded client, and the list arrives by the deadline whatever they do.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hub_tests::live::{self, Behaviour};
use hub_tests::spawn_app;
use tenants::CartId;
use tenants::access::operator;
use tenants::catalog::cart::{self, Owner};
use tenants::orders::live::{LiveQuotes, Unpriced};
use tenants::orders::transfer::{self, ConfirmInput, Source};

const DEADLINE: Duration = Duration::from_millis(1500);

#[tokio::test]
async fn ten_partners_priced_live_arrive_by_the_deadline_with_the_broken_ones_marked() {
    let Some(app) = spawn_app().await else { return };
    let world = hub_tests::scenario::seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let mut behaviours: Vec<Behaviour> = (0..7)
        .map(|i: i64| Behaviour::Answer {
            delay: Duration::from_millis(50),
            discount_pct: (7 - i) % 5,
            delivery_minor: 100 * i,
            lead_days: 1 + u32::try_from(i).expect("small"),
        })
        .collect();
    behaviours.push(Behaviour::Hang);
    behaviours.push(Behaviour::Garbage);
    behaviours.push(Behaviour::Decline(
        "<img src=x onerror=alert(1)> out of stock".into(),
    ));
    let net = live::network(&app, &acme, "lv", &behaviours, 5).await;

    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("storefront");
    let adb = operator(&app.db, &acme);
    let owner = Owner::Guest(CartId::generate());
    let mut lines = 0;
    for item in store.master.items.iter().take(5) {
        if let Some(d) = store.detail(&item.sku) {
            cart::add(&adb, owner, d.product.id, 2).await.expect("add");
            lines += 1;
        }
    }
    assert!(lines >= 2, "acme sells the priced products");
    let now = app.clock.now();
    let basket = transfer::basket(&adb, &store, Source::Cart(owner), now)
        .await
        .expect("basket");
    let quotes = LiveQuotes {
        caller: Arc::new(app.outbound.clone()),
        deadline: DEADLINE,
        master: store.master.clone(),
    };
    let started = Instant::now();
    let found = transfer::offers(
        &adb,
        app.state.keys.price(),
        Some(&quotes),
        basket,
        net.to.clone(),
        now,
    )
    .await
    .expect("offers");
    let took = started.elapsed();

    // The hanging partner is waited for until the deadline, and not a moment longer (a
    // generous margin for a loaded machine; the 15 s outbound timeout is far beyond it).
    assert!(
        took >= DEADLINE - Duration::from_millis(100) && took < DEADLINE + Duration::from_secs(2),
        "the list took {took:?}"
    );
    assert_eq!(net.systems.bad_signatures.load(Ordering::Relaxed), 0);
    assert_eq!(
        net.systems.requests.load(Ordering::Relaxed),
        10,
        "all asked"
    );

    // Seven live prices, each with its delivery charge, ranked by total then lead time.
    assert_eq!(found.complete.len(), 7, "{:?}", found.unanswered);
    for w in found.complete.windows(2) {
        assert!(
            (w[0].total.minor, w[0].offer.lead_days) <= (w[1].total.minor, w[1].offer.lead_days),
            "ranked"
        );
    }
    for o in &found.complete {
        let i: i64 = o.offer.partner.slug["lv".len()..].parse().expect("index");
        assert_eq!(
            o.delivery.minor,
            100 * i,
            "{} states its delivery",
            o.offer.partner.slug
        );
        let lines_total: i64 = o.offer.lines.iter().map(|l| l.total.minor).sum();
        assert_eq!(o.total.minor, lines_total + o.delivery.minor);
        let list: i64 = o
            .offer
            .lines
            .iter()
            .map(|l| {
                store.master.find_sku(&l.sku).expect("sku").price.minor * i64::from(l.quantity)
            })
            .sum();
        assert!(
            lines_total <= list,
            "the live price is the partner's, not the list's"
        );
    }
    let why = |slug: &str| {
        found
            .unanswered
            .iter()
            .find(|u| u.partner.slug == slug)
            .map(|u| u.why.clone())
    };
    assert_eq!(why("lv7"), Some(Unpriced::NoAnswer));
    assert!(
        matches!(why("lv8"), Some(Unpriced::Unusable(_))),
        "{:?}",
        why("lv8")
    );
    assert_eq!(
        why("lv9"),
        Some(Unpriced::Declined(
            "<img src=x onerror=alert(1)> out of stock".into()
        ))
    );

    // A live price is held like any other: confirming it makes the order at that price,
    // delivery included.
    let best = &found.complete[0];
    let done = transfer::confirm(
        &adb,
        &store,
        app.state.keys.price(),
        Source::Cart(owner),
        &ConfirmInput {
            token: best.token.clone(),
            idempotency_key: "live-price-confirmation-1".into(),
            ship_to: Some(net.to.clone()),
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            address: "Marienplatz 1".into(),
            user: None,
            referrer: None,
        },
        now,
    )
    .await
    .expect("confirmed");
    let order = tenants::orders::for_store(&adb, done.order)
        .await
        .expect("order");
    assert_eq!(order.total, best.total);
    assert_eq!(order.delivery, best.delivery);
    assert_eq!(order.partner.0, best.offer.partner.id);
}

#[tokio::test]
async fn without_live_prices_a_partner_is_priced_from_its_list_and_nobody_is_called() {
    let Some(app) = spawn_app().await else { return };
    let world = hub_tests::scenario::seed(&app).await;
    let acme = world.tenant("acme.localhost").clone();
    let net = live::network(&app, &acme, "pl", &[Behaviour::Hang], 2).await;
    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("storefront");
    let adb = operator(&app.db, &acme);
    let owner = Owner::Guest(CartId::generate());
    let item = store
        .master
        .items
        .iter()
        .take(2)
        .find(|i| store.detail(&i.sku).is_some())
        .expect("a product");
    let d = store.detail(&item.sku).expect("sold");
    cart::add(&adb, owner, d.product.id, 1).await.expect("add");
    let now = app.clock.now();
    let basket = transfer::basket(&adb, &store, Source::Cart(owner), now)
        .await
        .expect("basket");
    let found = transfer::offers(&adb, app.state.keys.price(), None, basket, net.to, now)
        .await
        .expect("offers");
    assert_eq!(found.complete.len(), 1);
    assert_eq!(found.complete[0].total, item.price, "list price");
    assert_eq!(net.systems.requests.load(Ordering::Relaxed), 0);
}
