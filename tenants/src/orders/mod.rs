//! Orders: a customer's cart, transferred from a store to the partner that fulfils it.
//!
//! An order is shared by two tenants, so it is a row in each (the partner's, numbered in the
//! partner's own sequence, and the store's, which carries the customer's confirmation key),
//! with the same id, written in one transaction; every change writes both, and a history entry
//! in each. The partner moves it through a state machine ([`transition`]); the store and the
//! customer read their own row.
//!
//! - [`transfer`]: exact prices for a basket from every partner that can fulfil it, held in
//!   signed tokens ([`token`]), and the confirmation that turns one into an order.
//! - [`live`]: exact prices asked live from partners whose systems price carts.

pub(crate) mod entity;
pub mod live;
pub(crate) mod mails;
pub mod token;
pub mod transfer;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::money::{Currency, Money};
use crate::db::{Backend, Database, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{TenantId, UserId};
use crate::partners::territories::ShipTo;
use entity::{history, lines, orders};

/// How long a partner has to acknowledge an order before the customer may pick another,
/// unless its profile sets another window (`partners::profile`, 1 to 72 hours).
pub const ACK_WINDOW: chrono::Duration = chrono::Duration::hours(4);

/// Orders per page, at most.
pub const MAX_PAGE: u64 = 200;

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Confirmed by the customer and in the partner's inbox.
    Transferred,
    Acknowledged,
    Accepted,
    Shipped,
    Delivered,
    Rejected,
    Cancelled,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Transferred,
        State::Acknowledged,
        State::Accepted,
        State::Shipped,
        State::Delivered,
        State::Rejected,
        State::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transferred => "transferred",
            Self::Acknowledged => "acknowledged",
            Self::Accepted => "accepted",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Nothing follows.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Rejected | Self::Cancelled)
    }
}

/// What a partner (its console or its system) does to an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Action {
    Acknowledge,
    Accept,
    Reject { reason: String },
    Ship { carrier: String, tracking: String },
    Deliver,
    Cancel { reason: String },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledge",
            Self::Accept => "accept",
            Self::Reject { .. } => "reject",
            Self::Ship { .. } => "ship",
            Self::Deliver => "deliver",
            Self::Cancel { .. } => "cancel",
        }
    }

    /// The state it leads to.
    pub fn target(&self) -> State {
        match self {
            Self::Acknowledge => State::Acknowledged,
            Self::Accept => State::Accepted,
            Self::Reject { .. } => State::Rejected,
            Self::Ship { .. } => State::Shipped,
            Self::Deliver => State::Delivered,
            Self::Cancel { .. } => State::Cancelled,
        }
    }

    /// The states it may be taken from.
    pub fn from_states(&self) -> &'static [State] {
        use State::*;
        match self {
            Self::Acknowledge => &[Transferred],
            Self::Accept => &[Transferred, Acknowledged],
            Self::Reject { .. } => &[Transferred, Acknowledged],
            Self::Ship { .. } => &[Accepted],
            Self::Deliver => &[Shipped],
            Self::Cancel { .. } => &[Transferred, Acknowledged, Accepted],
        }
    }

    /// The actions open from `state`, for consoles to offer.
    pub fn open_from(state: State) -> Vec<&'static str> {
        [
            Self::Acknowledge,
            Self::Accept,
            Self::Reject {
                reason: String::new(),
            },
            Self::Ship {
                carrier: String::new(),
                tracking: String::new(),
            },
            Self::Deliver,
            Self::Cancel {
                reason: String::new(),
            },
        ]
        .into_iter()
        .filter(|a| a.from_states().contains(&state))
        .map(|a| a.name())
        .collect()
    }
}

/// Who did something to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Customer,
    Partner,
    PartnerSystem,
    Hub,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Partner => "partner",
            Self::PartnerSystem => "partner system",
            Self::Hub => "hub",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "customer" => Self::Customer,
            "partner" => Self::Partner,
            "partner system" => Self::PartnerSystem,
            _ => Self::Hub,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    pub unit: Money,
    pub total: Money,
    /// The unit price the store showed (approximate).
    pub approx_unit: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub state: String,
    pub actor: Actor,
    pub note: Option<String>,
}

