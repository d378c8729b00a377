//! Cart transfer and orders: the shopper's exact prices and confirmation, the customer's
//! order page, and the partner console's inbox. Each server function is a guard, one domain
//! call and the error mapping.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketLineView {
    pub sku: String,
    pub name: String,
    pub quantity: u32,
    pub approx_unit: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLineView {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    pub unit: String,
    pub total: String,
    pub lead_days: u32,
}

/// One partner's exact price for the basket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub partner: String,
    pub partner_slug: String,
    pub lines: Vec<OfferLineView>,
    pub delivery: String,
    pub total: String,
    pub total_minor: i64,
    pub lead_days: u32,
    /// e.g. "€12.40 below the store's price" or "the same as the store's price".
    pub compared: Option<String>,
    pub token: String,
    /// e.g. "14:32 UTC".
    pub held_until: String,
}

/// A partner that can fulfil only part of the basket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialView {
    pub partner: String,
    pub lacks: Vec<String>,
}

/// The transfer page's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub store: String,
    pub lines: Vec<BasketLineView>,
    pub approx_total: String,
    /// The order being sent to another partner: its number and partner.
    pub reroute_of: Option<(String, String)>,
    /// The ship-to the offers are for (`None`: not asked yet).
    pub ship_to: Option<(String, String, String)>,
    pub offers: Vec<OfferView>,
    pub partial: Vec<PartialView>,
    /// Partners that price live and gave no usable price in time, with the reason.
    pub unanswered: Vec<PartialView>,
    /// Partners that price live and are still being asked.
    pub pending: Vec<String>,
    /// A fresh key for the confirmation form: a double click, a retry or a resend of the
    /// form sends the same one.
    pub confirm_key: String,
    /// For a signed-in customer: name, e-mail, and the last order's address and ship-to.
    pub prefill: Prefill,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    pub name: String,
    pub email: String,
    pub address: String,
    pub country: String,
    pub region: String,
    pub postal: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: String,
    pub state: String,
    pub actor: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineView {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    pub unit: String,
    pub total: String,
}

