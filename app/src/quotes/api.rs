//! Quote requests' server functions: the reseller's requests (drafts, sending, counters,
//! closing, accepting), the distributor's inbox (answers, revisions, withdrawal, auto-quote
//! rules), and the hub admin's activity report. Each is a guard, one domain call and the
//! error mapping; the DTOs here are plain data (no domain types reach the browser).

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// One row of a list of requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfqRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub state: String,
    /// The buyer (a distributor's inbox).
    pub buyer: String,
    pub lines: u32,
    pub asked: u32,
    pub answered: u32,
    /// A distributor's own quote: where it stands.
    pub quote: Option<String>,
    pub deadline: Option<String>,
    pub updated: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRow {
    pub kind: String,
    pub text: String,
    pub rfq: Option<String>,
    pub at: String,
    pub read: bool,
}

/// A distributor's auto-quote rules, as its console shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesView {
    pub enabled: bool,
    pub validity_days: u32,
    pub cap: String,
    pub currency: String,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfqListView {
    pub rows: Vec<RfqRow>,
    pub notices: Vec<NoticeRow>,
    /// The distributor's rules (its admin only).
    pub rules: Option<RulesView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub line_no: u32,
    pub kind: String,
    pub sku: Option<String>,
    pub category: Option<String>,
    pub description: String,
    pub quantity: u32,
    pub target: Option<String>,
    /// The target as typed in an editor (decimal).
    pub target_decimal: String,
}

/// A file attached to a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: String,
    pub name: String,
    /// e.g. "PDF, 1.2 MB"
    pub about: String,
    /// Where the caller downloads it.
    pub url: String,
}

/// The request itself, as both sides see it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfqHead {
    pub id: String,
    pub number: String,
    pub title: String,
    pub state: String,
    pub version: i64,
    pub buyer: String,
    pub needed_by: String,
    pub country: String,
    pub region: String,
    pub postal: String,
    pub address: String,
    pub notes: String,
    pub currency: String,
    pub deadline: Option<String>,
    pub rules: Vec<String>,
    pub closed_reason: Option<String>,
    pub order_id: Option<String>,
    pub contact: String,
    pub lines: Vec<LineView>,
    pub files: Vec<FileView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLineView {
    pub line_no: u32,
    pub price: Option<String>,
    /// The price as typed in an editor (decimal), "" when unpriced.
    pub price_decimal: String,
    pub total: Option<String>,
    pub quantity: u32,
    /// "500 on hand" or "made to order".
    pub stock: String,
    pub stock_number: Option<u32>,
    pub lead_days: Option<u32>,
    pub substitute: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    pub no: u32,
    /// "offer" or "counter"
    pub author: String,
    pub actor: String,
    pub total: Option<String>,
    pub valid_until: Option<String>,
    pub terms: String,
    pub created_at: String,
    pub lines: Vec<QuoteLineView>,
}

