//! A store's side of the catalog: branding, selection, pricing rule and per-field overrides,
//! and the hub's policy over them (locked fields, allowed price range). Every change bumps
//! the store's catalog version in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::entity::{overrides, policy, products, selection, settings};
use super::master::{
    Product, check_description, check_name, normalise_sku, to_product, valid_media_name,
};
use super::money::{Money, PricingRule, Rounding};
use crate::access::MasterView;
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ProductId};
use crate::registry::{TenantKind, bump_catalog_version};

/// A product field a store may override.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Price,
    Name,
    Description,
    Featured,
    Hidden,
    Sort,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Self::Price,
        Self::Name,
        Self::Description,
        Self::Featured,
        Self::Hidden,
        Self::Sort,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Name => "name",
            Self::Description => "description",
            Self::Featured => "featured",
            Self::Hidden => "hidden",
            Self::Sort => "sort",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::Name => "name",
            Self::Description => "description",
            Self::Featured => "featured",
            Self::Hidden => "hidden",
            Self::Sort => "sort order",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// An override's value, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Price(i64),
    Text(String),
    Flag(bool),
    Sort(i32),
}

impl Value {
    fn encode(&self) -> String {
        match self {
            Self::Price(m) => m.to_string(),
            Self::Text(t) => t.clone(),
            Self::Flag(b) => b.to_string(),
            Self::Sort(s) => s.to_string(),
        }
    }

    /// Decodes a stored value; `None` for a row this version cannot read (ignored).
    pub fn decode(field: Field, raw: &str) -> Option<Self> {
        match field {
            Field::Price => raw.parse().ok().map(Self::Price),
            Field::Name | Field::Description => Some(Self::Text(raw.to_owned())),
            Field::Featured | Field::Hidden => raw.parse().ok().map(Self::Flag),
            Field::Sort => raw.parse().ok().map(Self::Sort),
        }
    }
}

/// The hub's rules for stores: price overrides must stay within a range of the list price,
/// and locked fields cannot be overridden at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub price_min_pct: i32,
    pub price_max_pct: i32,
    pub locked: Vec<Field>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            price_min_pct: 90,
            price_max_pct: 150,
            locked: Vec::new(),
        }
    }
}

impl Policy {
    pub fn is_locked(&self, f: Field) -> bool {
        self.locked.contains(&f)
    }

    /// The allowed price range for a list price.
    pub fn price_range(&self, list: Money) -> (Money, Money) {
        (
            list.percent(i64::from(self.price_min_pct)),
            list.percent(i64::from(self.price_max_pct)),
        )
    }

    /// Whether a store may sell a product listed at `list` for `minor` (same currency).
    pub fn allows_price(&self, list: Money, minor: i64) -> bool {
        let (lo, hi) = self.price_range(list);
        (lo.minor..=hi.minor).contains(&minor)
    }
}

/// The hub's policy (defaults until the hub sets one).
pub async fn policy(master: &MasterView) -> Result<Policy> {
    let tx = master.hub().begin().await?;
    let p = policy_in(&tx).await?;
    tx.commit().await?;
    Ok(p)
}

pub(crate) async fn policy_in(tx: &TenantTx) -> Result<Policy> {
    let row = tx.find::<policy::Entity>().one(tx.conn()).await?;
    Ok(row.map_or_else(Policy::default, |r| Policy {
        price_min_pct: r.price_min_pct,
        price_max_pct: r.price_max_pct,
        locked: r
            .locked_fields
            .split(',')
            .filter_map(Field::parse)
            .collect(),
    }))
}

/// Sets the hub's policy. Locks take effect in every store at once (a locked field shows the
/// master's value whatever a store had set).
pub async fn set_policy(hub: &TenantDb, p: &Policy) -> Result<Policy> {
    if hub.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    if !(1..=100).contains(&p.price_min_pct) {
        return Err(Error::validation(
            "price_min_pct",
            "must be between 1 % and 100 %",
        ));
    }
    if !(100..=1000).contains(&p.price_max_pct) {
        return Err(Error::validation(
            "price_max_pct",
            "must be between 100 % and 1000 %",
        ));
    }
    let mut locked = p.locked.clone();
    locked.sort();
    locked.dedup();
    let tx = hub.begin_write().await?;
    tx.delete_many::<policy::Entity>().exec(tx.conn()).await?;
    tx.insert(policy::ActiveModel {
        tenant_id: Set(hub.tenant_id().as_uuid()),
        price_min_pct: Set(p.price_min_pct),
        price_max_pct: Set(p.price_max_pct),
        locked_fields: Set(locked
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(",")),
        updated_at: Set(Utc::now()),
    })
    .await?;
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(Policy {
        locked,
        ..p.clone()
    })
}

