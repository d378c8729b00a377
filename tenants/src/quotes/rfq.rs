//! Writing an RFQ (a draft, edited as often as needed), sending it to distributors with its
//! closing rules, and closing it (by hand, at the deadline, or by a rule when an answer
//! arrives).
//!
//! Sending writes the RFQ into every distributor's own rows in one transaction with the
//! buyer's, answers at once for each distributor whose auto-quote rules and price list allow
//! it, queues the `rfq.created` event for its system, a notice and an e-mail for its people,
//! and records the activity in the hub's own rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, EntityTrait as _, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{activity, quote_lines, quotes, rfq_lines, rfqs, versions};
use super::notices::{self, News};
use super::{BUYER, BY_SELLER, LineKind, MAX_LINES, MAX_SELLERS, RfqState, SELLER};
use crate::catalog::money::{Currency, Money};
use crate::catalog::snapshot::Storefront;
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::partners::entity::prices;
use crate::partners::territories::ShipTo;
use crate::registry::{self, Tenant, TenantKind, TenantStatus};

/// The latest deadline a buyer may set, from the moment it sends.
pub const MAX_DEADLINE: Duration = Duration::days(90);
/// The largest quantity a line may ask for.
pub const MAX_QUANTITY: u32 = 1_000_000;

/// One line as the console's form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineInput {
    /// `product`, `category` or `text`
    pub kind: String,
    pub sku: String,
    /// A category's slug in the store.
    pub category: String,
    /// The words of a text line (a product's or category's line takes the catalog's name).
    pub description: String,
    pub quantity: u32,
    /// A decimal amount per unit in the RFQ's currency ("" for none).
    pub target: String,
}

/// A draft as the console's form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftInput {
    pub title: String,
    /// `YYYY-MM-DD`, or "".
    pub needed_by: String,
    pub country: String,
    pub subdivision: String,
    pub postal_code: String,
    pub address: String,
    pub notes: String,
    pub lines: Vec<LineInput>,
}

struct CheckedLine {
    kind: LineKind,
    sku: Option<String>,
    category: Option<String>,
    description: String,
    quantity: u32,
    target: Option<Money>,
}

/// The store's currency: its products' (the hub's list prices).
fn currency_of(store: &Storefront) -> Currency {
    store
        .master
        .items
        .first()
        .map(|i| i.price.currency)
        .or_else(|| Currency::parse("EUR"))
        .expect("EUR is an ISO 4217 currency")
}

fn line_error(i: usize, field: &'static str, msg: &str) -> Error {
    Error::validation(field, format!("line {}: {msg}", i + 1))
}

fn check_lines(
    store: &Storefront,
    lines: &[LineInput],
    currency: Currency,
) -> Result<Vec<CheckedLine>> {
    if lines.is_empty() {
        return Err(Error::validation("lines", "add at least one line"));
    }
    if lines.len() > MAX_LINES {
        return Err(Error::validation(
            "lines",
            format!("at most {MAX_LINES} lines per request"),
        ));
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let kind = LineKind::parse(&l.kind).ok_or_else(|| {
            line_error(i, "kind", "choose a product, a category or a description")
        })?;
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(line_error(
                i,
                "quantity",
                &format!("the quantity must be 1 to {MAX_QUANTITY}"),
            ));
        }
        let target = super::parse_price("target", &l.target, currency).map_err(|e| match e {
            Error::Validation { message, .. } => line_error(i, "target", &message),
            other => other,
        })?;
        let (sku, category, description) = match kind {
            LineKind::Product => {
                let sku = l.sku.trim().to_ascii_uppercase();
                let p = store.detail(&sku).ok_or_else(|| {
                    line_error(i, "sku", &format!("{sku} is not in this store's catalog"))
                })?;
                if p.product.price.currency != currency {
                    return Err(line_error(i, "sku", "is priced in another currency"));
                }
                (Some(sku), None, p.product.name)
            }
            LineKind::Category => {
                let c = store
                    .category(l.category.trim())
                    .ok_or_else(|| line_error(i, "category", "choose a category of this store"))?;
                let words = l.description.trim();
                let description = if words.is_empty() {
                    format!("Any product of {}", c.category.name)
                } else {
                    crate::orders::clean("description", words, 1000).map_err(|_| {
                        line_error(
                            i,
                            "description",
                            "at most 1000 characters, no control characters",
                        )
                    })?
                };
                (None, Some(c.category.name.clone()), description)
            }
            LineKind::Text => {
                let d =
                    crate::orders::clean("description", &l.description, 1000).map_err(|_| {
                        line_error(
                            i,
                            "description",
                            "describe what you need (1 to 1000 characters)",
                        )
                    })?;
                (None, None, d)
            }
        };
        out.push(CheckedLine {
            kind,
            sku,
            category,
            description,
            quantity: l.quantity,
            target,
        });
    }
    Ok(out)
}

