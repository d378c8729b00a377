//! Live exact prices: a partner whose system prices live registers a webhook endpoint
//! subscribed to `quote.requested`. While a customer waits for the transfer list, the hub
//! POSTs the basket to that endpoint (signed like every webhook, through the server's guarded
//! client) and waits at most the deadline; every partner is asked at once.
//!
//! The answer is checked as strictly as a price list: one price per line, in the currency of
//! the hub's list price, inside the hub's price policy, a delivery charge and lead times in
//! range. A partner that does not answer in time, answers with an error or sends something
//! that is not a usable price is listed apart with the reason, never offered.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::money::{Currency, Money};
use crate::catalog::snapshot::Master;
use crate::db::TenantDb;
use crate::error::Result;
use crate::partners::PartnerRef;
use crate::partners::fulfilment::{Offer, OfferLine};
use crate::partners::territories::ShipTo;
use crate::webhooks::entity::endpoints as ep;

/// The event type a partner subscribes an endpoint to, to price carts live.
pub const QUOTE_EVENT: &str = "quote.requested";

/// How long the transfer list waits for live prices, unless configured otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(1500);

/// The longest lead time a live answer may state.
pub const MAX_LEAD_DAYS: u32 = 365;

/// The largest delivery charge a live answer may state, in major units.
const MAX_DELIVERY_MAJOR: i64 = 100_000;

/// A live-price request on its way: the answer's status and the start of its body, or why
/// there was none.
pub type Answering<'a> =
    Pin<Box<dyn Future<Output = std::result::Result<(u16, String), String>> + Send + 'a>>;

/// What sends a live-price request: the server's guarded outbound client (scheme, every
/// address the host resolves to, no redirects, a bounded answer). `Ok` is the status and the
/// start of the body; `Err` says why there was no answer.
pub trait QuoteCaller: Send + Sync + std::fmt::Debug {
    fn post<'a>(
        &'a self,
        url: &'a str,
        headers: Vec<(&'static str, String)>,
        body: String,
    ) -> Answering<'a>;
}

/// How the transfer list asks partners for live prices.
#[derive(Clone, Debug)]
pub struct LiveQuotes {
    pub caller: Arc<dyn QuoteCaller>,
    /// The list never waits longer than this, counted from the start of the request.
    pub deadline: Duration,
    /// The hub's catalog: list prices and the price policy live answers are held to.
    pub master: Arc<Master>,
}

/// Why a partner that can fulfil the basket has no price in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unpriced {
    /// Its system did not answer within the deadline.
    NoAnswer,
    /// Its system could not be reached, or answered with an error status.
    Failed(String),
    /// Its system answered that it will not price this basket (its words).
    Declined(String),
    /// Its answer was not a usable price (what was wrong with it).
    Unusable(String),
}

impl std::fmt::Display for Unpriced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unpriced::NoAnswer => f.write_str("no answer in time"),
            Unpriced::Failed(why) => write!(f, "its system did not answer: {why}"),
            Unpriced::Declined(why) => write!(f, "declined to price this cart: {why}"),
            Unpriced::Unusable(why) => write!(f, "its answer was not a usable price: {why}"),
        }
    }
}

/// A partner asked live that gave no usable price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unanswered {
    pub partner: PartnerRef,
    pub why: Unpriced,
}

/// Where and how to ask a partner.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    url: String,
    secret: String,
    previous: Option<String>,
}

/// The partner's live-pricing endpoint: its oldest enabled endpoint subscribed by name to
/// [`QUOTE_EVENT`] (an endpoint that takes "every event" is not asked: pricing live is a
/// promise to answer fast, made on purpose).
pub(crate) async fn endpoint(partner: &TenantDb, now: DateTime<Utc>) -> Result<Option<Endpoint>> {
    let tx = partner.begin().await?;
    let rows = tx
        .find::<ep::Entity>()
        .filter(ep::Column::Enabled.eq(true))
        .order_by_asc(ep::Column::CreatedAt)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .find(|e| e.events.split(',').any(|t| t == QUOTE_EVENT))
        .map(|e| Endpoint {
            url: e.url,
            secret: e.secret,
            previous: e
                .previous_secret
                .filter(|_| e.previous_until.is_some_and(|u| u > now)),
        }))
}

