//! `/rfqs`: the quote requests resellers sent you (`rfq.created` tells your system of each),
//! with your own quote, and the answers your system gives: an offer (or a revision), or a
//! withdrawal. Every answer takes `If-Match` with the quote's ETag; once the request is
//! closed or decided, answers are refused with 409.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tenants::partners::api_keys::Scope;
use tenants::quotes::answer::{OfferInput, OfferLineInput};
use tenants::quotes::{self, ListQuery, RfqState, SellerView};
use utoipa::{IntoParams, ToSchema};

use super::problem::{Kind, Problem, ProblemDetails};
use super::{Body, Paging, Partner, bad, if_match, paging, rfc3339, versioned};
use crate::http::ServerState;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RfqLineDoc {
    pub line_no: u32,
    /// `product` (a hub SKU), `category` (any product of a category) or `text` (described in words).
    pub kind: String,
    pub sku: Option<String>,
    pub category: Option<String>,
    pub description: String,
    pub quantity: u32,
    /// The unit price the reseller hopes for, in minor units of `currency`.
    pub target_minor: Option<i64>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct QuoteLineDoc {
    pub line_no: u32,
    /// Null: not priced in this version.
    pub unit_minor: Option<i64>,
    pub quantity: u32,
    /// Null: made to order.
    pub stock: Option<u32>,
    pub lead_days: Option<u32>,
    pub substitute_sku: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct QuoteVersionDoc {
    pub no: u32,
    /// `offer` (yours) or `counter` (the reseller's counter-offer to offer `no`).
    pub kind: String,
    /// `auto`, `partner`, `partner system` or `buyer`.
    pub by: String,
    pub total_minor: Option<i64>,
    pub valid_until: Option<String>,
    pub terms: String,
    pub created_at: String,
    pub lines: Vec<QuoteLineDoc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RfqDoc {
    pub id: String,
    pub number: String,
    pub title: String,
    /// `open`, `closed` or `accepted`.
    pub state: String,
    /// The reseller asking.
    pub buyer: String,
    pub needed_by: Option<String>,
    pub ship_country: String,
    pub ship_subdivision: Option<String>,
    pub ship_postal_code: Option<String>,
    pub address: String,
    pub notes: String,
    /// ISO 4217; every amount is in its minor units.
    pub currency: String,
    /// Answers close at this time (or earlier by the reseller's rules or hand).
    pub deadline: Option<String>,
    pub closed_reason: Option<String>,
    pub lines: Vec<RfqLineDoc>,
    /// Your quote: `requested`, `offered`, `countered`, `withdrawn`, `expired`, `accepted` or `not_selected`.
    pub quote_state: String,
    /// Your quote's version: also the ETag (`"v{version}"`) to send in `If-Match`.
    pub quote_version: i64,
    /// Your standing offer's number (0: none yet).
    pub offer_no: u32,
    pub versions: Vec<QuoteVersionDoc>,
}

impl From<SellerView> for RfqDoc {
    fn from(v: SellerView) -> Self {
        let (r, q) = (v.rfq, v.quote);
        Self {
            id: r.id.to_string(),
            number: r.number,
            title: r.title,
            state: r.state.as_str().to_owned(),
            buyer: r.buyer.1,
            needed_by: r.needed_by.map(|d| d.to_string()),
            ship_country: r.ship_to.country,
            ship_subdivision: r.ship_to.subdivision,
            ship_postal_code: r.ship_to.postal_code,
            address: r.address,
            notes: r.notes,
            currency: r.currency,
            deadline: r.rules.map(|c| rfc3339(c.deadline)),
            closed_reason: r.closed_reason,
            lines: r
                .lines
                .into_iter()
                .map(|l| RfqLineDoc {
                    line_no: l.line_no,
                    kind: l.kind.as_str().to_owned(),
                    sku: l.sku,
                    category: l.category,
                    description: l.description,
                    quantity: l.quantity,
                    target_minor: l.target.map(|t| t.minor),
                })
                .collect(),
            quote_state: q.state.as_str().to_owned(),
            quote_version: q.version,
            offer_no: q.offer_no,
            versions: q
                .versions
                .into_iter()
                .map(|v| QuoteVersionDoc {
                    no: v.no,
                    kind: match v.author {
                        quotes::Author::Seller => "offer".into(),
                        quotes::Author::Buyer => "counter".into(),
                    },
                    by: v.actor,
                    total_minor: v.total.map(|t| t.minor),
                    valid_until: v.valid_until.map(rfc3339),
                    terms: v.terms,
                    created_at: rfc3339(v.created_at),
                    lines: v
                        .lines
                        .into_iter()
                        .map(|l| QuoteLineDoc {
                            line_no: l.line_no,
                            unit_minor: l.unit.map(|u| u.minor),
                            quantity: l.quantity,
                            stock: l.stock,
                            lead_days: l.lead_days,
                            substitute_sku: l.substitute_sku,
                            note: l.note,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RfqSummaryDoc {
    pub id: String,
    pub number: String,
    pub title: String,
    pub state: String,
    pub buyer: String,
    pub lines: u32,
    pub quote_state: Option<String>,
    pub deadline: Option<String>,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RfqPage {
    pub items: Vec<RfqSummaryDoc>,
    /// Pass as `cursor` for the next (older) page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RfqListQuery {
    /// Only requests in this state: `open`, `closed` or `accepted`.
    pub state: Option<String>,
    /// Only requests changed at or after this time (RFC 3339).
    pub since: Option<String>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 200; 50 if absent.
    pub limit: Option<u64>,
}

fn rfq_id(id: &str) -> Result<uuid::Uuid, Problem> {
    uuid::Uuid::parse_str(id.trim())
        .map_err(|_| Problem::new(Kind::NotFound, "no such quote request".to_owned()))
}

/// The quote requests sent to you, newest first.
#[utoipa::path(get, path = "/rfqs", tag = "rfqs", params(RfqListQuery),
    responses(
        (status = 200, description = "A page of requests", body = RfqPage),
        (status = 400, description = "A bad cursor, limit, state or time", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks rfqs:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_rfqs(
    State(state): State<ServerState>,
    partner: Partner,
    query: Result<Query<RfqListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::RfqsRead)?;
    let Query(q) = query.map_err(|e| Problem::new(Kind::MalformedRequest, e.body_text()))?;
    let Paging {
        limit,
        since,
        cursor,
    } = paging(
        q.limit,
        quotes::MAX_PAGE,
        q.since.as_deref(),
        q.cursor.as_deref(),
    )?;
    let wanted = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(RfqState::Open),
        Some("closed") => Some(RfqState::Closed),
        Some("accepted") => Some(RfqState::Accepted),
        Some(_) => return Err(bad("state", "one of open, closed, accepted")),
    };
    let rows = quotes::inbox(
        db,
        &ListQuery {
            state: wanted,
            since,
            cursor,
            limit: limit + 1,
        },
        state.clock.now(),
    )
    .await?;
    let more = rows.len() as u64 > limit;
    let items: Vec<RfqSummaryDoc> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|s| RfqSummaryDoc {
            id: s.id.to_string(),
            number: s.number,
            title: s.title,
            state: s.state.as_str().to_owned(),
            buyer: s.buyer,
            lines: s.lines,
            quote_state: s.quote_state.map(|q| q.as_str().to_owned()),
            deadline: s.deadline.map(rfc3339),
            updated_at: rfc3339(s.updated_at),
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|i| i.id.clone())
    } else {
        None
    };
    Ok(axum::Json(RfqPage { items, next_cursor }).into_response())
}

/// One request, with your quote and every version of it.
#[utoipa::path(get, path = "/rfqs/{id}", tag = "rfqs",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request and your quote", body = RfqDoc, headers(("ETag" = String, description = "Your quote's version: send it back in If-Match with your answer"))),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks rfqs:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request sent to you", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_rfq(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::RfqsRead)?;
    let v = quotes::for_seller(db, rfq_id(&id)?, state.clock.now()).await?;
    Ok(versioned(v.quote.version, RfqDoc::from(v)))
}

/// One line of your offer.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferLineBody {
    /// The request's line you answer.
    pub line_no: u32,
    /// Your unit price in minor units of the request's currency; omit it to leave the line unpriced.
    pub unit_minor: Option<i64>,
    /// The quantity you offer; the quantity asked if omitted.
    pub quantity: Option<u32>,
    /// On hand; omit for made to order.
    pub stock: Option<u32>,
    pub lead_days: Option<u32>,
    /// A SKU you offer instead of the one asked for.
    pub substitute_sku: Option<String>,
    pub note: Option<String>,
}

/// Your offer: priced lines (at least one), how long it holds, your terms.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferBody {
    pub lines: Vec<OfferLineBody>,
    /// RFC 3339 or `YYYY-MM-DD` (through that day, UTC); 14 days if omitted; at most a year.
    pub valid_until: Option<String>,
    pub terms: Option<String>,
}

/// Answer a request, or revise your answer: a new offer that stands from now on (the
/// reseller sees every version). Refused with 409 once the request is closed or decided.
#[utoipa::path(post, path = "/rfqs/{id}/offers", tag = "rfqs", request_body = OfferBody,
    params(
        ("id" = String, Path, description = "The request's id"),
        ("If-Match" = Option<String>, Header, description = "Your quote's ETag, e.g. \"v2\""),
    ),
    responses(
        (status = 200, description = "The request with your new offer", body = RfqDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks rfqs:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request sent to you", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The request is closed or decided, or you withdrew", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A line, price or date is not right (the message names it)", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn offer_rfq(
    State(state): State<ServerState>,
    partner: Partner,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(body): Body<OfferBody>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::RfqsWrite)?;
    let expected = if_match(&headers)?;
    let input = OfferInput {
        lines: body
            .lines
            .into_iter()
            .map(|l| OfferLineInput {
                line_no: l.line_no,
                price: String::new(),
                unit_minor: l.unit_minor,
                quantity: l.quantity.unwrap_or(0),
                stock: l.stock,
                lead_days: l.lead_days,
                substitute_sku: l.substitute_sku.unwrap_or_default(),
                note: l.note.unwrap_or_default(),
            })
            .collect(),
        valid_until: body.valid_until.unwrap_or_default(),
        terms: body.terms.unwrap_or_default(),
    };
    let v = quotes::answer::offer(
        db,
        rfq_id(&id)?,
        &input,
        expected,
        tenants::orders::Actor::PartnerSystem,
        state.clock.now(),
    )
    .await?;
    Ok(versioned(v.quote.version, RfqDoc::from(v)))
}

/// Why you withdraw.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// Told to the reseller (up to 500 characters).
    pub reason: Option<String>,
}

/// Withdraw your quote (or decline to answer). The reseller can no longer accept it.
#[utoipa::path(post, path = "/rfqs/{id}/withdraw", tag = "rfqs", request_body = WithdrawBody,
    params(
        ("id" = String, Path, description = "The request's id"),
        ("If-Match" = Option<String>, Header, description = "Your quote's ETag, e.g. \"v2\""),
    ),
    responses(
        (status = 200, description = "The request with your quote withdrawn", body = RfqDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks rfqs:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such request sent to you", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already withdrawn, or the request was decided", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn withdraw_rfq(
    State(state): State<ServerState>,
    partner: Partner,
    headers: HeaderMap,
    Path(id): Path<String>,
    Body(body): Body<WithdrawBody>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::RfqsWrite)?;
    let expected = if_match(&headers)?;
    let v = quotes::answer::withdraw(
        db,
        rfq_id(&id)?,
        body.reason.as_deref().unwrap_or_default(),
        expected,
        state.clock.now(),
    )
    .await?;
    Ok(versioned(v.quote.version, RfqDoc::from(v)))
}
