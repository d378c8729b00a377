//! Quote requests end to end in the domain: drafts, sending with closing rules, automatic
//! answers from price lists, offers, counter-offers and revisions, withdrawal, expiry, the
//! deadline, the accept that becomes exactly one purchase order, and who may read what.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use hub_tests::{TestApp, spawn_app, spawn_app_with};
use tenants::access::operator;
use tenants::catalog::snapshot::Storefront;
use tenants::orders::{self, Actor, ListQuery};
use tenants::quotes::answer::{CounterInput, CounterLineInput, OfferInput, OfferLineInput};
use tenants::quotes::rfq::{DraftInput, LineInput, SendInput};
use tenants::quotes::rules::RulesInput;
use tenants::quotes::{self, Person, QuoteState, RfqState};
use tenants::registry::{self, Tenant};
use tenants::{Error, TenantDb};

use crate::partner_api::{Net, network, supplied_acme};

struct Market {
    net: Net,
    acme: Tenant,
    adb: TenantDb,
    ndb: TenantDb,
    sdb: TenantDb,
    store: Arc<Storefront>,
    /// Two SKUs both distributors price, and their list prices in minor units.
    skus: Vec<(String, i64)>,
    now: DateTime<Utc>,
}

fn buyer() -> Person {
    Person {
        user: None,
        name: "Ada Buyer".into(),
        email: "ada@acme.example".into(),
    }
}

/// acme supplied by north and swift (both ship to Germany); swift answers from its price
/// list at once, north does not.
async fn market(app: &TestApp) -> Market {
    let net = network(app).await;
    let acme = supplied_acme(app, &net).await;
    let now = Utc::now();
    let sdb = operator(&app.db, &net.swift);
    quotes::rules::put(
        &sdb,
        &RulesInput {
            enabled: true,
            validity_days: 10,
            cap: String::new(),
            currency: "EUR".into(),
        },
        None,
        now,
    )
    .await
    .expect("rules");
    let store = app
        .state
        .catalog
        .storefront(&app.db, &acme)
        .await
        .expect("storefront");
    let skus: Vec<(String, i64)> = store
        .master
        .items
        .iter()
        .take(5)
        .filter(|i| store.detail(&i.sku).is_some())
        .take(2)
        .map(|i| (i.sku.clone(), i.price.minor))
        .collect();
    assert_eq!(skus.len(), 2, "acme sells two of the priced products");
    Market {
        adb: operator(&app.db, &acme),
        ndb: operator(&app.db, &net.north),
        sdb,
        net,
        acme,
        store,
        skus,
        now,
    }
}

fn product(sku: &str, quantity: u32, target: &str) -> LineInput {
    LineInput {
        kind: "product".into(),
        sku: sku.into(),
        quantity,
        target: target.into(),
        ..Default::default()
    }
}

fn words(text: &str, quantity: u32) -> LineInput {
    LineInput {
        kind: "text".into(),
        description: text.into(),
        quantity,
        ..Default::default()
    }
}

fn draft(lines: Vec<LineInput>) -> DraftInput {
    DraftInput {
        title: "Site fit-out <b>Q1</b>".into(),
        needed_by: String::new(),
        country: "DE".into(),
        subdivision: "DE-BY".into(),
        postal_code: "80331".into(),
        address: "Marienplatz 1\n80331 München".into(),
        notes: "Deliver to the loading bay.".into(),
        lines,
    }
}

async fn sent(m: &Market, lines: Vec<LineInput>, rules: SendInput) -> quotes::BuyerView {
    let d = quotes::rfq::save_draft(&m.adb, &m.store, None, &draft(lines), None, &buyer(), m.now)
        .await
        .expect("draft");
    assert_eq!(d.state, RfqState::Draft);
    quotes::rfq::send(&m.adb, d.id, &rules, Some(d.version), m.now)
        .await
        .expect("sent")
}

fn to_both(m: &Market, deadline: DateTime<Utc>) -> SendInput {
    SendInput {
        distributors: vec![m.net.north.id(), m.net.swift.id()],
        deadline: Some(deadline),
        close_after: 0,
        close_on_targets: false,
    }
}

fn price(line_no: u32, price: &str, lead: u32) -> OfferLineInput {
    OfferLineInput {
        line_no,
        price: price.into(),
        lead_days: Some(lead),
        stock: Some(500),
        ..Default::default()
    }
}

