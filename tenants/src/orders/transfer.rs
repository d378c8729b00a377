//! Cart transfer: the exact prices of every partner that can fulfil a basket, each held in a
//! signed token, and the confirmation that turns one into an order in that partner's rows
//! (and the store's), exactly once per confirmation key.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait as _, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{lines, orders};
use super::live::{self, LiveQuotes, Unanswered};
use super::token::{self, HOLD, HeldLine, HeldPrice, PriceKey};
use super::{Action, Actor, PARTNER, STORE, State};
use crate::catalog::cart::{self, Owner};
use crate::catalog::money::{Currency, Money};
use crate::catalog::snapshot::Storefront;
use crate::db::{Backend, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::leads::Email;
use crate::partners::fulfilment::{self, Offer, Want};
use crate::partners::territories::{self, Region, ShipTo};
use crate::registry;

/// What is being transferred: the customer's cart, or the lines of an order being rerouted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Cart(Owner),
    Reroute(Uuid),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketLine {
    pub sku: String,
    pub name: String,
    pub quantity: u32,
    /// The unit price the store shows.
    pub approx_unit: Option<Money>,
}

/// The lines to price, as the customer sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket {
    pub lines: Vec<BasketLine>,
    /// The store's approximate total, per currency.
    pub approx_totals: Vec<Money>,
    /// The order being rerouted: its number and partner.
    pub reroute: Option<(Uuid, String, TenantId, String)>,
}

impl Basket {
    pub fn digest(&self) -> String {
        token::basket_digest(
            &self
                .lines
                .iter()
                .map(|l| (l.sku.clone(), l.quantity))
                .collect::<Vec<_>>(),
        )
    }

