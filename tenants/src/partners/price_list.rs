//! A partner's price list: per hub SKU, its price in integer minor units, minimum quantity,
//! quantity breaks, stock on hand (or made to order), lead time and validity, and the
//! partner's own code for the product (the SKU mapping).
//!
//! Writes are all or nothing: a batch is checked row by row against the hub's master catalog
//! and its price policy first, every bad row is reported (its index, SKU, field and what is
//! wrong, the allowed range for a price), and only a batch without errors is written, in one
//! transaction.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};

use super::entity::prices;
use crate::catalog::master::normalise_sku;
use crate::catalog::money::{Currency, MAX_MAJOR, Money};
use crate::catalog::snapshot::Master;
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// Rows in one write, at most.
pub const MAX_BATCH: usize = 1_000;
/// Rows in one page of a listing, at most.
pub const MAX_PAGE: u64 = 500;
/// Quantity breaks per row, at most.
const MAX_BREAKS: usize = 10;
/// The longest lead time accepted, in days.
const MAX_LEAD_DAYS: u32 = 365;
/// The largest quantity, minimum or stock accepted.
const MAX_QUANTITY: u32 = 1_000_000;

/// A lower unit price from a quantity on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    pub min_quantity: u32,
    pub price_minor: i64,
}

/// One price as written (the API's and the CSV's row).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceInput {
    /// The hub's SKU.
    pub sku: String,
    /// The partner's own code for it.
    #[serde(default)]
    pub partner_sku: Option<String>,
    /// Unit price in minor units of `currency` (cents for EUR).
    pub price_minor: i64,
    pub currency: String,
    #[serde(default = "one")]
    pub min_quantity: u32,
    #[serde(default)]
    pub breaks: Vec<Break>,
    /// Units on hand; `None`: made to order.
    #[serde(default)]
    pub stock: Option<u32>,
    #[serde(default)]
    pub lead_days: u32,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

fn one() -> u32 {
    1
}

/// One price as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub min_quantity: u32,
    pub breaks: Vec<Break>,
    pub stock: Option<u32>,
    pub lead_days: u32,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl Price {
    /// The unit price for `quantity` (the best break it reaches); `None` below the minimum.
    pub fn unit_price(&self, quantity: u32) -> Option<i64> {
        if quantity < self.min_quantity {
            return None;
        }
        Some(
            self.breaks
                .iter()
                .filter(|b| quantity >= b.min_quantity)
                .map(|b| b.price_minor)
                .fold(self.price_minor, i64::min),
        )
    }

    /// Whether the price applies on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// What is wrong with one row of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The row's position in the batch (0-based).
    pub index: usize,
    pub sku: String,
    pub field: String,
    pub message: String,
}

/// Why a write was refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Bad rows (every one of them); nothing was written.
    #[error("{} row(s) are not valid; nothing was written", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Other(#[from] Error),
}

fn partner(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Distributor | TenantKind::Reseller => Ok(()),
        TenantKind::Hub => Err(Error::NotFound("price list")),
    }
}