/// An order as its customer, its store or its partner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub number: String,
    pub state: String,
    pub version: i64,
    pub store: String,
    pub partner: String,
    pub customer_name: String,
    pub customer_email: String,
    pub ship_to: String,
    pub address: String,
    pub subtotal: String,
    pub delivery: String,
    pub total: String,
    pub approx_total: Option<String>,
    pub lead_days: u32,
    pub reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub tracking_url: Option<String>,
    pub placed: String,
    pub ack_by: String,
    pub lines: Vec<OrderLineView>,
    pub history: Vec<HistoryView>,
    /// The customer may send it to another partner now.
    pub reroutable: bool,
    pub rerouted_to: Option<String>,
    /// The partner's next steps (its console only).
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub number: String,
    pub state: String,
    pub counterpart: String,
    pub customer: String,
    pub total: String,
    pub items: u32,
    pub placed: String,
    /// Not acknowledged yet and past its window.
    pub overdue: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::{DateTime, Utc};
    use tenants::catalog::money::Money;
    use tenants::orders::{self, Action, Order, Summary, transfer};

    use super::*;

    pub fn at(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    pub fn parse_id(id: &str) -> Result<uuid::Uuid, ApiError> {
        uuid::Uuid::parse_str(id.trim()).map_err(|_| ApiError::NotFound)
    }

    /// "€12.40 below the store's price" and the like, in integer minor units.
    pub fn compared(exact: Money, approx: Option<Money>) -> Option<String> {
        let a = approx.filter(|a| a.currency == exact.currency)?;
        let diff = exact.minor.checked_sub(a.minor)?;
        Some(match diff {
            0 => "the same as the store's price".to_owned(),
            d if d < 0 => format!(
                "{} below the store's price",
                Money::new(d.checked_neg()?, exact.currency).display()
            ),
            d => format!(
                "{} above the store's price",
                Money::new(d, exact.currency).display()
            ),
        })
    }

    pub fn lack(l: &tenants::partners::fulfilment::Lack) -> String {
        use tenants::partners::fulfilment::Lack;
        match l {
            Lack::Territory => "does not deliver to this address".to_owned(),
            Lack::NotCarried { sku } => format!("does not carry {sku}"),
            Lack::BelowMinimum { sku, minimum } => format!("sells {sku} from {minimum} on"),
            Lack::Stock { sku, on_hand } => format!("has only {on_hand} of {sku}"),
        }
    }

    pub fn ship_to_text(s: &tenants::partners::territories::ShipTo) -> String {
        let mut out = s.country.clone();
        if let Some(r) = &s.subdivision {
            out.push_str(&format!(" · {r}"));
        }
        if let Some(p) = &s.postal_code {
            out.push_str(&format!(" · {p}"));
        }
        out
    }

    pub fn order_view(o: &Order, now: DateTime<Utc>, partner: bool) -> OrderView {
        OrderView {
            id: o.id.to_string(),
            number: o.number.clone(),
            state: o.state.as_str().to_owned(),
            version: o.version,
            store: o.store.1.clone(),
            partner: o.partner.1.clone(),
            customer_name: o.customer_name.clone(),
            customer_email: o.customer_email.clone(),
            ship_to: ship_to_text(&o.ship_to),
            address: o.address.clone(),
            subtotal: o.subtotal.display(),
            delivery: o.delivery.display(),
            total: o.total.display(),
            approx_total: o.approx_total.map(|a| a.display()),
            lead_days: o.lead_days,
            reason: o.reason.clone(),
            carrier: o.carrier.clone(),
            tracking: o.tracking.clone(),
            tracking_url: o.tracking_url(),
            placed: at(o.created_at),
            ack_by: at(o.ack_by),
            lines: o
                .lines
                .iter()
                .map(|l| OrderLineView {
                    sku: l.sku.clone(),
                    partner_sku: l.partner_sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    unit: l.unit.display(),
                    total: l.total.display(),
                })
                .collect(),
            history: o
                .history
                .iter()
                .map(|h| HistoryView {
                    at: at(h.at),
                    state: h.state.clone(),
                    actor: h.actor.as_str().to_owned(),
                    note: h.note.clone(),
                })
                .collect(),
            reroutable: !partner && o.reroutable(now),
            rerouted_to: o.rerouted_to.map(|_| "another partner".to_owned()),
            actions: if partner {
                Action::open_from(o.state)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    pub fn row(s: &Summary, now: DateTime<Utc>) -> OrderRow {
        OrderRow {
            id: s.id.to_string(),
            number: s.number.clone(),
            state: s.state.as_str().to_owned(),
            counterpart: s.counterpart.clone(),
            customer: s.customer_name.clone(),
            total: s.total.display(),
            items: s.lines,
            placed: at(s.created_at),
            overdue: s.state == orders::State::Transferred && now >= s.ack_by,
        }
    }

    /// The transfer page's state for the request: the basket, the prefill, and with a
    /// ship-to the pricing under way (price-list offers in the view, live ones to come).
    pub async fn begin(
        shopper: &tenants::access::Shopper,
        country: Option<String>,
        region: Option<String>,
        postal: Option<String>,
        reroute: Option<String>,
        key: Option<String>,
    ) -> Result<(TransferView, Option<transfer::Pricing>), ApiError> {
        use tenants::orders::ListQuery;

        use crate::context::app_state;
        let state = app_state()?;
        let (sf, tenant) = crate::storefront::api::live_storefront(shopper).await?;
        let now = state.clock.now();
        let source = source(&reroute)?;
        if let transfer::Source::Reroute(id) = source {
            // Only the order's own customer may send it elsewhere.
            customer_order(shopper, id, &key).await?;
        }
        let basket = transfer::basket(shopper.db(), &sf, source, now).await?;
        let mut prefill = Prefill::default();
        if let Some(p) = crate::context::principal()
            && p.role == tenants::auth::Role::Customer
        {
            prefill.name = p.name.clone();
            prefill.email = p.email.clone();
            let last = orders::of_customer(
                shopper.db(),
                p.user_id,
                &ListQuery {
                    limit: 1,
                    ..Default::default()
                },
            )
            .await?;
            if let Some(s) = last.first()
                && let Ok(o) = orders::for_store(shopper.db(), s.id).await
            {
                prefill.address = o.address.clone();
                prefill.country = o.ship_to.country.clone();
                prefill.region = o.ship_to.subdivision.clone().unwrap_or_default();
                prefill.postal = o.ship_to.postal_code.clone().unwrap_or_default();
            }
        }
        let mut view = TransferView {
            store: tenant.name().to_owned(),
            lines: basket
                .lines
                .iter()
                .map(|l| BasketLineView {
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    approx_unit: l.approx_unit.map(|a| a.display()),
                })
                .collect(),
            approx_total: basket
                .approx_totals
                .iter()
                .map(|t| t.display())
                .collect::<Vec<_>>()
                .join(" + "),
            reroute_of: basket.reroute.as_ref().map(|r| (r.1.clone(), r.3.clone())),
            ship_to: None,
            offers: Vec::new(),
            partial: Vec::new(),
            unanswered: Vec::new(),
            pending: Vec::new(),
            confirm_key: {
                let mut b = [0u8; 16];
                getrandom::fill(&mut b)
                    .map_err(|_| ApiError::Conflict("no randomness; try again".into()))?;
                format!("c{}", hex::encode(b))
            },
            prefill,
        };
        let Some(country) = country.filter(|c| !c.trim().is_empty()) else {
            return Ok((view, None));
        };
        let (region, postal) = (region.unwrap_or_default(), postal.unwrap_or_default());
        let to = transfer::parse_ship_to(&country, &region, &postal)?;
        view.ship_to = Some((
            to.country.clone(),
            to.subdivision.clone().unwrap_or_default(),
            to.postal_code.clone().unwrap_or_default(),
        ));
        let live = tenants::orders::live::LiveQuotes {
            caller: state.quotes.clone(),
            deadline: state.quote_deadline,
            master: sf.master.clone(),
        };
        let pricing = transfer::start(
            shopper.db(),
            state.keys.price(),
            Some(&live),
            basket.clone(),
            to,
            now,
        )
        .await?;
        fill(&mut view, &pricing.offers, &basket);
        view.pending = pricing.pending.iter().map(|p| p.name.clone()).collect();
        Ok((view, Some(pricing)))
    }

    /// Puts `found` (offers, partial, unanswered) into `view`.
    pub fn fill(view: &mut TransferView, found: &transfer::Offers, basket: &transfer::Basket) {
        view.offers = found
            .complete
            .iter()
            .map(|o| offer_view(o, basket))
            .collect();
        view.partial = found
            .partial
            .iter()
            .map(|o| PartialView {
                partner: o.partner.name.clone(),
                lacks: o.lacks.iter().map(lack).collect(),
            })
            .collect();
        view.unanswered = found.unanswered.iter().map(unanswered_view).collect();
        view.pending.clear();
    }

    pub fn offer_view(o: &transfer::PricedOffer, basket: &transfer::Basket) -> OfferView {
        OfferView {
            partner: o.offer.partner.name.clone(),
            partner_slug: o.offer.partner.slug.clone(),
            lines: o
                .offer
                .lines
                .iter()
                .map(|l| OfferLineView {
                    name: basket
                        .lines
                        .iter()
                        .find(|b| b.sku == l.sku)
                        .map_or_else(|| l.sku.clone(), |b| b.name.clone()),
                    sku: l.sku.clone(),
                    partner_sku: l.partner_sku.clone(),
                    quantity: l.quantity,
                    unit: l.unit.display(),
                    total: l.total.display(),
                    lead_days: l.lead_days,
                })
                .collect(),
            delivery: o.delivery.display(),
            total: o.total.display(),
            total_minor: o.total.minor,
            lead_days: o.offer.lead_days,
            compared: compared(o.total, o.approx_total),
            token: o.token.clone(),
            held_until: o.expires_at.format("%H:%M UTC").to_string(),
        }
    }

    pub fn unanswered_view(u: &tenants::orders::live::Unanswered) -> PartialView {
        PartialView {
            partner: u.partner.name.clone(),
            lacks: vec![u.why.to_string()],
        }
    }

    pub fn source(reroute: &Option<String>) -> Result<transfer::Source, ApiError> {
        match reroute.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Ok(transfer::Source::Reroute(parse_id(r)?)),
            None => crate::storefront::api::owner()
                .map(transfer::Source::Cart)
                .ok_or_else(|| ApiError::validation("cart", "your cart is empty")),
        }
    }

    /// The customer's own order (signed in) or the guest's (with the link's key).
    pub async fn customer_order(
        shopper: &tenants::access::Shopper,
        id: uuid::Uuid,
        key: &Option<String>,
    ) -> Result<Order, ApiError> {
        let user = crate::context::principal()
            .filter(|p| p.role == tenants::auth::Role::Customer)
            .map(|p| p.user_id);
        Ok(orders::for_customer(shopper.db(), id, user, key.as_deref()).await?)
    }
}

/// Public (a store's shopper): the basket and, once a ship-to is given, every partner's exact
/// price for it, partners that price live included (waited for until the deadline at most).
/// `reroute` (with the guest's `key`) names an order to send elsewhere. The page's first
/// render and browsers without JavaScript use this; the page itself asks [`transfer_live`].
#[server(prefix = "/api", endpoint = "store/transfer", input = GetUrl, output = crate::codec::Answer)]
pub async fn transfer_offers(
    country: Option<String>,
    region: Option<String>,
    postal: Option<String>,
    reroute: Option<String>,
    key: Option<String>,
) -> Result<TransferView, ApiError> {
    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (mut view, pricing) =
            ssr::begin(&shopper, country, region, postal, reroute, key).await?;
        if let Some(p) = pricing {
            let basket = p.offers.basket.clone();
            ssr::fill(&mut view, &p.finish().await, &basket);
        }
        Ok(view)
    })
    .await
}