/// An order as one side keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: Uuid,
    pub number: String,
    pub state: State,
    pub version: i64,
    /// The store it came from.
    pub store: (TenantId, String),
    /// The partner that fulfils it.
    pub partner: (TenantId, String),
    pub customer_name: String,
    pub customer_email: String,
    pub ship_to: ShipTo,
    pub address: String,
    pub subtotal: Money,
    pub delivery: Money,
    pub total: Money,
    pub approx_total: Option<Money>,
    pub lead_days: u32,
    pub reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub referrer: Option<String>,
    pub ack_by: DateTime<Utc>,
    pub rerouted_from: Option<Uuid>,
    pub rerouted_to: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<Line>,
    pub history: Vec<HistoryEntry>,
}

impl Order {
    /// The customer may pick another partner: the partner rejected it, or has not
    /// acknowledged it in time (and it was not rerouted already).
    pub fn reroutable(&self, now: DateTime<Utc>) -> bool {
        self.rerouted_to.is_none()
            && (self.state == State::Rejected
                || (self.state == State::Transferred && now >= self.ack_by))
    }

    /// A link to follow the parcel, for carriers the hub knows.
    pub fn tracking_url(&self) -> Option<String> {
        let (carrier, number) = (self.carrier.as_deref()?, self.tracking.as_deref()?);
        let n: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
        match carrier.trim().to_ascii_lowercase().as_str() {
            "dhl" => Some(format!(
                "https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}"
            )),
            "ups" => Some(format!("https://www.ups.com/track?tracknum={n}")),
            "fedex" => Some(format!("https://www.fedex.com/fedextrack/?trknbr={n}")),
            "dpd" => Some(format!("https://tracking.dpd.de/status/en_US/parcel/{n}")),
            _ => None,
        }
    }
}

/// One row of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub id: Uuid,
    pub number: String,
    pub state: State,
    pub version: i64,
    /// The other side: the store on a partner's list, the partner on a store's.
    pub counterpart: String,
    pub customer_name: String,
    pub total: Money,
    pub lines: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ack_by: DateTime<Utc>,
}

pub(crate) const PARTNER: &str = "partner";
pub(crate) const STORE: &str = "store";

fn money(minor: i64, currency: &str) -> Result<Money> {
    Ok(Money::new(
        minor,
        Currency::parse(currency).ok_or(Error::NotFound("currency"))?,
    ))
}

fn summary(m: orders::Model, line_count: u32) -> Result<Summary> {
    Ok(Summary {
        id: m.id,
        number: m.number,
        state: State::parse(&m.state).unwrap_or(State::Transferred),
        version: m.version,
        counterpart: m.counterpart_name,
        customer_name: m.customer_name,
        total: money(m.total_minor, &m.currency)?,
        lines: line_count,
        created_at: m.created_at,
        updated_at: m.updated_at,
        ack_by: m.ack_by,
    })
}

pub(crate) async fn read(tx: &TenantTx, side: &str, id: Uuid) -> Result<Option<orders::Model>> {
    Ok(tx
        .find::<orders::Entity>()
        .filter(orders::Column::Side.eq(side))
        .filter(orders::Column::Id.eq(id))
        .one(tx.conn())
        .await?)
}

