//! Answers and negotiation: a distributor offers (its first answer or a revision), the buyer
//! counters an offer line by line, a distributor withdraws. Every version is kept on both
//! sides; the latest offer is the one that stands. Each change writes the buyer's rows and
//! the distributor's in one transaction, after taking the buyer's RFQ row, and only while the
//! RFQ is open (accepting is [`super::accept`]).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, EntityTrait as _, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::{activity, quote_lines, quotes, rfq_lines, rfqs, versions};
use super::notices::{self, News};
use super::{BUYER, BY_BUYER, BY_SELLER, QuoteState, RfqState, SELLER};
use crate::catalog::money::{Currency, Money};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::orders::Actor;
use crate::registry::{self, TenantKind};

/// The longest validity an offer may state.
pub const MAX_VALIDITY: Duration = Duration::days(365);
/// The validity of an offer that states none.
pub const DEFAULT_VALIDITY: Duration = Duration::days(14);
/// The longest lead time a line may state, in days.
pub const MAX_LEAD_DAYS: u32 = 3650;

/// One line of an offer as a console's form or a partner's system sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLineInput {
    pub line_no: u32,
    /// A decimal amount per unit in the RFQ's currency ("" leaves the line unpriced)…
    #[serde(default)]
    pub price: String,
    /// …or the same in minor units (wins when both are given).
    #[serde(default)]
    pub unit_minor: Option<i64>,
    /// The quantity offered (0: as asked).
    #[serde(default)]
    pub quantity: u32,
    /// On hand (`None`: made to order).
    #[serde(default)]
    pub stock: Option<u32>,
    #[serde(default)]
    pub lead_days: Option<u32>,
    #[serde(default)]
    pub substitute_sku: String,
    #[serde(default)]
    pub note: String,
}

/// An offer: its lines, how long it holds, and its terms.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferInput {
    pub lines: Vec<OfferLineInput>,
    /// `YYYY-MM-DD` (valid through that day, UTC) or an RFC 3339 time; "" for 14 days.
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    pub terms: String,
}

/// One line of a counter-offer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterLineInput {
    pub line_no: u32,
    /// The unit price the buyer asks for ("" keeps the offer's).
    pub price: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterInput {
    pub lines: Vec<CounterLineInput>,
    /// What the buyer says with it.
    #[serde(default)]
    pub message: String,
}

fn parse_valid_until(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let raw = raw.trim();
    let at = if raw.is_empty() {
        now + DEFAULT_VALIDITY
    } else if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        d.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
            .and_utc()
    } else {
        DateTime::parse_from_rfc3339(raw)
            .map_err(|_| {
                Error::validation("valid_until", "a date as YYYY-MM-DD or an RFC 3339 time")
            })?
            .with_timezone(&Utc)
    };
    if at <= now {
        return Err(Error::validation("valid_until", "must be in the future"));
    }
    if at > now + MAX_VALIDITY {
        return Err(Error::validation("valid_until", "at most a year from now"));
    }
    Ok(at)
}

fn substitute(raw: &str, i: usize) -> Result<Option<String>> {
    let s = raw.trim().to_ascii_uppercase();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 64
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    {
        return Err(Error::validation(
            "substitute_sku",
            format!(
                "line {}: up to 64 letters, digits, '-', '_', '.' or '/'",
                i + 1
            ),
        ));
    }
    Ok(Some(s))
}

/// The checked lines of an offer, as rows (side and tenant set by the caller), their
/// (line, unit) prices and the total.
struct CheckedOffer {
    rows: Vec<quote_lines::ActiveModel>,
    prices: Vec<(i32, Option<i64>)>,
    total: Money,
}