/// How a line changed between two offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub line_no: u32,
    pub description: String,
    pub before: String,
    pub after: String,
    pub fields: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteView {
    pub seller_id: String,
    pub seller: String,
    pub state: String,
    pub state_label: String,
    pub version: i64,
    pub offer_no: u32,
    pub counter_no: u32,
    pub valid_until: Option<String>,
    pub versions: Vec<VersionView>,
    /// From the offer before the standing one to it, when there are two.
    pub changes: Vec<ChangeView>,
    pub changes_between: Option<(u32, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellView {
    pub price: Option<String>,
    pub total: Option<String>,
    pub lead_days: Option<u32>,
    pub stock: String,
    pub substitute: Option<String>,
    pub best: bool,
    pub meets_target: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnView {
    pub seller_id: String,
    pub seller: String,
    pub state_label: String,
    pub offer_no: u32,
    pub version: i64,
    pub total: Option<String>,
    pub lead_days: Option<u32>,
    pub valid_until: Option<String>,
    pub lacks: Vec<u32>,
    pub acceptable: bool,
    pub cells: Vec<Option<CellView>>,
}

/// A choice in a list: (value, label).
pub type Choice = (String, String);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerPage {
    pub rfq: RfqHead,
    pub quotes: Vec<QuoteView>,
    pub matrix: Vec<ColumnView>,
    /// The distributors this reseller may ask.
    pub suppliers: Vec<Choice>,
    /// The store's categories (slug, name).
    pub categories: Vec<Choice>,
    /// A new request (nothing saved yet) or a draft.
    pub editable: bool,
    /// The caller may accept (the store's admin).
    pub admin: bool,
    /// A week from now, the deadline the send form proposes (`YYYY-MM-DDTHH:MM`, UTC).
    pub default_deadline: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerPage {
    pub rfq: RfqHead,
    pub quote: QuoteView,
    /// Answers may still change.
    pub open: bool,
}

/// One line of a draft as the editor sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineForm {
    pub kind: String,
    pub sku: String,
    pub category: String,
    pub description: String,
    pub quantity: u32,
    pub target: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftForm {
    pub title: String,
    pub needed_by: String,
    pub country: String,
    pub region: String,
    pub postal: String,
    pub address: String,
    pub notes: String,
    pub lines: Vec<LineForm>,
}

/// One line of an offer as the console sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLineForm {
    pub line_no: u32,
    pub price: String,
    pub quantity: u32,
    /// A number on hand, or "" for made to order.
    pub stock: String,
    pub lead_days: String,
    pub substitute: String,
    pub note: String,
}

/// One line of a counter-offer: the unit price asked ("" keeps the offer's).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterLineForm {
    pub line_no: u32,
    pub price: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedView {
    pub order_id: String,
    pub number: String,
    pub seller: String,
}

/// One day of the hub's activity chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    pub day: String,
    pub requests: u32,
    pub answers: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorRow {
    pub name: String,
    pub asked: u32,
    pub answered: u32,
    pub response: String,
    pub won: u32,
    pub decided: u32,
    pub win_rate: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub from: String,
    pub to: String,
    pub days: Vec<DayView>,
    pub distributors: Vec<DistributorRow>,
    pub requests: u32,
    pub answers: u32,
    pub accepted: u32,
    pub unanswered: u32,
    pub unpriced_lines: u32,
    pub unpriced_requests: u32,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use tenants::catalog::money::Money;
    use tenants::quotes::{self, BuyerView, Quote, Rfq, Version};

    use super::*;

    fn at(t: chrono::DateTime<chrono::Utc>) -> String {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// The store's effective catalog, as its shoppers see it.
    pub async fn store_snapshot(
        staff: &tenants::access::StoreStaff,
    ) -> Result<std::sync::Arc<tenants::catalog::snapshot::Storefront>, ApiError> {
        let state = crate::context::app_state()?;
        Ok(state.catalog.storefront(&state.db, staff.tenant()).await?)
    }

    pub fn parse_id(id: &str) -> Result<uuid::Uuid, ApiError> {
        uuid::Uuid::parse_str(id.trim()).map_err(|_| ApiError::NotFound)
    }

    pub fn parse_tenant(id: &str) -> Result<tenants::TenantId, ApiError> {
        tenants::TenantId::parse(id.trim()).ok_or(ApiError::NotFound)
    }

    pub fn rows(list: &[quotes::Summary]) -> Vec<RfqRow> {
        list.iter()
            .map(|s| RfqRow {
                id: s.id.to_string(),
                number: s.number.clone(),
                title: s.title.clone(),
                state: s.state.as_str().to_owned(),
                buyer: s.buyer.clone(),
                lines: s.lines,
                asked: s.asked,
                answered: s.answered,
                quote: s.quote_state.map(|q| q.label().to_owned()),
                deadline: s.deadline.map(at),
                updated: at(s.updated_at),
            })
            .collect()
    }

    pub fn notices(list: &[quotes::notices::Notice]) -> Vec<NoticeRow> {
        list.iter()
            .map(|n| NoticeRow {
                kind: n.kind.clone(),
                text: n.text.clone(),
                rfq: n.rfq.map(|r| r.to_string()),
                at: at(n.at),
                read: n.read,
            })
            .collect()
    }

    pub fn rules(r: &quotes::rules::Rules, currency: &str) -> RulesView {
        RulesView {
            enabled: r.enabled,
            validity_days: r.validity_days,
            cap: r.cap.map(|c| c.to_decimal()).unwrap_or_default(),
            currency: r
                .cap
                .map_or_else(|| currency.to_owned(), |c| c.currency.code().to_owned()),
            version: r.version,
        }
    }

    /// The request's head; `files` is where the caller's downloads are (`/console/rfqs` for
    /// the buyer, `/console/partner/rfqs` for a distributor).
    pub fn head(r: &Rfq, files: &str) -> RfqHead {
        let mut rules = Vec::new();
        if let Some(c) = &r.rules {
            rules.push(format!("answers close {}", at(c.deadline)));
            if let Some(n) = c.after_answers {
                rules.push(format!("or once {n} distributor(s) answered"));
            }
            if c.on_targets {
                rules.push("or once an answer meets every target price".into());
            }
        }
        RfqHead {
            id: r.id.to_string(),
            number: r.number.clone(),
            title: r.title.clone(),
            state: r.state.as_str().to_owned(),
            version: r.version,
            buyer: r.buyer.1.clone(),
            needed_by: r.needed_by.map(|d| d.to_string()).unwrap_or_default(),
            country: r.ship_to.country.clone(),
            region: r.ship_to.subdivision.clone().unwrap_or_default(),
            postal: r.ship_to.postal_code.clone().unwrap_or_default(),
            address: r.address.clone(),
            notes: r.notes.clone(),
            currency: r.currency.clone(),
            deadline: r.rules.as_ref().map(|c| at(c.deadline)),
            rules,
            closed_reason: r.closed_reason.clone(),
            order_id: r.order_id.map(|o| o.to_string()),
            contact: r.contact_name.clone(),
            files: r
                .attachments
                .iter()
                .map(|a| FileView {
                    id: a.id.to_string(),
                    name: a.name.clone(),
                    about: format!(
                        "{}, {}",
                        if a.mime == "application/pdf" {
                            "PDF"
                        } else {
                            "image"
                        },
                        if a.size >= 1024 * 1024 {
                            format!("{:.1} MB", a.size as f64 / (1024.0 * 1024.0))
                        } else {
                            format!("{} KB", a.size.div_ceil(1024))
                        }
                    ),
                    url: format!("{files}/{}/files/{}", r.id, a.id),
                })
                .collect(),
            lines: r
                .lines
                .iter()
                .map(|l| LineView {
                    line_no: l.line_no,
                    kind: l.kind.as_str().to_owned(),
                    sku: l.sku.clone(),
                    category: l.category.clone(),
                    description: l.description.clone(),
                    quantity: l.quantity,
                    target: l.target.map(|t| t.to_string()),
                    target_decimal: l.target.map(|t| t.to_decimal()).unwrap_or_default(),
                })
                .collect(),
        }
    }

    fn stock(s: Option<u32>) -> String {
        s.map_or_else(|| "made to order".to_owned(), |n| format!("{n} on hand"))
    }

    fn version(v: &Version) -> VersionView {
        VersionView {
            no: v.no,
            author: match v.author {
                quotes::Author::Seller => "offer".into(),
                quotes::Author::Buyer => "counter".into(),
            },
            actor: match v.actor.as_str() {
                "auto" => "the price list, automatically".to_owned(),
                "partner" => "a person in the console".to_owned(),
                "partner system" => "the partner's system".to_owned(),
                "buyer" => "the buyer".to_owned(),
                other => other.to_owned(),
            },
            total: v.total.map(|t| t.to_string()),
            valid_until: v.valid_until.map(at),
            terms: v.terms.clone(),
            created_at: at(v.created_at),
            lines: v
                .lines
                .iter()
                .map(|l| QuoteLineView {
                    line_no: l.line_no,
                    price: l.unit.map(|u| u.to_string()),
                    price_decimal: l.unit.map(|u| u.to_decimal()).unwrap_or_default(),
                    total: l.total().map(|t| t.to_string()),
                    quantity: l.quantity,
                    stock: stock(l.stock),
                    stock_number: l.stock,
                    lead_days: l.lead_days,
                    substitute: l.substitute_sku.clone(),
                    note: l.note.clone(),
                })
                .collect(),
        }
    }

    fn describe(l: &Option<quotes::QuoteLine>) -> String {
        match l {
            None => "—".into(),
            Some(l) => {
                let price = l
                    .unit
                    .map_or_else(|| "not priced".to_owned(), |u| u.to_string());
                let lead = l.lead_days.map(|d| format!(", {d} d")).unwrap_or_default();
                let sub = l
                    .substitute_sku
                    .as_ref()
                    .map(|s| format!(", substitute {s}"))
                    .unwrap_or_default();
                format!("{price} × {}{lead}{sub}", l.quantity)
            }
        }
    }

    pub fn quote(rfq: &Rfq, q: &Quote) -> QuoteView {
        let (changes, between) = match (q.offer(q.offer_no.saturating_sub(1)), q.current()) {
            (Some(a), Some(b)) if q.offer_no > 1 => {
                let d = quotes::diff(rfq, a, b);
                (
                    d.lines
                        .iter()
                        .map(|c| ChangeView {
                            line_no: c.line_no,
                            description: c.description.clone(),
                            before: describe(&c.before),
                            after: describe(&c.after),
                            fields: c.fields.clone(),
                        })
                        .collect(),
                    Some((a.no, b.no)),
                )
            }
            _ => (Vec::new(), None),
        };
        QuoteView {
            seller_id: q.seller.0.to_string(),
            seller: q.seller.1.clone(),
            state: q.state.as_str().to_owned(),
            state_label: q.state.label().to_owned(),
            version: q.version,
            offer_no: q.offer_no,
            counter_no: q.counter_no,
            valid_until: q.valid_until.map(at),
            versions: q.versions.iter().map(version).collect(),
            changes,
            changes_between: between,
        }
    }

    pub fn matrix(v: &BuyerView) -> Vec<ColumnView> {
        let money = |m: Option<Money>| m.map(|m| m.to_string());
        quotes::matrix(v)
            .columns
            .into_iter()
            .map(|c| ColumnView {
                seller_id: c.seller.0.to_string(),
                seller: c.seller.1,
                state_label: c.state.label().to_owned(),
                offer_no: c.offer_no,
                version: c.version,
                total: money(c.total),
                lead_days: c.lead_days,
                valid_until: c.valid_until.map(at),
                lacks: c.lacks,
                acceptable: c.acceptable,
                cells: c
                    .cells
                    .into_iter()
                    .map(|x| {
                        x.map(|x| CellView {
                            price: money(x.unit),
                            total: money(x.total),
                            lead_days: x.lead_days,
                            stock: stock(x.stock),
                            substitute: x.substitute_sku,
                            best: x.best,
                            meets_target: x.meets_target,
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    pub fn draft(f: DraftForm) -> tenants::quotes::rfq::DraftInput {
        tenants::quotes::rfq::DraftInput {
            title: f.title,
            needed_by: f.needed_by,
            country: f.country,
            subdivision: f.region,
            postal_code: f.postal,
            address: f.address,
            notes: f.notes,
            lines: f
                .lines
                .into_iter()
                .map(|l| tenants::quotes::rfq::LineInput {
                    kind: l.kind,
                    sku: l.sku,
                    category: l.category,
                    description: l.description,
                    quantity: l.quantity,
                    target: l.target,
                })
                .collect(),
        }
    }

    pub fn lines_back(lines: Vec<tenants::quotes::rfq::LineInput>) -> Vec<LineForm> {
        lines
            .into_iter()
            .map(|l| LineForm {
                kind: l.kind,
                sku: l.sku,
                category: l.category,
                description: l.description,
                quantity: l.quantity,
                target: l.target,
            })
            .collect()
    }

    pub fn offer_lines(
        lines: Vec<OfferLineForm>,
    ) -> Result<Vec<tenants::quotes::answer::OfferLineInput>, ApiError> {
        lines
            .into_iter()
            .map(|l| {
                let number = |field: &'static str, s: &str| -> Result<Option<u32>, ApiError> {
                    let s = s.trim();
                    if s.is_empty() {
                        return Ok(None);
                    }
                    s.parse::<u32>().map(Some).map_err(|_| {
                        ApiError::validation(
                            field,
                            format!("line {}: a whole number, or empty", l.line_no),
                        )
                    })
                };
                Ok(tenants::quotes::answer::OfferLineInput {
                    line_no: l.line_no,
                    price: l.price.clone(),
                    unit_minor: None,
                    quantity: l.quantity,
                    stock: number("stock", &l.stock)?,
                    lead_days: number("lead_days", &l.lead_days)?,
                    substitute_sku: l.substitute.clone(),
                    note: l.note.clone(),
                })
            })
            .collect()
    }

    /// `YYYY-MM-DDTHH:MM` (a datetime-local field, read as UTC) or RFC 3339.
    pub fn parse_deadline(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
        let raw = raw.trim();
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M") {
            return Ok(t.and_utc());
        }
        chrono::DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| ApiError::validation("deadline", "choose a date and time"))
    }

    pub async fn buyer_page(
        staff: &tenants::access::StoreStaff,
        id: Option<uuid::Uuid>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<BuyerPage, ApiError> {
        let suppliers = tenants::partners::linked(staff.db(), tenants::partners::SUPPLIER_RELATION)
            .await?
            .into_iter()
            .filter(|p| p.kind == "distributor" && p.status == "approved")
            .map(|p| (p.id.to_string(), p.name))
            .collect();
        let sf = store_snapshot(staff).await?;
        let categories = sf
            .categories
            .iter()
            .map(|c| (c.category.slug.clone(), c.category.name.clone()))
            .collect();
        let admin = staff.principal().role == tenants::auth::Role::ResellerAdmin;
        let deadline = (now + chrono::Duration::days(7))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let Some(id) = id else {
            return Ok(BuyerPage {
                suppliers,
                categories,
                editable: true,
                admin,
                default_deadline: deadline,
                ..Default::default()
            });
        };
        let v = tenants::quotes::for_buyer(staff.db(), id, now).await?;
        Ok(BuyerPage {
            rfq: head(&v.rfq, "/console/rfqs"),
            quotes: v.quotes.iter().map(|q| quote(&v.rfq, q)).collect(),
            matrix: matrix(&v),
            suppliers,
            categories,
            editable: v.rfq.state == tenants::quotes::RfqState::Draft,
            admin,
            default_deadline: deadline,
        })
    }

    pub fn seller_page(v: &tenants::quotes::SellerView) -> SellerPage {
        SellerPage {
            rfq: head(&v.rfq, "/console/partner/rfqs"),
            quote: quote(&v.rfq, &v.quote),
            open: v.rfq.state == tenants::quotes::RfqState::Open
                && !matches!(
                    v.quote.state,
                    tenants::quotes::QuoteState::Withdrawn
                        | tenants::quotes::QuoteState::Accepted
                        | tenants::quotes::QuoteState::NotSelected
                ),
        }
    }

    pub fn activity(r: &tenants::quotes::activity::Report) -> ActivityView {
        ActivityView {
            from: r.from.to_string(),
            to: r.to.to_string(),
            days: r
                .days
                .iter()
                .map(|d| DayView {
                    day: d.day.format("%m-%d").to_string(),
                    requests: d.requests,
                    answers: d.answers,
                })
                .collect(),
            distributors: r
                .distributors
                .iter()
                .map(|d| DistributorRow {
                    name: d.name.clone(),
                    asked: d.asked,
                    answered: d.answered,
                    response: d.median_response_secs.map_or_else(
                        || "—".to_owned(),
                        |s| match s {
                            0 => "at once".to_owned(),
                            s if s < 3600 => format!("{} min", (s + 59) / 60),
                            s if s < 86_400 => format!("{:.1} h", s as f64 / 3600.0),
                            s => format!("{:.1} days", s as f64 / 86_400.0),
                        },
                    ),
                    won: d.won,
                    decided: d.decided,
                    win_rate: if d.decided == 0 {
                        "—".into()
                    } else {
                        format!("{} %", u64::from(d.won) * 100 / u64::from(d.decided))
                    },
                })
                .collect(),
            requests: r.requests,
            answers: r.answers,
            accepted: r.accepted,
            unanswered: r.unanswered,
            unpriced_lines: r.unpriced_lines,
            unpriced_requests: r.unpriced_requests,
        }
    }
}

// ---------------------------------------------------------------- the reseller's requests

/// The reseller's requests, newest first, and its notices.
#[server(prefix = "/api", endpoint = "quotes/list", input = GetUrl, output = crate::codec::Answer)]
pub async fn rfq_list() -> Result<RfqListView, ApiError> {
    use tenants::access::StoreStaff;
    use tenants::quotes::{self, ListQuery};

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let list = quotes::of_buyer(
            staff.db(),
            &ListQuery {
                limit: 200,
                ..Default::default()
            },
            now,
        )
        .await?;
        let notices = quotes::notices::list(staff.db()).await?;
        Ok(RfqListView {
            rows: ssr::rows(&list),
            notices: ssr::notices(&notices),
            rules: None,
        })
    })
    .await
}

/// A request as its buyer sees it (no `id`: a new one, with what the editor offers).
#[server(prefix = "/api", endpoint = "quotes/get", input = GetUrl, output = crate::codec::Answer)]
pub async fn rfq_get(id: Option<String>) -> Result<BuyerPage, ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let id = id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(ssr::parse_id)
            .transpose()?;
        ssr::buyer_page(&staff, id, now).await
    })
    .await
}

/// Saves a draft (a new one when `id` is empty); answers its id.
#[server(prefix = "/api", endpoint = "quotes/save", output = crate::codec::Answer)]
pub async fn rfq_save(
    id: Option<String>,
    version: Option<i64>,
    draft: DraftForm,
) -> Result<String, ApiError> {
    use tenants::access::StoreStaff;
    use tenants::quotes::{Person, rfq};

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let id = id
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(ssr::parse_id)
            .transpose()?;
        let sf = ssr::store_snapshot(&staff).await?;
        let saved = rfq::save_draft(
            staff.db(),
            &sf,
            id,
            &ssr::draft(draft),
            version,
            &Person::from(staff.principal()),
            now,
        )
        .await?;
        Ok(saved.id.to_string())
    })
    .await
}

/// Reads pasted `SKU quantity` rows into product lines.
#[server(prefix = "/api", endpoint = "quotes/paste", output = crate::codec::Answer)]
pub async fn rfq_paste(text: String) -> Result<Vec<LineForm>, ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::run;
    run(|staff: StoreStaff| async move {
        let sf = ssr::store_snapshot(&staff).await?;
        Ok(ssr::lines_back(tenants::quotes::rfq::parse_paste(
            &sf, &text,
        )?))
    })
    .await
}

/// Sends a draft to the chosen distributors with its closing rules.
#[server(prefix = "/api", endpoint = "quotes/send", output = crate::codec::Answer)]
pub async fn rfq_send(
    id: String,
    version: Option<i64>,
    distributors: Vec<String>,
    deadline: String,
    close_after: Option<u32>,
    close_on_targets: Option<bool>,
) -> Result<(), ApiError> {
    use tenants::access::StoreStaff;
    use tenants::quotes::rfq::{self, SendInput};

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let input = SendInput {
            distributors: distributors
                .iter()
                .map(|d| ssr::parse_tenant(d))
                .collect::<Result<_, _>>()?,
            deadline: Some(ssr::parse_deadline(&deadline)?),
            close_after: close_after.unwrap_or(0),
            close_on_targets: close_on_targets.unwrap_or(false),
        };
        rfq::send(staff.db(), ssr::parse_id(&id)?, &input, version, now).await?;
        Ok(())
    })
    .await
}

