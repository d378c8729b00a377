//! `/orders`: the orders customers transferred to you, and one route per step of their state
//! machine (acknowledge, accept, reject, ship, deliver, cancel). Every step takes `If-Match`
//! with the order's ETag; an illegal step answers 409 with the state the order is in.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tenants::orders::{self, Action, Actor, ListQuery, Order, State as OrderState};
use tenants::partners::api_keys::Scope;
use utoipa::{IntoParams, ToSchema};

use super::problem::{Kind, Problem, ProblemDetails};
use super::{Body, Paging, Partner, bad, if_match, paging, rfc3339, versioned};
use crate::http::ServerState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrderLineDoc {
    /// The hub's SKU.
    pub sku: String,
    /// Your own SKU code, when you mapped one.
    pub partner_sku: Option<String>,
    pub name: String,
    pub quantity: u32,
    pub unit_minor: i64,
    pub total_minor: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct HistoryDoc {
    pub at: String,
    pub state: String,
    /// `customer`, `partner`, `partner system` or `hub`.
    pub actor: String,
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrderDoc {
    pub id: String,
    /// Your order number, e.g. `NORTH-1001`.
    pub number: String,
    /// `transferred`, `acknowledged`, `accepted`, `shipped`, `delivered`, `rejected` or `cancelled`.
    pub state: String,
    /// Also the ETag (`"v{version}"`).
    pub version: i64,
    /// The store the customer shopped at.
    pub store: String,
    pub customer_name: String,
    pub customer_email: String,
    /// ISO 3166-1, e.g. `DE`.
    pub ship_country: String,
    pub ship_subdivision: Option<String>,
    pub ship_postal_code: Option<String>,
    pub address: String,
    /// ISO 4217, e.g. `EUR`; every amount is in its minor units.
    pub currency: String,
    pub subtotal_minor: i64,
    pub delivery_minor: i64,
    pub total_minor: i64,
    pub lead_days: u32,
    pub reason: Option<String>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    /// The campaign or referrer the customer's visit carried.
    pub referrer: Option<String>,
    /// Acknowledge it before this time, or the customer may send it to another partner.
    pub acknowledge_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<OrderLineDoc>,
    pub history: Vec<HistoryDoc>,
    /// The steps open from its state.
    pub next_steps: Vec<String>,
}

impl From<Order> for OrderDoc {
    fn from(o: Order) -> Self {
        Self {
            id: o.id.to_string(),
            next_steps: Action::open_from(o.state)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            number: o.number,
            state: o.state.as_str().to_owned(),
            version: o.version,
            store: o.store.1,
            customer_name: o.customer_name,
            customer_email: o.customer_email,
            ship_country: o.ship_to.country,
            ship_subdivision: o.ship_to.subdivision,
            ship_postal_code: o.ship_to.postal_code,
            address: o.address,
            currency: o.total.currency.code().to_owned(),
            subtotal_minor: o.subtotal.minor,
            delivery_minor: o.delivery.minor,
            total_minor: o.total.minor,
            lead_days: o.lead_days,
            reason: o.reason,
            carrier: o.carrier,
            tracking: o.tracking,
            referrer: o.referrer,
            acknowledge_by: rfc3339(o.ack_by),
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
            lines: o
                .lines
                .into_iter()
                .map(|l| OrderLineDoc {
                    sku: l.sku,
                    partner_sku: l.partner_sku,
                    name: l.name,
                    quantity: l.quantity,
                    unit_minor: l.unit.minor,
                    total_minor: l.total.minor,
                })
                .collect(),
            history: o
                .history
                .into_iter()
                .map(|h| HistoryDoc {
                    at: rfc3339(h.at),
                    state: h.state,
                    actor: h.actor.as_str().to_owned(),
                    note: h.note,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrderSummaryDoc {
    pub id: String,
    pub number: String,
    pub state: String,
    pub version: i64,
    pub store: String,
    pub customer_name: String,
    pub currency: String,
    pub total_minor: i64,
    /// Items over all lines.
    pub items: u32,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderSummaryDoc>,
    /// Pass as `cursor` for the next (older) page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Only orders in this state.
    pub state: Option<String>,
    /// Only orders changed at or after this time (RFC 3339), e.g. what changed since your last poll.
    pub since: Option<String>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 200; 50 if absent.
    pub limit: Option<u64>,
}

fn order_id(id: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| Problem::new(Kind::NotFound, "no such order".to_owned()))
}

/// Your orders, newest first.
#[utoipa::path(get, path = "/orders", tag = "orders", params(OrderListQuery),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage),
        (status = 400, description = "A bad cursor, limit, state or time", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks orders:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_orders(
    partner: Partner,
    query: Result<Query<OrderListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::OrdersRead)?;
    let Query(q) = query.map_err(|e| Problem::new(Kind::MalformedRequest, e.body_text()))?;
    let Paging {
        limit,
        since,
        cursor,
    } = paging(
        q.limit,
        orders::MAX_PAGE,
        q.since.as_deref(),
        q.cursor.as_deref(),
    )?;
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(OrderState::parse(s).ok_or_else(|| {
            bad("state", "one of transferred, acknowledged, accepted, shipped, delivered, rejected, cancelled")
        })?),
    };
    let rows = orders::inbox(
        db,
        &ListQuery {
            state,
            since,
            cursor,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as u64 > limit;
    let items: Vec<OrderSummaryDoc> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|s| OrderSummaryDoc {
            id: s.id.to_string(),
            number: s.number,
            state: s.state.as_str().to_owned(),
            version: s.version,
            store: s.counterpart,
            customer_name: s.customer_name,
            currency: s.total.currency.code().to_owned(),
            total_minor: s.total.minor,
            items: s.lines,
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|i| i.id.clone())
    } else {
        None
    };
    Ok(axum::Json(OrderPage { items, next_cursor }).into_response())
}

/// One order.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = OrderDoc, headers(("ETag" = String, description = "Send it back in If-Match with the next step"))),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks orders:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such order of yours", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_order(partner: Partner, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = partner.read(Scope::OrdersRead)?;
    let o = orders::for_partner(db, order_id(&id)?).await?;
    Ok(versioned(o.version, OrderDoc::from(o)))
}

/// Why an order is rejected or cancelled.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Shown to the customer (up to 500 characters).
    pub reason: String,
}

/// The parcel.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    /// e.g. `DHL`
    pub carrier: String,
    pub tracking: String,
}

async fn step(
    state: &ServerState,
    partner: &Partner,
    headers: &HeaderMap,
    id: &str,
    action: Action,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::OrdersWrite)?;
    let expected = if_match(headers)?;
    let o = orders::transition(
        db,
        order_id(id)?,
        &action,
        expected,
        Actor::PartnerSystem,
        state.clock.now(),
    )
    .await?;
    Ok(versioned(o.version, OrderDoc::from(o)))
}

macro_rules! step_route {
    ($name:ident, $path:literal, $doc:literal, $action:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "orders",
            params(
                ("id" = String, Path, description = "The order's id"),
                ("If-Match" = Option<String>, Header, description = "The ETag you read, e.g. \"v3\""),
            ),
            responses(
                (status = 200, description = "The order after the step", body = OrderDoc),
                (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
                (status = 403, description = "The key lacks orders:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
                (status = 404, description = "No such order of yours", body = ProblemDetails, content_type = "application/problem+json"),
                (status = 409, description = "The order's state does not allow this step (the message names it)", body = ProblemDetails, content_type = "application/problem+json"),
                (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
            ))]
        pub async fn $name(
            State(state): State<ServerState>,
            partner: Partner,
            headers: HeaderMap,
            Path(id): Path<String>,
        ) -> Result<Response, Problem> {
            step(&state, &partner, &headers, &id, $action).await
        }
    };
}

step_route!(
    acknowledge_order,
    "/orders/{id}/acknowledge",
    "Acknowledge an order: you have it (within your acknowledgement window, 4 hours unless your profile sets another; `acknowledge_by` says until when).",
    Action::Acknowledge
);
step_route!(
    accept_order,
    "/orders/{id}/accept",
    "Accept an order: you will fulfil it at the price it carries.",
    Action::Accept
);
step_route!(
    deliver_order,
    "/orders/{id}/deliver",
    "Mark a shipped order delivered.",
    Action::Deliver
);

/// Reject an order you cannot fulfil; the customer is asked to pick another partner.
#[utoipa::path(post, path = "/orders/{id}/reject", tag = "orders", request_body = Reason,
    params(
        ("id" = String, Path, description = "The order's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read, e.g. \"v3\""),
    ),
    responses(
        (status = 200, description = "The order after the step", body = OrderDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks orders:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such order of yours", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The order's state does not allow this step", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn reject_order(
    State(state): State<ServerState>,
    partner: Partner,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> Result<Response, Problem> {
    step(
        &state,
        &partner,
        &headers,
        &id,
        Action::Reject {
            reason: body.reason,
        },
    )
    .await
}

/// Cancel an order (before it ships).
#[utoipa::path(post, path = "/orders/{id}/cancel", tag = "orders", request_body = Reason,
    params(
        ("id" = String, Path, description = "The order's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read, e.g. \"v3\""),
    ),
    responses(
        (status = 200, description = "The order after the step", body = OrderDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks orders:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such order of yours", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The order's state does not allow this step", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn cancel_order(
    State(state): State<ServerState>,
    partner: Partner,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> Result<Response, Problem> {
    step(
        &state,
        &partner,
        &headers,
        &id,
        Action::Cancel {
            reason: body.reason,
        },
    )
    .await
}

/// Mark an accepted order shipped, with its carrier and tracking number.
#[utoipa::path(post, path = "/orders/{id}/ship", tag = "orders", request_body = Shipment,
    params(
        ("id" = String, Path, description = "The order's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag you read, e.g. \"v3\""),
    ),
    responses(
        (status = 200, description = "The order after the step", body = OrderDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks orders:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such order of yours", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The order's state does not allow this step", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn ship_order(
    State(state): State<ServerState>,
    partner: Partner,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(body): Body<Shipment>,
) -> Result<Response, Problem> {
    step(
        &state,
        &partner,
        &headers,
        &id,
        Action::Ship {
            carrier: body.carrier,
            tracking: body.tracking,
        },
    )
    .await
}