fn check_offer(
    input: &OfferInput,
    lines: &[rfq_lines::Model],
    currency: Currency,
    rfq: Uuid,
    seller: TenantId,
    no: i32,
) -> Result<CheckedOffer> {
    let mut seen = std::collections::BTreeSet::new();
    let mut rows = Vec::new();
    let mut prices = Vec::new();
    let mut total = Money::new(0, currency);
    let mut priced = 0;
    for l in lines {
        let given: Vec<(usize, &OfferLineInput)> = input
            .lines
            .iter()
            .enumerate()
            .filter(|(_, x)| i64::from(x.line_no) == i64::from(l.line_no))
            .collect();
        if given.len() > 1 {
            return Err(Error::validation(
                "lines",
                format!("line {} is answered twice", l.line_no),
            ));
        }
        seen.insert(l.line_no);
        let (i, x) = match given.first() {
            Some((i, x)) => (*i, Some(*x)),
            None => (0, None),
        };
        let unit = match x {
            Some(x) => match x.unit_minor {
                Some(u) if u <= 0 => {
                    return Err(Error::validation(
                        "price",
                        format!("line {}: must be more than zero", l.line_no),
                    ));
                }
                Some(u) => Some(Money::new(u, currency)),
                None => super::parse_price("price", &x.price, currency).map_err(|e| match e {
                    Error::Validation { message, .. } => {
                        Error::validation("price", format!("line {}: {message}", l.line_no))
                    }
                    other => other,
                })?,
            },
            None => None,
        };
        let quantity = match x.map_or(0, |x| x.quantity) {
            0 => super::to_u32(i64::from(l.quantity)),
            q if q > super::rfq::MAX_QUANTITY => {
                return Err(Error::validation(
                    "quantity",
                    format!("line {}: at most {}", l.line_no, super::rfq::MAX_QUANTITY),
                ));
            }
            q => q,
        };
        let lead = x.and_then(|x| x.lead_days);
        if lead.is_some_and(|d| d > MAX_LEAD_DAYS) {
            return Err(Error::validation(
                "lead_days",
                format!("line {}: at most {MAX_LEAD_DAYS} days", l.line_no),
            ));
        }
        let sub = match x {
            Some(x) => substitute(&x.substitute_sku, i)?,
            None => None,
        };
        let note = match x {
            Some(x) => super::optional_text("note", &x.note, 500)?,
            None => None,
        };
        if let Some(u) = unit {
            let t = u
                .checked_mul(quantity)
                .and_then(|t| total.checked_add(&t))
                .ok_or_else(|| Error::validation("price", "the total is too large"))?;
            total = t;
            priced += 1;
        }
        prices.push((l.line_no, unit.map(|u| u.minor)));
        rows.push(quote_lines::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(String::new()),
            rfq_id: Set(rfq),
            seller_id: Set(seller.as_uuid()),
            no: Set(no),
            author: Set(BY_SELLER.to_owned()),
            line_no: Set(l.line_no),
            unit_minor: Set(unit.map(|u| u.minor)),
            quantity: Set(i32::try_from(quantity).unwrap_or(i32::MAX)),
            stock: Set(x
                .and_then(|x| x.stock)
                .map(|s| i32::try_from(s).unwrap_or(i32::MAX))),
            lead_days: Set(lead.map(|d| i32::try_from(d).unwrap_or(i32::MAX))),
            substitute_sku: Set(sub),
            note: Set(note),
        });
    }
    if let Some(x) = input
        .lines
        .iter()
        .find(|x| !seen.contains(&i32::try_from(x.line_no).unwrap_or(-1)))
    {
        return Err(Error::validation(
            "lines",
            format!("the request has no line {}", x.line_no),
        ));
    }
    if priced == 0 {
        return Err(Error::validation("lines", "price at least one line"));
    }
    Ok(CheckedOffer {
        rows,
        prices,
        total,
    })
}

fn with_side(rows: &[quote_lines::ActiveModel], side: &str) -> Vec<quote_lines::ActiveModel> {
    rows.iter()
        .cloned()
        .map(|mut r| {
            r.side = Set(side.to_owned());
            r
        })
        .collect()
}

/// The quote row of `seller` on `side`.
async fn read_quote(
    tx: &TenantTx,
    side: &str,
    rfq: Uuid,
    seller: TenantId,
) -> Result<quotes::Model> {
    tx.find::<quotes::Entity>()
        .filter(quotes::Column::Side.eq(side))
        .filter(quotes::Column::RfqId.eq(rfq))
        .filter(quotes::Column::SellerId.eq(seller.as_uuid()))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("quote request"))
}