    fn wants(&self) -> Vec<Want> {
        self.lines
            .iter()
            .map(|l| Want {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect()
    }
}

fn basket_of_cart(store: &Storefront, lines: &[cart::Line]) -> Result<Basket> {
    let priced = cart::price(store, lines)?;
    if priced.unavailable > 0 {
        return Err(Error::Conflict(format!(
            "{} product(s) in your cart are no longer sold here; remove them, then transfer the cart",
            priced.unavailable
        )));
    }
    if priced.lines.is_empty() {
        return Err(Error::validation("cart", "your cart is empty"));
    }
    Ok(Basket {
        lines: priced
            .lines
            .iter()
            .map(|l| BasketLine {
                sku: l.product.sku.clone(),
                name: l.product.name.clone(),
                quantity: l.quantity,
                approx_unit: Some(l.product.price),
            })
            .collect(),
        approx_totals: priced.totals,
        reroute: None,
    })
}

async fn basket_of_order(
    tx: &TenantTx,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(Basket, orders::Model)> {
    let m = super::read(tx, STORE, id)
        .await?
        .ok_or(Error::NotFound("order"))?;
    let o = super::assemble(tx, m.clone()).await?;
    if !o.reroutable(now) {
        return Err(Error::Conflict(match o.rerouted_to {
            Some(_) => format!("order {} was already sent to another partner", o.number),
            None => format!(
                "order {} is {}: it can go to another partner only once it is rejected, or when it is not acknowledged by {}",
                o.number,
                o.state.as_str(),
                o.ack_by.format("%Y-%m-%d %H:%M UTC")
            ),
        }));
    }
    let mut approx: Option<Money> = None;
    for l in &o.lines {
        if let Some(a) = l.approx_unit.and_then(|u| u.checked_mul(l.quantity)) {
            approx = match approx {
                None => Some(a),
                Some(t) => t.checked_add(&a),
            };
        }
    }
    Ok((
        Basket {
            lines: o
                .lines
                .iter()
                .map(|l| BasketLine {
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    approx_unit: l.approx_unit,
                })
                .collect(),
            approx_totals: approx.into_iter().collect(),
            reroute: Some((o.id, o.number.clone(), o.partner.0, o.partner.1.clone())),
        },
        m,
    ))
}

/// The basket `source` names at store `db` (whose effective catalog is `store`).
pub async fn basket(
    db: &TenantDb,
    store: &Storefront,
    source: Source,
    now: DateTime<Utc>,
) -> Result<Basket> {
    match source {
        Source::Cart(owner) => basket_of_cart(store, &cart::lines(db, owner).await?),
        Source::Reroute(id) => {
            let tx = db.begin().await?;
            let (b, _) = basket_of_order(&tx, id, now).await?;
            tx.commit().await?;
            Ok(b)
        }
    }
}

/// Checks a ship-to as the customer typed it.
pub fn parse_ship_to(country: &str, subdivision: &str, postal_code: &str) -> Result<ShipTo> {
    let r = territories::parse(
        0,
        &Region {
            country: country.to_owned(),
            subdivision: Some(subdivision.to_owned()),
            postal_prefix: Some(postal_code.to_owned()),
        },
    )
    .map_err(|e| match e {
        Error::Validation { field, message } => Error::validation(
            match field {
                "postal_prefix" => "postal_code",
                f => f,
            },
            message.replace("region 1: ", ""),
        ),
        other => other,
    })?;
    Ok(ShipTo {
        country: r.country,
        subdivision: r.subdivision,
        postal_code: r.postal_prefix,
    })
}

/// A partner's exact price for the basket, held until `expires_at` by `token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedOffer {
    pub offer: Offer,
    /// Delivery as the partner states it (price lists state none: 0).
    pub delivery: Money,
    pub total: Money,
    /// The store's approximate total in the same currency, if it has one.
    pub approx_total: Option<Money>,
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Every partner's answer for a basket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offers {
    pub basket: Basket,
    pub ship_to: ShipTo,
    /// Ranked by total, then lead time.
    pub complete: Vec<PricedOffer>,
    /// Partners that can fulfil only part of it, with what they lack.
    pub partial: Vec<Offer>,
    /// Partners that price live and gave no usable price in time, with the reason.
    pub unanswered: Vec<Unanswered>,
}

/// What a token is sealed with besides the offer: the same for every partner of one basket.
#[derive(Clone, Debug)]
struct Seal {
    key: PriceKey,
    store: Uuid,
    digest: String,
    to: ShipTo,
    expires_at: DateTime<Utc>,
    reroute_of: Option<Uuid>,
    approx_totals: Vec<Money>,
}

impl Seal {
    /// `offer` held at its lines' prices plus `delivery` (its total).
    fn hold(&self, offer: Offer, delivery: Money, total: Money) -> PricedOffer {
        PricedOffer {
            approx_total: self
                .approx_totals
                .iter()
                .find(|t| t.currency == total.currency)
                .copied(),
            token: self.key.seal(&HeldPrice {
                store: self.store,
                partner: offer.partner.id.as_uuid(),
                basket: self.digest.clone(),
                country: self.to.country.clone(),
                subdivision: self.to.subdivision.clone(),
                postal_code: self.to.postal_code.clone(),
                currency: total.currency.code().to_owned(),
                lines: offer
                    .lines
                    .iter()
                    .map(|l| HeldLine {
                        sku: l.sku.clone(),
                        partner_sku: l.partner_sku.clone(),
                        quantity: l.quantity,
                        unit_minor: l.unit.minor,
                    })
                    .collect(),
                delivery_minor: delivery.minor,
                total_minor: offer.total.map_or(0, |t| t.minor),
                lead_days: offer.lead_days,
                expires: self.expires_at.timestamp(),
                reroute_of: self.reroute_of,
            }),
            delivery,
            total,
            expires_at: self.expires_at,
            offer,
        }
    }
}

/// One live partner's outcome, as it arrives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arrived {
    Priced(PricedOffer),
    Unanswered(Unanswered),
}

/// A basket being priced: the price-list offers at once, the live ones as they arrive (until
/// the deadline at most).
#[derive(Debug)]
pub struct Pricing {
    /// What is known now: price-list offers (ranked), partial offers, and the live outcomes
    /// taken so far with [`Pricing::next`].
    pub offers: Offers,
    /// The partners still being asked live.
    pub pending: Vec<crate::partners::PartnerRef>,
    seal: Seal,
    rx: Option<tokio::sync::mpsc::UnboundedReceiver<live::Outcome>>,
}

fn rank(offers: &mut Offers) {
    offers.complete.sort_by(|a, b| {
        a.total
            .minor
            .cmp(&b.total.minor)
            .then(a.offer.lead_days.cmp(&b.offer.lead_days))
            .then(a.offer.partner.name.cmp(&b.offer.partner.name))
    });
    offers
        .unanswered
        .sort_by(|a, b| a.partner.name.cmp(&b.partner.name));
}

impl Pricing {
    /// The next live outcome (also added to [`Pricing::offers`]), or `None` when every live
    /// partner has answered or the deadline has passed.
    pub async fn next(&mut self) -> Option<Arrived> {
        let rx = self.rx.as_mut()?;
        let Some((offer, priced)) = rx.recv().await else {
            self.rx = None;
            return None;
        };
        self.pending.retain(|p| p.id != offer.partner.id);
        let arrived = match priced {
            Ok(p) => {
                let mut offer = offer;
                offer.total = Some(p.subtotal);
                offer.lines = p.lines;
                offer.lead_days = p.lead_days;
                let held = self.seal.hold(offer, p.delivery, p.total);
                self.offers.complete.push(held.clone());
                Arrived::Priced(held)
            }
            Err(why) => {
                let u = Unanswered {
                    partner: offer.partner,
                    why,
                };
                self.offers.unanswered.push(u.clone());
                Arrived::Unanswered(u)
            }
        };
        rank(&mut self.offers);
        Some(arrived)
    }

