//! The buyer accepts one distributor's standing offer, whole: it becomes a purchase order, an
//! order like a transferred cart's (the distributor's row in its inbox and API, numbered in
//! its own sequence, with `order.created` to its system; the buyer's row as the "store" side),
//! and every other distributor hears that it was not selected. All in one transaction, after
//! taking the buyer's RFQ row: two accepts at once create exactly one purchase order.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, EntityTrait as _, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{activity, quote_lines, quotes, rfqs};
use super::notices::{self, News};
use super::{BUYER, BY_SELLER, QuoteState, RfqState, SELLER};
use crate::catalog::money::{Currency, Money};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::orders::entity::lines;
use crate::orders::{Actor, PARTNER, STORE, State};
use crate::registry::{self, TenantKind, TenantStatus};

/// What accepting made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub order: Uuid,
    pub number: String,
    pub seller: String,
}

fn activity_row(
    m: &rfqs::Model,
    kind: &str,
    seller: (Uuid, &str),
    lines: usize,
    now: DateTime<Utc>,
) -> activity::ActiveModel {
    activity::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        rfq_id: Set(m.id),
        reseller_id: Set(m.buyer_id),
        reseller_name: Set(m.buyer_name.clone()),
        distributor_id: Set(Some(seller.0)),
        distributor_name: Set(Some(seller.1.to_owned())),
        kind: Set(kind.to_owned()),
        lines: Set(i32::try_from(lines).unwrap_or(i32::MAX)),
        response_secs: Set(None),
        at: Set(now),
    }
}