fn offer_of(lines: Vec<OfferLineInput>) -> OfferInput {
    OfferInput {
        lines,
        valid_until: String::new(),
        terms: "Net 30. Prices <i>ex works</i>.".into(),
    }
}

fn quote<'a>(v: &'a quotes::BuyerView, who: &Tenant) -> &'a quotes::Quote {
    v.quotes
        .iter()
        .find(|q| q.seller.0 == who.id())
        .expect("a quote of that distributor")
}

async fn inbox(db: &TenantDb) -> usize {
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

#[tokio::test]
async fn negotiation_ends_in_exactly_one_purchase_order() {
    let Some(app) = spawn_app().await else { return };
    let m = market(&app).await;
    let (sku, list) = m.skus[0].clone();
    let v = sent(
        &m,
        vec![
            product(&sku, 20, ""),
            words("200 mid-range laptops, 16 GB", 200),
        ],
        to_both(&m, m.now + Duration::days(7)),
    )
    .await;
    let id = v.rfq.id;
    assert_eq!(v.rfq.state, RfqState::Open);
    assert_eq!(v.rfq.number, "RFQ-1001");

    // swift answered the product line at once from its price list; the words wait for a
    // person. north answers nothing by itself.
    let s = quote(&v, &m.net.swift);
    assert_eq!(s.state, QuoteState::Offered);
    assert_eq!(s.offer_no, 1);
    let auto = s.current().expect("swift's offer");
    assert_eq!(auto.actor, "auto");
    assert_eq!(auto.lines[0].unit.map(|u| u.minor), Some(list));
    assert_eq!(auto.lines[1].unit, None);
    assert!(!auto.complete(&v.rfq));
    assert_eq!(quote(&v, &m.net.north).state, QuoteState::Requested);

    // Each distributor sees the request and its own quote only.
    let north_view = quotes::for_seller(&m.ndb, id, m.now)
        .await
        .expect("north reads");
    assert_eq!(north_view.quote.seller.0, m.net.north.id());
    assert_eq!(north_view.quote.versions.len(), 0, "not swift's answer");
    assert_eq!(north_view.rfq.lines.len(), 2);

    // north answers both lines; a stale version is refused first.
    let lines = vec![price(1, "25.00", 3), price(2, "499.00", 10)];
    let stale = quotes::answer::offer(
        &m.ndb,
        id,
        &offer_of(lines.clone()),
        Some(north_view.quote.version + 1),
        Actor::Partner,
        m.now,
    )
    .await;
    assert!(matches!(stale, Err(Error::Stale { .. })), "{stale:?}");
    let n1 = quotes::answer::offer(
        &m.ndb,
        id,
        &offer_of(lines),
        Some(north_view.quote.version),
        Actor::Partner,
        m.now,
    )
    .await
    .expect("north offers");
    assert_eq!(n1.quote.offer_no, 1);

    // acme counters north's first line; countering the same offer twice is refused.
    let v = quotes::for_buyer(&m.adb, id, m.now)
        .await
        .expect("acme reads");
    let nq = quote(&v, &m.net.north);
    let counter = CounterInput {
        lines: vec![CounterLineInput {
            line_no: 1,
            price: "22.50".into(),
        }],
        message: "Can you meet 22.50?".into(),
    };
    let v = quotes::answer::counter(
        &m.adb,
        id,
        m.net.north.id(),
        &counter,
        Some(nq.version),
        m.now,
    )
    .await
    .expect("counter");
    let nq = quote(&v, &m.net.north);
    assert_eq!(nq.state, QuoteState::Countered);
    assert_eq!(
        nq.counter(1).expect("the counter").lines[0]
            .unit
            .map(|u| u.minor),
        Some(2250)
    );
    let again = quotes::answer::counter(
        &m.adb,
        id,
        m.net.north.id(),
        &counter,
        Some(nq.version),
        m.now,
    )
    .await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");

    // north revises: offer 2 stands, offer 1 is kept.
    let n2 = quotes::answer::offer(
        &m.ndb,
        id,
        &offer_of(vec![price(1, "23.00", 3), price(2, "489.00", 10)]),
        Some(nq.version),
        Actor::Partner,
        m.now,
    )
    .await
    .expect("north revises");
    assert_eq!(n2.quote.offer_no, 2);
    let v = quotes::for_buyer(&m.adb, id, m.now)
        .await
        .expect("acme reads");
    let nq = quote(&v, &m.net.north);
    let d = quotes::diff(&v.rfq, nq.offer(1).expect("v1"), nq.offer(2).expect("v2"));
    assert_eq!(d.lines.len(), 2, "both prices changed: {d:?}");
    assert!(d.lines.iter().all(|l| l.fields == vec!["price"]));

    // The matrix marks the best price per line and what swift lacks.
    let mx = quotes::matrix(&v);
    let ncol = mx
        .columns
        .iter()
        .find(|c| c.seller.0 == m.net.north.id())
        .expect("north");
    let scol = mx
        .columns
        .iter()
        .find(|c| c.seller.0 == m.net.swift.id())
        .expect("swift");
    assert_eq!(scol.lacks, vec![2]);
    assert!(!scol.acceptable);
    assert!(ncol.acceptable);
    assert!(ncol.cells[1].as_ref().is_some_and(|c| c.best));
    assert_eq!(ncol.cells[0].as_ref().is_some_and(|c| c.best), 2300 <= list);

    // Accepting offer 1 (no longer current) or swift's incomplete offer creates nothing.
    let old = quotes::accept::accept(&m.adb, id, m.net.north.id(), 1, &buyer(), m.now).await;
    assert!(
        matches!(&old, Err(Error::Conflict(msg)) if msg.contains("no longer current")),
        "{old:?}"
    );
    let partial = quotes::accept::accept(&m.adb, id, m.net.swift.id(), 1, &buyer(), m.now).await;
    assert!(matches!(partial, Err(Error::Conflict(_))), "{partial:?}");
    assert_eq!(inbox(&m.ndb).await, 0);

    // Two accepts at once: exactly one purchase order.
    let who = buyer();
    let (a, b) = tokio::join!(
        quotes::accept::accept(&m.adb, id, m.net.north.id(), 2, &who, m.now),
        quotes::accept::accept(&m.adb, id, m.net.north.id(), 2, &who, m.now),
    );
    let oks: Vec<_> = [&a, &b].into_iter().filter(|r| r.is_ok()).collect();
    assert_eq!(oks.len(), 1, "{a:?} / {b:?}");
    assert!(
        [&a, &b]
            .into_iter()
            .any(|r| matches!(r, Err(Error::Conflict(_))))
    );
    assert_eq!(inbox(&m.ndb).await, 1);
    let accepted = a.or(b).expect("one accepted");
    let po = orders::for_partner(&m.ndb, accepted.order)
        .await
        .expect("the PO");
    assert_eq!(po.total.minor, 23 * 100 * 20 + 489 * 100 * 200);
    assert_eq!(po.store.1, m.acme.name());
    assert_eq!(po.lines.len(), 2);
    let mine = orders::for_store(&m.adb, accepted.order)
        .await
        .expect("acme's row");
    assert_eq!(mine.number, po.number);

    // Decided: everyone hears, nothing changes any more.
    let v = quotes::for_buyer(&m.adb, id, m.now)
        .await
        .expect("acme reads");
    assert_eq!(v.rfq.state, RfqState::Accepted);
    assert_eq!(v.rfq.order_id, Some(accepted.order));
    assert_eq!(quote(&v, &m.net.swift).state, QuoteState::NotSelected);
    let sv = quotes::for_seller(&m.sdb, id, m.now)
        .await
        .expect("swift reads");
    assert_eq!(sv.quote.state, QuoteState::NotSelected);
    assert_eq!(
        sv.rfq.order_id, None,
        "swift does not learn the winner's order"
    );
    let late = quotes::answer::offer(
        &m.sdb,
        id,
        &offer_of(vec![price(1, "1.00", 1), price(2, "1.00", 1)]),
        None,
        Actor::Partner,
        m.now,
    )
    .await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");
    let kinds: Vec<String> = quotes::notices::list(&m.sdb)
        .await
        .expect("notices")
        .into_iter()
        .map(|n| n.kind)
        .collect();
    assert!(kinds.contains(&"rfq.created".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"rfq.not_selected".to_owned()), "{kinds:?}");

    // The hub sees the activity, no texts.
    let hub = registry::hub(&app.db).await.expect("db").expect("hub");
    let report = quotes::activity::report(&operator(&app.db, &hub), 7, m.now)
        .await
        .expect("report");
    assert_eq!(report.requests, 1);
    assert_eq!(report.answers, 2);
    assert_eq!(report.accepted, 1);
    let north_row = report
        .distributors
        .iter()
        .find(|d| d.name == m.net.north.name())
        .expect("north's row");
    assert_eq!(
        (north_row.asked, north_row.answered, north_row.won),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn others_cannot_read_or_change_a_request() {
    let Some(app) = spawn_app().await else { return };
    let m = market(&app).await;
    let v = sent(
        &m,
        vec![product(&m.skus[0].0, 5, "")],
        to_both(&m, m.now + Duration::days(3)),
    )
    .await;
    let id = v.rfq.id;
    let bolt = registry::find_by_slug(&app.db, "bolt")
        .await
        .expect("db")
        .expect("bolt");
    let bdb = operator(&app.db, &bolt);
    // Another reseller: not found, whatever it tries.
    assert!(matches!(
        quotes::for_buyer(&bdb, id, m.now).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        quotes::rfq::close(&bdb, id, m.now).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        quotes::accept::accept(&bdb, id, m.net.swift.id(), 1, &buyer(), m.now).await,
        Err(Error::NotFound(_))
    ));
    // The buyer is no seller of its own request; a distributor is no buyer.
    assert!(matches!(
        quotes::for_seller(&m.adb, id, m.now).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        quotes::for_buyer(&m.ndb, id, m.now).await,
        Err(Error::NotFound(_))
    ));
    // A distributor that was not asked sees nothing of it.
    let dove = registry::find_by_slug(&app.db, "dove")
        .await
        .expect("db")
        .expect("dove");
    let ddb = operator(&app.db, &dove);
    assert!(matches!(
        quotes::for_seller(&ddb, id, m.now).await,
        Err(Error::NotFound(_))
    ));
    let refused = quotes::answer::offer(
        &ddb,
        id,
        &offer_of(vec![price(1, "1.00", 1)]),
        None,
        Actor::Partner,
        m.now,
    )
    .await;
    assert!(matches!(refused, Err(Error::NotFound(_))), "{refused:?}");
    // Sending to a distributor acme is not linked to is refused.
    let d = quotes::rfq::save_draft(
        &m.adb,
        &m.store,
        None,
        &draft(vec![product(&m.skus[0].0, 1, "")]),
        None,
        &buyer(),
        m.now,
    )
    .await
    .expect("draft");
    let unlinked = quotes::rfq::send(
        &m.adb,
        d.id,
        &SendInput {
            distributors: vec![dove.id()],
            deadline: Some(m.now + Duration::days(1)),
            ..Default::default()
        },
        None,
        m.now,
    )
    .await;
    assert!(matches!(unlinked, Err(Error::NotFound(_))), "{unlinked:?}");
    // Notices are each tenant's own: another tenant marking its own read leaves acme's unread.
    let unread = quotes::notices::unread(&m.adb)
        .await
        .expect("acme's notices");
    assert!(unread > 0);
    quotes::notices::mark_read(&bdb, m.now)
        .await
        .expect("bolt reads its own");
    quotes::notices::mark_read(&ddb, m.now)
        .await
        .expect("dove reads its own");
    assert_eq!(
        quotes::notices::unread(&m.adb)
            .await
            .expect("acme's notices"),
        unread
    );
    assert!(
        quotes::notices::list(&bdb)
            .await
            .expect("bolt's")
            .is_empty()
    );
    // Nobody else's inbox shows it; swift's shows it once.
    let q = quotes::ListQuery {
        limit: 50,
        ..Default::default()
    };
    assert!(
        quotes::inbox(&ddb, &q, m.now)
            .await
            .expect("dove")
            .is_empty()
    );
    assert!(
        quotes::of_buyer(&bdb, &q, m.now)
            .await
            .expect("bolt")
            .is_empty()
    );
    assert_eq!(
        quotes::inbox(&m.sdb, &q, m.now).await.expect("swift").len(),
        1
    );
}

#[tokio::test]
async fn closing_rules_deadline_expiry_and_withdrawal() {
    let Some(app) = spawn_app().await else { return };
    let m = market(&app).await;
    let (sku, list) = m.skus[1].clone();

    // Close after one answer: swift's automatic answer closes it at once.
    let v = sent(
        &m,
        vec![product(&sku, 2, "")],
        SendInput {
            close_after: 1,
            ..to_both(&m, m.now + Duration::days(3))
        },
    )
    .await;
    assert_eq!(v.rfq.state, RfqState::Closed, "{:?}", v.rfq.closed_reason);
    let late = quotes::answer::offer(
        &m.ndb,
        v.rfq.id,
        &offer_of(vec![price(1, "1.00", 1)]),
        None,
        Actor::Partner,
        m.now,
    )
    .await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");

    // Close when an answer meets every target: the list price meets a target at it.
    let target = format!("{}.{:02}", list / 100, list % 100);
    let v = sent(
        &m,
        vec![product(&sku, 2, &target)],
        SendInput {
            close_on_targets: true,
            ..to_both(&m, m.now + Duration::days(3))
        },
    )
    .await;
    assert_eq!(v.rfq.state, RfqState::Closed);
    // … but not a target under it.
    let v = sent(
        &m,
        vec![product(&sku, 2, "0.01")],
        SendInput {
            close_on_targets: true,
            ..to_both(&m, m.now + Duration::days(3))
        },
    )
    .await;
    assert_eq!(v.rfq.state, RfqState::Open);

    // The deadline: closed for everyone once it passes, even before the sweep writes it;
    // a standing offer may still be accepted until it expires.
    let v = sent(
        &m,
        vec![product(&sku, 2, "")],
        to_both(&m, m.now + Duration::hours(1)),
    )
    .await;
    let id = v.rfq.id;
    let later = m.now + Duration::hours(2);
    assert_eq!(
        quotes::for_buyer(&m.adb, id, later)
            .await
            .expect("read")
            .rfq
            .state,
        RfqState::Closed
    );
    let refused = quotes::answer::offer(
        &m.ndb,
        id,
        &offer_of(vec![price(1, "1.00", 1)]),
        None,
        Actor::Partner,
        later,
    )
    .await;
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    assert!(quotes::rfq::close_due(&m.adb, later).await.expect("sweep") >= 1);
    let v = quotes::for_buyer(&m.adb, id, later).await.expect("read");
    assert_eq!(v.rfq.closed_reason.as_deref(), Some("the deadline passed"));
    let sv = quotes::for_seller(&m.ndb, id, later)
        .await
        .expect("north reads");
    assert_eq!(sv.rfq.state, RfqState::Closed);
    // swift's answer is valid for 10 days: expired after, refused.
    let expired = quotes::accept::accept(
        &m.adb,
        id,
        m.net.swift.id(),
        1,
        &buyer(),
        m.now + Duration::days(11),
    )
    .await;
    assert!(
        matches!(&expired, Err(Error::Conflict(msg)) if msg.contains("expired")),
        "{expired:?}"
    );
    assert_eq!(
        quote(
            &quotes::for_buyer(&m.adb, id, m.now + Duration::days(11))
                .await
                .expect("read"),
            &m.net.swift
        )
        .state,
        QuoteState::Expired
    );
    quotes::accept::accept(&m.adb, id, m.net.swift.id(), 1, &buyer(), later)
        .await
        .expect("accepted after the close, before the expiry");

    // Withdrawal: refused to accept after it.
    let v = sent(
        &m,
        vec![product(&sku, 2, "")],
        to_both(&m, m.now + Duration::days(3)),
    )
    .await;
    let id = v.rfq.id;
    quotes::answer::withdraw(&m.sdb, id, "out of stock <script>", None, m.now)
        .await
        .expect("withdrawn");
    let v = quotes::for_buyer(&m.adb, id, m.now).await.expect("read");
    assert_eq!(quote(&v, &m.net.swift).state, QuoteState::Withdrawn);
    let refused = quotes::accept::accept(&m.adb, id, m.net.swift.id(), 1, &buyer(), m.now).await;
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    // Closing by hand, twice: the second is refused.
    quotes::rfq::close(&m.adb, id, m.now).await.expect("closed");
    assert!(matches!(
        quotes::rfq::close(&m.adb, id, m.now).await,
        Err(Error::Conflict(_))
    ));
}

#[tokio::test]
async fn bad_drafts_and_offers_are_refused_with_the_field_named() {
    let Some(app) = spawn_app().await else { return };
    let m = market(&app).await;
    let bad = |lines: Vec<LineInput>| draft(lines);
    for (input, field) in [
        (bad(vec![]), "lines"),
        (bad(vec![product("NO-SUCH-SKU", 1, "")]), "sku"),
        (bad(vec![product(&m.skus[0].0, 0, "")]), "quantity"),
        (bad(vec![product(&m.skus[0].0, 1, "-3")]), "target"),
        (bad(vec![words("   ", 1)]), "description"),
        (
            DraftInput {
                country: "XX".into(),
                ..bad(vec![words("a thing", 1)])
            },
            "country",
        ),
        (
            DraftInput {
                title: String::new(),
                ..bad(vec![words("a thing", 1)])
            },
            "title",
        ),
    ] {
        let r =
            quotes::rfq::save_draft(&m.adb, &m.store, None, &input, None, &buyer(), m.now).await;
        assert!(
            matches!(&r, Err(Error::Validation { field: f, .. }) if *f == field),
            "{field}: {r:?}"
        );
    }
    let pasted = quotes::rfq::parse_paste(
        &m.store,
        &format!("{} 3\n{}, 7\n", m.skus[0].0, m.skus[1].0),
    )
    .expect("pasted");
    assert_eq!(pasted.len(), 2);
    assert_eq!(pasted[1].quantity, 7);
    let wrong = quotes::rfq::parse_paste(&m.store, "NOPE 3\nX y z w");
    assert!(
        matches!(&wrong, Err(Error::Validation { message, .. }) if message.contains("row 1") && message.contains("row 2")),
        "{wrong:?}"
    );

    let v = sent(
        &m,
        vec![product(&m.skus[0].0, 5, "")],
        to_both(&m, m.now + Duration::days(3)),
    )
    .await;
    for (lines, field) in [
        (vec![price(1, "abc", 1)], "price"),
        (vec![price(9, "1.00", 1)], "lines"),
        (
            vec![OfferLineInput {
                line_no: 1,
                ..Default::default()
            }],
            "lines",
        ),
        (vec![price(1, "1.00", 99_999)], "lead_days"),
    ] {
        let r = quotes::answer::offer(
            &m.ndb,
            v.rfq.id,
            &offer_of(lines),
            None,
            Actor::Partner,
            m.now,
        )
        .await;
        assert!(
            matches!(&r, Err(Error::Validation { field: f, .. }) if *f == field),
            "{field}: {r:?}"
        );
    }
    let past = quotes::answer::offer(
        &m.ndb,
        v.rfq.id,
        &OfferInput {
            valid_until: "2001-01-01".into(),
            ..offer_of(vec![price(1, "1.00", 1)])
        },
        None,
        Actor::Partner,
        m.now,
    )
    .await;
    assert!(
        matches!(
            &past,
            Err(Error::Validation {
                field: "valid_until",
                ..
            })
        ),
        "{past:?}"
    );
    // Nothing of the refused answers was written.
    let sv = quotes::for_seller(&m.ndb, v.rfq.id, m.now)
        .await
        .expect("read");
    assert_eq!(sv.quote.offer_no, 0);
    assert!(sv.quote.versions.is_empty());
}

/// An integrated distributor: `rfq.created` queued for its endpoint, then the request read and
/// answered through the partner API with `If-Match` and an `Idempotency-Key`, as problem+json
/// on every refusal.
#[tokio::test]
async fn a_partner_system_answers_through_the_api() {
    use reqwest::Method;
    use serde_json::{Value, json};

    use crate::partner_api::{call, problem};

    let Some(app) = spawn_app_with(&[("webhooks.worker", "false")]).await else {
        return;
    };
    let m = market(&app).await;
    let (endpoint, _) = tenants::webhooks::endpoints::create(
        &m.ndb,
        &tenants::webhooks::endpoints::EndpointInput {
            url: "http://127.0.0.1:9/hooks".into(),
            description: "ERP".into(),
            events: vec!["rfq.created".into()],
            enabled: true,
        },
        m.now,
    )
    .await
    .expect("endpoint");
    let v = sent(
        &m,
        vec![
            product(&m.skus[0].0, 10, ""),
            words("Installation on site", 1),
        ],
        to_both(&m, m.now + Duration::days(3)),
    )
    .await;
    let id = v.rfq.id.to_string();
    let log = tenants::webhooks::deliveries::list(
        &m.ndb,
        &tenants::webhooks::deliveries::Filter::default(),
        None,
        50,
    )
    .await
    .expect("deliveries");
    assert!(
        log.items
            .iter()
            .any(|d| d.event_type == "rfq.created" && d.endpoint_id == endpoint.id),
        "rfq.created is queued for north's system"
    );

    let (s, _, page) = call(&app, Method::GET, "/rfqs", Some(&m.net.north_key), None).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    let (s, h, doc) = call(
        &app,
        Method::GET,
        &format!("/rfqs/{id}"),
        Some(&m.net.north_key),
        None,
    )
    .await;
    assert_eq!(s, 200, "{doc}");
    let etag = h
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    assert_eq!(doc["lines"][1]["kind"], "text");
    assert_eq!(doc["quote_state"], "requested");

    let post = |key: &str, idem: &str, if_match: &str, body: Value| {
        let req = app
            .client
            .post(app.url("localhost", &format!("/partner/v1/rfqs/{id}/offers")))
            .bearer_auth(key.to_owned())
            .header("idempotency-key", idem.to_owned())
            .header("if-match", if_match.to_owned())
            .json(&body);
        async move {
            let res = req.send().await.expect("answer");
            let (s, h) = (res.status().as_u16(), res.headers().clone());
            (s, h, res.json::<Value>().await.expect("json"))
        }
    };
    let offer = json!({"lines": [{"line_no": 1, "unit_minor": 1999, "lead_days": 4}, {"line_no": 2, "unit_minor": 25000}], "terms": "Net 30"});
    // A test key changes nothing; a bad line is named; a stale version is 412.
    let (s, h, b) = post(&m.net.north_test_key, "t-1", &etag, offer.clone()).await;
    problem(s, &h, &b, 403, "test-key-on-live-data");
    let (s, h, b) = post(
        &m.net.north_key,
        "b-1",
        &etag,
        json!({"lines": [{"line_no": 7, "unit_minor": 1}]}),
    )
    .await;
    problem(s, &h, &b, 422, "validation");
    let (s, h, b) = post(&m.net.north_key, "s-1", "\"v99\"", offer.clone()).await;
    problem(s, &h, &b, 412, "stale-version");
    let (s, h, b) = post(&m.net.north_key, "o-1", &etag, offer.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["offer_no"], 1);
    assert_eq!(b["versions"][0]["by"], "partner system");
    assert_ne!(
        h.get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    // The same key and body: the first answer again, nothing written twice.
    let (s, h, again) = post(&m.net.north_key, "o-1", &etag, offer).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(
        h.get("idempotent-replayed").and_then(|v| v.to_str().ok()),
        Some("true")
    );
    assert_eq!(again["offer_no"], 1);
    // swift's key: its own quote only; a distributor not asked gets 404.
    let (s, _, sdoc) = call(
        &app,
        Method::GET,
        &format!("/rfqs/{id}"),
        Some(&m.net.swift_key),
        None,
    )
    .await;
    assert_eq!(s, 200, "{sdoc}");
    assert!(
        !sdoc.to_string().contains("25000"),
        "swift never sees north's price: {sdoc}"
    );
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/rfqs/00000000-0000-0000-0000-000000000000",
        Some(&m.net.swift_key),
        None,
    )
    .await;
    problem(s, &h, &b, 404, "not-found");
    // The read-only prices key cannot read requests.
    let (s, h, b) = call(
        &app,
        Method::GET,
        "/rfqs",
        Some(&m.net.north_read_key),
        None,
    )
    .await;
    problem(s, &h, &b, 403, "insufficient-scope");
    // acme accepts north's answer; north's next answer is refused with 409.
    quotes::accept::accept(&m.adb, v.rfq.id, m.net.north.id(), 1, &buyer(), m.now)
        .await
        .expect("accepted");
    let (_, h, _) = call(
        &app,
        Method::GET,
        &format!("/rfqs/{id}"),
        Some(&m.net.north_key),
        None,
    )
    .await;
    let etag = h
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    let (s, h, b) = post(
        &m.net.north_key,
        "o-2",
        &etag,
        json!({"lines": [{"line_no": 1, "unit_minor": 1}]}),
    )
    .await;
    problem(s, &h, &b, 409, "conflict");
}

/// Files: checked by their bytes, added to drafts only, copied to every distributor asked,
/// readable by them and the buyer only.
#[tokio::test]
async fn attachments_go_to_the_distributors_asked_and_nobody_else() {
    use tenants::quotes::attachments;

    let Some(app) = spawn_app().await else { return };
    let m = market(&app).await;
    let media = &app.state.media;
    let d = quotes::rfq::save_draft(
        &m.adb,
        &m.store,
        None,
        &draft(vec![words("Custom brackets as drawn", 40)]),
        None,
        &buyer(),
        m.now,
    )
    .await
    .expect("draft");
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
    let a = attachments::add(
        &m.adb,
        media,
        d.id,
        "C:\\drawings\\bracket <v2>.pdf",
        &pdf,
        m.now,
    )
    .await
    .expect("a PDF");
    assert_eq!(a.name, "bracket <v2>.pdf");
    assert_eq!(a.mime, "application/pdf");
    // A file that only claims to be a PDF, an empty one, and one too many are refused.
    let fake = attachments::add(
        &m.adb,
        media,
        d.id,
        "invoice.pdf",
        b"MZ\x90\0 not a pdf",
        m.now,
    )
    .await;
    assert!(
        matches!(&fake, Err(Error::Validation { field: "file", .. })),
        "{fake:?}"
    );
    let empty = attachments::add(&m.adb, media, d.id, "empty.pdf", b"", m.now).await;
    assert!(matches!(empty, Err(Error::Validation { .. })));
    for i in 1..attachments::MAX_FILES {
        attachments::add(&m.adb, media, d.id, &format!("sheet {i}.pdf"), &pdf, m.now)
            .await
            .expect("within the limit");
    }
    let over = attachments::add(&m.adb, media, d.id, "one more.pdf", &pdf, m.now).await;
    assert!(matches!(over, Err(Error::Validation { .. })), "{over:?}");
    let last = quotes::for_buyer(&m.adb, d.id, m.now)
        .await
        .expect("read")
        .rfq
        .attachments;
    attachments::remove(&m.adb, d.id, last[last.len() - 1].id)
        .await
        .expect("removed");
    // Another reseller cannot add to, remove from or read acme's draft.
    let bolt = registry::find_by_slug(&app.db, "bolt")
        .await
        .expect("db")
        .expect("bolt");
    let bdb = operator(&app.db, &bolt);
    assert!(matches!(
        attachments::add(&bdb, media, d.id, "x.pdf", &pdf, m.now).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        attachments::remove(&bdb, d.id, a.id).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        attachments::open(&bdb, media, d.id, a.id).await,
        Err(Error::NotFound(_))
    ));
    // Before sending, no distributor has it; after, north and swift each hold a copy.
    assert!(matches!(
        attachments::open(&m.ndb, media, d.id, a.id).await,
        Err(Error::NotFound(_))
    ));
    quotes::rfq::send(
        &m.adb,
        d.id,
        &to_both(&m, m.now + Duration::days(2)),
        None,
        m.now,
    )
    .await
    .expect("sent");
    let (name, mime, bytes) = attachments::open(&m.ndb, media, d.id, a.id)
        .await
        .expect("north reads it");
    assert_eq!(
        (name.as_str(), mime, bytes),
        ("bracket <v2>.pdf", "application/pdf", pdf.clone())
    );
    let sv = quotes::for_seller(&m.sdb, d.id, m.now)
        .await
        .expect("swift reads");
    assert_eq!(sv.rfq.attachments.len(), attachments::MAX_FILES - 1);
    let dove = registry::find_by_slug(&app.db, "dove")
        .await
        .expect("db")
        .expect("dove");
    assert!(matches!(
        attachments::open(&operator(&app.db, &dove), media, d.id, a.id).await,
        Err(Error::NotFound(_))
    ));
    // A sent request's files stay as they were.
    let late = attachments::add(&m.adb, media, d.id, "late.pdf", &pdf, m.now).await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");
    assert!(matches!(
        attachments::remove(&m.adb, d.id, a.id).await,
        Err(Error::Conflict(_))
    ));
}