/// A font from the safe list: system stacks only, nothing fetched from a third party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Font {
    System,
    Humanist,
    Geometric,
    Serif,
    Slab,
    Mono,
}

impl Font {
    pub const ALL: [Font; 6] = [
        Self::System,
        Self::Humanist,
        Self::Geometric,
        Self::Serif,
        Self::Slab,
        Self::Mono,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Humanist => "humanist",
            Self::Geometric => "geometric",
            Self::Serif => "serif",
            Self::Slab => "slab",
            Self::Mono => "mono",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System (clean sans)",
            Self::Humanist => "Humanist sans",
            Self::Geometric => "Geometric sans",
            Self::Serif => "Classic serif",
            Self::Slab => "Slab serif",
            Self::Mono => "Monospace",
        }
    }

    /// The CSS font stack.
    pub fn stack(self) -> &'static str {
        match self {
            Self::System => {
                "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
            }
            Self::Humanist => {
                "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, sans-serif"
            }
            Self::Geometric => {
                "Avenir, Montserrat, Corbel, 'URW Gothic', source-sans-pro, sans-serif"
            }
            Self::Serif => "Charter, 'Bitstream Charter', 'Sitka Text', Cambria, Georgia, serif",
            Self::Slab => {
                "Rockwell, 'Rockwell Nova', 'Roboto Slab', 'DejaVu Serif', 'Sitka Small', serif"
            }
            Self::Mono => {
                "ui-monospace, 'Cascadia Code', 'Source Code Pro', Menlo, Consolas, 'DejaVu Sans Mono', monospace"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// `#rrggbb`, lower case.
pub fn parse_color(raw: &str, field: &'static str) -> Result<String> {
    let c = raw.trim().to_ascii_lowercase();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(Error::validation(
            field,
            format!("'{}' is not a colour like #1a4f8b", raw.trim()),
        ));
    }
    Ok(c)
}

fn channel(hex: &str) -> f64 {
    let v = f64::from(u8::from_str_radix(hex, 16).unwrap_or(0)) / 255.0;
    if v <= 0.040_45 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(c: &str) -> f64 {
    0.2126 * channel(&c[1..3]) + 0.7152 * channel(&c[3..5]) + 0.0722 * channel(&c[5..7])
}

/// WCAG contrast ratio of two `#rrggbb` colours, in hundredths (450 = 4.5:1). Colours, not
/// money: the one place a float is the right tool.
pub fn contrast_x100(a: &str, b: &str) -> u32 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (((hi + 0.05) / (lo + 0.05)) * 100.0).floor() as u32
}

fn ratio(x100: u32) -> String {
    format!("{}.{}:1", x100 / 100, (x100 % 100) / 10)
}

/// A store's look and words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub tagline: String,
    pub hero_text: String,
    /// Buttons and the header: white text sits on it, so it needs 4.5:1 against white.
    pub primary_color: String,
    /// Links and prices on white: also 4.5:1 against white.
    pub accent_color: String,
    pub font: Font,
    pub logo: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            tagline: String::new(),
            hero_text: String::new(),
            primary_color: "#1f3a5f".into(),
            accent_color: "#b4461f".into(),
            font: Font::System,
            logo: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingInput {
    pub tagline: String,
    pub hero_text: String,
    pub primary_color: String,
    pub accent_color: String,
    pub font: String,
    pub logo: String,
}

pub const MIN_CONTRAST_X100: u32 = 450;

impl Branding {
    pub fn parse(input: &BrandingInput) -> Result<Self> {
        let tagline = input
            .tagline
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if tagline.chars().count() > 160 {
            return Err(Error::validation(
                "tagline",
                "must be at most 160 characters",
            ));
        }
        let hero_text = input.hero_text.trim().to_owned();
        if hero_text.chars().count() > 400 {
            return Err(Error::validation(
                "hero_text",
                "must be at most 400 characters",
            ));
        }
        if tagline
            .chars()
            .chain(hero_text.chars())
            .any(|c| c.is_control() && c != '\n')
        {
            return Err(Error::validation(
                "hero_text",
                "must not contain control characters",
            ));
        }
        let primary = parse_color(&input.primary_color, "primary_color")?;
        let accent = parse_color(&input.accent_color, "accent_color")?;
        for (field, c, role) in [
            ("primary_color", &primary, "white button text"),
            ("accent_color", &accent, "a white page"),
        ] {
            let x = contrast_x100(c, "#ffffff");
            if x < MIN_CONTRAST_X100 {
                return Err(Error::validation(
                    field,
                    format!(
                        "{c} has a contrast of {} against {role}; choose a darker colour (at least {})",
                        ratio(x),
                        ratio(MIN_CONTRAST_X100)
                    ),
                ));
            }
        }
        let font = Font::parse(&input.font)
            .ok_or_else(|| Error::validation("font", "choose a font from the list"))?;
        let logo = match input.logo.trim() {
            "" => None,
            l if valid_media_name(l) => Some(l.to_owned()),
            _ => return Err(Error::validation("logo", "upload the logo again")),
        };
        Ok(Self {
            tagline,
            hero_text,
            primary_color: primary,
            accent_color: accent,
            font,
            logo,
        })
    }
}

/// Which master products a store sells. A rule on a product beats a rule on its category;
/// a category rule covers its sub-categories; an exclusion beats an inclusion on one level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub all: bool,
    pub include_categories: Vec<CategoryId>,
    pub exclude_categories: Vec<CategoryId>,
    pub include_products: Vec<ProductId>,
    pub exclude_products: Vec<ProductId>,
}