/// Reads pasted lines, one per row: a SKU and a quantity, separated by a tab, a comma, a
/// semicolon or spaces (`ACME-DRILL-18V 20`). Every SKU must be in the store's catalog; every
/// bad row is named.
pub fn parse_paste(store: &Storefront, text: &str) -> Result<Vec<LineInput>> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, row) in text.lines().enumerate() {
        let row = row.trim();
        if row.is_empty() {
            continue;
        }
        let parts: Vec<&str> = row
            .split(|c: char| c == '\t' || c == ',' || c == ';' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .collect();
        let (sku, qty) = match parts.as_slice() {
            [sku] => (*sku, "1"),
            [sku, qty] => (*sku, *qty),
            _ => {
                bad.push(format!("row {}: expected a SKU and a quantity", i + 1));
                continue;
            }
        };
        let Ok(quantity) = qty.parse::<u32>() else {
            bad.push(format!("row {}: {qty} is not a whole number", i + 1));
            continue;
        };
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            bad.push(format!(
                "row {}: the quantity must be 1 to {MAX_QUANTITY}",
                i + 1
            ));
            continue;
        }
        let sku = sku.to_ascii_uppercase();
        if store.detail(&sku).is_none() {
            bad.push(format!(
                "row {}: {sku} is not in this store's catalog",
                i + 1
            ));
            continue;
        }
        out.push(LineInput {
            kind: "product".into(),
            sku,
            quantity,
            ..LineInput::default()
        });
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(10).cloned().collect();
        let more = bad.len().saturating_sub(10);
        return Err(Error::validation(
            "paste",
            format!(
                "{}{}",
                shown.join("; "),
                if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                }
            ),
        ));
    }
    if out.is_empty() {
        return Err(Error::validation(
            "paste",
            "paste one SKU and quantity per row",
        ));
    }
    if out.len() > MAX_LINES {
        return Err(Error::validation(
            "paste",
            format!("at most {MAX_LINES} lines per request"),
        ));
    }
    Ok(out)
}

fn parse_day(raw: &str, today: NaiveDate) -> Result<Option<NaiveDate>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Error::validation("needed_by", "a date as YYYY-MM-DD"))?;
    if d < today {
        return Err(Error::validation("needed_by", "is in the past"));
    }
    Ok(Some(d))
}

fn reseller(db: &TenantDb) -> Result<()> {
    if db.tenant().kind() == TenantKind::Reseller {
        Ok(())
    } else {
        Err(Error::NotFound("quote request"))
    }
}

