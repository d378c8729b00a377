//! Cart transfer end to end in the domain: exact prices held in tokens, a confirmation that
//! writes the order once on both sides, the partner's state machine, reroutes, and who may
//! read what.

use std::sync::Arc;

use chrono::Duration;
use hub_tests::{TestApp, spawn_app};
use tenants::access::operator;
use tenants::catalog::cart::{self, Owner};
use tenants::catalog::snapshot::Storefront;
use tenants::orders::transfer::{self, ConfirmInput, Source};
use tenants::orders::{self, Action, Actor, ListQuery, State};
use tenants::partners::territories::ShipTo;
use tenants::registry::{self, Tenant};
use tenants::{CartId, Error, TenantDb};

use crate::partner_api::{Net, network, supplied_acme};

struct Shop {
    net: Net,
    acme: Tenant,
    adb: TenantDb,
    store: Arc<Storefront>,
    to: ShipTo,
}

/// acme supplied by north and swift (both ship to Germany), and a guest cart at acme with
/// two products both price.
async fn shop(app: &TestApp) -> Shop {
    let net = network(app).await;
    let acme = supplied_acme(app, &net).await;
    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("storefront");
    let adb = operator(&app.db, &acme);
    Shop {
        net,
        acme,
        adb,
        store,
        to: ShipTo {
            country: "DE".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80331".into()),
        },
    }
}

/// A fresh guest cart at acme with the first two products both partners price.
async fn fill(s: &Shop) -> Owner {
    let owner = Owner::Guest(CartId::generate());
    let mut added = 0;
    for item in s.store.master.items.iter().take(5) {
        let Some(d) = s.store.detail(&item.sku) else {
            continue;
        };
        cart::add(&s.adb, owner, d.product.id, 1 + added)
            .await
            .expect("add");
        added += 1;
        if added == 2 {
            break;
        }
    }
    assert_eq!(added, 2, "acme sells two of the priced products");
    owner
}

fn input(token: &str, key: &str) -> ConfirmInput {
    ConfirmInput {
        token: token.into(),
        idempotency_key: key.into(),
        ship_to: Some(ShipTo {
            country: "DE".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80331".into()),
        }),
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        address: "Marienplatz 1\n80331 München".into(),
        user: None,
        referrer: Some("newsletter-december".into()),
    }
}

async fn orders_of(db: &TenantDb) -> usize {
    orders::inbox(
        db,
        &ListQuery {
            limit: 200,
            ..Default::default()
        },
    )
    .await
    .expect("inbox")
    .len()
}

async fn offers(app: &TestApp, s: &Shop, source: Source) -> transfer::Offers {
    let now = app.clock.now();
    let basket = transfer::basket(&s.adb, &s.store, source, now)
        .await
        .expect("basket");
    transfer::offers(
        &s.adb,
        app.state.keys.price(),
        None,
        basket,
        s.to.clone(),
        now,
    )
    .await
    .expect("offers")
}