async fn assemble(tx: &TenantTx, m: orders::Model) -> Result<Order> {
    let ls = tx
        .find::<lines::Entity>()
        .filter(lines::Column::Side.eq(m.side.as_str()))
        .filter(lines::Column::OrderId.eq(m.id))
        .order_by_asc(lines::Column::LineNo)
        .all(tx.conn())
        .await?;
    let hs = tx
        .find::<history::Entity>()
        .filter(history::Column::Side.eq(m.side.as_str()))
        .filter(history::Column::OrderId.eq(m.id))
        .order_by_asc(history::Column::At)
        .order_by_asc(history::Column::Id)
        .all(tx.conn())
        .await?;
    let (me, other) = (
        (tx.tenant_id(), String::new()),
        (TenantId::from(m.counterpart_id), m.counterpart_name.clone()),
    );
    let (store, partner) = if m.side == PARTNER {
        (other, me)
    } else {
        (me, other)
    };
    let cur = m.currency.clone();
    Ok(Order {
        id: m.id,
        number: m.number,
        state: State::parse(&m.state).unwrap_or(State::Transferred),
        version: m.version,
        store,
        partner,
        customer_name: m.customer_name,
        customer_email: m.customer_email,
        ship_to: ShipTo {
            country: m.ship_country,
            subdivision: m.ship_region,
            postal_code: m.ship_postal,
        },
        address: m.address,
        subtotal: money(m.subtotal_minor, &cur)?,
        delivery: money(m.delivery_minor, &cur)?,
        total: money(m.total_minor, &cur)?,
        approx_total: m.approx_total_minor.map(|a| money(a, &cur)).transpose()?,
        lead_days: u32::try_from(m.lead_days).unwrap_or(0),
        reason: m.reason,
        carrier: m.carrier,
        tracking: m.tracking,
        referrer: m.referrer,
        ack_by: m.ack_by,
        rerouted_from: m.rerouted_from,
        rerouted_to: m.rerouted_to,
        created_at: m.created_at,
        updated_at: m.updated_at,
        lines: ls
            .into_iter()
            .map(|l| {
                Ok(Line {
                    sku: l.sku,
                    partner_sku: l.partner_sku,
                    name: l.name,
                    quantity: u32::try_from(l.quantity).unwrap_or(0),
                    unit: money(l.unit_minor, &cur)?,
                    total: money(l.total_minor, &cur)?,
                    approx_unit: l.approx_unit_minor.map(|a| money(a, &cur)).transpose()?,
                })
            })
            .collect::<Result<_>>()?,
        history: hs
            .into_iter()
            .map(|h| HistoryEntry {
                at: h.at,
                state: h.state,
                actor: Actor::parse(&h.actor),
                note: h.note,
            })
            .collect(),
    })
}

async fn get_side(db: &TenantDb, side: &str, id: Uuid) -> Result<Order> {
    let tx = db.begin().await?;
    let m = read(&tx, side, id).await?.ok_or(Error::NotFound("order"))?;
    let mut o = assemble(&tx, m).await?;
    tx.commit().await?;
    let me = db.tenant().name().to_owned();
    if side == PARTNER {
        o.partner.1 = me;
    } else {
        o.store.1 = me;
    }
    Ok(o)
}

/// An order in the partner's own rows.
pub async fn for_partner(db: &TenantDb, id: Uuid) -> Result<Order> {
    get_side(db, PARTNER, id).await
}

/// An order the store transferred, as the store keeps it (its admin's read-only view).
pub async fn for_store(db: &TenantDb, id: Uuid) -> Result<Order> {
    get_side(db, STORE, id).await
}

/// The order as its customer sees it: a signed-in customer's own, or a guest's with the key
/// from the link the confirmation gave. Anything else is "not found".
pub async fn for_customer(
    db: &TenantDb,
    id: Uuid,
    user: Option<UserId>,
    access_key: Option<&str>,
) -> Result<Order> {
    let tx = db.begin().await?;
    let m = read(&tx, STORE, id)
        .await?
        .ok_or(Error::NotFound("order"))?;
    let by_user = user.is_some_and(|u| m.customer_user_id == Some(u.as_uuid()));
    let by_key = match (access_key, &m.access_hash) {
        (Some(k), Some(h)) => {
            use subtle::ConstantTimeEq as _;
            token::sha256_hex(k).as_bytes().ct_eq(h.as_bytes()).into()
        }
        _ => false,
    };
    if !by_user && !by_key {
        return Err(Error::NotFound("order"));
    }
    let mut o = assemble(&tx, m).await?;
    tx.commit().await?;
    o.store.1 = db.tenant().name().to_owned();
    Ok(o)
}