#[derive(Serialize)]
struct RequestLine<'a> {
    sku: &'a str,
    partner_sku: Option<&'a str>,
    quantity: u32,
    /// The partner's own price-list price for the quantity, for reference.
    price_list_unit_minor: i64,
}

/// One line of a live answer.
#[derive(Clone, Debug, Deserialize)]
struct AnswerLine {
    sku: String,
    unit_minor: i64,
    lead_days: Option<u32>,
}

/// A live answer: a price for every line, or a refusal.
#[derive(Clone, Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    declined: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    lines: Vec<AnswerLine>,
    #[serde(default)]
    delivery_minor: Option<i64>,
}

/// A usable live price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LivePrice {
    pub lines: Vec<OfferLine>,
    pub subtotal: Money,
    pub delivery: Money,
    pub total: Money,
    pub lead_days: u32,
}

fn clip(s: &str, n: usize) -> String {
    let t: String = s.chars().filter(|c| !c.is_control()).take(n).collect();
    if s.chars().count() > n {
        format!("{t}…")
    } else {
        t
    }
}

/// Checks a live answer for `offer` (the partner's price-list offer, which says which lines
/// and quantities are priced) against the hub's catalog and policy.
pub(crate) fn check_answer(
    offer: &Offer,
    master: &Master,
    status: u16,
    body: &str,
) -> std::result::Result<LivePrice, Unpriced> {
    if !(200..300).contains(&status) {
        return Err(Unpriced::Failed(format!("HTTP {status}")));
    }
    let answer: Answer = serde_json::from_str(body).map_err(|e| {
        Unpriced::Unusable(format!(
            "not the JSON the contract describes ({})",
            clip(&e.to_string(), 120)
        ))
    })?;
    if let Some(why) = answer.declined {
        let why = clip(why.trim(), 200);
        return Err(Unpriced::Declined(if why.is_empty() {
            "no reason given".into()
        } else {
            why
        }));
    }
    let bad = |m: String| Unpriced::Unusable(m);
    let currency = answer
        .currency
        .as_deref()
        .and_then(Currency::parse)
        .ok_or_else(|| bad("`currency` must be an ISO 4217 code such as EUR".into()))?;
    let mut lines = Vec::with_capacity(offer.lines.len());
    let mut seen = std::collections::HashSet::new();
    for a in &answer.lines {
        let sku = a.sku.trim().to_ascii_uppercase();
        if !seen.insert(sku.clone()) {
            return Err(bad(format!("{} is priced twice", clip(&sku, 64))));
        }
        if !offer.lines.iter().any(|l| l.sku == sku) {
            return Err(bad(format!("{} is not in the cart", clip(&sku, 64))));
        }
    }
    let mut total: Option<Money> = None;
    let mut lead_days = 0;
    for want in &offer.lines {
        let Some(a) = answer
            .lines
            .iter()
            .find(|a| a.sku.trim().eq_ignore_ascii_case(&want.sku))
        else {
            return Err(bad(format!("no price for {}", want.sku)));
        };
        let item = master
            .find_sku(&want.sku)
            .ok_or_else(|| bad(format!("{} is no longer in the hub's catalog", want.sku)))?;
        let list = item.price;
        if currency != list.currency {
            return Err(bad(format!(
                "prices must be in {}, the currency of the hub's list price",
                list.currency.code()
            )));
        }
        let (lo, hi) = master.policy.price_range(list);
        if !(lo.minor..=hi.minor).contains(&a.unit_minor) {
            return Err(bad(format!(
                "{}: {} is outside the hub's range of {} to {}",
                want.sku,
                Money::new(a.unit_minor, currency).display(),
                lo.display(),
                hi.display()
            )));
        }
        let days = a.lead_days.unwrap_or(want.lead_days);
        if days > MAX_LEAD_DAYS {
            return Err(bad(format!(
                "{}: a lead time of {days} days is over {MAX_LEAD_DAYS}",
                want.sku
            )));
        }
        let unit = Money::new(a.unit_minor, currency);
        let line_total = unit
            .checked_mul(want.quantity)
            .ok_or_else(|| bad(format!("{}: the line's total is too large", want.sku)))?;
        total = Some(match total {
            None => line_total,
            Some(t) => t
                .checked_add(&line_total)
                .ok_or_else(|| bad("the total is too large".into()))?,
        });
        lead_days = lead_days.max(days);
        lines.push(OfferLine {
            sku: want.sku.clone(),
            partner_sku: want.partner_sku.clone(),
            quantity: want.quantity,
            unit,
            total: line_total,
            lead_days: days,
        });
    }
    let max_delivery = MAX_DELIVERY_MAJOR.saturating_mul(10_i64.pow(currency.exponent()));
    let delivery_minor = answer.delivery_minor.unwrap_or(0);
    if !(0..=max_delivery).contains(&delivery_minor) {
        return Err(bad(format!(
            "`delivery_minor` must be from 0 to {}",
            Money::new(max_delivery, currency).display()
        )));
    }
    let delivery = Money::new(delivery_minor, currency);
    let subtotal = total.ok_or_else(|| bad("no lines".into()))?;
    let total = subtotal
        .checked_add(&delivery)
        .ok_or_else(|| bad("the total is too large".into()))?;
    Ok(LivePrice {
        lines,
        subtotal,
        delivery,
        total,
        lead_days,
    })
}