#[tokio::test]
async fn a_confirmed_transfer_is_one_order_on_both_sides_exactly_once() {
    let Some(app) = spawn_app().await else { return };
    let s = shop(&app).await;
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    assert_eq!(o.complete.len(), 2, "{o:?}");
    let pick = o
        .complete
        .iter()
        .find(|c| c.offer.partner.id == s.net.swift.id())
        .expect("swift offers");
    let key = app.state.keys.price();
    let now = app.clock.now();
    let first = transfer::confirm(
        &s.adb,
        &s.store,
        key,
        Source::Cart(owner),
        &input(&pick.token, "confirm-0000000000000001"),
        now,
    )
    .await
    .expect("confirm");
    assert!(!first.replayed);
    assert!(first.number.starts_with("SWIF-"), "{}", first.number);

    // Both sides hold it, with the same id, lines and totals.
    let sdb = operator(&app.db, &s.net.swift);
    let theirs = orders::for_partner(&sdb, first.order)
        .await
        .expect("partner's row");
    let ours = orders::for_store(&s.adb, first.order)
        .await
        .expect("store's row");
    assert_eq!(theirs.total, pick.total);
    assert_eq!(ours.total, pick.total);
    assert_eq!(theirs.lines, ours.lines);
    assert_eq!(theirs.state, State::Transferred);
    assert_eq!(ours.partner.0, s.net.swift.id());
    assert_eq!(theirs.store.0, s.acme.id());
    assert!(theirs.lines.iter().all(|l| l.partner_sku.is_some()));
    assert_eq!(theirs.referrer.as_deref(), Some("newsletter-december"));
    // The cart is empty.
    assert!(cart::lines(&s.adb, owner).await.expect("cart").is_empty());

    // The same confirmation again: the same answer, nothing new.
    let again = transfer::confirm(
        &s.adb,
        &s.store,
        key,
        Source::Cart(owner),
        &input(&pick.token, "confirm-0000000000000001"),
        now,
    )
    .await
    .expect("replayed");
    assert!(again.replayed);
    assert_eq!(
        (again.order, &again.number, &again.access_key),
        (first.order, &first.number, &first.access_key)
    );
    // The same key with another request is refused.
    let mut other = input(&pick.token, "confirm-0000000000000001");
    other.address = "Elsewhere 2".into();
    let e = transfer::confirm(&s.adb, &s.store, key, Source::Cart(owner), &other, now)
        .await
        .expect_err("another request under the key");
    assert!(
        matches!(&e, Error::Conflict(m) if m.contains("already used")),
        "{e:?}"
    );
    // Another key on the same cart and token: the cart went already.
    let e = transfer::confirm(
        &s.adb,
        &s.store,
        key,
        Source::Cart(owner),
        &input(&pick.token, "confirm-0000000000000002"),
        now,
    )
    .await
    .expect_err("a second order from one cart");
    assert!(
        matches!(&e, Error::Conflict(m) if m.contains("already transferred") && m.contains(&first.number)),
        "{e:?}"
    );
    assert_eq!(orders_of(&sdb).await, 1);
    assert_eq!(orders_of(&operator(&app.db, &s.net.north)).await, 0);

    // The guest reads it with the key from the link, and nobody reads it without.
    assert!(
        orders::for_customer(&s.adb, first.order, None, Some(&first.access_key))
            .await
            .is_ok()
    );
    for wrong in [None, Some("nope"), Some(&first.access_key[1..])] {
        assert!(matches!(
            orders::for_customer(&s.adb, first.order, None, wrong).await,
            Err(Error::NotFound(_))
        ));
    }
    // Isolation: north cannot see swift's order; bolt's store cannot see acme's.
    let ndb = operator(&app.db, &s.net.north);
    assert!(matches!(
        orders::for_partner(&ndb, first.order).await,
        Err(Error::NotFound(_))
    ));
    let bolt = registry::find_by_slug(&app.db, "bolt")
        .await
        .expect("db")
        .expect("bolt");
    let bdb = operator(&app.db, &bolt);
    assert!(matches!(
        orders::for_store(&bdb, first.order).await,
        Err(Error::NotFound(_))
    ));
    // A partner cannot move another partner's order.
    assert!(matches!(
        orders::transition(
            &ndb,
            first.order,
            &Action::Accept,
            None,
            Actor::Partner,
            now
        )
        .await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn fifty_concurrent_confirms_with_one_key_make_one_order() {
    let Some(app) = spawn_app().await else { return };
    let s = Arc::new(shop(&app).await);
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    let token = o.complete[0].token.clone();
    let partner = o.complete[0].offer.partner.id;
    let now = app.clock.now();
    let key = Arc::new(app.state.keys.price().clone());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (s, key, token) = (s.clone(), key.clone(), token.clone());
        tasks.spawn(async move {
            transfer::confirm(
                &s.adb,
                &s.store,
                &key,
                Source::Cart(owner),
                &input(&token, "double-click-000000000001"),
                now,
            )
            .await
        });
    }
    let mut answers = Vec::new();
    while let Some(r) = tasks.join_next().await {
        answers.push(r.expect("task").expect("every confirm answers the order"));
    }
    assert_eq!(answers.len(), 50);
    assert_eq!(answers.iter().filter(|a| !a.replayed).count(), 1);
    assert!(answers.iter().all(|a| a.order == answers[0].order
        && a.number == answers[0].number
        && a.access_key == answers[0].access_key));
    let p = registry::find_by_id(&app.db, partner)
        .await
        .expect("db")
        .expect("partner");
    assert_eq!(orders_of(&operator(&app.db, &p)).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_of_one_cart_racing_with_different_keys_make_one_order() {
    let Some(app) = spawn_app().await else { return };
    let s = Arc::new(shop(&app).await);
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    assert_eq!(o.complete.len(), 2, "{o:?}");
    let tokens: Vec<String> = o.complete.iter().map(|c| c.token.clone()).collect();
    let now = app.clock.now();
    let key = Arc::new(app.state.keys.price().clone());
    // Two tabs, two partners, twenty presses: each its own confirmation key.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (s, key, token) = (s.clone(), key.clone(), tokens[i % 2].clone());
        tasks.spawn(async move {
            transfer::confirm(
                &s.adb,
                &s.store,
                &key,
                Source::Cart(owner),
                &input(&token, &format!("another-tab-{i:012}")),
                now,
            )
            .await
        });
    }
    let (mut made, mut refused) = (Vec::new(), 0);
    while let Some(r) = tasks.join_next().await {
        match r.expect("task") {
            Ok(done) => made.push(done),
            Err(Error::Conflict(m)) if m.contains("already transferred") => refused += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(!made[0].replayed);
    assert_eq!(refused, 19);
    let in_inboxes = orders_of(&operator(&app.db, &s.net.north)).await
        + orders_of(&operator(&app.db, &s.net.swift)).await;
    assert_eq!(in_inboxes, 1);
    assert!(cart::lines(&s.adb, owner).await.expect("lines").is_empty());
}

#[tokio::test]
async fn a_held_price_is_refused_when_anything_changed_and_nothing_is_written() {
    let Some(app) = spawn_app().await else { return };
    let s = shop(&app).await;
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    let token = o.complete[0].token.clone();
    let key = app.state.keys.price();
    let now = app.clock.now();
    let refused = |e: Result<transfer::Confirmed, Error>, what: &str| match e {
        Err(Error::Conflict(m)) => assert!(m.contains(what), "{what}: {m}"),
        other => panic!("{what}: {other:?}"),
    };
    // Expired.
    refused(
        transfer::confirm(
            &s.adb,
            &s.store,
            key,
            Source::Cart(owner),
            &input(&token, "k-expired-00000000001"),
            now + Duration::minutes(16),
        )
        .await,
        "expired",
    );
    // Tampered: a lower total sealed under another key, then the real signature put on it.
    let mut held = key.read(&token).expect("our own token");
    held.total_minor = 1;
    held.lines[0].unit_minor = 1;
    let resealed = tenants::orders::token::PriceKey::new(&[1u8; 32], None).seal(&held);
    let forged = format!(
        "{}.{}",
        resealed.split_once('.').expect("token").0,
        token.split_once('.').expect("token").1
    );
    refused(
        transfer::confirm(
            &s.adb,
            &s.store,
            key,
            Source::Cart(owner),
            &input(&forged, "k-tampered-0000000001"),
            now,
        )
        .await,
        "altered",
    );
    // Another ship-to.
    let mut far = input(&token, "k-shipto-000000000001");
    far.ship_to = Some(ShipTo {
        country: "DE".into(),
        subdivision: Some("DE-BE".into()),
        postal_code: Some("10115".into()),
    });
    refused(
        transfer::confirm(&s.adb, &s.store, key, Source::Cart(owner), &far, now).await,
        "delivery address",
    );
    // Another store's token.
    let bolt = registry::find_by_slug(&app.db, "bolt")
        .await
        .expect("db")
        .expect("bolt");
    let bdb = operator(&app.db, &bolt);
    let bowner = Owner::Guest(CartId::generate());
    let bstore = app
        .state
        .catalog
        .storefront(&app.db, &bolt)
        .await
        .expect("bolt's store");
    let line = s
        .store
        .detail(&s.store.master.items[0].sku)
        .expect("product");
    let _ = cart::add(&bdb, bowner, line.product.id, 1).await;
    let e = transfer::confirm(
        &bdb,
        &bstore,
        key,
        Source::Cart(bowner),
        &input(&token, "k-store-0000000000001"),
        now,
    )
    .await;
    assert!(
        matches!(e, Err(Error::Conflict(_)) | Err(Error::Validation { .. })),
        "{e:?}"
    );
    // The cart changed after the price.
    let product = s
        .store
        .detail(&s.store.master.items[0].sku)
        .expect("product")
        .product
        .id;
    cart::add(&s.adb, owner, product, 1)
        .await
        .expect("one more");
    refused(
        transfer::confirm(
            &s.adb,
            &s.store,
            key,
            Source::Cart(owner),
            &input(&token, "k-changed-00000000001"),
            now,
        )
        .await,
        "cart changed",
    );
    // Nothing was written anywhere, and the cart is still there.
    assert_eq!(orders_of(&operator(&app.db, &s.net.swift)).await, 0);
    assert_eq!(orders_of(&operator(&app.db, &s.net.north)).await, 0);
    assert!(!cart::lines(&s.adb, owner).await.expect("cart").is_empty());
}

#[tokio::test]
async fn the_partner_moves_an_order_through_its_states_and_nothing_else() {
    let Some(app) = spawn_app().await else { return };
    let s = shop(&app).await;
    let now = app.clock.now();
    let ndb = operator(&app.db, &s.net.north);
    let (app_ref, s_ref) = (&app, &s);
    let place = move |n: u32| {
        let (app, s) = (app_ref, s_ref);
        async move {
            let owner = fill(s).await;
            let o = offers(app, s, Source::Cart(owner)).await;
            let pick = o
                .complete
                .iter()
                .find(|c| c.offer.partner.id == s.net.north.id())
                .expect("north offers")
                .token
                .clone();
            transfer::confirm(
                &s.adb,
                &s.store,
                app.state.keys.price(),
                Source::Cart(owner),
                &input(&pick, &format!("machine-{n:020}")),
                now,
            )
            .await
            .expect("confirm")
            .order
        }
    };
    let id = place(1).await;
    let all = [
        Action::Acknowledge,
        Action::Accept,
        Action::Reject {
            reason: "No stock".into(),
        },
        Action::Ship {
            carrier: "DHL".into(),
            tracking: "<b>JD0001</b>".into(),
        },
        Action::Deliver,
        Action::Cancel {
            reason: "Customer asked".into(),
        },
    ];
    // Walk the happy path; at every step each other action is refused with 409 and the state.
    let path = [
        Action::Acknowledge,
        Action::Accept,
        all[3].clone(),
        Action::Deliver,
    ];
    for step in &path {
        let o = orders::for_partner(&ndb, id).await.expect("order");
        for a in &all {
            if a.from_states().contains(&o.state) {
                continue;
            }
            match orders::transition(&ndb, id, a, None, Actor::Partner, now).await {
                Err(Error::Conflict(m)) => assert!(m.contains(o.state.as_str()), "{m}"),
                other => panic!("{} from {}: {other:?}", a.name(), o.state.as_str()),
            }
        }
        // A stale version is refused.
        assert!(matches!(
            orders::transition(&ndb, id, step, Some(o.version - 1), Actor::Partner, now).await,
            Err(Error::Stale { current }) if current == o.version
        ));
        let moved = orders::transition(&ndb, id, step, Some(o.version), Actor::Partner, now)
            .await
            .expect("legal move");
        assert_eq!(moved.state, step.target());
        assert_eq!(moved.version, o.version + 1);
    }
    // Delivered is final.
    for a in &all {
        assert!(matches!(
            orders::transition(&ndb, id, a, None, Actor::Partner, now).await,
            Err(Error::Conflict(_))
        ));
    }
    // The store's row followed every step, tracking number included.
    let ours = orders::for_store(&s.adb, id).await.expect("store's row");
    assert_eq!(ours.state, State::Delivered);
    assert_eq!(ours.tracking.as_deref(), Some("<b>JD0001</b>"));
    let states: Vec<&str> = ours.history.iter().map(|h| h.state.as_str()).collect();
    assert_eq!(
        states,
        [
            "transferred",
            "acknowledged",
            "accepted",
            "shipped",
            "delivered"
        ]
    );
    // Bad input names the field.
    let id2 = place(2).await;
    assert!(matches!(
        orders::transition(
            &ndb,
            id2,
            &Action::Reject {
                reason: "  ".into()
            },
            None,
            Actor::Partner,
            now
        )
        .await,
        Err(Error::Validation {
            field: "reason",
            ..
        })
    ));
    // order.* events went to the outbox of north only.
    let events = tenants::webhooks::deliveries::events(&ndb, 50)
        .await
        .expect("events");
    assert!(events.iter().any(|e| e.event_type == "order.created"));
    assert!(events.iter().any(|e| e.event_type == "order.delivered"));
    let theirs = tenants::webhooks::deliveries::events(&operator(&app.db, &s.net.swift), 50)
        .await
        .expect("events");
    assert!(theirs.iter().all(|e| !e.event_type.starts_with("order.")));
}

#[tokio::test]
async fn a_rejected_or_unacknowledged_order_goes_to_another_partner_in_one_step() {
    let Some(app) = spawn_app().await else { return };
    let s = shop(&app).await;
    let key = app.state.keys.price();
    let ndb = operator(&app.db, &s.net.north);
    let sdb = operator(&app.db, &s.net.swift);
    // north gives itself one hour to acknowledge (its profile), not the default four.
    let p = tenants::partners::profile::get(&ndb)
        .await
        .expect("profile");
    let p = tenants::partners::profile::put(
        &ndb,
        &tenants::partners::profile::ProfileInput {
            contact_name: p.contact_name,
            contact_email: p.contact_email,
            currency: p.currency,
            fulfils: None,
            ack_window_hours: Some(1),
        },
        Some(p.version),
    )
    .await
    .expect("a one-hour window");
    assert_eq!(p.ack_window_hours, 1);
    let now = app.clock.now();
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    let north = o
        .complete
        .iter()
        .find(|c| c.offer.partner.id == s.net.north.id())
        .expect("north");
    let first = transfer::confirm(
        &s.adb,
        &s.store,
        key,
        Source::Cart(owner),
        &input(&north.token, "reroute-000000000000001"),
        now,
    )
    .await
    .expect("confirm");
    // Not yet: north still has time to acknowledge.
    assert!(matches!(
        transfer::basket(&s.adb, &s.store, Source::Reroute(first.order), now).await,
        Err(Error::Conflict(_))
    ));
    let placed = orders::for_store(&s.adb, first.order).await.expect("order");
    assert_eq!(placed.ack_by - placed.created_at, Duration::hours(1));
    assert!(matches!(
        transfer::basket(
            &s.adb,
            &s.store,
            Source::Reroute(first.order),
            now + Duration::minutes(59)
        )
        .await,
        Err(Error::Conflict(_))
    ));
    // An hour later north has not acknowledged: the customer may pick another partner,
    // north excluded.
    let later = now + Duration::hours(1) + Duration::minutes(1);
    let basket = transfer::basket(&s.adb, &s.store, Source::Reroute(first.order), later)
        .await
        .expect("reroutable");
    let again = transfer::offers(&s.adb, key, None, basket, s.to.clone(), later)
        .await
        .expect("offers");
    assert!(
        again
            .complete
            .iter()
            .all(|c| c.offer.partner.id != s.net.north.id())
    );
    let swift = again
        .complete
        .iter()
        .find(|c| c.offer.partner.id == s.net.swift.id())
        .expect("swift");
    let second = transfer::confirm(
        &s.adb,
        &s.store,
        key,
        Source::Reroute(first.order),
        &input(&swift.token, "reroute-000000000000002"),
        later,
    )
    .await
    .expect("rerouted");
    let new = orders::for_partner(&sdb, second.order)
        .await
        .expect("swift has it");
    assert_eq!(new.rerouted_from, Some(first.order));
    let old = orders::for_partner(&ndb, first.order)
        .await
        .expect("north's row");
    assert_eq!(old.state, State::Cancelled);
    assert_eq!(old.rerouted_to, Some(second.order));
    let ours = orders::for_store(&s.adb, first.order)
        .await
        .expect("store's row");
    assert_eq!(ours.rerouted_to, Some(second.order));
    assert!(ours.history.iter().any(|h| h.state == "rerouted"));
    // Once only.
    assert!(matches!(
        transfer::basket(&s.adb, &s.store, Source::Reroute(first.order), later).await,
        Err(Error::Conflict(_))
    ));
    // A rejection opens a reroute at once.
    let swift_row = orders::transition(
        &sdb,
        second.order,
        &Action::Reject {
            reason: "Out of stock".into(),
        },
        None,
        Actor::PartnerSystem,
        later,
    )
    .await
    .expect("reject");
    assert_eq!(swift_row.state, State::Rejected);
    let b = transfer::basket(&s.adb, &s.store, Source::Reroute(second.order), later)
        .await
        .expect("reroutable after a rejection");
    let o = transfer::offers(&s.adb, key, None, b, s.to.clone(), later)
        .await
        .expect("offers");
    assert!(
        o.complete
            .iter()
            .all(|c| c.offer.partner.id != s.net.swift.id())
    );
}

/// The customer hears of the order and of every step by e-mail: each message is queued in
/// the step's own transaction at the store, sent by the server's mail sender (here the file
/// outbox), plain text whatever the customer or the partner typed, with a working link.
#[tokio::test]
async fn the_customer_gets_an_email_at_each_step_and_text_stays_text() {
    let Some(app) = spawn_app().await else { return };
    let s = shop(&app).await;
    let key = app.state.keys.price();
    let ndb = operator(&app.db, &s.net.north);
    let now = app.clock.now();
    let owner = fill(&s).await;
    let o = offers(&app, &s, Source::Cart(owner)).await;
    let north = o
        .complete
        .iter()
        .find(|c| c.offer.partner.id == s.net.north.id())
        .expect("north");
    let mut typed = input(&north.token, "mail-0000000000000001");
    typed.name = "<b>Ada</b> & Co".into();
    let done = transfer::confirm(&s.adb, &s.store, key, Source::Cart(owner), &typed, now)
        .await
        .expect("confirm");
    for a in [
        Action::Acknowledge,
        Action::Accept,
        Action::Ship {
            carrier: "DHL <script>alert(1)</script>".into(),
            tracking: "JD0001".into(),
        },
    ] {
        orders::transition(&ndb, done.order, &a, None, Actor::Partner, now)
            .await
            .expect("step");
    }
    // The store keeps the four messages; the partner keeps none (they are the store's).
    let dir = app.state.mail_dir.clone().expect("a file outbox in tests");
    let mut sent = Vec::new();
    for _ in 0..100 {
        sent = tenants::mail::of_order(&s.adb, done.order)
            .await
            .expect("outbox");
        if sent.len() == 4 && sent.iter().all(|m| m.state == "sent") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        sent.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(),
        [
            "order.created",
            "order.acknowledged",
            "order.accepted",
            "order.shipped"
        ]
    );
    assert!(sent.iter().all(|m| m.state == "sent"), "{sent:?}");
    assert!(
        tenants::mail::of_order(&ndb, done.order)
            .await
            .expect("partner")
            .is_empty()
    );
    let files = tenants::mail::files::newest(&dir, 10).expect("the file outbox");
    assert_eq!(files.len(), 4);
    let shipped = files
        .iter()
        .find(|f| f.subject.contains("has shipped"))
        .expect("the shipping e-mail");
    assert!(
        shipped.subject.contains(&done.number),
        "{}",
        shipped.subject
    );
    assert!(shipped.to.contains("ada@example.com"), "{}", shipped.to);
    assert!(
        shipped.body.contains("DHL <script>alert(1)</script>") && shipped.body.contains("JD0001"),
        "{}",
        shipped.body
    );
    assert!(
        shipped.body.contains("Hello <b>Ada</b> & Co,"),
        "{}",
        shipped.body
    );
    // The link opens the order for the guest (the key is made at sending, never stored).
    let link = shipped
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Your order: "))
        .expect("a link")
        .to_owned();
    assert!(
        link.starts_with(&app.url("acme.localhost", &format!("/orders/{}?key=", done.order))),
        "{link}"
    );
    let res = app.client.get(&link).send().await.expect("the order page");
    assert_eq!(res.status(), 200);
    assert!(res.text().await.expect("page").contains(&done.number));
    // Every message is plain text: nothing in it is markup to a mail reader.
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let raw = std::fs::read_to_string(entry.expect("entry").path()).expect("file");
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(!raw.contains("text/html"), "{raw}");
    }
}
