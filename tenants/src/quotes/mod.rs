//! Quote requests (RFQs): a reseller asks the distributors it is linked to for quotes on
//! products and groups of products; they answer (at once from their price lists when their
//! auto-quote rules allow, or by a person or their system), the reseller counters, they
//! revise, and the reseller accepts one distributor's current offer, which becomes a purchase
//! order: an order in the distributor's inbox (the buyer is the "store" side of it).
//!
//! An RFQ is shared by the buyer and every seller it was sent to, so it is a row in each
//! (`side` = `buyer` / `seller`, the same id), written in one transaction; a seller's rows hold
//! its own quote only, never a competitor's. Every change takes the buyer's RFQ row first
//! (PostgreSQL: `FOR UPDATE`; SQLite: the write lock), so an answer, a close and an accept on
//! one RFQ happen one after the other, and the buyer's row says what is true.
//!
//! - [`rfq`]: drafts, sending with closing rules, closing by hand or at the deadline.
//! - [`answer`]: offers and revisions (sellers), counter-offers (the buyer), withdrawals.
//! - [`accept`]: the buyer accepts one current offer; the purchase order.
//! - [`rules`]: a distributor's auto-quote rules.
//! - [`notices`]: in-console notices; [`activity`]: the hub's view of its network.

pub mod accept;
pub mod activity;
pub mod answer;
pub mod attachments;
pub(crate) mod entity;
pub mod notices;
pub mod rfq;
pub mod rules;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::money::{Currency, Money};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::partners::territories::ShipTo;
use entity::{quote_lines, quotes, rfq_lines, rfqs, versions};

pub(crate) const BUYER: &str = "buyer";
pub(crate) const SELLER: &str = "seller";
/// An offer's author.
pub(crate) const BY_SELLER: &str = "seller";
/// A counter-offer's author.
pub(crate) const BY_BUYER: &str = "buyer";

/// Lines per RFQ, at most.
pub const MAX_LINES: usize = 200;
/// Distributors one RFQ may go to, at most.
pub const MAX_SELLERS: usize = 20;
/// RFQs per page of a list, at most.
pub const MAX_PAGE: u64 = 200;

/// Who writes or accepts a request on the buyer's side: the distributors' answers go to them,
/// and the purchase order names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user: Option<crate::ids::UserId>,
    pub name: String,
    pub email: String,
}

impl From<&crate::auth::Principal> for Person {
    fn from(p: &crate::auth::Principal) -> Self {
        Self {
            user: Some(p.user_id),
            name: p.name.clone(),
            email: p.email.clone(),
        }
    }
}

/// Where an RFQ stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RfqState {
    /// Being written; nobody else sees it.
    Draft,
    /// Sent; distributors may answer and revise.
    Open,
    /// No more answers; the buyer may still accept a current offer.
    Closed,
    /// One offer accepted: a purchase order.
    Accepted,
}

impl RfqState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "open" => Self::Open,
            "closed" => Self::Closed,
            "accepted" => Self::Accepted,
            _ => Self::Draft,
        }
    }
}

/// Where one distributor's quote stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteState {
    /// Asked, not answered yet.
    Requested,
    /// Its latest offer stands.
    Offered,
    /// The buyer countered its latest offer.
    Countered,
    Withdrawn,
    /// Its latest offer's validity ran out.
    Expired,
    Accepted,
    NotSelected,
}

impl QuoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Offered => "offered",
            Self::Countered => "countered",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::Accepted => "accepted",
            Self::NotSelected => "not_selected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "awaiting answer",
            Self::Offered => "offered",
            Self::Countered => "countered",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::Accepted => "accepted",
            Self::NotSelected => "not selected",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "offered" => Self::Offered,
            "countered" => Self::Countered,
            "withdrawn" => Self::Withdrawn,
            "accepted" => Self::Accepted,
            "not_selected" => Self::NotSelected,
            _ => Self::Requested,
        }
    }

    /// As stored, or `Expired` when its standing offer ran out at `now`.
    fn at(stored: &quotes::Model, now: DateTime<Utc>) -> Self {
        let s = Self::parse(&stored.state);
        match s {
            Self::Offered | Self::Countered if stored.valid_until.is_some_and(|v| v <= now) => {
                Self::Expired
            }
            other => other,
        }
    }
}

/// What an RFQ line asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineKind {
    /// A product of the store's catalog, by SKU.
    Product,
    /// Any product of a category.
    Category,
    /// A description and specification in words.
    Text,
}

