//! Which partners can fulfil a set of lines for a ship-to, and at what price: what cart
//! transfer and quote requests ask. A store reaches a partner's price list and territories
//! only through its own `supplier` links (the hub: its `distributor` links), and itself when
//! its profile opts in to fulfil; an inactive partner is never offered.
//!
//! A partner that can price every line in the wanted quantity, ships to the address and is
//! valid on the day is a complete offer; one that lacks something is a partial offer that
//! says what it lacks. Complete offers are ranked by total, then lead time.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::entity::{prices, profiles};
use super::price_list::Price;
use super::territories::{self, ShipTo};
use super::{DISTRIBUTOR_RELATION, PartnerRef, SUPPLIER_RELATION, linked_tenants, profile};
use crate::catalog::money::{Currency, Money};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::registry::{TenantKind, TenantStatus};

/// One wanted line: a hub SKU and a quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Want {
    pub sku: String,
    pub quantity: u32,
}

/// A line as a partner would fulfil it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferLine {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub quantity: u32,
    pub unit: Money,
    pub total: Money,
    pub lead_days: u32,
}

/// What a partner lacks for a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lack {
    /// It does not ship to the address.
    Territory,
    /// Not in its price list (or not valid on the day).
    NotCarried { sku: String },
    /// It sells from this quantity on.
    BelowMinimum { sku: String, minimum: u32 },
    /// It has fewer on hand.
    Stock { sku: String, on_hand: u32 },
}

/// A partner's answer for the lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub partner: PartnerRef,
    pub lines: Vec<OfferLine>,
    /// The sum of the lines it can fulfil (in the lines' currency).
    pub total: Option<Money>,
    /// The longest lead time of its lines.
    pub lead_days: u32,
    pub lacks: Vec<Lack>,
}

/// Every partner's offer: complete ones ranked, partial ones apart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidates {
    pub complete: Vec<Offer>,
    pub partial: Vec<Offer>,
}

/// Prices `wants` at `partner` (whose handle is `db`) for `to` on `day`.
pub(crate) async fn offer(
    db: &TenantDb,
    wants: &[Want],
    to: &ShipTo,
    day: NaiveDate,
) -> Result<Offer> {
    let partner = PartnerRef::from(db.tenant());
    let mut lacks = Vec::new();
    if !territories::list(db)
        .await?
        .iter()
        .any(|region| region.covers(to))
    {
        lacks.push(Lack::Territory);
    }
    let skus: Vec<String> = wants
        .iter()
        .map(|w| w.sku.trim().to_ascii_uppercase())
        .collect();
    let tx = db.begin().await?;
    let rows = tx
        .find::<prices::Entity>()
        .filter(prices::Column::Sku.is_in(skus.clone()))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    let rows: Vec<Price> = rows.into_iter().map(super::price_list::to_price).collect();
    let mut lines = Vec::new();
    let mut total: Option<Money> = None;
    let mut lead_days = 0;
    for (want, sku) in wants.iter().zip(skus) {
        let Some(p) = rows.iter().find(|p| p.sku == sku && p.valid_on(day)) else {
            lacks.push(Lack::NotCarried { sku });
            continue;
        };
        let Some(unit_minor) = p.unit_price(want.quantity) else {
            lacks.push(Lack::BelowMinimum {
                sku,
                minimum: p.min_quantity,
            });
            continue;
        };
        if let Some(on_hand) = p.stock
            && on_hand < want.quantity
        {
            lacks.push(Lack::Stock { sku, on_hand });
            continue;
        }
        let currency = Currency::parse(&p.currency).ok_or(Error::NotFound("currency"))?;
        let unit = Money::new(unit_minor, currency);
        let line_total = unit
            .checked_mul(want.quantity)
            .ok_or_else(|| Error::validation("quantity", "the line's total is too large"))?;
        total = match total {
            None => Some(line_total),
            Some(t) => Some(t.checked_add(&line_total).ok_or_else(|| {
                Error::validation(
                    "quantity",
                    "lines in several currencies or too large a total",
                )
            })?),
        };
        lead_days = lead_days.max(p.lead_days);
        lines.push(OfferLine {
            sku,
            partner_sku: p.partner_sku.clone(),
            quantity: want.quantity,
            unit,
            total: line_total,
            lead_days: p.lead_days,
        });
    }
    Ok(Offer {
        partner,
        lines,
        total,
        lead_days,
        lacks,
    })
}

/// The offers of every partner the store of `store` may use, for `wants` shipped to `to` on
/// `day` (the caller's clock).
pub async fn candidates(
    store: &TenantDb,
    wants: &[Want],
    to: &ShipTo,
    day: NaiveDate,
) -> Result<Candidates> {
    candidates_for(store, wants, to, day, None).await
}