/// One line of [`transfer_live`]'s answer (newline-delimited JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveLine {
    /// The basket, the price-list offers, the partial ones and the partners being asked live
    /// (`pending`): at once.
    View(Box<TransferView>),
    /// A live partner's exact price, as it arrives.
    Offer(OfferView),
    /// A live partner that gave no usable price, with the reason.
    Unanswered(PartialView),
    /// Every live partner has answered, or the deadline has passed (the rest are
    /// `Unanswered` "no answer in time" just before this).
    Done,
}

/// Public (a store's shopper): like [`transfer_offers`] for a ship-to, as a stream: the list
/// known at once, then each live partner's price the moment it arrives, then `Done` (by the
/// deadline at the latest). One JSON [`LiveLine`] per line.
#[server(prefix = "/api", endpoint = "store/transfer/live", input = GetUrl, output = leptos::server_fn::codec::StreamingText)]
pub async fn transfer_live(
    country: String,
    region: Option<String>,
    postal: Option<String>,
    reroute: Option<String>,
    key: Option<String>,
) -> Result<leptos::server_fn::codec::TextStream<ApiError>, ApiError> {
    use futures::StreamExt as _;
    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (view, pricing) =
            ssr::begin(&shopper, Some(country), region, postal, reroute, key).await?;
        let line = |l: &LiveLine| {
            let mut s = serde_json::to_string(l).unwrap_or_else(|_| "\"Done\"".into());
            s.push('\n');
            s
        };
        let first =
            futures::stream::once(std::future::ready(line(&LiveLine::View(Box::new(view)))));
        let rest = futures::stream::unfold(pricing, move |p| async move {
            let mut p = p?;
            let arrived = p.next().await?;
            let basket = p.offers.basket.clone();
            let l = match arrived {
                tenants::orders::transfer::Arrived::Priced(o) => {
                    LiveLine::Offer(ssr::offer_view(&o, &basket))
                }
                tenants::orders::transfer::Arrived::Unanswered(u) => {
                    LiveLine::Unanswered(ssr::unanswered_view(&u))
                }
            };
            Some((line(&l), Some(p)))
        });
        let done = futures::stream::once(std::future::ready(line(&LiveLine::Done)));
        Ok(leptos::server_fn::codec::TextStream::from(
            first.chain(rest).chain(done),
        ))
    })
    .await
}