impl LineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Category => "category",
            Self::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "product" => Some(Self::Product),
            "category" => Some(Self::Category),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// One line of an RFQ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfqLine {
    pub line_no: u32,
    pub kind: LineKind,
    pub sku: Option<String>,
    /// The category's name, for a category line.
    pub category: Option<String>,
    /// The product's name, the category's, or the buyer's words.
    pub description: String,
    pub quantity: u32,
    pub target: Option<Money>,
}

/// How an RFQ closes (besides by hand, which is always possible).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRules {
    pub deadline: DateTime<Utc>,
    /// Close once this many distributors have answered.
    pub after_answers: Option<u32>,
    /// Close once an answer meets every target price.
    pub on_targets: bool,
}

/// An RFQ as one side keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfq {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    /// As stored, or `Closed` once the deadline has passed.
    pub state: RfqState,
    pub version: i64,
    pub buyer: (TenantId, String),
    pub needed_by: Option<NaiveDate>,
    pub ship_to: ShipTo,
    pub address: String,
    pub notes: String,
    pub currency: String,
    pub rules: Option<CloseRules>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_reason: Option<String>,
    pub accepted_seller: Option<TenantId>,
    pub order_id: Option<Uuid>,
    pub contact_name: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub lines: Vec<RfqLine>,
    pub attachments: Vec<attachments::Attachment>,
}

/// One line of an offer or a counter-offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub line_no: u32,
    /// `None`: not priced in this version.
    pub unit: Option<Money>,
    pub quantity: u32,
    /// `None`: made to order.
    pub stock: Option<u32>,
    pub lead_days: Option<u32>,
    pub substitute_sku: Option<String>,
    pub note: Option<String>,
}

impl QuoteLine {
    pub fn total(&self) -> Option<Money> {
        self.unit?.checked_mul(self.quantity)
    }
}

/// Who wrote a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// An offer, by the distributor.
    Seller,
    /// A counter-offer, by the buyer.
    Buyer,
}

/// An offer (`Seller`) or a counter-offer to offer `no` (`Buyer`), kept whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub no: u32,
    pub author: Author,
    /// `auto` (the price list, at once), `partner`, `partner system` or `buyer`.
    pub actor: String,
    pub total: Option<Money>,
    pub valid_until: Option<DateTime<Utc>>,
    pub terms: String,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<QuoteLine>,
}

impl Version {
    /// Prices every line of `rfq`.
    pub fn complete(&self, rfq: &Rfq) -> bool {
        rfq.lines.iter().all(|l| {
            self.lines
                .iter()
                .any(|q| q.line_no == l.line_no && q.unit.is_some())
        })
    }

    /// The longest lead time of its lines.
    pub fn lead_days(&self) -> Option<u32> {
        self.lines.iter().filter_map(|l| l.lead_days).max()
    }
}

/// One distributor's quote: its offers and the buyer's counter-offers, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub seller: (TenantId, String),
    pub state: QuoteState,
    pub version: i64,
    /// The standing offer's number (0: none yet).
    pub offer_no: u32,
    pub counter_no: u32,
    pub valid_until: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub versions: Vec<Version>,
}

impl Quote {
    /// The standing offer.
    pub fn current(&self) -> Option<&Version> {
        self.offer(self.offer_no)
    }

    pub fn offer(&self, no: u32) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.author == Author::Seller && v.no == no)
    }

    pub fn counter(&self, no: u32) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.author == Author::Buyer && v.no == no)
    }

    /// Its standing offer can be accepted now.
    pub fn acceptable(&self) -> bool {
        matches!(self.state, QuoteState::Offered | QuoteState::Countered)
    }
}

/// An RFQ as its buyer sees it: every distributor's quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerView {
    pub rfq: Rfq,
    pub quotes: Vec<Quote>,
}

/// An RFQ as a distributor sees it: its own quote only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    pub rfq: Rfq,
    pub quote: Quote,
}

/// One row of a list of RFQs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub state: RfqState,
    /// The buyer, on a distributor's list.
    pub buyer: String,
    pub lines: u32,
    /// On the buyer's list: distributors asked and answered; on a seller's: its quote's state.
    pub asked: u32,
    pub answered: u32,
    pub quote_state: Option<QuoteState>,
    pub deadline: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn money(minor: i64, currency: &str) -> Result<Money> {
    Ok(Money::new(
        minor,
        Currency::parse(currency).ok_or(Error::NotFound("currency"))?,
    ))
}