/// A page of a list: newest first, after `cursor` (the last id of the previous page).
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub state: Option<State>,
    /// Only orders changed at or after this time.
    pub since: Option<DateTime<Utc>>,
    pub cursor: Option<Uuid>,
    pub limit: u64,
}

async fn list_side(
    db: &TenantDb,
    side: &str,
    q: &ListQuery,
    user: Option<UserId>,
) -> Result<Vec<Summary>> {
    let tx = db.begin().await?;
    let mut sel = tx
        .find::<orders::Entity>()
        .filter(orders::Column::Side.eq(side));
    if let Some(s) = q.state {
        sel = sel.filter(orders::Column::State.eq(s.as_str()));
    }
    if let Some(since) = q.since {
        sel = sel.filter(orders::Column::UpdatedAt.gte(since));
    }
    if let Some(u) = user {
        sel = sel.filter(orders::Column::CustomerUserId.eq(u.as_uuid()));
    }
    if let Some(c) = q.cursor {
        // Ids are UUIDv7: time-ordered, so "older than the cursor" is "smaller id".
        sel = sel.filter(orders::Column::Id.lt(c));
    }
    let rows = sel
        .order_by_desc(orders::Column::Id)
        // One more than a page at most: callers look one row ahead for their next cursor.
        .limit(q.limit.clamp(1, MAX_PAGE + 1))
        .all(tx.conn())
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counts: Vec<(Uuid, i64)> = tx
        .find::<lines::Entity>()
        .filter(lines::Column::Side.eq(side))
        .filter(lines::Column::OrderId.is_in(ids))
        .select_only()
        .column(lines::Column::OrderId)
        .column_as(Expr::col(lines::Column::Quantity).sum(), "n")
        .group_by(lines::Column::OrderId)
        .into_tuple()
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| {
            let n = counts
                .iter()
                .find(|(id, _)| *id == r.id)
                .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(0));
            summary(r, n)
        })
        .collect()
}

/// The partner's inbox.
pub async fn inbox(db: &TenantDb, q: &ListQuery) -> Result<Vec<Summary>> {
    list_side(db, PARTNER, q, None).await
}

/// The orders a store transferred (its admin's view).
pub async fn transferred(db: &TenantDb, q: &ListQuery) -> Result<Vec<Summary>> {
    list_side(db, STORE, q, None).await
}

/// A signed-in customer's orders at this store.
pub async fn of_customer(db: &TenantDb, user: UserId, q: &ListQuery) -> Result<Vec<Summary>> {
    list_side(db, STORE, q, Some(user)).await
}

pub(crate) fn clean(field: &'static str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::validation(field, "is required"));
    }
    if t.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::validation(field, "contains control characters"));
    }
    Ok(t.to_owned())
}

/// The partner's next order number, read in `tx` (bound to `partner`): its sequence and the
/// number both sides show (`NORTH-1001`).
pub(crate) async fn next_number(
    tx: &TenantTx,
    partner: &crate::registry::Tenant,
) -> Result<(i64, String)> {
    let last: Option<Option<i64>> = tx
        .find::<orders::Entity>()
        .filter(orders::Column::Side.eq(PARTNER))
        .select_only()
        .column_as(Expr::col(orders::Column::Seq).max(), "last")
        .into_tuple()
        .one(tx.conn())
        .await?;
    let seq = last.flatten().unwrap_or(1000) + 1;
    Ok((seq, number_of(partner, seq)))
}

/// The order number both sides show for `partner`'s sequence number `seq` (`NORTH-1001`).
fn number_of(partner: &crate::registry::Tenant, seq: i64) -> String {
    format!("{}-{seq}", partner.slug().to_ascii_uppercase())
}