/// The buyer (`db`, signed in as `by`) accepts offer `offer_no` of `seller` on RFQ `id`.
/// Refused (nothing written) unless the RFQ is open or closed (not decided), and that offer is
/// the seller's current one, not withdrawn, not expired, and prices every line.
pub async fn accept(
    db: &TenantDb,
    id: Uuid,
    seller: TenantId,
    offer_no: u32,
    by: &super::Person,
    now: DateTime<Utc>,
) -> Result<Accepted> {
    if db.tenant().kind() != TenantKind::Reseller {
        return Err(Error::NotFound("quote request"));
    }
    let partner = registry::find_by_id(db.db(), seller)
        .await?
        .filter(|t| t.kind() == TenantKind::Distributor)
        .ok_or(Error::NotFound("distributor"))?;
    let buyer = db.tenant().clone();
    let hub = registry::hub(db.db()).await?;
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, id).await?;
    match super::state_at(&m, now) {
        RfqState::Open | RfqState::Closed => {}
        RfqState::Accepted => {
            return Err(Error::Conflict(format!(
                "{} was accepted already; its purchase order is in your orders",
                m.number
            )));
        }
        RfqState::Draft => {
            return Err(Error::Conflict(format!("{} has not been sent", m.number)));
        }
    }
    let all = tx
        .find::<quotes::Entity>()
        .filter(quotes::Column::Side.eq(BUYER))
        .filter(quotes::Column::RfqId.eq(id))
        .all(tx.conn())
        .await?;
    let q = all
        .iter()
        .find(|q| q.seller_id == seller.as_uuid())
        .ok_or(Error::NotFound("quote"))?
        .clone();
    match QuoteState::at(&q, now) {
        QuoteState::Offered | QuoteState::Countered => {}
        QuoteState::Expired => {
            return Err(Error::Conflict(format!(
                "{}'s offer {} expired on {}; ask for a revision",
                q.seller_name,
                q.offer_no,
                q.valid_until
                    .map(|v| v.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default()
            )));
        }
        s => {
            return Err(Error::Conflict(format!(
                "{}'s quote is {}: it cannot be accepted",
                q.seller_name,
                s.label()
            )));
        }
    }
    if i64::from(q.offer_no) != i64::from(offer_no) {
        return Err(Error::Conflict(format!(
            "offer {offer_no} is no longer current: {}'s current offer is {}",
            q.seller_name, q.offer_no
        )));
    }
    if partner.status() != TenantStatus::Approved
        || !crate::partners::is_linked(db, crate::partners::SUPPLIER_RELATION, seller).await?
    {
        return Err(Error::Conflict(format!(
            "{} no longer takes orders from you",
            partner.name()
        )));
    }
    let rfq_lines = super::read_lines(&tx, BUYER, id).await?;
    let offered = tx
        .find::<quote_lines::Entity>()
        .filter(quote_lines::Column::Side.eq(BUYER))
        .filter(quote_lines::Column::RfqId.eq(id))
        .filter(quote_lines::Column::SellerId.eq(seller.as_uuid()))
        .filter(quote_lines::Column::No.eq(q.offer_no))
        .filter(quote_lines::Column::Author.eq(BY_SELLER))
        .all(tx.conn())
        .await?;
    let currency = Currency::parse(&m.currency).ok_or(Error::NotFound("currency"))?;
    let order_id = Uuid::now_v7();
    let mut subtotal = Money::new(0, currency);
    let mut lead = 0u32;
    let mut rows = Vec::with_capacity(rfq_lines.len());
    for (i, l) in rfq_lines.iter().enumerate() {
        let Some((o, unit)) = offered
            .iter()
            .find(|o| o.line_no == l.line_no)
            .and_then(|o| Some((o, o.unit_minor?)))
        else {
            return Err(Error::Conflict(format!(
                "offer {} does not price line {} ({}); ask {} for a revision",
                q.offer_no, l.line_no, l.description, q.seller_name
            )));
        };
        let quantity = super::to_u32(i64::from(o.quantity));
        let total = Money::new(unit, currency)
            .checked_mul(quantity)
            .ok_or_else(|| Error::validation("quantity", "the line's total is too large"))?;
        subtotal = subtotal
            .checked_add(&total)
            .ok_or_else(|| Error::validation("quantity", "the order's total is too large"))?;
        lead = Ord::max(lead, o.lead_days.map_or(0, |d| super::to_u32(i64::from(d))));
        let sku = o
            .substitute_sku
            .clone()
            .or_else(|| l.sku.clone())
            .unwrap_or_default();
        let name: String = match &o.substitute_sku {
            Some(s) => format!("{} (substitute {s})", l.description),
            None => l.description.clone(),
        }
        .chars()
        .take(300)
        .collect();
        rows.push((i, sku, name, quantity, unit, total));
    }
    let line_models = |side: &str| -> Vec<lines::ActiveModel> {
        rows.iter()
            .map(|(i, sku, name, quantity, unit, total)| lines::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                side: Set(side.to_owned()),
                order_id: Set(order_id),
                line_no: Set(i32::try_from(*i).unwrap_or(i32::MAX) + 1),
                sku: Set(sku.chars().take(64).collect()),
                partner_sku: Set(None),
                name: Set(name.clone()),
                quantity: Set(i32::try_from(*quantity).unwrap_or(i32::MAX)),
                unit_minor: Set(*unit),
                total_minor: Set(total.minor),
                approx_unit_minor: Set(None),
            })
            .collect()
    };

    // The buyer's RFQ row: decided, only if nobody decided it first.
    let done = tx
        .update_many::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(BUYER))
        .filter(rfqs::Column::Id.eq(id))
        .filter(rfqs::Column::State.is_in([RfqState::Open.as_str(), RfqState::Closed.as_str()]))
        .col_expr(
            rfqs::Column::State,
            Expr::value(RfqState::Accepted.as_str()),
        )
        .col_expr(
            rfqs::Column::AcceptedSeller,
            Expr::value(Some(seller.as_uuid())),
        )
        .col_expr(rfqs::Column::OrderId, Expr::value(Some(order_id)))
        .col_expr(
            rfqs::Column::ClosedAt,
            Expr::value(Some(m.closed_at.unwrap_or(now))),
        )
        .col_expr(
            rfqs::Column::ClosedReason,
            Expr::value(Some(m.closed_reason.clone().unwrap_or_else(|| {
                format!("{}'s offer was accepted", q.seller_name)
            }))),
        )
        .col_expr(
            rfqs::Column::Version,
            Expr::col(rfqs::Column::Version).add(1),
        )
        .col_expr(rfqs::Column::UpdatedAt, Expr::value(now))
        .exec(tx.conn())
        .await?;
    if done.rows_affected != 1 {
        return Err(Error::Conflict(format!("{} was decided already", m.number)));
    }
    let quote_state = |side: &str, s: Uuid, state: QuoteState| {
        quotes::Entity::update_many()
            .filter(quotes::Column::Side.eq(side))
            .filter(quotes::Column::RfqId.eq(id))
            .filter(quotes::Column::SellerId.eq(s))
            .col_expr(quotes::Column::State, Expr::value(state.as_str()))
            .col_expr(
                quotes::Column::Version,
                Expr::col(quotes::Column::Version).add(1),
            )
            .col_expr(quotes::Column::UpdatedAt, Expr::value(now))
    };
    let losers: Vec<&quotes::Model> = all
        .iter()
        .filter(|x| x.seller_id != seller.as_uuid() && x.state != QuoteState::Withdrawn.as_str())
        .collect();
    tx.defer_update(quote_state(BUYER, seller.as_uuid(), QuoteState::Accepted));
    for l in &losers {
        tx.defer_update(quote_state(BUYER, l.seller_id, QuoteState::NotSelected));
    }

    // The distributor's rows: the purchase order (numbered in its sequence), its quote and
    // its copy of the request.
    let ptx = tx.rebind(seller).await?;
    let ack_window = crate::partners::profile::ack_window_in(&ptx).await?;
    let contact = crate::partners::profile::contact_in(&ptx).await?;
    let (seq, number) = crate::orders::next_number(&ptx, &partner).await?;
    let order = crate::orders::NewOrder {
        id: order_id,
        store: buyer.clone(),
        partner: partner.clone(),
        seq,
        number: number.clone(),
        customer_name: by.name.clone(),
        customer_email: by.email.clone(),
        ship_to: crate::partners::territories::ShipTo {
            country: m.ship_country.clone(),
            subdivision: m.ship_region.clone(),
            postal_code: m.ship_postal.clone(),
        },
        address: m.address.clone(),
        currency,
        subtotal: subtotal.minor,
        delivery: 0,
        total: subtotal.minor,
        approx_total: None,
        lead_days: lead,
        referrer: Some(format!("quote request {} (offer {})", m.number, q.offer_no)),
        ack_by: now + ack_window,
        rerouted_from: None,
        now,
    };
    let base = order.partner_row();
    let pm = sea_orm::TryIntoModel::try_into_model(base.clone())?;
    let pls = line_models(PARTNER)
        .into_iter()
        .map(sea_orm::TryIntoModel::try_into_model)
        .collect::<std::result::Result<Vec<lines::Model>, _>>()?;
    ptx.defer_insert(base.clone());
    ptx.defer_insert_many(line_models(PARTNER));
    let note = format!("purchase order from {} ({})", m.buyer_name, m.number);
    ptx.defer_insert(crate::orders::history_row(
        PARTNER,
        order_id,
        State::Transferred.as_str(),
        Actor::Customer,
        Some(&note),
        now,
    ));
    crate::webhooks::emit(
        &ptx,
        "order.created",
        &crate::orders::event_data(&pm, &pls),
        now,
        None,
    )
    .await?;
    let decided = |side: &str, state: RfqState, order: Option<Uuid>, reason: &str| {
        rfqs::Entity::update_many()
            .filter(rfqs::Column::Side.eq(side))
            .filter(rfqs::Column::Id.eq(id))
            .col_expr(rfqs::Column::State, Expr::value(state.as_str()))
            .col_expr(rfqs::Column::OrderId, Expr::value(order))
            .col_expr(
                rfqs::Column::ClosedAt,
                Expr::value(Some(m.closed_at.unwrap_or(now))),
            )
            .col_expr(
                rfqs::Column::ClosedReason,
                Expr::value(Some(reason.to_owned())),
            )
            .col_expr(
                rfqs::Column::Version,
                Expr::col(rfqs::Column::Version).add(1),
            )
            .col_expr(rfqs::Column::UpdatedAt, Expr::value(now))
    };
    ptx.defer_update(decided(
        SELLER,
        RfqState::Accepted,
        Some(order_id),
        "your offer was accepted",
    ));
    ptx.defer_update(quote_state(SELLER, seller.as_uuid(), QuoteState::Accepted));
    notices::tell(
        &ptx,
        News {
            kind: "rfq.accepted",
            rfq: id,
            text: format!(
                "{} accepted your offer {} on {}: purchase order {number} ({subtotal}) is in your order inbox.",
                m.buyer_name, q.offer_no, m.number
            ),
            to: contact.as_ref().map(|(n, e)| (n.as_str(), e.as_str())),
            subject: format!(
                "{} accepted your quote: purchase order {number}",
                m.buyer_name
            ),
            body: format!(
                "{} accepted your offer {} on {} — {}.\n\nPurchase order {number}, {subtotal} in total, is in your order inbox. Acknowledge it by {}.\n",
                m.buyer_name,
                q.offer_no,
                m.number,
                m.title,
                (now + ack_window).format("%Y-%m-%d %H:%M UTC")
            ),
        },
        now,
    );
    let mut data = super::rfq::event_data(&m, &[]);
    data["rfq"]["state"] = serde_json::json!("accepted");
    data["outcome"] =
        serde_json::json!({ "selected": true, "order_id": order_id, "order_number": number });
    crate::webhooks::emit(&ptx, "rfq.closed", &data, now, None).await?;
    let mut tx: TenantTx = ptx;

    // Every other distributor: not selected.
    for l in &losers {
        let ltx = tx.rebind(TenantId::from(l.seller_id)).await?;
        let contact = crate::partners::profile::contact_in(&ltx).await?;
        ltx.defer_update(decided(
            SELLER,
            RfqState::Closed,
            None,
            "another offer was accepted",
        ));
        ltx.defer_update(quote_state(SELLER, l.seller_id, QuoteState::NotSelected));
        notices::tell(
            &ltx,
            News {
                kind: "rfq.not_selected",
                rfq: id,
                text: format!(
                    "{} chose another offer on {}; thank you for answering.",
                    m.buyer_name, m.number
                ),
                to: contact.as_ref().map(|(n, e)| (n.as_str(), e.as_str())),
                subject: format!("{}: your quote was not selected", m.number),
                body: format!(
                    "{} decided on its quote request {} — {} and chose another offer.\n\nThank you for answering.\n",
                    m.buyer_name, m.number, m.title
                ),
            },
            now,
        );
        let mut data = super::rfq::event_data(&m, &[]);
        data["rfq"]["state"] = serde_json::json!("closed");
        data["outcome"] = serde_json::json!({ "selected": false });
        crate::webhooks::emit(&ltx, "rfq.closed", &data, now, None).await?;
        tx = ltx;
    }

    // The buyer's row of the order, and its news.
    let stx = tx.rebind(buyer.id()).await?;
    stx.defer_insert(order.store_row(by.user));
    stx.defer_insert_many(line_models(STORE));
    stx.defer_insert(crate::orders::history_row(
        STORE,
        order_id,
        State::Transferred.as_str(),
        Actor::Customer,
        Some(&note),
        now,
    ));
    notices::tell(
        &stx,
        News {
            kind: "rfq.accepted",
            rfq: id,
            text: format!(
                "You accepted {}'s offer {} on {}: purchase order {number} ({subtotal}).",
                q.seller_name, q.offer_no, m.number
            ),
            to: None,
            subject: String::new(),
            body: String::new(),
        },
        now,
    );
    crate::mail::queue(
        &stx,
        crate::orders::mails::for_state(
            State::Transferred,
            &crate::orders::mails::Facts {
                order: order_id,
                number: &number,
                store: buyer.name(),
                partner: partner.name(),
                customer_name: &by.name,
                customer_email: &by.email,
                lines: rows
                    .iter()
                    .map(|(_, _, name, quantity, _, total)| (name.as_str(), *quantity, *total))
                    .collect(),
                delivery: Money::new(0, currency),
                total: subtotal,
                address: &m.address,
                reason: None,
                carrier: None,
                tracking: None,
            },
        ),
        now,
    );
    if let Some(hub) = hub {
        let htx = stx.rebind(hub.id()).await?;
        htx.defer_insert(activity_row(
            &m,
            "accepted",
            (seller.as_uuid(), &q.seller_name),
            rfq_lines.len(),
            now,
        ));
        for l in &losers {
            htx.defer_insert(activity_row(
                &m,
                "not_selected",
                (l.seller_id, &l.seller_name),
                rfq_lines.len(),
                now,
            ));
        }
        htx.rebind(buyer.id()).await?.commit().await?;
    } else {
        stx.commit().await?;
    }
    Ok(Accepted {
        order: order_id,
        number,
        seller: partner.name().to_owned(),
    })
}