pub(crate) fn to_u32(n: i64) -> u32 {
    u32::try_from(Ord::max(n, 0)).unwrap_or(u32::MAX)
}

/// The RFQ's state at `now`: an open one whose deadline passed is closed.
pub(crate) fn state_at(m: &rfqs::Model, now: DateTime<Utc>) -> RfqState {
    let s = RfqState::parse(&m.state);
    if s == RfqState::Open && m.deadline.is_some_and(|d| d <= now) {
        RfqState::Closed
    } else {
        s
    }
}

pub(crate) async fn read_rfq(tx: &TenantTx, side: &str, id: Uuid) -> Result<Option<rfqs::Model>> {
    Ok(tx
        .find::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(side))
        .filter(rfqs::Column::Id.eq(id))
        .one(tx.conn())
        .await?)
}

/// The buyer's RFQ row, locked for the change about to be made (PostgreSQL `FOR UPDATE`;
/// on SQLite the transaction holds the write lock already).
pub(crate) async fn lock_rfq(tx: &TenantTx, id: Uuid) -> Result<rfqs::Model> {
    tx.find::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(BUYER))
        .filter(rfqs::Column::Id.eq(id))
        .lock_exclusive()
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("quote request"))
}

pub(crate) async fn read_lines(
    tx: &TenantTx,
    side: &str,
    id: Uuid,
) -> Result<Vec<rfq_lines::Model>> {
    Ok(tx
        .find::<rfq_lines::Entity>()
        .filter(rfq_lines::Column::Side.eq(side))
        .filter(rfq_lines::Column::RfqId.eq(id))
        .order_by_asc(rfq_lines::Column::LineNo)
        .all(tx.conn())
        .await?)
}

pub(crate) fn to_rfq(m: rfqs::Model, ls: Vec<rfq_lines::Model>, now: DateTime<Utc>) -> Result<Rfq> {
    let cur = m.currency.clone();
    Ok(Rfq {
        id: m.id,
        state: state_at(&m, now),
        number: m.number,
        title: m.title,
        version: m.version,
        buyer: (TenantId::from(m.buyer_id), m.buyer_name),
        needed_by: m.needed_by,
        ship_to: ShipTo {
            country: m.ship_country,
            subdivision: m.ship_region,
            postal_code: m.ship_postal,
        },
        address: m.address,
        notes: m.notes,
        rules: m.deadline.map(|deadline| CloseRules {
            deadline,
            after_answers: m.close_after.map(|n| to_u32(i64::from(n))),
            on_targets: m.close_on_targets,
        }),
        closed_at: m
            .closed_at
            .or_else(|| m.deadline.filter(|d| *d <= now && m.state == "open")),
        closed_reason: m.closed_reason.or_else(|| {
            (m.state == "open" && m.deadline.is_some_and(|d| d <= now))
                .then(|| "the deadline passed".to_owned())
        }),
        accepted_seller: m.accepted_seller.map(TenantId::from),
        order_id: m.order_id,
        contact_name: m.contact_name,
        created_at: m.created_at,
        sent_at: m.sent_at,
        updated_at: m.updated_at,
        lines: ls
            .into_iter()
            .map(|l| {
                Ok(RfqLine {
                    line_no: to_u32(i64::from(l.line_no)),
                    kind: LineKind::parse(&l.kind).unwrap_or(LineKind::Text),
                    sku: l.sku,
                    category: l.category,
                    description: l.description,
                    quantity: to_u32(i64::from(l.quantity)),
                    target: l.target_minor.map(|t| money(t, &cur)).transpose()?,
                })
            })
            .collect::<Result<_>>()?,
        currency: cur,
        attachments: Vec::new(),
    })
}