/// The signed request for `offer`'s lines.
fn request(
    endpoint: &Endpoint,
    store: &PartnerRef,
    offer: &Offer,
    to: &ShipTo,
    deadline: Duration,
    now: DateTime<Utc>,
) -> Result<(Vec<(&'static str, String)>, String)> {
    let id = format!("quo_{}", Uuid::now_v7().simple());
    let data = serde_json::json!({
        "quote_id": id,
        "deadline_ms": u64::try_from(deadline.as_millis()).unwrap_or(u64::MAX),
        "store": { "id": store.id.to_string(), "name": store.name, "slug": store.slug },
        "ship_to": to,
        "currency": offer.total.map(|t| t.currency.code()),
        "lines": offer.lines.iter().map(|l| RequestLine {
            sku: &l.sku,
            partner_sku: l.partner_sku.as_deref(),
            quantity: l.quantity,
            price_list_unit_minor: l.unit.minor,
        }).collect::<Vec<_>>(),
    });
    let body = crate::webhooks::body(QUOTE_EVENT, now, &data);
    let ts = now.timestamp();
    let mut signature = crate::webhooks::sign(&endpoint.secret, &id, ts, &body)?;
    if let Some(prev) = &endpoint.previous {
        signature.push(' ');
        signature.push_str(&crate::webhooks::sign(prev, &id, ts, &body)?);
    }
    Ok((
        vec![
            ("content-type", "application/json".into()),
            ("webhook-id", id),
            ("webhook-timestamp", ts.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    ))
}

/// One partner's live outcome: its price-list offer and its live price or why it has none.
pub(crate) type Outcome = (Offer, std::result::Result<LivePrice, Unpriced>);

/// Asks `endpoint` for `offer`'s live price at once (a task of its own) and sends the outcome
/// on `out` when it comes, at `until` at the latest (then [`Unpriced::NoAnswer`], and the
/// request is dropped).
#[expect(
    clippy::too_many_arguments,
    reason = "one request's parts, each needed for the signed body"
)]
pub(crate) fn ask_one(
    live: &LiveQuotes,
    store: &PartnerRef,
    to: &ShipTo,
    offer: Offer,
    endpoint: Endpoint,
    until: tokio::time::Instant,
    now: DateTime<Utc>,
    out: tokio::sync::mpsc::UnboundedSender<Outcome>,
) -> Result<()> {
    let (headers, body) = request(&endpoint, store, &offer, to, live.deadline, now)?;
    let caller = live.caller.clone();
    let master = live.master.clone();
    tokio::spawn(async move {
        let answer =
            tokio::time::timeout_at(until, caller.post(&endpoint.url, headers, body)).await;
        let priced = match answer {
            Err(_) => Err(Unpriced::NoAnswer),
            Ok(Err(why)) => Err(Unpriced::Failed(clip(&why, 200))),
            Ok(Ok((status, body))) => check_answer(&offer, &master, status, &body),
        };
        // The receiver may be gone (the customer left); nothing to do then.
        let _ = out.send((offer, priced));
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::snapshot::master_for_tests;
    use crate::ids::TenantId;

    fn offer() -> Offer {
        let eur = Currency::parse("EUR").expect("EUR");
        let line = |sku: &str, q: u32, unit: i64| OfferLine {
            sku: sku.into(),
            partner_sku: Some(format!("P-{sku}")),
            quantity: q,
            unit: Money::new(unit, eur),
            total: Money::new(unit * i64::from(q), eur),
            lead_days: 3,
        };
        Offer {
            partner: PartnerRef {
                id: TenantId::from(Uuid::nil()),
                slug: "north".into(),
                name: "North".into(),
                kind: "distributor".into(),
                status: "approved".into(),
            },
            lines: vec![line("A-1", 2, 1000), line("B-2", 1, 5000)],
            total: Some(Money::new(7000, eur)),
            lead_days: 3,
            lacks: vec![],
        }
    }

    fn master() -> Arc<Master> {
        let eur = Currency::parse("EUR").expect("EUR");
        master_for_tests(&[
            ("A-1", Money::new(1000, eur)),
            ("B-2", Money::new(5000, eur)),
        ])
    }

    #[test]
    fn a_good_answer_is_priced_with_its_delivery_and_lead_times() {
        let p = check_answer(
            &offer(),
            &master(),
            200,
            r#"{"currency":"EUR","lines":[{"sku":"a-1","unit_minor":950,"lead_days":1},{"sku":"B-2","unit_minor":5100}],"delivery_minor":490,"extra":true}"#,
        )
        .expect("priced");
        assert_eq!(p.total.minor, 950 * 2 + 5100 + 490);
        assert_eq!(p.delivery.minor, 490);
        assert_eq!(p.lead_days, 3, "B-2 keeps its price-list lead time");
        assert_eq!(p.lines[0].lead_days, 1);
        assert_eq!(p.lines[0].partner_sku.as_deref(), Some("P-A-1"));
    }

    #[test]
    fn every_kind_of_bad_answer_is_named() {
        let m = master();
        let o = offer();
        let cases: [(u16, &str, &str); 11] = [
            (500, "{}", "HTTP 500"),
            (200, "<html>", "not the JSON"),
            (
                200,
                r#"{"declined":"out of stock <b>"}"#,
                "out of stock <b>",
            ),
            (
                200,
                r#"{"lines":[{"sku":"A-1","unit_minor":950},{"sku":"B-2","unit_minor":5000}]}"#,
                "ISO 4217",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":950}]}"#,
                "no price for B-2",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":950},{"sku":"A-1","unit_minor":950}]}"#,
                "priced twice",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":950},{"sku":"B-2","unit_minor":5000},{"sku":"C-3","unit_minor":1}]}"#,
                "C-3 is not in the cart",
            ),
            (
                200,
                r#"{"currency":"USD","lines":[{"sku":"A-1","unit_minor":950},{"sku":"B-2","unit_minor":5000}]}"#,
                "must be in EUR",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":1},{"sku":"B-2","unit_minor":5000}]}"#,
                "outside the hub's range",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":950},{"sku":"B-2","unit_minor":5000,"lead_days":9999}]}"#,
                "over 365",
            ),
            (
                200,
                r#"{"currency":"EUR","lines":[{"sku":"A-1","unit_minor":950},{"sku":"B-2","unit_minor":5000}],"delivery_minor":-1}"#,
                "delivery_minor",
            ),
        ];
        for (status, body, says) in cases {
            let why = check_answer(&o, &m, status, body).expect_err(body);
            assert!(why.to_string().contains(says), "{body}: {why}");
        }
    }
}