/// A store's settings as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub branding: Branding,
    pub pricing: PricingRule,
    pub selection: Selection,
    pub live: bool,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            branding: Branding::default(),
            pricing: PricingRule::default(),
            selection: Selection {
                all: true,
                ..Default::default()
            },
            live: false,
        }
    }
}

pub(crate) async fn read_settings(tx: &TenantTx) -> Result<Option<StoreSettings>> {
    let Some(row) = tx.find::<settings::Entity>().one(tx.conn()).await? else {
        return Ok(None);
    };
    let rules = tx.find::<selection::Entity>().all(tx.conn()).await?;
    let mut sel = Selection {
        all: row.select_all,
        ..Default::default()
    };
    for r in rules {
        match (r.target_kind.as_str(), r.include) {
            ("category", true) => sel.include_categories.push(r.target_id.into()),
            ("category", false) => sel.exclude_categories.push(r.target_id.into()),
            ("product", true) => sel.include_products.push(r.target_id.into()),
            ("product", false) => sel.exclude_products.push(r.target_id.into()),
            _ => {}
        }
    }
    Ok(Some(StoreSettings {
        branding: Branding {
            tagline: row.tagline,
            hero_text: row.hero_text,
            primary_color: row.primary_color,
            accent_color: row.accent_color,
            font: Font::parse(&row.font).unwrap_or(Font::System),
            logo: row.logo,
        },
        pricing: PricingRule {
            markup_bp: row.markup_bp,
            rounding: Rounding::parse(&row.rounding).unwrap_or(Rounding::None),
        },
        selection: sel,
        live: row.live,
    }))
}

/// The store's settings, or `None` before its wizard was finished.
pub async fn settings(db: &TenantDb) -> Result<Option<StoreSettings>> {
    let tx = db.begin().await?;
    let s = read_settings(&tx).await?;
    tx.commit().await?;
    Ok(s)
}