/// A distributor's change begins: its own rows prove it was asked; then the buyer's RFQ row,
/// taken for the change. Returns the transaction bound to the buyer, the buyer's RFQ row and
/// the buyer's row of this distributor's quote.
async fn seller_begins(db: &TenantDb, id: Uuid) -> Result<(TenantTx, rfqs::Model, quotes::Model)> {
    if db.tenant().kind() != TenantKind::Distributor {
        return Err(Error::NotFound("quote request"));
    }
    let tx = db.begin_write().await?;
    let mine = super::read_rfq(&tx, SELLER, id)
        .await?
        .ok_or(Error::NotFound("quote request"))?;
    let btx = tx.rebind(TenantId::from(mine.buyer_id)).await?;
    let m = super::lock_rfq(&btx, id).await?;
    let q = read_quote(&btx, BUYER, id, db.tenant_id()).await?;
    Ok((btx, m, q))
}

fn check_version(q: &quotes::Model, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != q.version => Err(Error::Stale { current: q.version }),
        _ => Ok(()),
    }
}

fn must_be_open(m: &rfqs::Model, now: DateTime<Utc>) -> Result<()> {
    match super::state_at(m, now) {
        RfqState::Open => Ok(()),
        s => Err(Error::Conflict(format!(
            "{} is {}: answers can no longer change",
            m.number,
            s.as_str()
        ))),
    }
}

/// Updates one side's quote row (at `version`) with `set`; both sides hold the same version.
fn quote_update(side: &str, rfq: Uuid, seller: TenantId) -> sea_orm::UpdateMany<quotes::Entity> {
    quotes::Entity::update_many()
        .filter(quotes::Column::Side.eq(side))
        .filter(quotes::Column::RfqId.eq(rfq))
        .filter(quotes::Column::SellerId.eq(seller.as_uuid()))
        .col_expr(
            quotes::Column::Version,
            Expr::col(quotes::Column::Version).add(1),
        )
}

fn touch(side: &str, rfq: Uuid, now: DateTime<Utc>) -> sea_orm::UpdateMany<rfqs::Entity> {
    rfqs::Entity::update_many()
        .filter(rfqs::Column::Side.eq(side))
        .filter(rfqs::Column::Id.eq(rfq))
        .col_expr(rfqs::Column::UpdatedAt, Expr::value(now))
}