    /// Waits for every live outcome (until the deadline at most): the whole list, ranked.
    pub async fn finish(mut self) -> Offers {
        while self.next().await.is_some() {}
        self.offers
    }
}

/// Starts pricing `basket` shipped to `to` at every partner store `db` may use: price-list
/// partners are priced at once; with `live`, partners that price live are asked at once, and
/// their outcomes arrive through [`Pricing::next`] until the deadline (counted from now) at
/// most. Without `live` (the demo seed, tests of other things) every partner is priced from
/// its price list. Every complete offer is held for [`HOLD`] in a token signed with `key`.
pub async fn start(
    db: &TenantDb,
    key: &PriceKey,
    live: Option<&LiveQuotes>,
    basket: Basket,
    to: ShipTo,
    now: DateTime<Utc>,
) -> Result<Pricing> {
    let until = live.map(|l| tokio::time::Instant::now() + l.deadline);
    let exclude = basket.reroute.as_ref().map(|r| r.2);
    let partners = fulfilment::usable_except(db, exclude).await?;
    let wants = basket.wants();
    fulfilment::check_wants(&wants)?;
    let day = now.date_naive();
    let store = crate::partners::PartnerRef::from(db.tenant());
    // Every partner at once: its price list read and, if it prices live, its request sent the
    // moment its offer is known (so the slowest price list does not hold up the others).
    let (out, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut work = tokio::task::JoinSet::new();
    for partner in partners {
        let (wants, to, live, store, out) = (
            wants.clone(),
            to.clone(),
            live.cloned(),
            store.clone(),
            out.clone(),
        );
        work.spawn(async move {
            let offer = fulfilment::offer(&partner, &wants, &to, day).await?;
            if offer.lacks.is_empty()
                && let (Some(l), Some(until)) = (&live, until)
                && let Some(endpoint) = live::endpoint(&partner, now).await?
            {
                let asked = offer.partner.clone();
                live::ask_one(l, &store, &to, offer, endpoint, until, now, out)?;
                return Ok::<_, Error>(Err(asked));
            }
            Ok(Ok(offer))
        });
    }
    drop(out);
    let seal = Seal {
        key: key.clone(),
        store: db.tenant_id().as_uuid(),
        digest: basket.digest(),
        to: to.clone(),
        expires_at: now + HOLD,
        reroute_of: basket.reroute.as_ref().map(|r| r.0),
        approx_totals: basket.approx_totals.clone(),
    };
    let (mut complete, mut partial, mut pending) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(done) = work.join_next().await {
        let found = done.map_err(|e| Error::Conflict(format!("pricing failed: {e}")))??;
        match found {
            Err(asked) => pending.push(asked),
            Ok(offer) if offer.lacks.is_empty() => {
                if let Some(subtotal) = offer.total {
                    complete.push(seal.hold(offer, Money::new(0, subtotal.currency), subtotal));
                }
            }
            Ok(offer) => partial.push(offer),
        }
    }
    partial.sort_by(|a: &Offer, b: &Offer| a.partner.name.cmp(&b.partner.name));
    pending.sort_by(|a, b| a.name.cmp(&b.name));
    let mut offers = Offers {
        basket,
        ship_to: to,
        complete,
        partial,
        unanswered: Vec::new(),
    };
    rank(&mut offers);
    Ok(Pricing {
        offers,
        pending,
        seal,
        rx: Some(rx),
    })
}

/// [`start`], then every live outcome: the whole list, ranked (after the deadline at most).
pub async fn offers(
    db: &TenantDb,
    key: &PriceKey,
    live: Option<&LiveQuotes>,
    basket: Basket,
    to: ShipTo,
    now: DateTime<Utc>,
) -> Result<Offers> {
    Ok(start(db, key, live, basket, to, now).await?.finish().await)
}

/// What the customer confirms.
#[derive(Clone, Debug, Default)]
pub struct ConfirmInput {
    pub token: String,
    /// Made by the page once; a double click, a retry or a reload sends it again.
    pub idempotency_key: String,
    pub ship_to: Option<ShipTo>,
    pub name: String,
    pub email: String,
    pub address: String,
    pub user: Option<UserId>,
    pub referrer: Option<String>,
}

/// The order a confirmation made (or, for the same confirmation again, had made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub order: Uuid,
    pub number: String,
    pub partner: String,
    /// For the guest's link to the order page.
    pub access_key: String,
    /// This confirmation had already been made: nothing new was written.
    pub replayed: bool,
}

fn check_key(k: &str) -> Result<String> {
    let k = k.trim();
    if !(16..=100).contains(&k.len())
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::validation(
            "idempotency_key",
            "must be 16 to 100 letters, digits, '-' or '_' (reload the page)",
        ));
    }
    Ok(k.to_owned())
}