/// [`next_number`] for a writer holding the write turn on SQLite, where only this process's
/// writers take turns: the number after the last one this process handed out, without
/// asking the database (one round trip less while the turn is held); the database when
/// none is known yet. A write that fails after taking a number calls [`forget_number`]
/// (the next one asks the database again; at worst a number is skipped, never given
/// twice). Should another process write the same file, its orders make the next insert
/// fail on the unique number, which forgets it too. PostgreSQL always asks.
pub(crate) async fn next_number_in_turn(
    db: &Database,
    tx: &TenantTx,
    partner: &crate::registry::Tenant,
) -> Result<(i64, String)> {
    if db.backend() != Backend::Sqlite {
        return next_number(tx, partner).await;
    }
    let known = db.order_numbers().get(&partner.id()).copied();
    let (seq, number) = match known {
        Some(last) => (last + 1, number_of(partner, last + 1)),
        None => next_number(tx, partner).await?,
    };
    db.order_numbers().insert(partner.id(), seq);
    Ok((seq, number))
}

/// After a write that took a number of `partner`'s sequence failed: the next asks the
/// database.
pub(crate) fn forget_number(db: &Database, partner: TenantId) {
    db.order_numbers().remove(&partner);
}

/// A new order, as a cart transfer or an accepted quote makes it.
pub(crate) struct NewOrder {
    pub id: Uuid,
    /// The store (the reseller, for a purchase order) and the partner.
    pub store: crate::registry::Tenant,
    pub partner: crate::registry::Tenant,
    /// From [`next_number`].
    pub seq: i64,
    pub number: String,
    pub customer_name: String,
    pub customer_email: String,
    pub ship_to: ShipTo,
    pub address: String,
    pub currency: Currency,
    pub subtotal: i64,
    pub delivery: i64,
    pub total: i64,
    pub approx_total: Option<i64>,
    pub lead_days: u32,
    pub referrer: Option<String>,
    pub ack_by: DateTime<Utc>,
    pub rerouted_from: Option<Uuid>,
    pub now: DateTime<Utc>,
}

impl NewOrder {
    /// The partner's row: numbered, in its inbox.
    pub(crate) fn partner_row(&self) -> orders::ActiveModel {
        orders::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            id: Set(self.id),
            side: Set(PARTNER.to_owned()),
            counterpart_id: Set(self.store.id().as_uuid()),
            counterpart_name: Set(self.store.name().to_owned()),
            seq: Set(Some(self.seq)),
            number: Set(self.number.clone()),
            state: Set(State::Transferred.as_str().to_owned()),
            version: Set(1),
            customer_user_id: Set(None),
            customer_name: Set(self.customer_name.clone()),
            customer_email: Set(self.customer_email.clone()),
            ship_country: Set(self.ship_to.country.clone()),
            ship_region: Set(self.ship_to.subdivision.clone()),
            ship_postal: Set(self.ship_to.postal_code.clone()),
            address: Set(self.address.clone()),
            currency: Set(self.currency.code().to_owned()),
            subtotal_minor: Set(self.subtotal),
            delivery_minor: Set(self.delivery),
            total_minor: Set(self.total),
            approx_total_minor: Set(self.approx_total),
            lead_days: Set(i32::try_from(self.lead_days).unwrap_or(i32::MAX)),
            reason: Set(None),
            carrier: Set(None),
            tracking: Set(None),
            referrer: Set(self.referrer.clone()),
            ack_by: Set(self.ack_by),
            rerouted_from: Set(self.rerouted_from),
            rerouted_to: Set(None),
            idempotency_key: Set(None),
            request_hash: Set(None),
            access_hash: Set(None),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        }
    }

    /// The store's row: the same order, seen from the store (`customer`: the signed-in
    /// customer, or the reseller's user who accepted a quote).
    pub(crate) fn store_row(&self, customer: Option<UserId>) -> orders::ActiveModel {
        let mut m = self.partner_row();
        m.side = Set(STORE.to_owned());
        m.counterpart_id = Set(self.partner.id().as_uuid());
        m.counterpart_name = Set(self.partner.name().to_owned());
        m.seq = Set(None);
        m.customer_user_id = Set(customer.map(|u| u.as_uuid()));
        m
    }
}