/// Deletes a draft.
#[server(prefix = "/api", endpoint = "quotes/delete", output = crate::codec::Answer)]
pub async fn rfq_delete(id: String) -> Result<(), ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::run;
    run(|staff: StoreStaff| async move {
        tenants::quotes::rfq::delete_draft(staff.db(), ssr::parse_id(&id)?).await?;
        Ok(())
    })
    .await
}

/// Closes a request by hand.
#[server(prefix = "/api", endpoint = "quotes/close", output = crate::codec::Answer)]
pub async fn rfq_close(id: String) -> Result<(), ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        tenants::quotes::rfq::close(staff.db(), ssr::parse_id(&id)?, now).await?;
        Ok(())
    })
    .await
}

/// Counters a distributor's standing offer: (line, price) pairs and a message.
#[server(prefix = "/api", endpoint = "quotes/counter", output = crate::codec::Answer)]
pub async fn rfq_counter(
    id: String,
    seller: String,
    version: Option<i64>,
    lines: Vec<CounterLineForm>,
    message: String,
) -> Result<(), ApiError> {
    use tenants::access::StoreStaff;
    use tenants::quotes::answer::{self, CounterInput, CounterLineInput};

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        let input = CounterInput {
            lines: lines
                .into_iter()
                .filter(|l| !l.price.trim().is_empty())
                .map(|l| CounterLineInput {
                    line_no: l.line_no,
                    price: l.price,
                })
                .collect(),
            message,
        };
        answer::counter(
            staff.db(),
            ssr::parse_id(&id)?,
            ssr::parse_tenant(&seller)?,
            &input,
            version,
            now,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Accepts a distributor's standing offer: the purchase order.
#[server(prefix = "/api", endpoint = "quotes/accept", output = crate::codec::Answer)]
pub async fn rfq_accept(id: String, seller: String, offer: u32) -> Result<AcceptedView, ApiError> {
    use tenants::access::StoreAdmin;
    use tenants::quotes::{Person, accept};

    use crate::context::{app_state, run};
    run(|admin: StoreAdmin| async move {
        let now = app_state()?.clock.now();
        let a = accept::accept(
            admin.db(),
            ssr::parse_id(&id)?,
            ssr::parse_tenant(&seller)?,
            offer,
            &Person::from(admin.principal()),
            now,
        )
        .await?;
        Ok(AcceptedView {
            order_id: a.order.to_string(),
            number: a.number,
            seller: a.seller,
        })
    })
    .await
}

/// Marks the store's notices read.
#[server(prefix = "/api", endpoint = "quotes/notices/read", output = crate::codec::Answer)]
pub async fn rfq_notices_read() -> Result<(), ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let now = app_state()?.clock.now();
        tenants::quotes::notices::mark_read(staff.db(), now).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- the distributor's inbox

/// The requests sent to this distributor, its notices and (for its admin) its rules.
#[server(prefix = "/api", endpoint = "partner/rfqs", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_rfqs() -> Result<RfqListView, ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::quotes::{self, ListQuery};

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let list = quotes::inbox(
            staff.db(),
            &ListQuery {
                limit: 200,
                ..Default::default()
            },
            now,
        )
        .await?;
        let notices = quotes::notices::list(staff.db()).await?;
        let rules = if staff.principal().role == tenants::auth::Role::DistributorAdmin {
            let currency = tenants::partners::profile::get(staff.db())
                .await
                .map_or_else(|_| "EUR".to_owned(), |p| p.currency);
            Some(ssr::rules(
                &quotes::rules::get(staff.db()).await?,
                &currency,
            ))
        } else {
            None
        };
        Ok(RfqListView {
            rows: ssr::rows(&list),
            notices: ssr::notices(&notices),
            rules,
        })
    })
    .await
}