/// Creates a draft (`id` = `None`) or replaces one still in draft, if `expected_version` (what
/// the caller read) is still current. `by` is who writes it: the distributors' answers and
/// the purchase order go to them.
pub async fn save_draft(
    db: &TenantDb,
    store: &Storefront,
    id: Option<Uuid>,
    input: &DraftInput,
    expected_version: Option<i64>,
    by: &super::Person,
    now: DateTime<Utc>,
) -> Result<super::Rfq> {
    reseller(db)?;
    let title = crate::orders::clean("title", &input.title, 200)?;
    let needed_by = parse_day(&input.needed_by, now.date_naive())?;
    let to = crate::orders::transfer::parse_ship_to(
        &input.country,
        &input.subdivision,
        &input.postal_code,
    )?;
    let address = crate::orders::clean("address", &input.address, 1000)?;
    let notes = super::optional_text("notes", &input.notes, 4000)?.unwrap_or_default();
    let currency = currency_of(store);
    let lines = check_lines(store, &input.lines, currency)?;
    let tx = db.begin_write().await?;
    let id = match id {
        Some(id) => {
            let m = super::lock_rfq(&tx, id).await?;
            if m.state != RfqState::Draft.as_str() {
                return Err(Error::Conflict(format!(
                    "{} was sent already; a sent request cannot be edited",
                    m.number
                )));
            }
            if let Some(v) = expected_version
                && v != m.version
            {
                return Err(Error::Stale { current: m.version });
            }
            tx.update_many::<rfqs::Entity>()
                .filter(rfqs::Column::Side.eq(BUYER))
                .filter(rfqs::Column::Id.eq(id))
                .col_expr(rfqs::Column::Title, Expr::value(title))
                .col_expr(rfqs::Column::NeededBy, Expr::value(needed_by))
                .col_expr(rfqs::Column::ShipCountry, Expr::value(to.country.clone()))
                .col_expr(
                    rfqs::Column::ShipRegion,
                    Expr::value(to.subdivision.clone()),
                )
                .col_expr(
                    rfqs::Column::ShipPostal,
                    Expr::value(to.postal_code.clone()),
                )
                .col_expr(rfqs::Column::Address, Expr::value(address))
                .col_expr(rfqs::Column::Notes, Expr::value(notes))
                .col_expr(rfqs::Column::Currency, Expr::value(currency.code()))
                .col_expr(rfqs::Column::ContactName, Expr::value(by.name.clone()))
                .col_expr(rfqs::Column::ContactEmail, Expr::value(by.email.clone()))
                .col_expr(
                    rfqs::Column::Version,
                    Expr::col(rfqs::Column::Version).add(1),
                )
                .col_expr(rfqs::Column::UpdatedAt, Expr::value(now))
                .exec(tx.conn())
                .await?;
            tx.delete_many::<rfq_lines::Entity>()
                .filter(rfq_lines::Column::Side.eq(BUYER))
                .filter(rfq_lines::Column::RfqId.eq(id))
                .exec(tx.conn())
                .await?;
            id
        }
        None => {
            let last: Option<Option<i64>> = tx
                .find::<rfqs::Entity>()
                .filter(rfqs::Column::Side.eq(BUYER))
                .select_only()
                .column_as(Expr::col(rfqs::Column::Seq).max(), "last")
                .into_tuple()
                .one(tx.conn())
                .await?;
            let seq = last.flatten().unwrap_or(1000) + 1;
            let id = Uuid::now_v7();
            tx.insert(rfqs::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                side: Set(BUYER.to_owned()),
                id: Set(id),
                buyer_id: Set(db.tenant_id().as_uuid()),
                buyer_name: Set(db.tenant().name().to_owned()),
                seq: Set(Some(seq)),
                number: Set(format!("RFQ-{seq}")),
                title: Set(title),
                state: Set(RfqState::Draft.as_str().to_owned()),
                version: Set(1),
                needed_by: Set(needed_by),
                ship_country: Set(to.country.clone()),
                ship_region: Set(to.subdivision.clone()),
                ship_postal: Set(to.postal_code.clone()),
                address: Set(address),
                notes: Set(notes),
                currency: Set(currency.code().to_owned()),
                deadline: Set(None),
                close_after: Set(None),
                close_on_targets: Set(false),
                closed_at: Set(None),
                closed_reason: Set(None),
                accepted_seller: Set(None),
                order_id: Set(None),
                contact_name: Set(by.name.clone()),
                contact_email: Set(by.email.clone()),
                created_at: Set(now),
                sent_at: Set(None),
                updated_at: Set(now),
            })
            .await?;
            id
        }
    };
    tx.insert_many(line_rows(BUYER, id, &lines)).await?;
    tx.commit().await?;
    Ok(super::for_buyer(db, id, now).await?.rfq)
}

fn line_rows(side: &str, id: Uuid, lines: &[CheckedLine]) -> Vec<rfq_lines::ActiveModel> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| rfq_lines::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(side.to_owned()),
            rfq_id: Set(id),
            line_no: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            kind: Set(l.kind.as_str().to_owned()),
            sku: Set(l.sku.clone()),
            category: Set(l.category.clone()),
            description: Set(l.description.clone()),
            quantity: Set(i32::try_from(l.quantity).unwrap_or(i32::MAX)),
            target_minor: Set(l.target.map(|t| t.minor)),
        })
        .collect()
}

/// Deletes a draft (a sent request cannot be deleted).
pub async fn delete_draft(db: &TenantDb, id: Uuid) -> Result<()> {
    reseller(db)?;
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, id).await?;
    if m.state != RfqState::Draft.as_str() {
        return Err(Error::Conflict(format!(
            "{} was sent already; close it instead",
            m.number
        )));
    }
    tx.delete_many::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(BUYER))
        .filter(rfqs::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// How to send: to whom, and the closing rules.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendInput {
    pub distributors: Vec<TenantId>,
    /// When answers close.
    pub deadline: Option<DateTime<Utc>>,
    /// Close once this many distributors have answered (0: no such rule).
    pub close_after: u32,
    /// Close once an answer meets every target price.
    pub close_on_targets: bool,
}

/// A distributor's answer made at send time from its price list.
pub(crate) struct AutoOffer {
    pub lines: Vec<quote_lines::ActiveModel>,
    /// (line number, unit price) per line.
    pub prices: Vec<(i32, Option<i64>)>,
    pub total: Money,
    pub valid_until: DateTime<Utc>,
    /// How many lines it priced.
    pub priced: usize,
}