/// Checks one row against the master catalog and the hub's price policy.
fn check_row(
    index: usize,
    row: &PriceInput,
    master: &Master,
    errors: &mut Vec<RowError>,
) -> Option<prices::ActiveModel> {
    let before = errors.len();
    let mut bad = |field: &str, message: String| {
        errors.push(RowError {
            index,
            sku: row.sku.clone(),
            field: field.to_owned(),
            message,
        });
    };
    let sku = match normalise_sku(&row.sku) {
        Ok(s) => s,
        Err(m) => {
            bad("sku", m);
            return None;
        }
    };
    let Some(item) = master.find_sku(&sku) else {
        bad("sku", format!("{sku} is not in the hub's catalog"));
        return None;
    };
    let partner_sku = match row.partner_sku.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) if p.chars().count() > 64 => {
            bad("partner_sku", "must be at most 64 characters".into());
            None
        }
        Some(p) if p.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            bad(
                "partner_sku",
                "must not contain spaces or control characters".into(),
            );
            None
        }
        Some(p) => Some(p.to_owned()),
    };
    let list = item.price;
    match Currency::parse(&row.currency) {
        None => bad(
            "currency",
            "must be an ISO 4217 currency code such as EUR".into(),
        ),
        Some(c) if c != list.currency => bad(
            "currency",
            format!(
                "must be {}, the currency of the hub's list price for {sku}",
                list.currency.code()
            ),
        ),
        Some(_) => {}
    }
    let (lo, hi) = master.policy.price_range(list);
    let in_range = |minor: i64| (lo.minor..=hi.minor).contains(&minor);
    let range = format!(
        "the hub's policy allows {} to {} for {sku} (list price {})",
        lo.display(),
        hi.display(),
        list.display()
    );
    let max_minor = MAX_MAJOR.saturating_mul(10_i64.pow(list.currency.exponent()));
    if row.price_minor <= 0 || row.price_minor > max_minor {
        bad(
            "price_minor",
            format!("must be a positive amount in minor units; {range}"),
        );
    } else if !in_range(row.price_minor) {
        bad(
            "price_minor",
            format!(
                "{} is outside the range: {range}",
                Money::new(row.price_minor, list.currency).display()
            ),
        );
    }
    if row.min_quantity == 0 || row.min_quantity > MAX_QUANTITY {
        bad(
            "min_quantity",
            format!("must be between 1 and {MAX_QUANTITY}"),
        );
    }
    if row.breaks.len() > MAX_BREAKS {
        bad("breaks", format!("at most {MAX_BREAKS} quantity breaks"));
    }
    let mut last: Option<Break> = None;
    for (i, b) in row.breaks.iter().enumerate() {
        let field = format!("breaks[{i}]");
        if b.min_quantity <= row.min_quantity || b.min_quantity > MAX_QUANTITY {
            bad(
                &field,
                format!(
                    "min_quantity must be above the row's minimum ({}) and at most {MAX_QUANTITY}",
                    row.min_quantity
                ),
            );
        }
        if !in_range(b.price_minor) {
            bad(
                &field,
                format!(
                    "{} is outside the range: {range}",
                    Money::new(b.price_minor, list.currency).display()
                ),
            );
        }
        if let Some(prev) = last
            && (b.min_quantity <= prev.min_quantity || b.price_minor > prev.price_minor)
        {
            bad(
                &field,
                "breaks must rise in quantity and not rise in price".into(),
            );
        }
        if b.price_minor > row.price_minor {
            bad(
                &field,
                "a break's price must not be above the row's price".into(),
            );
        }
        last = Some(*b);
    }
    if row.stock.is_some_and(|s| s > MAX_QUANTITY) {
        bad(
            "stock",
            format!("must be at most {MAX_QUANTITY} (or absent: made to order)"),
        );
    }
    if row.lead_days > MAX_LEAD_DAYS {
        bad(
            "lead_days",
            format!("must be between 0 and {MAX_LEAD_DAYS}"),
        );
    }
    if let (Some(f), Some(t)) = (row.valid_from, row.valid_to)
        && t < f
    {
        bad("valid_to", "must not be before valid_from".into());
    }
    if errors.len() > before {
        return None;
    }
    let breaks = serde_json::to_string(&row.breaks).unwrap_or_else(|_| "[]".into());
    Some(prices::ActiveModel {
        tenant_id: Set(uuid::Uuid::nil()),
        sku: Set(item.sku.clone()),
        partner_sku: Set(partner_sku),
        price_minor: Set(row.price_minor),
        currency: Set(list.currency.code().to_owned()),
        min_quantity: Set(row.min_quantity as i32),
        breaks: Set(breaks),
        stock: Set(row.stock.map(|s| s as i32)),
        lead_days: Set(row.lead_days as i32),
        valid_from: Set(row.valid_from),
        valid_to: Set(row.valid_to),
        version: Set(1),
        updated_at: Set(Utc::now()),
    })
}