/// A line of an order's history, to insert (nothing reads it back in the transaction that
/// writes it, so it is held back with the transaction's other writes).
pub(crate) fn history_row(
    side: &str,
    order: Uuid,
    state: &str,
    actor: Actor,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> history::ActiveModel {
    history::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        side: Set(side.to_owned()),
        order_id: Set(order),
        at: Set(at),
        state: Set(state.to_owned()),
        actor: Set(actor.as_str().to_owned()),
        note: Set(note.map(str::to_owned)),
    }
}

/// The webhook payload of an order event.
pub(crate) fn event_data(o: &orders::Model, ls: &[lines::Model]) -> serde_json::Value {
    serde_json::json!({
        "order": {
            "id": o.id,
            "number": o.number,
            "state": o.state,
            "version": o.version,
            "store": o.counterpart_name,
            "customer": { "name": o.customer_name, "email": o.customer_email },
            "ship_to": {
                "country": o.ship_country,
                "subdivision": o.ship_region,
                "postal_code": o.ship_postal,
                "address": o.address,
            },
            "currency": o.currency,
            "subtotal_minor": o.subtotal_minor,
            "delivery_minor": o.delivery_minor,
            "total_minor": o.total_minor,
            "reason": o.reason,
            "carrier": o.carrier,
            "tracking": o.tracking,
            "acknowledge_by": o.ack_by.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "lines": ls.iter().map(|l| serde_json::json!({
                "sku": l.sku,
                "partner_sku": l.partner_sku,
                "name": l.name,
                "quantity": l.quantity,
                "unit_minor": l.unit_minor,
                "total_minor": l.total_minor,
            })).collect::<Vec<_>>(),
            "created_at": o.created_at,
            "updated_at": o.updated_at,
        }
    })
}