/// What sending needs of one distributor, read before the write.
struct Prepared {
    tenant: Tenant,
    contact: Option<(String, String)>,
    targets: Vec<Uuid>,
    auto: Option<AutoOffer>,
}

/// The automatic answer of the distributor `tx` is bound to, if its rules are on, it ships to
/// `to`, prices at least one product line in `currency` and stays under its cap.
async fn auto_offer(
    tx: &TenantTx,
    id: Uuid,
    lines: &[rfq_lines::Model],
    to: &ShipTo,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Option<AutoOffer>> {
    let rules = super::rules::get_in(tx).await?;
    if !rules.enabled {
        return Ok(None);
    }
    let regions = crate::partners::territories::list_in(tx).await?;
    if !regions.iter().any(|r| r.covers(to)) {
        return Ok(None);
    }
    let skus: Vec<String> = lines.iter().filter_map(|l| l.sku.clone()).collect();
    if skus.is_empty() {
        return Ok(None);
    }
    let rows = tx
        .find::<prices::Entity>()
        .filter(prices::Column::Sku.is_in(skus))
        .all(tx.conn())
        .await?;
    let day = now.date_naive();
    let prices: Vec<crate::partners::price_list::Price> = rows
        .into_iter()
        .map(crate::partners::price_list::to_price)
        .filter(|p| p.valid_on(day) && p.currency == currency.code())
        .collect();
    let mut total = Money::new(0, currency);
    let mut out = Vec::new();
    let mut unit_prices = Vec::new();
    let mut priced = 0;
    for l in lines {
        let quantity = super::to_u32(i64::from(l.quantity));
        let price = l
            .sku
            .as_deref()
            .and_then(|sku| prices.iter().find(|p| p.sku == sku))
            .and_then(|p| Some((p, p.unit_price(quantity)?)));
        let row = |unit: Option<i64>, stock: Option<u32>, lead: Option<u32>, note: Option<&str>| {
            quote_lines::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                side: Set(String::new()),
                rfq_id: Set(id),
                seller_id: Set(tx.tenant_id().as_uuid()),
                no: Set(1),
                author: Set(BY_SELLER.to_owned()),
                line_no: Set(l.line_no),
                unit_minor: Set(unit),
                quantity: Set(l.quantity),
                stock: Set(stock.map(|s| i32::try_from(s).unwrap_or(i32::MAX))),
                lead_days: Set(lead.map(|d| i32::try_from(d).unwrap_or(i32::MAX))),
                substitute_sku: Set(None),
                note: Set(note.map(str::to_owned)),
            }
        };
        match price {
            Some((p, unit)) => {
                let line_total = Money::new(unit, currency)
                    .checked_mul(quantity)
                    .ok_or_else(|| {
                        Error::validation("quantity", "the line's total is too large")
                    })?;
                total = total
                    .checked_add(&line_total)
                    .ok_or_else(|| Error::validation("quantity", "the total is too large"))?;
                priced += 1;
                unit_prices.push((l.line_no, Some(unit)));
                out.push(row(Some(unit), p.stock, Some(p.lead_days), None));
            }
            None => {
                unit_prices.push((l.line_no, None));
                out.push(row(None, None, None, Some("to be answered by a person")));
            }
        }
    }
    if priced == 0
        || rules
            .cap
            .is_some_and(|c| c.currency == currency && total.minor > c.minor)
    {
        return Ok(None);
    }
    Ok(Some(AutoOffer {
        lines: out,
        prices: unit_prices,
        total,
        valid_until: now + Duration::days(i64::from(rules.validity_days)),
        priced,
    }))
}