/// A distributor (`db`; its console or its system, `actor`) answers RFQ `id`, or revises its
/// answer: a new offer that stands from now on, if `expected_version` (the quote's version it
/// read) is still current and the RFQ is open. The RFQ may close by its rules right after.
pub async fn offer(
    db: &TenantDb,
    id: Uuid,
    input: &OfferInput,
    expected_version: Option<i64>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<super::SellerView> {
    let valid_until = parse_valid_until(&input.valid_until, now)?;
    let terms = super::optional_text("terms", &input.terms, 2000)?.unwrap_or_default();
    let seller = db.tenant_id();
    let hub = registry::hub(db.db()).await?;
    let (tx, m, q) = seller_begins(db, id).await?;
    must_be_open(&m, now)?;
    check_version(&q, expected_version)?;
    match QuoteState::parse(&q.state) {
        QuoteState::Withdrawn => {
            return Err(Error::Conflict(
                "you withdrew this quote; it cannot be answered again".into(),
            ));
        }
        QuoteState::Accepted | QuoteState::NotSelected => {
            return Err(Error::Conflict("this request was decided already".into()));
        }
        _ => {}
    }
    let lines = super::read_lines(&tx, BUYER, id).await?;
    let currency = Currency::parse(&m.currency).ok_or(Error::NotFound("currency"))?;
    let no = q.offer_no + 1;
    let checked = check_offer(input, &lines, currency, id, seller, no)?;
    let first = q.answered_at.is_none();
    let version_row = |side: &str| versions::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        side: Set(side.to_owned()),
        rfq_id: Set(id),
        seller_id: Set(seller.as_uuid()),
        no: Set(no),
        author: Set(BY_SELLER.to_owned()),
        actor: Set(actor.as_str().to_owned()),
        currency: Set(currency.code().to_owned()),
        total_minor: Set(Some(checked.total.minor)),
        valid_until: Set(Some(valid_until)),
        terms: Set(terms.clone()),
        created_at: Set(now),
    };
    let update = |side: &str| {
        quote_update(side, id, seller)
            .col_expr(
                quotes::Column::State,
                Expr::value(QuoteState::Offered.as_str()),
            )
            .col_expr(quotes::Column::OfferNo, Expr::value(no))
            .col_expr(quotes::Column::ValidUntil, Expr::value(Some(valid_until)))
            .col_expr(
                quotes::Column::AnsweredAt,
                Expr::value(Some(q.answered_at.unwrap_or(now))),
            )
            .col_expr(quotes::Column::UpdatedAt, Expr::value(now))
    };
    // The buyer's rows.
    tx.defer_update(update(BUYER).filter(quotes::Column::Version.eq(q.version)));
    tx.defer_insert(version_row(BUYER));
    tx.defer_insert_many(with_side(&checked.rows, BUYER));
    tx.defer_update(touch(BUYER, id, now));
    let (kind, verb) = if first {
        ("rfq.answered", "answered")
    } else {
        ("rfq.revised", "revised its answer to")
    };
    notices::tell(
        &tx,
        News {
            kind,
            rfq: id,
            text: format!(
                "{} {verb} {}: {} (offer {no}, valid until {}).",
                q.seller_name,
                m.number,
                checked.total,
                valid_until.format("%Y-%m-%d")
            ),
            to: Some((&m.contact_name, &m.contact_email)),
            subject: format!("{}: {} {verb} your request", m.number, q.seller_name),
            body: format!(
                "{} {verb} your quote request {} — {}.\n\nOffer {no}: {} in total, valid until {}.\n\nOpen the request in your console to compare the answers.\n",
                q.seller_name,
                m.number,
                m.title,
                checked.total,
                valid_until.format("%Y-%m-%d %H:%M UTC")
            ),
        },
        now,
    );
    // Its own rows.
    let stx = tx.rebind(seller).await?;
    stx.defer_update(update(SELLER));
    stx.defer_insert(version_row(SELLER));
    stx.defer_insert_many(with_side(&checked.rows, SELLER));
    stx.defer_update(touch(SELLER, id, now));
    let mut tx = stx.rebind(TenantId::from(m.buyer_id)).await?;
    if first && let Some(hub) = &hub {
        let htx = tx.rebind(hub.id()).await?;
        htx.defer_insert(activity::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            id: Set(Uuid::now_v7()),
            rfq_id: Set(id),
            reseller_id: Set(m.buyer_id),
            reseller_name: Set(m.buyer_name.clone()),
            distributor_id: Set(Some(seller.as_uuid())),
            distributor_name: Set(Some(q.seller_name.clone())),
            kind: Set("answered".into()),
            lines: Set(i32::try_from(lines.len()).unwrap_or(i32::MAX)),
            response_secs: Set(m.sent_at.map(|s| Ord::max((now - s).num_seconds(), 0))),
            at: Set(now),
        });
        tx = htx.rebind(TenantId::from(m.buyer_id)).await?;
    }
    // Its closing rules, with this answer counted.
    let answered = {
        let qs = tx
            .find::<quotes::Entity>()
            .filter(quotes::Column::Side.eq(BUYER))
            .filter(quotes::Column::RfqId.eq(id))
            .all(tx.conn())
            .await?;
        qs.iter()
            .filter(|x| x.offer_no > 0 || x.seller_id == seller.as_uuid())
            .count()
    };
    let meets = super::rfq::offer_meets_targets(&lines, &checked.prices);
    if let Some(reason) =
        super::rfq::close_reason(&m, u32::try_from(answered).unwrap_or(u32::MAX), meets)
    {
        tx.flush().await?;
        tx = super::rfq::close_in(tx, &m, &reason, hub.as_ref().map(|h| h.id()), now).await?;
    }
    tx.commit().await?;
    super::for_seller(db, id, now).await
}