/// Applies `action` to order `id` of the partner `db` (its console or its system, `actor`),
/// if `expected_version` (when given) is still current: the partner's row, the store's row
/// and a history entry in each, and the `order.<state>` event, in one transaction. An action
/// the order's state does not allow is refused with the state it is in.
pub async fn transition(
    db: &TenantDb,
    id: Uuid,
    action: &Action,
    expected_version: Option<i64>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Order> {
    let action = match action {
        Action::Reject { reason } => Action::Reject {
            reason: clean("reason", reason, 500)?,
        },
        Action::Cancel { reason } => Action::Cancel {
            reason: clean("reason", reason, 500)?,
        },
        Action::Ship { carrier, tracking } => Action::Ship {
            carrier: clean("carrier", carrier, 100)?,
            tracking: clean("tracking", tracking, 100)?,
        },
        other => other.clone(),
    };
    let tx = db.begin_write().await?;
    let m = read(&tx, PARTNER, id)
        .await?
        .ok_or(Error::NotFound("order"))?;
    if let Some(v) = expected_version
        && v != m.version
    {
        return Err(Error::Stale { current: m.version });
    }
    let state = State::parse(&m.state).unwrap_or(State::Transferred);
    if !action.from_states().contains(&state) {
        return Err(Error::Conflict(format!(
            "order {} is {}: it cannot be {}",
            m.number,
            state.as_str(),
            action.target().as_str()
        )));
    }
    let store = TenantId::from(m.counterpart_id);
    apply(tx, m, &action, actor, now, store)
        .await?
        .commit()
        .await?;
    for_partner(db, id).await
}

/// Writes `action` to both rows of order `m` (read in `tx`, bound to the partner) and emits
/// its event. Returns the transaction, bound to the store now, for the caller to commit.
pub(crate) async fn apply(
    tx: TenantTx,
    m: orders::Model,
    action: &Action,
    actor: Actor,
    now: DateTime<Utc>,
    store: TenantId,
) -> Result<TenantTx> {
    let target = action.target();
    let (reason, carrier, tracking) = match action {
        Action::Reject { reason } | Action::Cancel { reason } => (Some(reason.clone()), None, None),
        Action::Ship { carrier, tracking } => (None, Some(carrier.clone()), Some(tracking.clone())),
        _ => (None, None, None),
    };
    let note_text = match action {
        Action::Ship { carrier, tracking } => Some(format!("{carrier} {tracking}")),
        _ => reason.clone(),
    };
    // The partner's row (checked against the version read), then the store's.
    let mut upd = tx
        .update_many::<orders::Entity>()
        .filter(orders::Column::Id.eq(m.id))
        .filter(orders::Column::Side.eq(PARTNER))
        .filter(orders::Column::Version.eq(m.version));
    upd = set_change(upd, target, &reason, &carrier, &tracking, now);
    if upd.exec(tx.conn()).await?.rows_affected != 1 {
        return Err(Error::Stale {
            current: m.version + 1,
        });
    }
    tx.defer_insert(history_row(
        PARTNER,
        m.id,
        target.as_str(),
        actor,
        note_text.as_deref(),
        now,
    ));
    let fresh = read(&tx, PARTNER, m.id)
        .await?
        .ok_or(Error::NotFound("order"))?;
    let ls = tx
        .find::<lines::Entity>()
        .filter(lines::Column::Side.eq(PARTNER))
        .filter(lines::Column::OrderId.eq(m.id))
        .order_by_asc(lines::Column::LineNo)
        .all(tx.conn())
        .await?;
    let event = match target {
        State::Acknowledged => "order.acknowledged",
        State::Accepted => "order.accepted",
        State::Rejected => "order.rejected",
        State::Shipped => "order.shipped",
        State::Delivered => "order.delivered",
        State::Cancelled => "order.cancelled",
        State::Transferred => "order.created",
    };
    crate::webhooks::emit(&tx, event, &event_data(&fresh, &ls), now, None).await?;
    let stx = tx.rebind(store).await?;
    let mut upd = stx
        .update_many::<orders::Entity>()
        .filter(orders::Column::Id.eq(m.id))
        .filter(orders::Column::Side.eq(STORE));
    upd = set_change(upd, target, &reason, &carrier, &tracking, now);
    upd.exec(stx.conn()).await?;
    stx.defer_insert(history_row(
        STORE,
        m.id,
        target.as_str(),
        actor,
        note_text.as_deref(),
        now,
    ));
    // The customer hears of every step, in the same transaction.
    if let Some(s) = read(&stx, STORE, m.id).await? {
        let currency = Currency::parse(&s.currency).ok_or(Error::NotFound("currency"))?;
        let mail = mails::for_state(
            target,
            &mails::Facts {
                order: s.id,
                number: &s.number,
                store: &fresh.counterpart_name,
                partner: &s.counterpart_name,
                customer_name: &s.customer_name,
                customer_email: &s.customer_email,
                lines: ls
                    .iter()
                    .map(|l| {
                        (
                            l.name.as_str(),
                            u32::try_from(l.quantity).unwrap_or(0),
                            Money::new(l.total_minor, currency),
                        )
                    })
                    .collect(),
                delivery: Money::new(s.delivery_minor, currency),
                total: Money::new(s.total_minor, currency),
                address: &s.address,
                reason: s.reason.as_deref(),
                carrier: s.carrier.as_deref(),
                tracking: s.tracking.as_deref(),
            },
        );
        crate::mail::queue(&stx, mail, now);
    }
    Ok(stx)
}

fn set_change(
    upd: sea_orm::UpdateMany<orders::Entity>,
    target: State,
    reason: &Option<String>,
    carrier: &Option<String>,
    tracking: &Option<String>,
    now: DateTime<Utc>,
) -> sea_orm::UpdateMany<orders::Entity> {
    let mut upd = upd
        .col_expr(orders::Column::State, Expr::value(target.as_str()))
        .col_expr(
            orders::Column::Version,
            Expr::col(orders::Column::Version).add(1),
        )
        .col_expr(orders::Column::UpdatedAt, Expr::value(now));
    if reason.is_some() {
        upd = upd.col_expr(orders::Column::Reason, Expr::value(reason.clone()));
    }
    if carrier.is_some() {
        upd = upd
            .col_expr(orders::Column::Carrier, Expr::value(carrier.clone()))
            .col_expr(orders::Column::Tracking, Expr::value(tracking.clone()));
    }
    upd
}