/// The quotes of RFQ `id` on `side` (a seller's side holds only its own), with every version.
pub(crate) async fn read_quotes(
    tx: &TenantTx,
    side: &str,
    id: Uuid,
    currency: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Quote>> {
    let qs = tx
        .find::<quotes::Entity>()
        .filter(quotes::Column::Side.eq(side))
        .filter(quotes::Column::RfqId.eq(id))
        .order_by_asc(quotes::Column::SellerName)
        .all(tx.conn())
        .await?;
    let vs = tx
        .find::<versions::Entity>()
        .filter(versions::Column::Side.eq(side))
        .filter(versions::Column::RfqId.eq(id))
        .order_by_asc(versions::Column::No)
        .order_by_desc(versions::Column::Author)
        .all(tx.conn())
        .await?;
    let ls = tx
        .find::<quote_lines::Entity>()
        .filter(quote_lines::Column::Side.eq(side))
        .filter(quote_lines::Column::RfqId.eq(id))
        .order_by_asc(quote_lines::Column::LineNo)
        .all(tx.conn())
        .await?;
    qs.into_iter()
        .map(|q| {
            let versions = vs
                .iter()
                .filter(|v| v.seller_id == q.seller_id)
                .map(|v| {
                    Ok(Version {
                        no: to_u32(i64::from(v.no)),
                        author: if v.author == BY_BUYER {
                            Author::Buyer
                        } else {
                            Author::Seller
                        },
                        actor: v.actor.clone(),
                        total: v.total_minor.map(|t| money(t, currency)).transpose()?,
                        valid_until: v.valid_until,
                        terms: v.terms.clone(),
                        created_at: v.created_at,
                        lines: ls
                            .iter()
                            .filter(|l| {
                                l.seller_id == q.seller_id && l.no == v.no && l.author == v.author
                            })
                            .map(|l| {
                                Ok(QuoteLine {
                                    line_no: to_u32(i64::from(l.line_no)),
                                    unit: l.unit_minor.map(|u| money(u, currency)).transpose()?,
                                    quantity: to_u32(i64::from(l.quantity)),
                                    stock: l.stock.map(|s| to_u32(i64::from(s))),
                                    lead_days: l.lead_days.map(|d| to_u32(i64::from(d))),
                                    substitute_sku: l.substitute_sku.clone(),
                                    note: l.note.clone(),
                                })
                            })
                            .collect::<Result<_>>()?,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Quote {
                seller: (TenantId::from(q.seller_id), q.seller_name.clone()),
                state: QuoteState::at(&q, now),
                version: q.version,
                offer_no: to_u32(i64::from(q.offer_no)),
                counter_no: to_u32(i64::from(q.counter_no)),
                valid_until: q.valid_until,
                answered_at: q.answered_at,
                updated_at: q.updated_at,
                versions,
            })
        })
        .collect()
}

/// RFQ `id` as its buyer (`db`, a reseller) keeps it, with every distributor's quote.
pub async fn for_buyer(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<BuyerView> {
    let tx = db.begin().await?;
    let m = read_rfq(&tx, BUYER, id)
        .await?
        .ok_or(Error::NotFound("quote request"))?;
    let ls = read_lines(&tx, BUYER, id).await?;
    let quotes = read_quotes(&tx, BUYER, id, &m.currency, now).await?;
    let files = attachments::list_in(&tx, BUYER, id).await?;
    tx.commit().await?;
    let mut rfq = to_rfq(m, ls, now)?;
    rfq.attachments = files;
    Ok(BuyerView { rfq, quotes })
}

/// RFQ `id` as a distributor (`db`) it was sent to keeps it: its own quote only.
pub async fn for_seller(db: &TenantDb, id: Uuid, now: DateTime<Utc>) -> Result<SellerView> {
    let tx = db.begin().await?;
    let m = read_rfq(&tx, SELLER, id)
        .await?
        .ok_or(Error::NotFound("quote request"))?;
    let ls = read_lines(&tx, SELLER, id).await?;
    let mut quotes = read_quotes(&tx, SELLER, id, &m.currency, now).await?;
    let files = attachments::list_in(&tx, SELLER, id).await?;
    tx.commit().await?;
    let quote = quotes.pop().ok_or(Error::NotFound("quote request"))?;
    let mut rfq = to_rfq(m, ls, now)?;
    rfq.attachments = files;
    Ok(SellerView { rfq, quote })
}

/// A page of a list: newest first, after `cursor` (the last id of the previous page).
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub state: Option<RfqState>,
    /// Only RFQs changed at or after this time.
    pub since: Option<DateTime<Utc>>,
    pub cursor: Option<Uuid>,
    pub limit: u64,
}

async fn list_side(
    db: &TenantDb,
    side: &str,
    q: &ListQuery,
    now: DateTime<Utc>,
) -> Result<Vec<Summary>> {
    let tx = db.begin().await?;
    let mut sel = tx
        .find::<rfqs::Entity>()
        .filter(rfqs::Column::Side.eq(side));
    if let Some(since) = q.since {
        sel = sel.filter(rfqs::Column::UpdatedAt.gte(since));
    }
    if let Some(c) = q.cursor {
        sel = sel.filter(rfqs::Column::Id.lt(c));
    }
    if side == SELLER {
        // A seller never sees a draft (none is ever written to its side).
        sel = sel.filter(rfqs::Column::State.ne(RfqState::Draft.as_str()));
    }
    let rows = sel
        .order_by_desc(rfqs::Column::Id)
        .limit(q.limit.clamp(1, MAX_PAGE + 1))
        .all(tx.conn())
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let lines: Vec<(Uuid, i64)> = tx
        .find::<rfq_lines::Entity>()
        .filter(rfq_lines::Column::Side.eq(side))
        .filter(rfq_lines::Column::RfqId.is_in(ids.clone()))
        .select_only()
        .column(rfq_lines::Column::RfqId)
        .column_as(Expr::col(rfq_lines::Column::LineNo).count(), "n")
        .group_by(rfq_lines::Column::RfqId)
        .into_tuple()
        .all(tx.conn())
        .await?;
    let qs = tx
        .find::<quotes::Entity>()
        .filter(quotes::Column::Side.eq(side))
        .filter(quotes::Column::RfqId.is_in(ids))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let state = state_at(&r, now);
        if q.state.is_some_and(|s| s != state) {
            continue;
        }
        let mine: Vec<&quotes::Model> = qs.iter().filter(|x| x.rfq_id == r.id).collect();
        out.push(Summary {
            id: r.id,
            number: r.number,
            title: r.title,
            state,
            buyer: r.buyer_name,
            lines: lines
                .iter()
                .find(|(id, _)| *id == r.id)
                .map_or(0, |(_, n)| to_u32(*n)),
            asked: to_u32(mine.len() as i64),
            answered: to_u32(mine.iter().filter(|x| x.offer_no > 0).count() as i64),
            quote_state: (side == SELLER)
                .then(|| mine.first().map(|x| QuoteState::at(x, now)))
                .flatten(),
            deadline: r.deadline,
            updated_at: r.updated_at,
        });
    }
    Ok(out)
}

/// The buyer's RFQs (drafts included).
pub async fn of_buyer(db: &TenantDb, q: &ListQuery, now: DateTime<Utc>) -> Result<Vec<Summary>> {
    list_side(db, BUYER, q, now).await
}

/// The RFQs sent to this distributor.
pub async fn inbox(db: &TenantDb, q: &ListQuery, now: DateTime<Utc>) -> Result<Vec<Summary>> {
    list_side(db, SELLER, q, now).await
}

/// How one line changed from one version to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineChange {
    pub line_no: u32,
    pub description: String,
    pub before: Option<QuoteLine>,
    pub after: Option<QuoteLine>,
    /// Which of price, quantity, stock, lead time, substitute and note differ.
    pub fields: Vec<String>,
}

/// What changed between two versions of a quote (`a` before `b`): one entry per line that
/// differs, plus the validity and terms when they do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub lines: Vec<LineChange>,
    /// The validity before and after, when it changed.
    pub valid_until: Option<ValidityChange>,
    pub terms: Option<(String, String)>,
    pub total: (Option<Money>, Option<Money>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityChange {
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
}

/// What a diff compares of a line, by name.
const FACETS: [&str; 6] = [
    "price",
    "quantity",
    "stock",
    "lead time",
    "substitute",
    "note",
];

fn facets(l: Option<&QuoteLine>) -> [String; 6] {
    let Some(l) = l else {
        return Default::default();
    };
    [
        format!("{:?}", l.unit.map(|u| u.minor)),
        l.quantity.to_string(),
        format!("{:?}", l.stock),
        format!("{:?}", l.lead_days),
        format!("{:?}", l.substitute_sku),
        format!("{:?}", l.note),
    ]
}

pub fn diff(rfq: &Rfq, a: &Version, b: &Version) -> Diff {
    let mut lines = Vec::new();
    for l in &rfq.lines {
        let before = a.lines.iter().find(|q| q.line_no == l.line_no).cloned();
        let after = b.lines.iter().find(|q| q.line_no == l.line_no).cloned();
        let (x, y) = (facets(before.as_ref()), facets(after.as_ref()));
        let fields: Vec<String> = FACETS
            .iter()
            .zip(x.iter().zip(y.iter()))
            .filter(|(_, (a, b))| a != b)
            .map(|(name, _)| (*name).to_owned())
            .collect();
        if !fields.is_empty() {
            lines.push(LineChange {
                line_no: l.line_no,
                description: l.description.clone(),
                before,
                after,
                fields,
            });
        }
    }
    Diff {
        lines,
        valid_until: (a.valid_until != b.valid_until).then_some(ValidityChange {
            before: a.valid_until,
            after: b.valid_until,
        }),
        terms: (a.terms != b.terms).then(|| (a.terms.clone(), b.terms.clone())),
        total: (a.total, b.total),
    }
}

/// One cell of the comparison: a distributor's standing offer for one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub unit: Option<Money>,
    pub total: Option<Money>,
    pub quantity: u32,
    pub lead_days: Option<u32>,
    pub stock: Option<u32>,
    pub substitute_sku: Option<String>,
    /// The lowest unit price of the line among current offers.
    pub best: bool,
    /// At or under the line's target price.
    pub meets_target: bool,
}

/// One distributor's column of the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub seller: (TenantId, String),
    pub state: QuoteState,
    pub offer_no: u32,
    pub version: i64,
    /// One per RFQ line, in line order (`None`: no standing offer).
    pub cells: Vec<Option<Cell>>,
    pub total: Option<Money>,
    pub lead_days: Option<u32>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The lines it does not price.
    pub lacks: Vec<u32>,
    pub acceptable: bool,
}

/// Distributors × lines: every standing offer side by side, the best price per line marked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    pub columns: Vec<Column>,
}