/// Sends draft `id` to `input.distributors` (each linked to this reseller as a supplier, and
/// active) with its closing rules, if `expected_version` is still current.
pub async fn send(
    db: &TenantDb,
    id: Uuid,
    input: &SendInput,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<super::BuyerView> {
    reseller(db)?;
    let deadline = input
        .deadline
        .ok_or_else(|| Error::validation("deadline", "choose when answers close"))?;
    if deadline <= now {
        return Err(Error::validation("deadline", "must be in the future"));
    }
    if deadline > now + MAX_DEADLINE {
        return Err(Error::validation("deadline", "at most 90 days from now"));
    }
    let mut ids = input.distributors.clone();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Err(Error::validation(
            "distributors",
            "choose at least one distributor",
        ));
    }
    if ids.len() > MAX_SELLERS {
        return Err(Error::validation(
            "distributors",
            format!("at most {MAX_SELLERS} distributors per request"),
        ));
    }
    if input.close_after > u32::try_from(ids.len()).unwrap_or(u32::MAX) {
        return Err(Error::validation(
            "close_after",
            "cannot wait for more answers than distributors asked",
        ));
    }
    // What the write needs, read before it: the draft, and of each distributor the link that
    // lets this reseller ask it, its contact, its endpoints for `rfq.created`, and its
    // automatic answer.
    let (draft, lines, files) = {
        let tx = db.begin().await?;
        let m = super::read_rfq(&tx, BUYER, id)
            .await?
            .ok_or(Error::NotFound("quote request"))?;
        let ls = super::read_lines(&tx, BUYER, id).await?;
        let files = super::attachments::rows(&tx, BUYER, id).await?;
        tx.commit().await?;
        (m, ls, files)
    };
    if draft.state != RfqState::Draft.as_str() {
        return Err(Error::Conflict(format!(
            "{} was sent already",
            draft.number
        )));
    }
    let currency = Currency::parse(&draft.currency).ok_or(Error::NotFound("currency"))?;
    let to = ShipTo {
        country: draft.ship_country.clone(),
        subdivision: draft.ship_region.clone(),
        postal_code: draft.ship_postal.clone(),
    };
    let mut prepared = Vec::with_capacity(ids.len());
    for d in &ids {
        let t = registry::find_by_id(db.db(), *d)
            .await?
            .filter(|t| t.kind() == TenantKind::Distributor)
            .ok_or(Error::NotFound("distributor"))?;
        if !crate::partners::is_linked(db, crate::partners::SUPPLIER_RELATION, *d).await? {
            return Err(Error::NotFound("distributor"));
        }
        if t.status() != TenantStatus::Approved {
            return Err(Error::Conflict(format!(
                "{} is not taking requests now",
                t.name()
            )));
        }
        let ptx = TenantDb::new(db.db(), &t).begin().await?;
        let contact = crate::partners::profile::contact_in(&ptx).await?;
        let targets = crate::webhooks::targets(&ptx, "rfq.created").await?;
        let auto = auto_offer(&ptx, id, &lines, &to, currency, now).await?;
        ptx.commit().await?;
        prepared.push(Prepared {
            tenant: t,
            contact,
            targets,
            auto,
        });
    }
    let hub = registry::hub(db.db()).await?;

    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, id).await?;
    if m.state != RfqState::Draft.as_str() {
        return Err(Error::Conflict(format!("{} was sent already", m.number)));
    }
    if let Some(v) = expected_version
        && v != m.version
    {
        return Err(Error::Stale { current: m.version });
    }
    if m.updated_at != draft.updated_at {
        return Err(Error::Conflict(
            "the draft changed while it was being sent; send it again".into(),
        ));
    }
    let close_after =
        (input.close_after > 0).then(|| i32::try_from(input.close_after).unwrap_or(i32::MAX));
    tx.update_many::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(BUYER))
        .filter(rfqs::Column::Id.eq(id))
        .col_expr(rfqs::Column::State, Expr::value(RfqState::Open.as_str()))
        .col_expr(rfqs::Column::Deadline, Expr::value(Some(deadline)))
        .col_expr(rfqs::Column::CloseAfter, Expr::value(close_after))
        .col_expr(
            rfqs::Column::CloseOnTargets,
            Expr::value(input.close_on_targets),
        )
        .col_expr(rfqs::Column::SentAt, Expr::value(Some(now)))
        .col_expr(
            rfqs::Column::Version,
            Expr::col(rfqs::Column::Version).add(1),
        )
        .col_expr(rfqs::Column::UpdatedAt, Expr::value(now))
        .exec(tx.conn())
        .await?;
    let mut sent = m.clone();
    sent.state = RfqState::Open.as_str().to_owned();
    sent.deadline = Some(deadline);
    sent.close_after = close_after;
    sent.close_on_targets = input.close_on_targets;
    sent.sent_at = Some(now);
    sent.version += 1;
    sent.updated_at = now;
    let data = event_data(&sent, &lines);
    let buyer_id = db.tenant_id();
    let mut tx = tx;
    let mut answered = 0u32;
    let mut meets = false;
    for p in &prepared {
        let seller = p.tenant.id();
        // The buyer's row of this distributor's quote.
        let quote = |side: &str| quotes::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(side.to_owned()),
            rfq_id: Set(id),
            seller_id: Set(seller.as_uuid()),
            seller_name: Set(p.tenant.name().to_owned()),
            state: Set(if p.auto.is_some() {
                "offered"
            } else {
                "requested"
            }
            .to_owned()),
            offer_no: Set(i32::from(p.auto.is_some())),
            counter_no: Set(0),
            version: Set(1),
            valid_until: Set(p.auto.as_ref().map(|a| a.valid_until)),
            answered_at: Set(p.auto.as_ref().map(|_| now)),
            updated_at: Set(now),
        };
        let version = |side: &str, a: &AutoOffer| versions::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(side.to_owned()),
            rfq_id: Set(id),
            seller_id: Set(seller.as_uuid()),
            no: Set(1),
            author: Set(BY_SELLER.to_owned()),
            actor: Set("auto".to_owned()),
            currency: Set(currency.code().to_owned()),
            total_minor: Set(Some(a.total.minor)),
            valid_until: Set(Some(a.valid_until)),
            terms: Set("Prices from our price list, answered automatically.".to_owned()),
            created_at: Set(now),
        };
        let with_side = |a: &AutoOffer, side: &str| -> Vec<quote_lines::ActiveModel> {
            a.lines
                .iter()
                .cloned()
                .map(|mut l| {
                    l.side = Set(side.to_owned());
                    l
                })
                .collect()
        };
        tx.defer_insert(quote(BUYER));
        if let Some(a) = &p.auto {
            tx.defer_insert(version(BUYER, a));
            tx.defer_insert_many(with_side(a, BUYER));
            answered += 1;
            meets |= offer_meets_targets(&lines, &a.prices);
            notices::tell(
                &tx,
                News {
                    kind: "rfq.answered",
                    rfq: id,
                    text: format!(
                        "{} answered {} at once from its price list ({} of {} lines).",
                        p.tenant.name(),
                        m.number,
                        a.priced,
                        lines.len()
                    ),
                    to: None,
                    subject: String::new(),
                    body: String::new(),
                },
                now,
            );
        }
        // The distributor's own rows: the request, its lines, its quote.
        let stx = tx.rebind(seller).await?;
        let mut copy = sent.clone();
        copy.side = SELLER.to_owned();
        copy.seq = None;
        copy.tenant_id = Uuid::nil();
        stx.defer_insert(rfqs::ActiveModel::from(copy).reset_all());
        stx.defer_insert_many(
            lines
                .iter()
                .cloned()
                .map(|mut l| {
                    l.side = SELLER.to_owned();
                    rfq_lines::ActiveModel::from(l).reset_all()
                })
                .collect(),
        );
        stx.defer_insert_many(super::attachments::copies(&files));
        stx.defer_insert(quote(SELLER));
        if let Some(a) = &p.auto {
            stx.defer_insert(version(SELLER, a));
            stx.defer_insert_many(with_side(a, SELLER));
        }
        let contact = p.contact.as_ref().map(|(n, e)| (n.as_str(), e.as_str()));
        notices::tell(
            &stx,
            News {
                kind: "rfq.created",
                rfq: id,
                text: format!(
                    "{} asks for a quote: {} ({}, {} lines){}.",
                    m.buyer_name,
                    m.number,
                    m.title,
                    lines.len(),
                    if p.auto.is_some() {
                        "; your price list answered at once"
                    } else {
                        ""
                    }
                ),
                to: contact,
                subject: format!("New quote request {} from {}", m.number, m.buyer_name),
                body: format!(
                    "{} asks you for a quote.\n\nRequest: {} — {}\nLines: {}\nAnswers close: {}\n\n{}Open your console's quote requests to answer.\n",
                    m.buyer_name,
                    m.number,
                    m.title,
                    lines.len(),
                    deadline.format("%Y-%m-%d %H:%M UTC"),
                    if p.auto.is_some() {
                        "Your price list answered the lines it prices; complete or revise the answer there.\n\n"
                    } else {
                        ""
                    }
                ),
            },
            now,
        );
        crate::webhooks::defer_event(&stx, "rfq.created", &data, now, &p.targets);
        tx = stx.rebind(buyer_id).await?;
    }
    // The hub's own record: who was asked, who answered at once, what nobody could price.
    if let Some(hub) = &hub {
        let htx = tx.rebind(hub.id()).await?;
        let act = |kind: &str, d: Option<&Tenant>, secs: Option<i64>| activity::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            id: Set(Uuid::now_v7()),
            rfq_id: Set(id),
            reseller_id: Set(buyer_id.as_uuid()),
            reseller_name: Set(m.buyer_name.clone()),
            distributor_id: Set(d.map(|t| t.id().as_uuid())),
            distributor_name: Set(d.map(|t| t.name().to_owned())),
            kind: Set(kind.to_owned()),
            lines: Set(i32::try_from(lines.len()).unwrap_or(i32::MAX)),
            response_secs: Set(secs),
            at: Set(now),
        };
        for p in &prepared {
            htx.defer_insert(act("sent", Some(&p.tenant), None));
            if p.auto.is_some() {
                htx.defer_insert(act("answered", Some(&p.tenant), Some(0)));
            }
        }
        tx = htx.rebind(buyer_id).await?;
    }
    let reason = close_reason(&sent, answered, meets);
    if let Some(reason) = reason {
        tx.flush().await?;
        tx = close_in(tx, &sent, &reason, hub.as_ref().map(Tenant::id), now).await?;
    }
    tx.commit().await?;
    super::for_buyer(db, id, now).await
}