/// The confirmation's answer: where the order's page is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedView {
    pub number: String,
    pub partner: String,
    pub url: String,
}

/// Public (a store's shopper): turns a held price into an order at its partner, exactly once
/// per `confirm_key`.
#[server(prefix = "/api", endpoint = "store/transfer/confirm", output = crate::codec::Answer)]
pub async fn confirm_transfer(
    token: String,
    confirm_key: String,
    country: String,
    region: Option<String>,
    postal: Option<String>,
    name: String,
    email: String,
    address: String,
    reroute: Option<String>,
    key: Option<String>,
    referrer: Option<String>,
) -> Result<ConfirmedView, ApiError> {
    use tenants::access::Shopper;
    use tenants::orders::transfer::{self, ConfirmInput};

    use crate::context::{app_state, run};
    run(|shopper: Shopper| async move {
        let state = app_state()?;
        let (sf, _) = crate::storefront::api::live_storefront(&shopper).await?;
        let now = state.clock.now();
        let source = ssr::source(&reroute)?;
        if let transfer::Source::Reroute(id) = source {
            ssr::customer_order(&shopper, id, &key).await?;
        }
        let to = transfer::parse_ship_to(
            &country,
            region.as_deref().unwrap_or_default(),
            postal.as_deref().unwrap_or_default(),
        )?;
        let user = crate::context::principal()
            .filter(|p| p.role == tenants::auth::Role::Customer)
            .map(|p| p.user_id);
        let done = transfer::confirm(
            shopper.db(),
            &sf,
            state.keys.price(),
            source,
            &ConfirmInput {
                token,
                idempotency_key: confirm_key,
                ship_to: Some(to),
                name,
                email,
                address,
                user,
                referrer,
            },
            now,
        )
        .await?;
        let url = format!("/orders/{}?key={}", done.order, done.access_key);
        Ok(ConfirmedView {
            number: done.number,
            partner: done.partner,
            url,
        })
    })
    .await
}

