//! Demo quote requests for `hub seed`, between acme, bolt, north and swift, in every state:
//! a draft, an open request with answers (swift's at once from its price list), a countered
//! one, one accepted into a purchase order, and one whose answers expired.

use chrono::{Duration, Utc};
use tenants::access::operator;
use tenants::catalog::CatalogCache;
use tenants::orders::Actor;
use tenants::quotes::answer::{CounterInput, CounterLineInput, OfferInput, OfferLineInput};
use tenants::quotes::rfq::{DraftInput, LineInput, SendInput};
use tenants::quotes::rules::RulesInput;
use tenants::quotes::{self, ListQuery, Person};
use tenants::registry;
use tenants::{Database, Error};

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

fn offer(lines: &[(u32, &str, u32)], terms: &str) -> OfferInput {
    OfferInput {
        lines: lines
            .iter()
            .map(|(line_no, price, lead)| OfferLineInput {
                line_no: *line_no,
                price: (*price).into(),
                lead_days: Some(*lead),
                stock: Some(250),
                ..Default::default()
            })
            .collect(),
        valid_until: String::new(),
        terms: terms.into(),
    }
}

/// Creates the demo requests unless acme has some already.
pub async fn run(db: &Database) -> Result<(), Error> {
    let (Some(acme), Some(north), Some(swift)) = (
        registry::find_by_slug(db, "acme").await?,
        registry::find_by_slug(db, "north").await?,
        registry::find_by_slug(db, "swift").await?,
    ) else {
        return Ok(());
    };
    let adb = operator(db, &acme);
    let ndb = operator(db, &north);
    let sdb = operator(db, &swift);
    let now = Utc::now();
    if !quotes::of_buyer(
        &adb,
        &ListQuery {
            limit: 1,
            ..Default::default()
        },
        now,
    )
    .await?
    .is_empty()
    {
        return Ok(());
    }
    // swift answers what its price list prices the moment a request arrives.
    quotes::rules::put(
        &sdb,
        &RulesInput {
            enabled: true,
            validity_days: 10,
            cap: "50000".into(),
            currency: "EUR".into(),
        },
        None,
        now,
    )
    .await?;
    let cache = CatalogCache::new(16 * 1024);
    let store = cache.storefront(db, &acme).await?;
    // Products both distributors price (each skips a few of the master's).
    let skus: Vec<String> = store
        .master
        .items
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1 && i % 3 != 0)
        .filter(|(_, item)| store.detail(&item.sku).is_some())
        .map(|(_, item)| item.sku.clone())
        .take(6)
        .collect();
    if skus.len() < 4 {
        return Ok(());
    }
    let buyer = Person {
        user: None,
        name: "Acme purchasing".into(),
        email: "owner@acme.demo".into(),
    };
    let draft = |title: &str, lines: Vec<LineInput>| DraftInput {
        title: title.into(),
        needed_by: (now + Duration::days(30)).format("%Y-%m-%d").to_string(),
        country: "DE".into(),
        subdivision: "DE-BY".into(),
        postal_code: "80331".into(),
        address: "Acme Tools\nMarienplatz 1\n80331 München".into(),
        notes: "Deliver to the loading bay, Monday to Friday 7:00–15:00.".into(),
        lines,
    };
    let to_both = |deadline| SendInput {
        distributors: vec![north.id(), swift.id()],
        deadline: Some(deadline),
        close_after: 0,
        close_on_targets: false,
    };

    // 1. A draft.
    quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &draft(
            "Spring restock",
            vec![product(&skus[0], 40, ""), product(&skus[1], 25, "")],
        ),
        None,
        &buyer,
        now,
    )
    .await?;

    // 2. Open, with answers: swift's at once, north's by a person.
    let d = quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &draft(
            "Workshop fit-out",
            vec![
                product(&skus[2], 20, ""),
                words("200 mid-range laptops, 16 GB RAM, 512 GB SSD", 200),
            ],
        ),
        None,
        &buyer,
        now,
    )
    .await?;
    let v = quotes::rfq::send(&adb, d.id, &to_both(now + Duration::days(5)), None, now).await?;
    let nv = quotes::for_seller(&ndb, v.rfq.id, now).await?;
    let unit = |sku: &str, pct: i64| {
        store
            .detail(sku)
            .map(|p| p.product.price.percent(pct).to_decimal())
            .unwrap_or_else(|| "10.00".into())
    };
    quotes::answer::offer(
        &ndb,
        v.rfq.id,
        &offer(
            &[(1, &unit(&skus[2], 92), 4), (2, "649.00", 12)],
            "Net 30. Laptops: 3-year on-site warranty.",
        ),
        Some(nv.quote.version),
        Actor::Partner,
        now,
    )
    .await?;

    // 3. Countered: north answered, acme asks for less.
    let d = quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &draft(
            "Showroom displays",
            vec![product(&skus[3], 60, ""), product(&skus[4], 30, "")],
        ),
        None,
        &buyer,
        now,
    )
    .await?;
    let v = quotes::rfq::send(&adb, d.id, &to_both(now + Duration::days(7)), None, now).await?;
    let nv = quotes::for_seller(&ndb, v.rfq.id, now).await?;
    quotes::answer::offer(
        &ndb,
        v.rfq.id,
        &offer(
            &[(1, &unit(&skus[3], 95), 5), (2, &unit(&skus[4], 95), 5)],
            "Net 30.",
        ),
        Some(nv.quote.version),
        Actor::Partner,
        now,
    )
    .await?;
    let bv = quotes::for_buyer(&adb, v.rfq.id, now).await?;
    if let Some(q) = bv.quotes.iter().find(|q| q.seller.0 == north.id()) {
        quotes::answer::counter(
            &adb,
            v.rfq.id,
            north.id(),
            &CounterInput {
                lines: vec![CounterLineInput {
                    line_no: 1,
                    price: unit(&skus[3], 88),
                }],
                message: "For 60 units we expected a better price; can you meet this?".into(),
            },
            Some(q.version),
            now,
        )
        .await?;
    }

    // 4. Accepted into a purchase order: north answered, revised, and won.
    let d = quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &draft(
            "Winter workwear",
            vec![
                product(&skus[5], 100, ""),
                words("Embroidered company logo on every item", 100),
            ],
        ),
        None,
        &buyer,
        now,
    )
    .await?;
    let v = quotes::rfq::send(&adb, d.id, &to_both(now + Duration::days(3)), None, now).await?;
    let nv = quotes::for_seller(&ndb, v.rfq.id, now).await?;
    let n1 = quotes::answer::offer(
        &ndb,
        v.rfq.id,
        &offer(&[(1, &unit(&skus[5], 97), 6), (2, "4.50", 10)], "Net 30."),
        Some(nv.quote.version),
        Actor::Partner,
        now,
    )
    .await?;
    quotes::answer::offer(
        &ndb,
        v.rfq.id,
        &offer(
            &[(1, &unit(&skus[5], 93), 6), (2, "3.90", 10)],
            "Net 30. Free delivery.",
        ),
        Some(n1.quote.version),
        Actor::Partner,
        now,
    )
    .await?;
    quotes::accept::accept(&adb, v.rfq.id, north.id(), 2, &buyer, now).await?;

    // 5. Expired: sent three weeks ago; swift's automatic answer held ten days.
    let then = now - Duration::days(21);
    let d = quotes::rfq::save_draft(
        &adb,
        &store,
        None,
        &draft("Autumn promotion stock", vec![product(&skus[0], 12, "")]),
        None,
        &buyer,
        then,
    )
    .await?;
    quotes::rfq::send(&adb, d.id, &to_both(then + Duration::days(2)), None, then).await?;
    quotes::rfq::close_due(&adb, now).await?;

    // bolt asks north too.
    if let Some(bolt) = registry::find_by_slug(db, "bolt").await? {
        let bdb = operator(db, &bolt);
        let bstore = cache.storefront(db, &bolt).await?;
        if let Some(sku) = bstore
            .master
            .items
            .iter()
            .map(|i| i.sku.clone())
            .find(|s| bstore.detail(s).is_some())
        {
            let d = quotes::rfq::save_draft(
                &bdb,
                &bstore,
                None,
                &DraftInput {
                    title: "Trade counter stock".into(),
                    country: "DE".into(),
                    address: "Bolt Supplies\nHauptstraße 5\n10115 Berlin".into(),
                    postal_code: "10115".into(),
                    lines: vec![product(&sku, 50, "")],
                    ..Default::default()
                },
                None,
                &Person {
                    user: None,
                    name: "Bolt purchasing".into(),
                    email: "owner@bolt.demo".into(),
                },
                now,
            )
            .await?;
            quotes::rfq::send(
                &bdb,
                d.id,
                &SendInput {
                    distributors: vec![north.id()],
                    deadline: Some(now + Duration::days(4)),
                    ..Default::default()
                },
                None,
                now,
            )
            .await?;
        }
    }
    Ok(())
}