/// Checks a batch: every bad row, or the rows to write.
pub fn check(
    rows: &[PriceInput],
    master: &Master,
) -> std::result::Result<Vec<prices::ActiveModel>, Vec<RowError>> {
    let mut errors = Vec::new();
    if rows.is_empty() {
        errors.push(RowError {
            index: 0,
            sku: String::new(),
            field: "rows".into(),
            message: "send at least one price".into(),
        });
        return Err(errors);
    }
    if rows.len() > MAX_BATCH {
        errors.push(RowError {
            index: MAX_BATCH,
            sku: String::new(),
            field: "rows".into(),
            message: format!("at most {MAX_BATCH} prices in one request"),
        });
        return Err(errors);
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut skus = HashSet::new();
    let mut codes = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(model) = check_row(i, row, master, &mut errors) {
            let sku = match &model.sku {
                sea_orm::ActiveValue::Set(s) => s.clone(),
                _ => String::new(),
            };
            if !skus.insert(sku.clone()) {
                errors.push(RowError {
                    index: i,
                    sku: row.sku.clone(),
                    field: "sku".into(),
                    message: format!("{sku} appears twice in this request"),
                });
                continue;
            }
            if let sea_orm::ActiveValue::Set(Some(code)) = &model.partner_sku
                && !codes.insert(code.clone())
            {
                errors.push(RowError {
                    index: i,
                    sku: row.sku.clone(),
                    field: "partner_sku".into(),
                    message: format!("{code} maps two SKUs in this request"),
                });
                continue;
            }
            out.push(model);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Writes a batch (creating or replacing each SKU's price), all or nothing.
pub async fn upsert(
    db: &TenantDb,
    master: &Master,
    rows: &[PriceInput],
) -> std::result::Result<Vec<Price>, WriteError> {
    use sea_orm::sea_query::ExprTrait as _;
    partner(db)?;
    let models = check(rows, master).map_err(WriteError::Rows)?;
    let skus: Vec<String> = models
        .iter()
        .filter_map(|m| match &m.sku {
            sea_orm::ActiveValue::Set(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let tx = db.begin_write().await.map_err(Error::from)?;
    // A partner code already mapping another SKU of this partner is a conflict, named.
    let codes: Vec<String> = models
        .iter()
        .filter_map(|m| match &m.partner_sku {
            sea_orm::ActiveValue::Set(Some(c)) => Some(c.clone()),
            _ => None,
        })
        .collect();
    if !codes.is_empty() {
        let taken = tx
            .find::<prices::Entity>()
            .filter(prices::Column::PartnerSku.is_in(codes))
            .filter(prices::Column::Sku.is_not_in(skus.clone()))
            .all(tx.conn())
            .await
            .map_err(Error::from)?;
        if !taken.is_empty() {
            let errors = taken
                .into_iter()
                .map(|t| {
                    let code = t.partner_sku.unwrap_or_default();
                    let index = models
                        .iter()
                        .position(|m| matches!(&m.partner_sku, sea_orm::ActiveValue::Set(Some(c)) if *c == code))
                        .unwrap_or(0);
                    RowError {
                        index,
                        sku: skus.get(index).cloned().unwrap_or_default(),
                        field: "partner_sku".into(),
                        message: format!("{code} already maps {} in your price list", t.sku),
                    }
                })
                .collect();
            return Err(WriteError::Rows(errors));
        }
    }
    for chunk in models.chunks(200) {
        tx.upsert_many::<_, prices::Entity>(
            chunk.to_vec(),
            OnConflict::columns([prices::Column::TenantId, prices::Column::Sku])
                .update_columns([
                    prices::Column::PartnerSku,
                    prices::Column::PriceMinor,
                    prices::Column::Currency,
                    prices::Column::MinQuantity,
                    prices::Column::Breaks,
                    prices::Column::Stock,
                    prices::Column::LeadDays,
                    prices::Column::ValidFrom,
                    prices::Column::ValidTo,
                    prices::Column::UpdatedAt,
                ])
                .value(
                    prices::Column::Version,
                    sea_orm::sea_query::Expr::col((prices::Entity, prices::Column::Version)).add(1),
                )
                .to_owned(),
        )
        .await
        .map_err(|e| Error::on_unique_violation(e, "a partner SKU code maps two SKUs"))?;
    }
    let rows = tx
        .find::<prices::Entity>()
        .filter(prices::Column::Sku.is_in(skus))
        .order_by_asc(prices::Column::Sku)
        .all(tx.conn())
        .await
        .map_err(Error::from)?;
    crate::webhooks::emit(
        &tx,
        "price_list.updated",
        &changed("upsert", rows.iter().map(|r| r.sku.as_str())),
        Utc::now(),
        None,
    )
    .await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(rows.into_iter().map(to_price).collect())
}

/// The `data` of a `price_list.updated` event: how many SKUs changed and the first 100.
fn changed<'a>(action: &str, skus: impl Iterator<Item = &'a str>) -> serde_json::Value {
    let all: Vec<&str> = skus.collect();
    serde_json::json!({
        "action": action,
        "count": all.len(),
        "skus": all.iter().take(100).collect::<Vec<_>>(),
    })
}

pub(crate) fn to_price(r: prices::Model) -> Price {
    Price {
        sku: r.sku,
        partner_sku: r.partner_sku,
        price_minor: r.price_minor,
        currency: r.currency,
        min_quantity: r.min_quantity.max(0) as u32,
        breaks: serde_json::from_str(&r.breaks).unwrap_or_default(),
        stock: r.stock.map(|s| s.max(0) as u32),
        lead_days: r.lead_days.max(0) as u32,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        version: r.version,
        updated_at: r.updated_at,
    }
}

/// A page of the price list in SKU order, after the SKU `after` (the cursor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePage {
    pub items: Vec<Price>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<String>,
}

pub async fn list(db: &TenantDb, after: Option<&str>, limit: u64) -> Result<PricePage> {
    partner(db)?;
    let limit = limit.clamp(1, MAX_PAGE);
    let tx = db.begin().await?;
    let mut q = tx
        .find::<prices::Entity>()
        .order_by_asc(prices::Column::Sku);
    if let Some(after) = after {
        q = q.filter(prices::Column::Sku.gt(after));
    }
    let mut rows = q.limit(limit + 1).all(tx.conn()).await?;
    tx.commit().await?;
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.sku.clone())
    } else {
        None
    };
    Ok(PricePage {
        items: rows.into_iter().map(to_price).collect(),
        next,
    })
}

/// One SKU's price (by the hub's SKU or the partner's own code).
pub async fn get(db: &TenantDb, sku: &str) -> Result<Price> {
    partner(db)?;
    let key = sku.trim();
    let tx = db.begin().await?;
    let row = tx
        .find::<prices::Entity>()
        .filter(
            sea_orm::Condition::any()
                .add(prices::Column::Sku.eq(key.to_ascii_uppercase()))
                .add(prices::Column::PartnerSku.eq(key)),
        )
        .one(tx.conn())
        .await?;
    tx.commit().await?;
    row.map(to_price).ok_or(Error::NotFound("price"))
}

/// Removes one SKU's price; `NotFound` when the list has none.
pub async fn delete(db: &TenantDb, sku: &str) -> Result<()> {
    partner(db)?;
    let tx = db.begin_write().await?;
    let done = tx
        .delete_many::<prices::Entity>()
        .filter(prices::Column::Sku.eq(sku.trim().to_ascii_uppercase()))
        .exec(tx.conn())
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::NotFound("price"));
    }
    let sku = sku.trim().to_ascii_uppercase();
    crate::webhooks::emit(
        &tx,
        "price_list.updated",
        &changed("delete", std::iter::once(sku.as_str())),
        Utc::now(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::snapshot::master_for_tests;

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    fn row(sku: &str, minor: i64) -> PriceInput {
        PriceInput {
            sku: sku.into(),
            price_minor: minor,
            currency: "EUR".into(),
            min_quantity: 1,
            ..Default::default()
        }
    }

    #[test]
    fn a_batch_is_refused_whole_with_every_bad_row_named() {
        let master = master_for_tests(&[
            ("A-1", Money::new(10_000, eur())),
            ("B-2", Money::new(5_000, eur())),
        ]);
        assert_eq!(
            check(&[row("a-1", 9_500), row("B-2", 5_000)], &master)
                .expect("valid")
                .len(),
            2
        );
        let errors = check(
            &[
                row("A-1", 9_500),
                row("NOPE", 100),
                row("B-2", 100),
                PriceInput {
                    currency: "USD".into(),
                    ..row("A-1", 9_000)
                },
            ],
            &master,
        )
        .expect_err("refused");
        let named: Vec<(usize, &str)> =
            errors.iter().map(|e| (e.index, e.field.as_str())).collect();
        assert_eq!(
            named,
            vec![(1, "sku"), (2, "price_minor"), (3, "currency")],
            "{errors:?}"
        );
        // The policy's range (90 % to 150 % by default) is named with the SKU.
        assert!(
            errors[1].message.contains("€45.00 to €75.00 for B-2"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn breaks_rise_in_quantity_fall_in_price_and_stay_in_range() {
        let master = master_for_tests(&[("A-1", Money::new(10_000, eur()))]);
        let mut r = row("A-1", 10_000);
        r.breaks = vec![
            Break {
                min_quantity: 10,
                price_minor: 9_500,
            },
            Break {
                min_quantity: 50,
                price_minor: 9_000,
            },
        ];
        assert!(check(std::slice::from_ref(&r), &master).is_ok());
        r.breaks = vec![
            Break {
                min_quantity: 50,
                price_minor: 9_000,
            },
            Break {
                min_quantity: 10,
                price_minor: 9_500,
            },
        ];
        let e = check(std::slice::from_ref(&r), &master).expect_err("out of order");
        assert_eq!(e[0].field, "breaks[1]");
        r.breaks = vec![Break {
            min_quantity: 10,
            price_minor: 100,
        }];
        let e = check(std::slice::from_ref(&r), &master).expect_err("below the policy");
        assert_eq!(e[0].field, "breaks[0]");
    }

    #[test]
    fn the_unit_price_follows_the_breaks_and_the_minimum() {
        let p = Price {
            sku: "A-1".into(),
            partner_sku: None,
            price_minor: 1_000,
            currency: "EUR".into(),
            min_quantity: 2,
            breaks: vec![
                Break {
                    min_quantity: 10,
                    price_minor: 900,
                },
                Break {
                    min_quantity: 100,
                    price_minor: 800,
                },
            ],
            stock: None,
            lead_days: 3,
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1),
            valid_to: NaiveDate::from_ymd_opt(2026, 12, 31),
            version: 1,
            updated_at: Utc::now(),
        };
        assert_eq!(p.unit_price(1), None);
        assert_eq!(p.unit_price(2), Some(1_000));
        assert_eq!(p.unit_price(10), Some(900));
        assert_eq!(p.unit_price(500), Some(800));
        assert!(p.valid_on(NaiveDate::from_ymd_opt(2026, 6, 1).expect("day")));
        assert!(!p.valid_on(NaiveDate::from_ymd_opt(2027, 1, 1).expect("day")));
    }
}
