//! `/prices`: the partner's price list, per hub SKU, with its own SKU codes.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use tenants::partners::api_keys::Scope;
use tenants::partners::price_list::{self, Break, Price, PriceInput, WriteError};
use utoipa::{IntoParams, ToSchema};

use super::problem::{FieldError, Kind, Problem, ProblemDetails};
use super::{Body, Partner};
use crate::http::ServerState;

/// A lower unit price from a quantity on.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakDoc {
    pub min_quantity: u32,
    /// Minor units (cents for EUR).
    pub price_minor: i64,
}

/// One SKU's price in your list.
#[derive(Serialize, ToSchema)]
pub struct PriceDoc {
    /// The hub's SKU.
    pub sku: String,
    /// Your own code for it (the SKU mapping), if you gave one.
    pub partner_sku: Option<String>,
    /// Unit price in minor units of `currency`.
    pub price_minor: i64,
    /// ISO 4217 (the hub's list price currency for this SKU).
    pub currency: String,
    pub min_quantity: u32,
    pub breaks: Vec<BreakDoc>,
    /// Units on hand; null: made to order.
    pub stock: Option<u32>,
    pub lead_days: u32,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Price> for PriceDoc {
    fn from(p: Price) -> Self {
        Self {
            sku: p.sku,
            partner_sku: p.partner_sku,
            price_minor: p.price_minor,
            currency: p.currency,
            min_quantity: p.min_quantity,
            breaks: p
                .breaks
                .into_iter()
                .map(|b| BreakDoc {
                    min_quantity: b.min_quantity,
                    price_minor: b.price_minor,
                })
                .collect(),
            stock: p.stock,
            lead_days: p.lead_days,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

/// A page of your price list, in SKU order.
#[derive(Serialize, ToSchema)]
pub struct PricePageDoc {
    pub items: Vec<PriceDoc>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 500 (default 100).
    pub limit: Option<u64>,
}

/// One price to write.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceWrite {
    /// The hub's SKU.
    pub sku: String,
    /// Your own code for it.
    #[serde(default)]
    pub partner_sku: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    #[serde(default)]
    pub min_quantity: Option<u32>,
    #[serde(default)]
    pub breaks: Vec<BreakDoc>,
    /// Units on hand; omit or null: made to order.
    #[serde(default)]
    pub stock: Option<u32>,
    #[serde(default)]
    pub lead_days: Option<u32>,
    #[serde(default)]
    pub valid_from: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<chrono::NaiveDate>,
}

/// Prices to create or replace, all or nothing (1 to 1,000).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceBatch {
    pub prices: Vec<PriceWrite>,
}

/// The cursor is the last SKU of the page, in hex: opaque to the caller, safe in a URL.
fn encode_cursor(sku: &str) -> String {
    sku.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(c: &str) -> Result<String, Problem> {
    let bad = || {
        Problem::new(
            Kind::MalformedRequest,
            "cursor: use a next_cursor from a previous page",
        )
    };
    if !c.len().is_multiple_of(2) || c.len() > 256 {
        return Err(bad());
    }
    let bytes: Result<Vec<u8>, _> = (0..c.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&c[i..i + 2], 16))
        .collect();
    String::from_utf8(bytes.map_err(|_| bad())?).map_err(|_| bad())
}

/// List your price list.
#[utoipa::path(get, path = "/prices", tag = "prices", params(PageQuery),
    responses(
        (status = 200, description = "A page of prices", body = PricePageDoc),
        (status = 400, description = "A bad cursor or limit", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks prices:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_prices(
    partner: Partner,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::PricesRead)?;
    let Query(q) = query.map_err(|e| Problem::new(Kind::MalformedRequest, e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=price_list::MAX_PAGE).contains(&limit) {
        return Err(Problem::new(Kind::MalformedRequest, "limit: from 1 to 500"));
    }
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let page = price_list::list(db, after.as_deref(), limit).await?;
    Ok(axum::Json(PricePageDoc {
        items: page.items.into_iter().map(PriceDoc::from).collect(),
        next_cursor: page.next.as_deref().map(encode_cursor),
    })
    .into_response())
}

/// Create or replace prices, all or nothing: every bad row is reported (its index, SKU,
/// field and the allowed range) and nothing is written unless every row is good.
#[utoipa::path(put, path = "/prices", tag = "prices", request_body = PriceBatch,
    responses(
        (status = 200, description = "The written prices", body = PricePageDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks prices:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "A code of yours already maps another SKU", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Rows that are not acceptable (all of them, in `errors`)", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn put_prices(
    State(state): State<ServerState>,
    partner: Partner,
    Body(batch): Body<PriceBatch>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::PricesWrite)?;
    let rows: Vec<PriceInput> = batch
        .prices
        .into_iter()
        .map(|p| PriceInput {
            sku: p.sku,
            partner_sku: p.partner_sku,
            price_minor: p.price_minor,
            currency: p.currency,
            min_quantity: p.min_quantity.unwrap_or(1),
            breaks: p
                .breaks
                .into_iter()
                .map(|b| Break {
                    min_quantity: b.min_quantity,
                    price_minor: b.price_minor,
                })
                .collect(),
            stock: p.stock,
            lead_days: p.lead_days.unwrap_or(0),
            valid_from: p.valid_from,
            valid_to: p.valid_to,
        })
        .collect();
    let master = state.app.catalog.master(&state.app.db).await?;
    match price_list::upsert(db, &master, &rows).await {
        Ok(written) => Ok(axum::Json(PricePageDoc {
            items: written.into_iter().map(PriceDoc::from).collect(),
            next_cursor: None,
        })
        .into_response()),
        Err(WriteError::Rows(errors)) => Err(Problem::new(
            Kind::Validation,
            format!(
                "{} row(s) are not acceptable; nothing was written",
                errors.len()
            ),
        )
        .with_errors(errors.into_iter().map(FieldError::from).collect())),
        Err(WriteError::Other(e)) => Err(e.into()),
    }
}

/// Read one price, by the hub's SKU or your own code.
#[utoipa::path(get, path = "/prices/{sku}", tag = "prices",
    params(("sku" = String, Path, description = "The hub's SKU or your own code")),
    responses(
        (status = 200, description = "The price", body = PriceDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks prices:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "Not in your price list", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_price(partner: Partner, Path(sku): Path<String>) -> Result<Response, Problem> {
    let db = partner.read(Scope::PricesRead)?;
    let p = price_list::get(db, &sku).await?;
    Ok(super::versioned(p.version, PriceDoc::from(p)))
}

/// Remove one SKU from your price list.
#[utoipa::path(delete, path = "/prices/{sku}", tag = "prices",
    params(("sku" = String, Path, description = "The hub's SKU")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks prices:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "Not in your price list", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn delete_price(partner: Partner, Path(sku): Path<String>) -> Result<Response, Problem> {
    let db = partner.write(Scope::PricesWrite)?;
    price_list::delete(db, &sku).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