/// Whether an offer's lines meet every target price of the RFQ (and it has at least one).
/// `offer` is (line number, unit price) per line.
pub(crate) fn offer_meets_targets(
    lines: &[rfq_lines::Model],
    offer: &[(i32, Option<i64>)],
) -> bool {
    let mut any = false;
    for l in lines {
        let Some(target) = l.target_minor else {
            continue;
        };
        any = true;
        let unit = offer
            .iter()
            .find(|(n, _)| *n == l.line_no)
            .and_then(|(_, u)| *u);
        if unit.is_none_or(|u| u > target) {
            return false;
        }
    }
    any
}

/// Which closing rule an RFQ now meets, if any: `answered` distributors have answered, and
/// the latest answer `meets` every target.
pub(crate) fn close_reason(m: &rfqs::Model, answered: u32, meets: bool) -> Option<String> {
    if let Some(n) = m.close_after
        && i64::from(answered) >= i64::from(n)
    {
        return Some(format!("{answered} distributor(s) answered"));
    }
    if m.close_on_targets && meets {
        return Some("an answer met every target price".into());
    }
    None
}

/// The `data` of `rfq.*` events: the request as the distributor sees it.
pub(crate) fn event_data(m: &rfqs::Model, lines: &[rfq_lines::Model]) -> serde_json::Value {
    serde_json::json!({
        "rfq": {
            "id": m.id,
            "number": m.number,
            "title": m.title,
            "state": m.state,
            "buyer": { "id": m.buyer_id, "name": m.buyer_name },
            "needed_by": m.needed_by,
            "ship_to": {
                "country": m.ship_country,
                "subdivision": m.ship_region,
                "postal_code": m.ship_postal,
            },
            "currency": m.currency,
            "deadline": m.deadline,
            "notes": m.notes,
            "lines": lines.iter().map(|l| serde_json::json!({
                "line_no": l.line_no,
                "kind": l.kind,
                "sku": l.sku,
                "category": l.category,
                "description": l.description,
                "quantity": l.quantity,
                "target_minor": l.target_minor,
            })).collect::<Vec<_>>(),
        }
    })
}