/// The buyer (`db`) counters `seller`'s standing offer on RFQ `id`, line by line, if
/// `expected_version` (the quote's version it read) is still current and the RFQ is open.
pub async fn counter(
    db: &TenantDb,
    id: Uuid,
    seller: TenantId,
    input: &CounterInput,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<super::BuyerView> {
    if db.tenant().kind() != TenantKind::Reseller {
        return Err(Error::NotFound("quote request"));
    }
    let message = super::optional_text("message", &input.message, 2000)?.unwrap_or_default();
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, id).await?;
    must_be_open(&m, now)?;
    let q = read_quote(&tx, BUYER, id, seller).await?;
    check_version(&q, expected_version)?;
    match QuoteState::at(&q, now) {
        QuoteState::Offered => {}
        QuoteState::Countered => {
            return Err(Error::Conflict(format!(
                "you countered offer {} already; wait for {} to revise it",
                q.offer_no, q.seller_name
            )));
        }
        QuoteState::Requested => {
            return Err(Error::Conflict(format!(
                "{} has not answered yet",
                q.seller_name
            )));
        }
        s => {
            return Err(Error::Conflict(format!(
                "{}'s quote is {}: it cannot be countered",
                q.seller_name,
                s.label()
            )));
        }
    }
    let currency = Currency::parse(&m.currency).ok_or(Error::NotFound("currency"))?;
    let offered = tx
        .find::<quote_lines::Entity>()
        .filter(quote_lines::Column::Side.eq(BUYER))
        .filter(quote_lines::Column::RfqId.eq(id))
        .filter(quote_lines::Column::SellerId.eq(seller.as_uuid()))
        .filter(quote_lines::Column::No.eq(q.offer_no))
        .filter(quote_lines::Column::Author.eq(BY_SELLER))
        .all(tx.conn())
        .await?;
    let mut rows = Vec::new();
    let mut asked_lines = Vec::new();
    let mut total = Money::new(0, currency);
    let mut changed = 0;
    for l in &offered {
        let asked = input
            .lines
            .iter()
            .filter(|x| i64::from(x.line_no) == i64::from(l.line_no))
            .collect::<Vec<_>>();
        if asked.len() > 1 {
            return Err(Error::validation(
                "lines",
                format!("line {} is countered twice", l.line_no),
            ));
        }
        let price = match asked.first() {
            Some(x) => super::parse_price("price", &x.price, currency).map_err(|e| match e {
                Error::Validation { message, .. } => {
                    Error::validation("price", format!("line {}: {message}", l.line_no))
                }
                other => other,
            })?,
            None => None,
        };
        let unit = price.map(|p| p.minor).or(l.unit_minor);
        if price.is_some() && price.map(|p| p.minor) != l.unit_minor {
            changed += 1;
        }
        if let Some(u) = unit {
            total = Money::new(u, currency)
                .checked_mul(super::to_u32(i64::from(l.quantity)))
                .and_then(|t| total.checked_add(&t))
                .ok_or_else(|| Error::validation("price", "the total is too large"))?;
        }
        asked_lines.push(serde_json::json!({
            "line_no": l.line_no,
            "unit_minor": unit,
            "quantity": l.quantity,
        }));
        let mut r = quote_lines::ActiveModel::from(l.clone());
        r.author = Set(BY_BUYER.to_owned());
        r.unit_minor = Set(unit);
        r.note = Set(None);
        rows.push(sea_orm::ActiveModelTrait::reset_all(r));
    }
    if let Some(x) = input.lines.iter().find(|x| {
        !offered
            .iter()
            .any(|l| i64::from(l.line_no) == i64::from(x.line_no))
    }) {
        return Err(Error::validation(
            "lines",
            format!("offer {} has no line {}", q.offer_no, x.line_no),
        ));
    }
    if changed == 0 {
        return Err(Error::validation(
            "lines",
            "ask for another price on at least one line",
        ));
    }
    let version_row = |side: &str| versions::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        side: Set(side.to_owned()),
        rfq_id: Set(id),
        seller_id: Set(seller.as_uuid()),
        no: Set(q.offer_no),
        author: Set(BY_BUYER.to_owned()),
        actor: Set("buyer".to_owned()),
        currency: Set(currency.code().to_owned()),
        total_minor: Set(Some(total.minor)),
        valid_until: Set(None),
        terms: Set(message.clone()),
        created_at: Set(now),
    };
    let update = |side: &str| {
        quote_update(side, id, seller)
            .col_expr(
                quotes::Column::State,
                Expr::value(QuoteState::Countered.as_str()),
            )
            .col_expr(quotes::Column::CounterNo, Expr::value(q.offer_no))
            .col_expr(quotes::Column::UpdatedAt, Expr::value(now))
    };
    tx.defer_update(update(BUYER).filter(quotes::Column::Version.eq(q.version)));
    tx.defer_insert(version_row(BUYER));
    tx.defer_insert_many(with_side(&rows, BUYER));
    tx.defer_update(touch(BUYER, id, now));
    let stx = tx.rebind(seller).await?;
    let contact = crate::partners::profile::contact_in(&stx).await?;
    stx.defer_update(update(SELLER));
    stx.defer_insert(version_row(SELLER));
    stx.defer_insert_many(with_side(&rows, SELLER));
    stx.defer_update(touch(SELLER, id, now));
    notices::tell(
        &stx,
        News {
            kind: "rfq.countered",
            rfq: id,
            text: format!(
                "{} countered your offer {} on {}: {} in total asked.",
                m.buyer_name, q.offer_no, m.number, total
            ),
            to: contact.as_ref().map(|(n, e)| (n.as_str(), e.as_str())),
            subject: format!("{}: {} countered your offer", m.number, m.buyer_name),
            body: format!(
                "{} countered your offer {} on {} — {}: {} in total asked.\n\nOpen the request in your console to revise your offer.\n",
                m.buyer_name, q.offer_no, m.number, m.title, total
            ),
        },
        now,
    );
    let mut data = super::rfq::event_data(&m, &[]);
    data["counter"] = serde_json::json!({
        "offer_no": q.offer_no,
        "total_minor": total.minor,
        "message": message,
        "lines": asked_lines,
    });
    crate::webhooks::emit(&stx, "rfq.countered", &data, now, None).await?;
    let tx = stx.rebind(db.tenant_id()).await?;
    tx.commit().await?;
    super::for_buyer(db, id, now).await
}