/// A request as this distributor sees it: its own quote only.
#[server(prefix = "/api", endpoint = "partner/rfq", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_rfq(id: String) -> Result<SellerPage, ApiError> {
    use tenants::access::DistributorStaff;

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let v = tenants::quotes::for_seller(staff.db(), ssr::parse_id(&id)?, now).await?;
        Ok(ssr::seller_page(&v))
    })
    .await
}

/// Answers a request, or revises the answer.
#[server(prefix = "/api", endpoint = "partner/rfq/offer", output = crate::codec::Answer)]
pub async fn partner_rfq_offer(
    id: String,
    version: Option<i64>,
    lines: Vec<OfferLineForm>,
    valid_until: String,
    terms: String,
) -> Result<(), ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::quotes::answer::{self, OfferInput};

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        let input = OfferInput {
            lines: ssr::offer_lines(lines)?,
            valid_until,
            terms,
        };
        answer::offer(
            staff.db(),
            ssr::parse_id(&id)?,
            &input,
            version,
            tenants::orders::Actor::Partner,
            now,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Withdraws this distributor's quote (or declines to answer).
#[server(prefix = "/api", endpoint = "partner/rfq/withdraw", output = crate::codec::Answer)]
pub async fn partner_rfq_withdraw(
    id: String,
    version: Option<i64>,
    reason: String,
) -> Result<(), ApiError> {
    use tenants::access::DistributorStaff;

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        tenants::quotes::answer::withdraw(staff.db(), ssr::parse_id(&id)?, &reason, version, now)
            .await?;
        Ok(())
    })
    .await
}