/// Turns the held price in `input.token` into an order: the partner's row and the store's
/// row, their lines and history, the `order.created` event, and the cart emptied and marked
/// transferred (or the rerouted order closed), in one transaction. The same confirmation key
/// with the same request gives the first answer again; with another request it is refused.
pub async fn confirm(
    db: &TenantDb,
    store: &Storefront,
    key: &PriceKey,
    source: Source,
    input: &ConfirmInput,
    now: DateTime<Utc>,
) -> Result<Confirmed> {
    let idem = check_key(&input.idempotency_key)?;
    let name = super::clean("name", &input.name, 200)?;
    let email = Email::parse(&input.email)?;
    let address = super::clean("address", &input.address, 1000)?;
    let to = input
        .ship_to
        .clone()
        .ok_or_else(|| Error::validation("country", "enter where the order goes"))?;
    let referrer = input
        .referrer
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().take(300).collect::<String>());
    let request_hash = token::sha256_hex(&format!(
        "{}\n{}\n{}\n{}\n{}|{}|{}",
        input.token.trim(),
        name,
        email.as_str(),
        address,
        to.country,
        to.subdivision.as_deref().unwrap_or_default(),
        to.postal_code.as_deref().unwrap_or_default()
    ));
    let held = key
        .read(&input.token)
        .map_err(|r| Error::Conflict(r.to_string()))?;
    let partner = registry::find_by_id(db.db(), held.partner.into())
        .await?
        .ok_or_else(|| {
            Error::Conflict("this partner no longer exists; refresh the prices".into())
        })?;
    // Checked before the write transaction (which must not wait for another connection), in
    // one read transaction: the store's link to the partner, then what the write needs of
    // the partner (the write turn is for writing): its acknowledgement window and the
    // webhook endpoints that take `order.created`.
    //
    // On SQLite the cart is read here too, and the write turn then only writes: see
    // `confirm_once`. (Not on PostgreSQL, where transactions run side by side: there the
    // write locks the cart's row first and reads it under the lock.)
    let (ack_window, targets, mut ahead) = {
        let stx = db.begin().await?;
        if !fulfilment::may_use_in(&stx, db.tenant(), &partner).await? {
            return Err(Error::Conflict(format!(
                "{} no longer takes orders from this store; refresh the prices",
                partner.name()
            )));
        }
        let ahead = match source {
            Source::Cart(owner) if db.db().backend() == Backend::Sqlite => {
                match cart::for_transfer(&stx, owner).await? {
                    // An empty cart (or none) goes the locking way, which tells why.
                    (Some((cart, transferred)), lines) if !lines.is_empty() => Some(ReadAhead {
                        cart,
                        transferred,
                        lines,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        let ptx = stx.rebind(partner.id()).await?;
        let ack = crate::partners::profile::ack_window_in(&ptx).await?;
        let targets = crate::webhooks::targets(&ptx, "order.created").await?;
        ptx.commit().await?;
        (ack, targets, ahead)
    };
    let c = Checked {
        idem,
        name,
        email: email.as_str().to_owned(),
        address,
        to,
        referrer,
        request_hash,
        ack_window,
        targets,
    };
    let cx = Confirming {
        db,
        store,
        key,
        source,
        input,
        c,
        partner: &partner,
        now,
    };
    // The first try does not look the key up while the cart still holds lines (one query
    // less while this writer holds the write turn): a confirmation made before emptied the
    // cart (it is looked up then), a key used for another cart fails on the unique key when
    // the order is written, and a cart changed since is refused. In those cases, and when
    // two confirmations with one key race to insert on PostgreSQL (the loser's insert fails
    // once the winner commits), the next try looks the key up first and finds the order.
    let mut tries = 0;
    loop {
        let look_up = tries > 0 || matches!(source, Source::Reroute(_));
        let optimistic = ahead.is_some();
        let res = confirm_once(&cx, look_up, ahead.take()).await;
        if res.is_err() {
            super::forget_number(db.db(), partner.id());
        }
        match res {
            // Whatever failed on the cart read ahead (it changed before the write turn, or
            // the write failed), the locking way gives the answer, from the cart as it is.
            Err(_) if optimistic => tries += 1,
            Err(Error::Db(e))
                if tries < 2
                    && matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
            {
                tries += 1;
            }
            // A refusal (a changed cart, a price no longer held) may be this confirmation
            // made before, with the cart changed since: the same answer again, then.
            Err(Error::Conflict(_)) if !look_up => tries += 1,
            other => return other,
        }
    }
}

/// One confirmation, as `confirm` checked it: what each step of it works from.
struct Confirming<'a> {
    db: &'a TenantDb,
    store: &'a Storefront,
    key: &'a PriceKey,
    source: Source,
    input: &'a ConfirmInput,
    c: Checked,
    partner: &'a crate::registry::Tenant,
    now: DateTime<Utc>,
}

struct Checked {
    idem: String,
    name: String,
    email: String,
    address: String,
    to: ShipTo,
    referrer: Option<String>,
    request_hash: String,
    ack_window: chrono::Duration,
    targets: Vec<Uuid>,
}

/// The lines of a confirmation at the held prices, checked against the token: what the
/// write needs, worked out before it (on the optimistic way, before the write turn).
struct Priced {
    held: HeldPrice,
    currency: Currency,
    /// Per basket line, in the basket's order.
    rows: Vec<PricedRow>,
    subtotal: Money,
    approx: Option<Money>,
    delivery: Money,
    total: Money,
}

struct PricedRow {
    line: BasketLine,
    held: HeldLine,
    unit: Money,
    total: Money,
    approx_unit: Option<Money>,
}

/// Opens the held price in `input.token` for `basket` (of `rerouted`, for a reroute) and
/// prices each line at it, with checked sums.
fn price_held(
    cx: &Confirming<'_>,
    basket: &Basket,
    rerouted: Option<&orders::Model>,
) -> Result<Priced> {
    let Confirming {
        db,
        key,
        input,
        c,
        partner,
        now,
        ..
    } = cx;
    let (now, partner) = (*now, *partner);
    let held = key
        .open(
            &input.token,
            now,
            db.tenant_id().as_uuid(),
            &basket.digest(),
            &c.to,
        )
        .map_err(|r| Error::Conflict(r.to_string()))?;
    if held.reroute_of != rerouted.map(|m| m.id) {
        return Err(Error::Conflict(
            "this price was given for another order; refresh the prices".into(),
        ));
    }
    if rerouted.is_some_and(|m| m.counterpart_id == partner.id().as_uuid()) {
        return Err(Error::Conflict(format!(
            "{} no longer takes orders from this store; refresh the prices",
            partner.name()
        )));
    }
    let currency = Currency::parse(&held.currency).ok_or(Error::NotFound("currency"))?;
    // The lines at the held prices, in the basket's order.
    let mut rows = Vec::with_capacity(basket.lines.len());
    let mut subtotal = Money::new(0, currency);
    let mut approx = Some(Money::new(0, currency));
    for b in &basket.lines {
        let h = held
            .lines
            .iter()
            .find(|h| h.sku.eq_ignore_ascii_case(&b.sku) && h.quantity == b.quantity)
            .ok_or_else(|| Error::Conflict(token::Refused::BasketChanged.to_string()))?;
        let unit = Money::new(h.unit_minor, currency);
        let total = unit
            .checked_mul(b.quantity)
            .ok_or_else(|| Error::validation("quantity", "the line's total is too large"))?;
        subtotal = subtotal
            .checked_add(&total)
            .ok_or_else(|| Error::validation("quantity", "the order's total is too large"))?;
        let approx_unit = b.approx_unit.filter(|a| a.currency == currency);
        approx = match (approx, approx_unit.and_then(|a| a.checked_mul(b.quantity))) {
            (Some(t), Some(a)) => t.checked_add(&a),
            _ => None,
        };
        rows.push(PricedRow {
            line: b.clone(),
            held: h.clone(),
            unit,
            total,
            approx_unit,
        });
    }
    let delivery = Money::new(held.delivery_minor, currency);
    let total = subtotal
        .checked_add(&delivery)
        .ok_or_else(|| Error::validation("quantity", "the order's total is too large"))?;
    if Some(total.minor) != held.total_minor.checked_add(held.delivery_minor) {
        return Err(Error::Conflict(token::Refused::Tampered.to_string()));
    }
    Ok(Priced {
        held,
        currency,
        rows,
        subtotal,
        approx,
        delivery,
        total,
    })
}

/// A cart read outside the write turn, for the optimistic way (SQLite): the order is written
/// only if the cart is still exactly so when the writes run.
struct ReadAhead {
    cart: Uuid,
    transferred: Option<Uuid>,
    lines: Vec<cart::Line>,
}

async fn confirm_once(
    cx: &Confirming<'_>,
    look_up: bool,
    ahead: Option<ReadAhead>,
) -> Result<Confirmed> {
    let Confirming {
        db,
        store,
        key,
        source,
        c,
        now,
        ..
    } = cx;
    let (source, now) = (*source, *now);
    // The optimistic way: everything worked out before the write turn, which then only
    // writes (one call to the connection on SQLite). The first of those writes checks that
    // the cart is still as read; if it is not, the whole confirmation fails here and
    // `confirm` tries again the locking way.
    if let Some(ahead) = ahead {
        let basket = basket_of_cart(store, &ahead.lines)?;
        let priced = price_held(cx, &basket, None)?;
        let tx = db.begin_write().await?;
        return write_order(cx, tx, &priced, None, Some(ahead.cart), Some(&ahead)).await;
    }
    let tx = db.begin_write().await?;
    // First the lock on what is being transferred (PostgreSQL: FOR UPDATE; SQLite: the write
    // lock is already held), so a confirmation racing this one waits here and then sees what
    // the first one committed.
    let cart_read = match source {
        Source::Cart(owner) => Some(cart::for_transfer(&tx, owner).await?),
        Source::Reroute(id) => {
            tx.find::<orders::Entity>()
                .filter(orders::Column::Side.eq(STORE))
                .filter(orders::Column::Id.eq(id))
                .lock_exclusive()
                .one(tx.conn())
                .await?;
            None
        }
    };
    if look_up && let Some(done) = done_before(&tx, key, c).await? {
        return Ok(done);
    }
    let (basket, cart_id, rerouted) = match (source, cart_read) {
        (Source::Cart(_), Some((cart_row, lines))) => {
            if lines.is_empty() {
                if !look_up && let Some(done) = done_before(&tx, key, c).await? {
                    return Ok(done);
                }
                if let Some(done) = cart_row.as_ref().and_then(|c| c.1) {
                    let number = super::read(&tx, STORE, done)
                        .await?
                        .map_or_else(String::new, |o| o.number);
                    return Err(Error::Conflict(format!(
                        "this cart was already transferred as order {number}; open it from your orders"
                    )));
                }
                return Err(Error::validation("cart", "your cart is empty"));
            }
            (basket_of_cart(store, &lines)?, cart_row.map(|c| c.0), None)
        }
        (Source::Reroute(id), _) => {
            let (b, m) = basket_of_order(&tx, id, now).await?;
            (b, None, Some(m))
        }
        (Source::Cart(_), None) => {
            if !look_up && let Some(done) = done_before(&tx, key, c).await? {
                return Ok(done);
            }
            return Err(Error::NotFound("cart"));
        }
    };
    let priced = price_held(cx, &basket, rerouted.as_ref())?;
    write_order(cx, tx, &priced, rerouted.as_ref(), cart_id, None).await
}

/// The same confirmation made before: its first answer, nothing written; refused when the
/// key was used for another request.
async fn done_before(tx: &TenantTx, key: &PriceKey, c: &Checked) -> Result<Option<Confirmed>> {
    let done = tx
        .find::<orders::Entity>()
        .filter(orders::Column::Side.eq(STORE))
        .filter(orders::Column::IdempotencyKey.eq(c.idem.as_str()))
        .one(tx.conn())
        .await?;
    let Some(done) = done else {
        return Ok(None);
    };
    if done.request_hash.as_deref() != Some(c.request_hash.as_str()) {
        return Err(Error::Conflict(
            "this confirmation was already used for another order; reload the page to start again"
                .into(),
        ));
    }
    Ok(Some(Confirmed {
        order: done.id,
        number: done.number,
        partner: done.counterpart_name,
        access_key: key.access_key(done.id),
        replayed: true,
    }))
}

/// Writes the order `priced` makes, in `tx` (the write turn is held): the partner's rows, the
/// store's, their lines and history, the event and the e-mail, the rerouted order closed or
/// the cart `cart_id` emptied. With `check` (the optimistic way), the first write after the
/// store's order row fails unless the cart is still as read.
async fn write_order(
    cx: &Confirming<'_>,
    tx: TenantTx,
    priced: &Priced,
    rerouted: Option<&orders::Model>,
    cart_id: Option<Uuid>,
    check: Option<&ReadAhead>,
) -> Result<Confirmed> {
    let Confirming {
        db,
        key,
        source,
        input,
        c,
        partner,
        now,
        ..
    } = cx;
    let (source, now, partner) = (*source, *now, *partner);
    let Priced {
        held,
        currency,
        rows,
        subtotal,
        approx,
        delivery,
        total,
    } = priced;
    let (currency, subtotal, approx, delivery, total) =
        (*currency, *subtotal, *approx, *delivery, *total);
    let id = Uuid::now_v7();
    let store_tenant = db.tenant().clone();
    // The partner's rows first.
    let ptx = tx.rebind(partner.id()).await?;
    let (seq, number) = super::next_number_in_turn(db.db(), &ptx, partner).await?;
    let order = super::NewOrder {
        id,
        store: store_tenant.clone(),
        partner: partner.clone(),
        seq,
        number: number.clone(),
        customer_name: c.name.clone(),
        customer_email: c.email.clone(),
        ship_to: c.to.clone(),
        address: c.address.clone(),
        currency,
        subtotal: subtotal.minor,
        delivery: delivery.minor,
        total: total.minor,
        approx_total: approx.map(|a| a.minor),
        lead_days: held.lead_days,
        referrer: c.referrer.clone(),
        ack_by: now + c.ack_window,
        rerouted_from: rerouted.map(|m| m.id),
        now,
    };
    let base = order.partner_row();
    let line_models = |side: &str| -> Vec<lines::ActiveModel> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| lines::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                side: Set(side.to_owned()),
                order_id: Set(id),
                line_no: Set(i32::try_from(i).unwrap_or(i32::MAX) + 1),
                sku: Set(r.line.sku.clone()),
                partner_sku: Set(r.held.partner_sku.clone()),
                name: Set(r.line.name.clone()),
                quantity: Set(i32::try_from(r.line.quantity).unwrap_or(i32::MAX)),
                unit_minor: Set(r.unit.minor),
                total_minor: Set(r.total.minor),
                approx_unit_minor: Set(r.approx_unit.map(|a| a.minor)),
            })
            .collect()
    };
    // Every write from here on is held back and sent in one go with the commit (on SQLite
    // one call to the connection instead of one per statement, while this writer holds the
    // turn); the rows as written make the event (nothing is read back).
    let pm = sea_orm::TryIntoModel::try_into_model(base.clone())?;
    ptx.defer_insert(base.clone());
    ptx.defer_insert_many(line_models(PARTNER));
    let first_note =
        rerouted.map(|m| format!("instead of order {} at {}", m.number, m.counterpart_name));
    ptx.defer_insert(super::history_row(
        PARTNER,
        id,
        State::Transferred.as_str(),
        Actor::Customer,
        first_note.as_deref(),
        now,
    ));
    let pls = line_models(PARTNER)
        .into_iter()
        .map(sea_orm::TryIntoModel::try_into_model)
        .collect::<std::result::Result<Vec<lines::Model>, _>>()?;
    crate::webhooks::defer_event(
        &ptx,
        "order.created",
        &super::event_data(&pm, &pls),
        now,
        &c.targets,
    );

    // A reroute closes the first order: cancelled at its partner if it was never
    // acknowledged (a rejected one stays rejected), and pointing at this one on both sides.
    let mut tx = ptx;
    if let Some(old) = rerouted {
        // The new order is written before the old one points at it.
        tx.flush().await?;
        let old_partner = TenantId::from(old.counterpart_id);
        let otx = tx.rebind(old_partner).await?;
        let old_row = super::read(&otx, PARTNER, old.id)
            .await?
            .ok_or(Error::NotFound("order"))?;
        otx.update_many::<orders::Entity>()
            .filter(orders::Column::Side.eq(PARTNER))
            .filter(orders::Column::Id.eq(old.id))
            .col_expr(orders::Column::ReroutedTo, Expr::value(Some(id)))
            .exec(otx.conn())
            .await?;
        let otx = if old_row.state == State::Transferred.as_str() {
            let reason = format!(
                "not acknowledged within {} h; the customer chose {} instead",
                (old_row.ack_by - old_row.created_at).num_hours(),
                partner.name()
            );
            super::apply(
                otx,
                old_row,
                &Action::Cancel { reason },
                Actor::Hub,
                now,
                db.tenant_id(),
            )
            .await?
        } else {
            otx
        };
        tx = otx;
    }

    // The store's rows.
    let stx = tx.rebind(db.tenant_id()).await?;
    let mut sm = order.store_row(input.user);
    sm.idempotency_key = Set(Some(c.idem.clone()));
    sm.request_hash = Set(Some(c.request_hash.clone()));
    sm.access_hash = Set(Some(token::sha256_hex(&key.access_key(id))));
    stx.defer_insert(sm);
    if let Some(read) = check {
        // The cart read before the write turn must still be as read (the row there, last
        // transferred as then, the same lines): if not, the store's order row gets no time
        // of change (NULL, refused by its NOT NULL), which fails this writer's whole work.
        stx.defer_update(
            orders::Entity::update_many()
                .filter(orders::Column::Side.eq(STORE))
                .filter(orders::Column::Id.eq(id))
                .col_expr(
                    orders::Column::UpdatedAt,
                    cart::value_if_unchanged(
                        db.tenant_id(),
                        read.cart,
                        read.transferred,
                        &read.lines,
                        now,
                    ),
                ),
        );
    }
    stx.defer_insert_many(line_models(STORE));
    stx.defer_insert(super::history_row(
        STORE,
        id,
        State::Transferred.as_str(),
        Actor::Customer,
        first_note.as_deref(),
        now,
    ));
    // The customer's confirmation e-mail, in the same transaction.
    crate::mail::queue(
        &stx,
        super::mails::for_state(
            State::Transferred,
            &super::mails::Facts {
                order: id,
                number: &number,
                store: db.tenant().name(),
                partner: partner.name(),
                customer_name: &c.name,
                customer_email: &c.email,
                lines: rows
                    .iter()
                    .map(|r| (r.line.name.as_str(), r.line.quantity, r.total))
                    .collect(),
                delivery,
                total,
                address: &c.address,
                reason: None,
                carrier: None,
                tracking: None,
            },
        ),
        now,
    );
    if let Some(old) = rerouted {
        stx.defer_update(
            orders::Entity::update_many()
                .filter(orders::Column::Side.eq(STORE))
                .filter(orders::Column::Id.eq(old.id))
                .col_expr(orders::Column::ReroutedTo, Expr::value(Some(id)))
                .col_expr(orders::Column::UpdatedAt, Expr::value(now)),
        );
        stx.defer_insert(super::history_row(
            STORE,
            old.id,
            "rerouted",
            Actor::Customer,
            Some(&format!("sent to {} as order {number}", partner.name())),
            now,
        ));
    }
    if let Some(cart_id) = cart_id {
        cart::mark_transferred(&stx, cart_id, id, now);
    }
    stx.commit().await?;
    if let Source::Cart(owner) = source {
        cart::forget_count(db, owner);
    }
    Ok(Confirmed {
        order: id,
        number,
        partner: partner.name().to_owned(),
        access_key: key.access_key(id),
        replayed: false,
    })
}