/// The partners the store of `store` may use: its links (the hub: every distributor it
/// links; a reseller: its suppliers), active ones only, and itself if it fulfils.
async fn usable(store: &TenantDb) -> Result<Vec<TenantDb>> {
    let relation = match store.tenant().kind() {
        TenantKind::Hub => DISTRIBUTOR_RELATION,
        TenantKind::Reseller => SUPPLIER_RELATION,
        TenantKind::Distributor => return Err(Error::NotFound("store")),
    };
    let mut partners = Vec::new();
    // The link rows in the store's own table are the relationship that lets it read.
    for t in linked_tenants(store, relation).await? {
        if t.status() == TenantStatus::Approved {
            partners.push(TenantDb::new(store.db(), &t));
        }
    }
    if store.tenant().kind() == TenantKind::Reseller
        && profile::get(store).await.is_ok_and(|p| p.fulfils)
    {
        partners.push(store.clone());
    }
    Ok(partners)
}

/// [`usable`] without `exclude` (the partner a rerouted order leaves): the handles the
/// store's links open, for the caller to price and ask.
pub(crate) async fn usable_except(
    store: &TenantDb,
    exclude: Option<crate::ids::TenantId>,
) -> Result<Vec<TenantDb>> {
    Ok(usable(store)
        .await?
        .into_iter()
        .filter(|p| Some(p.tenant_id()) != exclude)
        .collect())
}

/// Whether the store of `store` may send an order to `partner` now: active, and named by the
/// store's own link (or the store itself, when it fulfils). One indexed read, not the list.
pub async fn may_use(store: &TenantDb, partner: &crate::registry::Tenant) -> Result<bool> {
    let tx = store.begin().await?;
    let ok = may_use_in(&tx, store.tenant(), partner).await?;
    tx.commit().await?;
    Ok(ok)
}

/// [`may_use`] in a transaction bound to `store` (which the caller may then carry on with).
pub(crate) async fn may_use_in(
    tx: &TenantTx,
    store: &crate::registry::Tenant,
    partner: &crate::registry::Tenant,
) -> Result<bool> {
    if partner.status() != TenantStatus::Approved {
        return Ok(false);
    }
    if partner.id() == store.id() {
        return Ok(store.kind() == TenantKind::Reseller
            && tx
                .find::<profiles::Entity>()
                .one(tx.conn())
                .await?
                .is_some_and(|p| p.fulfils));
    }
    let relation = match store.kind() {
        TenantKind::Hub => DISTRIBUTOR_RELATION,
        TenantKind::Reseller => SUPPLIER_RELATION,
        TenantKind::Distributor => return Ok(false),
    };
    super::is_linked_in(tx, relation, partner.id()).await
}

/// [`candidates`], leaving out `exclude` (the partner a rerouted order leaves).
pub async fn candidates_for(
    store: &TenantDb,
    wants: &[Want],
    to: &ShipTo,
    day: NaiveDate,
    exclude: Option<crate::ids::TenantId>,
) -> Result<Candidates> {
    let partners = usable_except(store, exclude).await?;
    candidates_among(&partners, wants, to, day).await
}

/// Refuses an empty list of lines or a line of no quantity.
pub(crate) fn check_wants(wants: &[Want]) -> Result<()> {
    if wants.is_empty() {
        return Err(Error::validation("lines", "nothing to fulfil"));
    }
    if wants.iter().any(|w| w.quantity == 0) {
        return Err(Error::validation(
            "quantity",
            "every line needs a quantity of 1 or more",
        ));
    }
    Ok(())
}

/// The offers of `partners` (handles from [`usable_except`]).
pub(crate) async fn candidates_among(
    partners: &[TenantDb],
    wants: &[Want],
    to: &ShipTo,
    day: NaiveDate,
) -> Result<Candidates> {
    check_wants(wants)?;
    let mut out = Candidates::default();
    for db in partners {
        let o = offer(db, wants, to, day).await?;
        if o.lacks.is_empty() {
            out.complete.push(o);
        } else {
            out.partial.push(o);
        }
    }
    out.complete.sort_by(|a, b| {
        let key = |o: &Offer| o.total.map_or(i64::MAX, |t| t.minor);
        key(a)
            .cmp(&key(b))
            .then(a.lead_days.cmp(&b.lead_days))
            .then(a.partner.name.cmp(&b.partner.name))
    });
    out.partial
        .sort_by(|a, b| a.partner.name.cmp(&b.partner.name));
    Ok(out)
}