/// Writes the whole settings row and the selection rules.
async fn write_settings(tx: &TenantTx, s: &StoreSettings) -> Result<()> {
    tx.delete_many::<settings::Entity>().exec(tx.conn()).await?;
    tx.insert(settings::ActiveModel {
        tenant_id: Set(tx.tenant_id().as_uuid()),
        tagline: Set(s.branding.tagline.clone()),
        hero_text: Set(s.branding.hero_text.clone()),
        primary_color: Set(s.branding.primary_color.clone()),
        accent_color: Set(s.branding.accent_color.clone()),
        font: Set(s.branding.font.as_str().to_owned()),
        logo: Set(s.branding.logo.clone()),
        select_all: Set(s.selection.all),
        markup_bp: Set(s.pricing.markup_bp),
        rounding: Set(s.pricing.rounding.as_str().to_owned()),
        live: Set(s.live),
        updated_at: Set(Utc::now()),
    })
    .await?;
    tx.delete_many::<selection::Entity>()
        .exec(tx.conn())
        .await?;
    let rules = [
        (
            "category",
            true,
            s.selection
                .include_categories
                .iter()
                .map(|c| c.as_uuid())
                .collect::<Vec<_>>(),
        ),
        (
            "category",
            false,
            s.selection
                .exclude_categories
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
        (
            "product",
            true,
            s.selection
                .include_products
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
        (
            "product",
            false,
            s.selection
                .exclude_products
                .iter()
                .map(|c| c.as_uuid())
                .collect(),
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (kind, include, ids) in rules {
        for id in ids {
            // An id both included and excluded: the exclusion (written later) is dropped by the
            // key, so keep the first and report nothing; the form cannot produce it.
            if !seen.insert((kind, id)) {
                continue;
            }
            tx.insert(selection::ActiveModel {
                tenant_id: Set(tx.tenant_id().as_uuid()),
                target_kind: Set(kind.to_owned()),
                target_id: Set(id),
                include: Set(include),
            })
            .await?;
        }
    }
    Ok(())
}

/// A pricing rule within the hub's policy: the markup alone must keep prices in range.
pub fn check_pricing(rule: &PricingRule, policy: &Policy) -> Result<()> {
    let pct_x100 = 10_000 + rule.markup_bp;
    if pct_x100 < policy.price_min_pct * 100 || pct_x100 > policy.price_max_pct * 100 {
        return Err(Error::validation(
            "markup",
            format!(
                "a markup of {} prices every product at {} of its list price; the hub allows {} % to {} %",
                format_bp(rule.markup_bp),
                format_pct_x100(pct_x100),
                policy.price_min_pct,
                policy.price_max_pct
            ),
        ));
    }
    Ok(())
}

/// Basis points as a percentage without trailing zeros: `1250` → `12.5`, `-500` → `-5`
/// (what a markup field shows, and what [`parse_markup`] reads back).
pub fn markup_text(bp: i32) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    let (whole, frac) = (a / 100, a % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f.is_multiple_of(10) => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// `1250` → `+12.5 %`.
pub fn format_bp(bp: i32) -> String {
    let sign = if bp < 0 { "" } else { "+" };
    format!("{sign}{} %", markup_text(bp))
}

/// `16000` → `160 %`.
fn format_pct_x100(x: i32) -> String {
    format!("{} %", markup_text(x))
}

/// A markup typed as a percentage (`15`, `12.5`, `-5`) in basis points.
pub fn parse_markup(raw: &str) -> Result<i32> {
    let s = raw.trim().trim_end_matches('%').trim();
    if s.is_empty() {
        return Ok(0);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    let bad = || {
        Error::validation(
            "markup",
            format!("'{}' is not a percentage like 15 or 12.5", raw.trim()),
        )
    };
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) || w.len() > 4 {
        return Err(bad());
    }
    if f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i32 = w.parse().map_err(|_| bad())?;
    let frac: i32 = format!("{f:0<2}").parse().map_err(|_| bad())?;
    let bp = whole * 100 + frac;
    Ok(if neg { -bp } else { bp })
}

/// An override as typed: a product by SKU, a field and the value as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideInput {
    pub sku: String,
    pub field: String,
    pub value: String,
}

fn product_label(p: &Product) -> String {
    format!("{} \u{201c}{}\u{201d}", p.sku, p.name)
}

/// Checks one override against the product and the hub's policy. The message names the
/// product, the field and, for prices, the allowed range.
pub fn check_override(
    product: &Product,
    field: Field,
    raw: &str,
    policy: &Policy,
) -> Result<Value> {
    let label = product_label(product);
    if policy.is_locked(field) {
        return Err(Error::validation(
            "overrides",
            format!("{label}: the {} is locked by the hub", field.label()),
        ));
    }
    let value = match field {
        Field::Price => {
            let m = Money::parse_decimal(raw, product.price.currency)
                .map_err(|e| Error::validation("overrides", format!("{label}: price {e}")))?;
            if !policy.allows_price(product.price, m.minor) {
                let (lo, hi) = policy.price_range(product.price);
                return Err(Error::validation(
                    "overrides",
                    format!(
                        "{label}: price {} is outside the hub's range {} to {} ({} %–{} % of the list price {})",
                        m.display(),
                        lo.display(),
                        hi.display(),
                        policy.price_min_pct,
                        policy.price_max_pct,
                        product.price.display()
                    ),
                ));
            }
            Value::Price(m.minor)
        }
        Field::Name => Value::Text(
            check_name(raw, "name", 200)
                .map_err(|e| Error::validation("overrides", format!("{label}: name {e}")))?,
        ),
        Field::Description => Value::Text(
            check_description(raw)
                .map_err(|e| Error::validation("overrides", format!("{label}: description {e}")))?,
        ),
        Field::Featured | Field::Hidden => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Value::Flag(true),
            "false" | "no" | "off" | "0" => Value::Flag(false),
            _ => {
                return Err(Error::validation(
                    "overrides",
                    format!("{label}: {} must be yes or no", field.label()),
                ));
            }
        },
        Field::Sort => Value::Sort(
            raw.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (-100_000..=100_000).contains(n))
                .ok_or_else(|| {
                    Error::validation(
                        "overrides",
                        format!("{label}: sort order must be a whole number"),
                    )
                })?,
        ),
    };
    Ok(value)
}

async fn master_by_sku(master: &MasterView, skus: &[String]) -> Result<HashMap<String, Product>> {
    let tx = master.hub().begin().await?;
    let rows = tx
        .find::<products::Entity>()
        .filter(products::Column::Sku.is_in(skus.iter().cloned()))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| to_product(r).map(|p| (p.sku.clone(), p)))
        .collect()
}

async fn master_by_ids(
    master: &MasterView,
    ids: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Product>> {
    let tx = master.hub().begin().await?;
    let rows = tx
        .find::<products::Entity>()
        .filter(products::Column::Id.is_in(ids.iter().copied()))
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|r| to_product(r).map(|p| (p.id.as_uuid(), p)))
        .collect()
}

/// Checks overrides typed by SKU, reporting the first problem.
pub async fn check_overrides(
    master: &MasterView,
    inputs: &[OverrideInput],
    policy: &Policy,
) -> Result<Vec<(ProductId, Field, Value)>> {
    let skus: Vec<String> = inputs
        .iter()
        .filter_map(|o| normalise_sku(&o.sku).ok())
        .collect();
    let products = master_by_sku(master, &skus).await?;
    let mut out = Vec::with_capacity(inputs.len());
    for o in inputs {
        let sku = normalise_sku(&o.sku)
            .map_err(|e| Error::validation("overrides", format!("SKU '{}': {e}", o.sku.trim())))?;
        let p = products.get(&sku).ok_or_else(|| {
            Error::validation(
                "overrides",
                format!("there is no product {sku} in the catalog"),
            )
        })?;
        let field = Field::parse(&o.field).ok_or_else(|| {
            Error::validation(
                "overrides",
                format!("{sku}: '{}' is not a field a store can change", o.field),
            )
        })?;
        out.push((p.id, field, check_override(p, field, &o.value, policy)?));
    }
    Ok(out)
}

async fn write_override(
    tx: &TenantTx,
    product: ProductId,
    field: Field,
    value: &Value,
) -> Result<()> {
    tx.delete_many::<overrides::Entity>()
        .filter(overrides::Column::ProductId.eq(product.as_uuid()))
        .filter(overrides::Column::Field.eq(field.as_str()))
        .exec(tx.conn())
        .await?;
    tx.insert(overrides::ActiveModel {
        tenant_id: Set(tx.tenant_id().as_uuid()),
        product_id: Set(product.as_uuid()),
        field: Set(field.as_str().to_owned()),
        value: Set(value.encode()),
        updated_at: Set(Utc::now()),
    })
    .await?;
    Ok(())
}

fn store_only(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Reseller | TenantKind::Hub => Ok(()),
        TenantKind::Distributor => Err(Error::Forbidden),
    }
}

