//! Demo orders for `hub seed`: carts of acme's shoppers transferred to north, swift and acme
//! itself, in different states (shipped, waiting, rejected, accepted), and the links a guest
//! would have been given to follow them.

use tenants::access::operator;
use tenants::catalog::CatalogCache;
use tenants::catalog::cart::{self, Owner};
use tenants::orders::token::PriceKey;
use tenants::orders::transfer::{self, ConfirmInput, Source};
use tenants::orders::{self, Action, Actor, ListQuery};
use tenants::partners::price_list;
use tenants::partners::territories::ShipTo;
use tenants::registry;
use tenants::{CartId, Database, Error};

use crate::config::Config;
use crate::secrets::Secrets;

/// Creates the demo orders unless acme has transferred any already.
pub async fn run(cfg: &Config, db: &Database) -> Result<(), Error> {
    let Some(acme) = registry::find_by_slug(db, "acme").await? else {
        return Ok(());
    };
    let adb = operator(db, &acme);
    let existing = orders::transferred(
        &adb,
        &ListQuery {
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let secrets = Secrets::load(cfg).map_err(|e| Error::validation("secrets", e.to_string()))?;
    let key = PriceKey::new(secrets.signing_key(), secrets.previous_key());
    let store = CatalogCache::new(16 * 1024).storefront(db, &acme).await?;
    let to = ShipTo {
        country: "DE".into(),
        subdivision: Some("DE-BY".into()),
        postal_code: Some("80331".into()),
    };
    let plans: [(&str, &str, Vec<Action>); 4] = [
        (
            "north",
            "Mia Berger",
            vec![
                Action::Acknowledge,
                Action::Accept,
                Action::Ship {
                    carrier: "DHL".into(),
                    tracking: "JD014600006101234567".into(),
                },
            ],
        ),
        ("swift", "Jonas Weber", vec![]),
        (
            "north",
            "Lena Fischer",
            vec![Action::Reject {
                reason: "The 18 V batteries are back in stock in January".into(),
            }],
        ),
        ("acme", "Paul Wagner", vec![Action::Accept]),
    ];
    println!("demo orders (acme's guests; each link is what the guest was given):");
    for (i, (slug, name, steps)) in plans.into_iter().enumerate() {
        let Some(partner) = registry::find_by_slug(db, slug).await? else {
            continue;
        };
        let pdb = operator(db, &partner);
        // Two products of acme's store that the partner prices.
        let carried = price_list::list(&pdb, None, 200).await?;
        let owner = Owner::Guest(CartId::generate());
        let mut added = 0;
        for p in carried.items.iter().skip(i * 2) {
            if let Some(d) = store.detail(&p.sku) {
                cart::add(
                    &adb,
                    owner,
                    d.product.id,
                    u32::try_from(i % 2 + 1).unwrap_or(1),
                )
                .await?;
                added += 1;
                if added == 2 {
                    break;
                }
            }
        }
        if added == 0 {
            continue;
        }
        let now = chrono::Utc::now();
        let basket = transfer::basket(&adb, &store, Source::Cart(owner), now).await?;
        let offers = transfer::offers(&adb, &key, None, basket, to.clone(), now).await?;
        let Some(offer) = offers
            .complete
            .iter()
            .find(|o| o.offer.partner.id == partner.id())
        else {
            continue;
        };
        let done = transfer::confirm(
            &adb,
            &store,
            &key,
            Source::Cart(owner),
            &ConfirmInput {
                token: offer.token.clone(),
                idempotency_key: format!("demo-order-{i:016}"),
                ship_to: Some(to.clone()),
                name: name.into(),
                email: format!(
                    "{}@example.com",
                    name.to_ascii_lowercase().replace(' ', ".")
                ),
                address: format!("{name}\nMarienplatz {}\n80331 München", i + 1),
                user: None,
                referrer: Some("demo".into()),
            },
            now,
        )
        .await?;
        let mut state = "transferred";
        for step in &steps {
            let o = orders::transition(&pdb, done.order, step, None, Actor::Partner, now).await?;
            state = o.state.as_str();
        }
        println!(
            "  {:<12} {state:<12} {}/orders/{}?key={}",
            done.number,
            cfg.store_url("acme"),
            done.order,
            done.access_key
        );
    }
    Ok(())
}