/// Public (the order's customer): the order page, with its timeline.
#[server(prefix = "/api", endpoint = "store/order", input = GetUrl, output = crate::codec::Answer)]
pub async fn load_order(id: String, key: Option<String>) -> Result<OrderView, ApiError> {
    use tenants::access::Shopper;

    use crate::context::{app_state, run};
    run(|shopper: Shopper| async move {
        let now = app_state()?.clock.now();
        let o = ssr::customer_order(&shopper, ssr::parse_id(&id)?, &key).await?;
        Ok(ssr::order_view(&o, now, false))
    })
    .await
}

/// A signed-in customer's orders at this store, newest first.
#[server(prefix = "/api", endpoint = "store/orders", input = GetUrl, output = crate::codec::Answer)]
pub async fn my_orders() -> Result<Vec<OrderRow>, ApiError> {
    use tenants::access::Customer;
    use tenants::orders::{self, ListQuery};

    use crate::context::{app_state, run};
    run(|customer: Customer| async move {
        let now = app_state()?.clock.now();
        let list = orders::of_customer(
            customer.db(),
            customer.principal().user_id,
            &ListQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
        Ok(list.iter().map(|s| ssr::row(s, now)).collect())
    })
    .await
}

/// The partner's inbox, newest first; `state` filters.
#[server(prefix = "/api", endpoint = "partner/orders", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_orders(state: Option<String>) -> Result<Vec<OrderRow>, ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::orders::{self, ListQuery, State};

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let state = match state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                State::parse(s).ok_or_else(|| ApiError::validation("state", "unknown state"))?,
            ),
        };
        let list = orders::inbox(
            staff.db(),
            &ListQuery {
                state,
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        Ok(list.iter().map(|s| ssr::row(s, now)).collect())
    })
    .await
}

/// One order of the partner's inbox.
#[server(prefix = "/api", endpoint = "partner/order", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_order(id: String) -> Result<OrderView, ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::orders;

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let o = orders::for_partner(staff.db(), ssr::parse_id(&id)?).await?;
        Ok(ssr::order_view(&o, now, true))
    })
    .await
}

/// A step of the partner's order state machine: `acknowledge`, `accept`, `reject` (with a
/// reason), `ship` (carrier and tracking number), `deliver` or `cancel` (with a reason), at
/// the `version` the console showed.
#[server(prefix = "/api", endpoint = "partner/order/step", output = crate::codec::Answer)]
pub async fn partner_order_step(
    id: String,
    step: String,
    version: i64,
    reason: Option<String>,
    carrier: Option<String>,
    tracking: Option<String>,
) -> Result<OrderView, ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::orders::{self, Action, Actor};

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let text = |v: Option<String>| v.unwrap_or_default();
        let action = match step.as_str() {
            "acknowledge" => Action::Acknowledge,
            "accept" => Action::Accept,
            "reject" => Action::Reject {
                reason: text(reason),
            },
            "ship" => Action::Ship {
                carrier: text(carrier),
                tracking: text(tracking),
            },
            "deliver" => Action::Deliver,
            "cancel" => Action::Cancel {
                reason: text(reason),
            },
            _ => return Err(ApiError::validation("step", "unknown step")),
        };
        let o = orders::transition(
            staff.db(),
            ssr::parse_id(&id)?,
            &action,
            Some(version),
            Actor::Partner,
            now,
        )
        .await?;
        Ok(ssr::order_view(&o, now, true))
    })
    .await
}

/// The orders this store transferred (its admin's and staff's read-only view).
#[server(prefix = "/api", endpoint = "store/transfers", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_transfers() -> Result<Vec<OrderRow>, ApiError> {
    use tenants::access::StoreStaff;
    use tenants::orders::{self, ListQuery};

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let list = orders::transferred(
            staff.db(),
            &ListQuery {
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
        Ok(list.iter().map(|s| ssr::row(s, now)).collect())
    })
    .await
}

/// One order this store transferred, read-only.
#[server(prefix = "/api", endpoint = "store/transfer/order", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_transfer(id: String) -> Result<OrderView, ApiError> {
    use tenants::access::StoreStaff;
    use tenants::orders;

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let o = orders::for_store(staff.db(), ssr::parse_id(&id)?).await?;
        let mut v = ssr::order_view(&o, now, false);
        // The customer reroutes, not the store.
        v.reroutable = false;
        Ok(v)
    })
    .await
}