/// Closes the RFQ `m` (its buyer's row, read under the lock in `tx`, which is bound to the
/// buyer): the buyer's row and every asked distributor's, a notice to each, `rfq.closed` to
/// their systems. Returns `tx` bound to the buyer again.
pub(crate) async fn close_in(
    tx: TenantTx,
    m: &rfqs::Model,
    reason: &str,
    hub: Option<TenantId>,
    now: DateTime<Utc>,
) -> Result<TenantTx> {
    let buyer = TenantId::from(m.buyer_id);
    let set = |side: &str| {
        rfqs::Entity::update_many()
            .filter(rfqs::Column::Side.eq(side))
            .filter(rfqs::Column::Id.eq(m.id))
            .filter(rfqs::Column::State.eq(RfqState::Open.as_str()))
            .col_expr(rfqs::Column::State, Expr::value(RfqState::Closed.as_str()))
            .col_expr(rfqs::Column::ClosedAt, Expr::value(Some(now)))
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
    tx.defer_update(set(BUYER));
    let sellers = tx
        .find::<quotes::Entity>()
        .filter(quotes::Column::Side.eq(BUYER))
        .filter(quotes::Column::RfqId.eq(m.id))
        .all(tx.conn())
        .await?;
    let answered = sellers.iter().filter(|q| q.offer_no > 0).count();
    // The lines no standing offer prices, for the hub's record (a count, no text).
    let lines = super::read_lines(&tx, BUYER, m.id).await?;
    let offered = tx
        .find::<quote_lines::Entity>()
        .filter(quote_lines::Column::Side.eq(BUYER))
        .filter(quote_lines::Column::RfqId.eq(m.id))
        .filter(quote_lines::Column::Author.eq(BY_SELLER))
        .filter(quote_lines::Column::UnitMinor.is_not_null())
        .all(tx.conn())
        .await?;
    let unpriced = lines
        .iter()
        .filter(|l| {
            !offered.iter().any(|o| {
                o.line_no == l.line_no
                    && sellers.iter().any(|q| {
                        q.seller_id == o.seller_id
                            && q.offer_no == o.no
                            && q.state != super::QuoteState::Withdrawn.as_str()
                    })
            })
        })
        .count();
    notices::tell(
        &tx,
        News {
            kind: "rfq.closed",
            rfq: m.id,
            text: format!(
                "{} closed ({reason}): {answered} of {} distributors answered. Compare the answers and accept one.",
                m.number,
                sellers.len()
            ),
            to: Some((&m.contact_name, &m.contact_email)),
            subject: format!("{} closed: {answered} answer(s) to compare", m.number),
            body: format!(
                "Your quote request {} — {} closed ({reason}).\n\n{answered} of {} distributors answered. Open it in your console to compare the answers and accept one.\n",
                m.number,
                m.title,
                sellers.len()
            ),
        },
        now,
    );
    let mut data = event_data(m, &[]);
    data["rfq"]["state"] = serde_json::json!("closed");
    data["rfq"]["closed_reason"] = serde_json::json!(reason);
    let mut tx = tx;
    for q in &sellers {
        let stx = tx.rebind(TenantId::from(q.seller_id)).await?;
        stx.defer_update(set(SELLER));
        notices::tell(
            &stx,
            News {
                kind: "rfq.closed",
                rfq: m.id,
                text: format!(
                    "{} from {} closed ({reason}); answers can no longer change.",
                    m.number, m.buyer_name
                ),
                to: None,
                subject: String::new(),
                body: String::new(),
            },
            now,
        );
        crate::webhooks::emit(&stx, "rfq.closed", &data, now, None).await?;
        tx = stx.rebind(buyer).await?;
    }
    if let Some(hub) = hub
        && unpriced > 0
    {
        let htx = tx.rebind(hub).await?;
        htx.defer_insert(activity::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            id: Set(Uuid::now_v7()),
            rfq_id: Set(m.id),
            reseller_id: Set(m.buyer_id),
            reseller_name: Set(m.buyer_name.clone()),
            distributor_id: Set(None),
            distributor_name: Set(None),
            kind: Set("unpriced".into()),
            lines: Set(i32::try_from(unpriced).unwrap_or(i32::MAX)),
            response_secs: Set(None),
            at: Set(now),
        });
        tx = htx.rebind(buyer).await?;
    }
    Ok(tx)
}