/// What the wizard collects, already checked field by field by [`StoreSetup::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreSetup {
    pub branding: Branding,
    pub selection: Selection,
    pub pricing: PricingRule,
    pub overrides: Vec<(ProductId, Field, Value)>,
}

/// Writes the wizard's result and makes the store live: settings, selection, pricing rule
/// and overrides in one transaction with the version bump.
pub async fn publish(db: &TenantDb, setup: &StoreSetup) -> Result<StoreSettings> {
    store_only(db)?;
    let s = StoreSettings {
        branding: setup.branding.clone(),
        pricing: setup.pricing,
        selection: setup.selection.clone(),
        live: true,
    };
    let tx = db.begin_write().await?;
    write_settings(&tx, &s).await?;
    for (p, f, v) in &setup.overrides {
        write_override(&tx, *p, *f, v).await?;
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(s)
}

/// Replaces the store's settings (branding, selection, pricing) keeping its overrides.
pub async fn save_settings(db: &TenantDb, s: &StoreSettings) -> Result<()> {
    store_only(db)?;
    let tx = db.begin_write().await?;
    write_settings(&tx, s).await?;
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets one override (checked against the master product and the hub's policy), or with
/// `value: None` reverts the field to the master's.
pub async fn set_override(
    db: &TenantDb,
    master: &MasterView,
    product: ProductId,
    field: Field,
    value: Option<&str>,
) -> Result<()> {
    store_only(db)?;
    let masters = master_by_ids(master, &[product.as_uuid()]).await?;
    let p = masters
        .get(&product.as_uuid())
        .ok_or(Error::NotFound("product"))?;
    // Checked before the write lock is taken.
    let checked = match value {
        Some(raw) => Some(check_override(p, field, raw, &policy(master).await?)?),
        None => None,
    };
    let tx = db.begin_write().await?;
    match checked {
        Some(v) => write_override(&tx, product, field, &v).await?,
        None => {
            tx.delete_many::<overrides::Entity>()
                .filter(overrides::Column::ProductId.eq(product.as_uuid()))
                .filter(overrides::Column::Field.eq(field.as_str()))
                .exec(tx.conn())
                .await?;
        }
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Every override of the store: `(product, field, value)`.
pub(crate) async fn read_overrides(tx: &TenantTx) -> Result<Vec<(uuid::Uuid, Field, Value)>> {
    let rows = tx.find::<overrides::Entity>().all(tx.conn()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let f = Field::parse(&r.field)?;
            Some((r.product_id, f, Value::decode(f, &r.value)?))
        })
        .collect())
}

/// One field where the store differs from the master.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub product: ProductId,
    pub sku: String,
    pub product_name: String,
    pub field: Field,
    pub master: String,
    pub store: String,
    /// The hub locked the field since: the store's value is not shown.
    pub locked: bool,
    /// A price the hub's current range no longer allows (the range, as text): the storefront
    /// shows the store's rule price instead until the store sets a price within it.
    pub outside_range: Option<String>,
}

fn show(field: Field, v: &Value, p: &Product) -> String {
    match (field, v) {
        (_, Value::Price(m)) => Money::new(*m, p.price.currency).display(),
        (_, Value::Text(t)) => t.clone(),
        (_, Value::Flag(b)) => if *b { "yes" } else { "no" }.to_owned(),
        (_, Value::Sort(s)) => s.to_string(),
    }
}

/// The drift view: every overridden field with the master's value beside the store's.
pub async fn drift(db: &TenantDb, master: &MasterView, policy: &Policy) -> Result<Vec<Drift>> {
    store_only(db)?;
    let tx = db.begin().await?;
    let rows = read_overrides(&tx).await?;
    tx.commit().await?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|(p, _, _)| *p).collect();
    let masters = master_by_ids(master, &ids).await?;
    let mut out: Vec<Drift> = rows
        .into_iter()
        .filter_map(|(pid, field, v)| {
            let p = masters.get(&pid)?;
            let master = match field {
                Field::Price => p.price.display() + " (list)",
                Field::Name => p.name.clone(),
                Field::Description => p.description.clone(),
                Field::Featured | Field::Hidden => "no".into(),
                Field::Sort => "0".into(),
            };
            let outside_range = match &v {
                Value::Price(m) if !policy.allows_price(p.price, *m) => {
                    let (lo, hi) = policy.price_range(p.price);
                    Some(format!("{} to {}", lo.display(), hi.display()))
                }
                _ => None,
            };
            Some(Drift {
                product: p.id,
                sku: p.sku.clone(),
                product_name: p.name.clone(),
                field,
                store: show(field, &v, p),
                master,
                locked: policy.is_locked(field),
                outside_range,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.sku, a.field).cmp(&(&b.sku, b.field)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::money::Currency;

    #[test]
    fn contrast_and_colours() {
        assert_eq!(contrast_x100("#000000", "#ffffff"), 2100);
        assert!(contrast_x100("#1f3a5f", "#ffffff") >= MIN_CONTRAST_X100);
        assert!(contrast_x100("#ffdd00", "#ffffff") < 200);
        let e = parse_color("#12345g", "primary_color").unwrap_err();
        assert!(
            matches!(&e, Error::Validation { field: "primary_color", message }
                if message == "'#12345g' is not a colour like #1a4f8b"),
            "{e}"
        );
        for bad in ["12345f", "#12345", "#1234567", "#abc"] {
            assert!(
                matches!(
                    parse_color(bad, "c"),
                    Err(Error::Validation { field: "c", .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(parse_color(" #ABCDEF ", "c").unwrap(), "#abcdef");
        let input = BrandingInput {
            primary_color: "#ffdd00".into(),
            accent_color: "#b4461f".into(),
            font: "serif".into(),
            ..Default::default()
        };
        let err = Branding::parse(&input).unwrap_err().to_string();
        assert!(
            err.contains("primary_color") && err.contains("contrast"),
            "{err}"
        );
    }

    #[test]
    fn markups_parse_and_respect_the_policy() {
        assert_eq!(parse_markup("15").unwrap(), 1500);
        assert_eq!(parse_markup("12.5 %").unwrap(), 1250);
        assert_eq!(parse_markup("-5").unwrap(), -500);
        for bp in [1500, 1250, 1205, -500, 0] {
            assert_eq!(parse_markup(&markup_text(bp)).unwrap(), bp);
        }
        assert_eq!(format_bp(1250), "+12.5 %");
        assert_eq!(format_bp(-500), "-5 %");
        for bad in ["abc", "1.234", "12,5", "--5", "12345"] {
            let e = parse_markup(bad).unwrap_err();
            let want = format!("'{bad}' is not a percentage like 15 or 12.5");
            assert!(
                matches!(&e, Error::Validation { field: "markup", message } if *message == want),
                "{bad}: {e}"
            );
        }
        let p = Policy::default();
        assert!(check_pricing(&PricingRule::new(5000, Rounding::None).unwrap(), &p).is_ok());
        let e = check_pricing(&PricingRule::new(6000, Rounding::None).unwrap(), &p).unwrap_err();
        assert!(e.to_string().contains("160 %"), "{e}");
    }

    #[test]
    fn overrides_name_product_field_and_range() {
        let p = Product {
            id: ProductId::generate(),
            sku: "DR-1".into(),
            name: "Drill".into(),
            description: String::new(),
            price: Money::new(10_000, Currency::parse("EUR").unwrap()),
            category: None,
            status: super::super::master::ProductStatus::Active,
            attributes: vec![],
            image: None,
            updated_at: Utc::now(),
        };
        let policy = Policy::default();
        assert_eq!(
            check_override(&p, Field::Price, "120", &policy).unwrap(),
            Value::Price(12_000)
        );
        let e = check_override(&p, Field::Price, "200", &policy)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("DR-1")
                && e.contains("price")
                && e.contains("€90.00")
                && e.contains("€150.00"),
            "{e}"
        );
        let locked = Policy {
            locked: vec![Field::Name],
            ..Policy::default()
        };
        let e = check_override(&p, Field::Name, "Better drill", &locked)
            .unwrap_err()
            .to_string();
        assert!(e.contains("DR-1") && e.contains("locked"), "{e}");
        let e = check_override(&p, Field::Featured, "maybe", &policy).unwrap_err();
        assert!(
            matches!(&e, Error::Validation { field: "overrides", message }
                if message == "DR-1 \u{201c}Drill\u{201d}: featured must be yes or no"),
            "{e}"
        );
    }
}