/// Saves the distributor's auto-quote rules.
#[server(prefix = "/api", endpoint = "partner/rfq/rules", output = crate::codec::Answer)]
pub async fn partner_rfq_rules(
    enabled: Option<bool>,
    validity_days: u32,
    cap: String,
    currency: String,
    version: Option<i64>,
) -> Result<RulesView, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::quotes::rules::{self, RulesInput};

    use crate::context::{app_state, run};
    run(|admin: DistributorAdmin| async move {
        let now = app_state()?.clock.now();
        let r = rules::put(
            admin.db(),
            &RulesInput {
                enabled: enabled.unwrap_or(false),
                validity_days,
                cap,
                currency: currency.clone(),
            },
            version,
            now,
        )
        .await?;
        Ok(ssr::rules(&r, &currency))
    })
    .await
}

/// Marks the distributor's notices read.
#[server(prefix = "/api", endpoint = "partner/rfq/notices/read", output = crate::codec::Answer)]
pub async fn partner_rfq_notices_read() -> Result<(), ApiError> {
    use tenants::access::DistributorStaff;

    use crate::context::{app_state, run};
    run(|staff: DistributorStaff| async move {
        let now = app_state()?.clock.now();
        tenants::quotes::notices::mark_read(staff.db(), now).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- the hub's view

/// The hub admin's RFQ activity report over the last `days` days (30 by default).
#[server(prefix = "/api", endpoint = "admin/rfqs", input = GetUrl, output = crate::codec::Answer)]
pub async fn rfq_activity(days: Option<u32>) -> Result<ActivityView, ApiError> {
    use tenants::access::HubAdmin;

    use crate::context::{app_state, run};
    run(|admin: HubAdmin| async move {
        let now = app_state()?.clock.now();
        let r = tenants::quotes::activity::report(admin.db(), days.unwrap_or(30), now).await?;
        Ok(ssr::activity(&r))
    })
    .await
}

// ---------------------------------------------------------------- attachments

/// Where the draft editor posts a file.
pub const ATTACH_PATH: &str = "/api/quotes/attach";

/// Attaches a file (the form's `file`: a PDF or a PNG, JPEG or WebP image) to the draft named
/// by the form's `rfq`.
#[server(prefix = "/api", endpoint = "quotes/attach", input = crate::upload::Upload, input_derive = (), output = crate::codec::Answer)]
pub async fn rfq_attach(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<FileView, ApiError> {
    use tenants::access::StoreStaff;
    use tenants::quotes::attachments;

    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let (file, fields) =
            crate::upload::read_form(data, attachments::MAX_BYTES, "attach a smaller file").await?;
        let rfq = fields
            .iter()
            .find(|(k, _)| k == "rfq")
            .map(|(_, v)| ssr::parse_id(v))
            .ok_or(ApiError::NotFound)??;
        let (name, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| ApiError::validation("file", "choose a file to attach"))?;
        let a = attachments::add(
            staff.db(),
            &state.media,
            rfq,
            &name,
            &bytes,
            state.clock.now(),
        )
        .await?;
        Ok(FileView {
            id: a.id.to_string(),
            name: a.name,
            about: a.mime,
            url: format!("/console/rfqs/{rfq}/files/{}", a.id),
        })
    })
    .await
}

crate::upload::upload_codec!(RfqAttach);

/// Removes a file from a draft.
#[server(prefix = "/api", endpoint = "quotes/detach", output = crate::codec::Answer)]
pub async fn rfq_detach(id: String, file: String) -> Result<(), ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::run;
    run(|staff: StoreStaff| async move {
        tenants::quotes::attachments::remove(
            staff.db(),
            ssr::parse_id(&id)?,
            ssr::parse_id(&file)?,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Products of the store's catalog matching `q` (name, SKU or description; typos tolerated),
/// for the editor's product lines: (SKU, "name · price"), at most 8.
#[server(prefix = "/api", endpoint = "quotes/products", input = GetUrl, output = crate::codec::Answer)]
pub async fn rfq_find_products(q: String) -> Result<Vec<Choice>, ApiError> {
    use tenants::access::StoreStaff;

    use crate::context::run;
    run(|staff: StoreStaff| async move {
        let q = q.trim();
        if q.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let q: String = q.chars().take(100).collect();
        let sf = ssr::store_snapshot(&staff).await?;
        Ok(sf
            .search(&q, 0, 8)
            .items
            .into_iter()
            .map(|p| (p.sku, format!("{} · {}", p.name, p.price)))
            .collect())
    })
    .await
}