/// The buyer closes RFQ `id` by hand: no more answers; it may still accept a current offer.
pub async fn close(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<super::BuyerView> {
    reseller(db)?;
    let hub = registry::hub(db.db()).await?.map(|h| h.id());
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, id).await?;
    match super::state_at(&m, now) {
        RfqState::Open => {}
        RfqState::Draft => {
            return Err(Error::Conflict(format!(
                "{} is a draft; delete it instead",
                m.number
            )));
        }
        s => {
            return Err(Error::Conflict(format!(
                "{} is {} already",
                m.number,
                s.as_str()
            )));
        }
    }
    let tx = close_in(tx, &m, "closed by hand", hub, now).await?;
    tx.commit().await?;
    super::for_buyer(db, id, now).await
}

/// Closes this reseller's open RFQs whose deadline has passed (the workers' sweep; reads
/// already show them closed). Returns how many it closed.
pub async fn close_due(db: &TenantDb, now: DateTime<Utc>) -> Result<usize> {
    if db.tenant().kind() != TenantKind::Reseller {
        return Ok(0);
    }
    let due: Vec<Uuid> = {
        let tx = db.begin().await?;
        let ids = tx
            .find::<rfqs::Entity>()
            .filter(rfqs::Column::Side.eq(BUYER))
            .filter(rfqs::Column::State.eq(RfqState::Open.as_str()))
            .filter(rfqs::Column::Deadline.lte(now))
            .select_only()
            .column(rfqs::Column::Id)
            .into_tuple()
            .all(tx.conn())
            .await?;
        tx.commit().await?;
        ids
    };
    let hub = registry::hub(db.db()).await?.map(|h| h.id());
    let mut n = 0;
    for id in due {
        let tx = db.begin_write().await?;
        let m = super::lock_rfq(&tx, id).await?;
        if m.state != RfqState::Open.as_str() || m.deadline.is_none_or(|d| d > now) {
            continue;
        }
        let tx = close_in(tx, &m, "the deadline passed", hub, now).await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}