pub fn matrix(view: &BuyerView) -> Matrix {
    let rfq = &view.rfq;
    let open_for_accept = matches!(rfq.state, RfqState::Open | RfqState::Closed);
    let mut columns: Vec<Column> = view
        .quotes
        .iter()
        .map(|q| {
            let offer = q
                .current()
                .filter(|_| !matches!(q.state, QuoteState::Withdrawn));
            let cells: Vec<Option<Cell>> = rfq
                .lines
                .iter()
                .map(|l| {
                    let ql = offer?.lines.iter().find(|x| x.line_no == l.line_no)?;
                    Some(Cell {
                        unit: ql.unit,
                        total: ql.total(),
                        quantity: ql.quantity,
                        lead_days: ql.lead_days,
                        stock: ql.stock,
                        substitute_sku: ql.substitute_sku.clone(),
                        best: false,
                        meets_target: match (ql.unit, l.target) {
                            (Some(u), Some(t)) => u.minor <= t.minor,
                            _ => false,
                        },
                    })
                })
                .collect();
            let lacks = rfq
                .lines
                .iter()
                .zip(&cells)
                .filter(|(_, c)| c.as_ref().is_none_or(|c| c.unit.is_none()))
                .map(|(l, _)| l.line_no)
                .collect::<Vec<_>>();
            Column {
                seller: q.seller.clone(),
                state: q.state,
                offer_no: q.offer_no,
                version: q.version,
                total: offer.and_then(|o| o.total),
                lead_days: offer.and_then(Version::lead_days),
                valid_until: q.valid_until,
                acceptable: open_for_accept
                    && q.acceptable()
                    && lacks.is_empty()
                    && offer.is_some(),
                lacks,
                cells,
            }
        })
        .collect();
    for i in 0..rfq.lines.len() {
        let best = columns
            .iter()
            .filter(|c| matches!(c.state, QuoteState::Offered | QuoteState::Countered))
            .filter_map(|c| c.cells[i].as_ref().and_then(|x| x.unit).map(|u| u.minor))
            .min();
        if let Some(best) = best {
            for c in &mut columns {
                if !matches!(c.state, QuoteState::Offered | QuoteState::Countered) {
                    continue;
                }
                if let Some(cell) = c.cells[i].as_mut()
                    && cell.unit.is_some_and(|u| u.minor == best)
                {
                    cell.best = true;
                }
            }
        }
    }
    Matrix { columns }
}

/// Trims `s` and checks it against `max` characters and control characters; empty is `None`.
pub(crate) fn optional_text(field: &'static str, s: &str, max: usize) -> Result<Option<String>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    crate::orders::clean(field, t, max).map(Some)
}

/// Parses a price typed in the RFQ's currency ("" is none); it must be above zero.
pub(crate) fn parse_price(
    field: &'static str,
    raw: &str,
    currency: Currency,
) -> Result<Option<Money>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let m = Money::parse_decimal(raw, currency).map_err(|e| Error::validation(field, e))?;
    if m.minor <= 0 {
        return Err(Error::validation(field, "must be more than zero"));
    }
    Ok(Some(m))
}