/// A distributor (`db`) withdraws its quote on RFQ `id` (or declines to answer), if
/// `expected_version` is still current; `reason` is told to the buyer.
pub async fn withdraw(
    db: &TenantDb,
    id: Uuid,
    reason: &str,
    expected_version: Option<i64>,
    now: DateTime<Utc>,
) -> Result<super::SellerView> {
    let reason = super::optional_text("reason", reason, 500)?;
    let seller = db.tenant_id();
    let (tx, m, q) = seller_begins(db, id).await?;
    check_version(&q, expected_version)?;
    match QuoteState::parse(&q.state) {
        QuoteState::Withdrawn => {
            return Err(Error::Conflict("you withdrew this quote already".into()));
        }
        QuoteState::Accepted | QuoteState::NotSelected => {
            return Err(Error::Conflict(
                "this request was decided already; a purchase order is cancelled from your order inbox".into(),
            ));
        }
        _ => {}
    }
    let update = |side: &str| {
        quote_update(side, id, seller)
            .col_expr(
                quotes::Column::State,
                Expr::value(QuoteState::Withdrawn.as_str()),
            )
            .col_expr(quotes::Column::UpdatedAt, Expr::value(now))
    };
    tx.defer_update(update(BUYER).filter(quotes::Column::Version.eq(q.version)));
    tx.defer_update(touch(BUYER, id, now));
    let said = reason
        .as_deref()
        .map(|r| format!(" (\"{r}\")"))
        .unwrap_or_default();
    notices::tell(
        &tx,
        News {
            kind: "rfq.withdrawn",
            rfq: id,
            text: format!(
                "{} withdrew its quote on {}{said}.",
                q.seller_name, m.number
            ),
            to: Some((&m.contact_name, &m.contact_email)),
            subject: format!("{}: {} withdrew its quote", m.number, q.seller_name),
            body: format!(
                "{} withdrew its quote on your request {} — {}{said}.\n",
                q.seller_name, m.number, m.title
            ),
        },
        now,
    );
    let stx = tx.rebind(seller).await?;
    stx.defer_update(update(SELLER));
    stx.defer_update(touch(SELLER, id, now));
    let tx = stx.rebind(TenantId::from(m.buyer_id)).await?;
    tx.commit().await?;
    super::for_seller(db, id, now).await
}
