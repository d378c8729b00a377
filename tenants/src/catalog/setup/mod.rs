//! The reseller's store console: the store wizard's rules (its input checked in the wizard's
//! order, what the storefront would offer, the wizard's starting point, publishing) and the
//! per-product overrides typed by SKU. The console's server functions call one function here
//! each and only turn its answer into their DTOs.
//!
//! Validation errors name the wizard's fields (`slug`, `name`, the branding fields,
//! `selection`, `markup`, `rounding`, `overrides`): the pages show each message next to its
//! input.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::master::{Category, normalise_sku};
use super::money::{Currency, MARKUP_RANGE_BP, Money, PricingRule, Rounding};
use super::snapshot::{self, CatalogCache, Master};
use super::store::{
    self, Branding, BrandingInput, Drift, Field, OverrideInput, Policy, Selection, StoreSettings,
    StoreSetup,
};
use crate::access::MasterView;
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ProductId, TenantId};
use crate::registry::{self, RegistryCache, Slug, Tenant, TenantStatus};

/// Everything the wizard collects, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetupInput {
    pub slug: String,
    pub name: String,
    pub tagline: String,
    pub hero_text: String,
    /// `#rrggbb`
    pub primary_color: String,
    pub accent_color: String,
    /// A font's `as_str()` value.
    pub font: String,
    /// A stored media name, or empty.
    pub logo: String,
    /// Sell the whole master catalog (minus exclusions) rather than only what is chosen.
    pub select_all: bool,
    /// Category ids (`cat_…`).
    pub include_categories: Vec<String>,
    pub exclude_categories: Vec<String>,
    /// SKUs.
    pub include_products: Vec<String>,
    pub exclude_products: Vec<String>,
    /// A percentage like `15` or `12.5`.
    pub markup: String,
    /// `none`, `whole` or `ends_99`
    pub rounding: String,
    /// Rows left empty (no SKU, no value) are ignored.
    pub overrides: Vec<OverrideInput>,
}

/// The wizard's input, checked.
#[derive(Clone, Debug)]
pub struct Checked {
    pub slug: String,
    pub slug_changed: bool,
    pub name: String,
    pub name_changed: bool,
    pub setup: StoreSetup,
    /// The master the input was checked against.
    pub master: Arc<Master>,
}

/// What the storefront would offer with a checked input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effect {
    pub products: usize,
    pub categories: usize,
}

/// A master category in tree order, with its depth (0 at the top).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryNode {
    pub id: CategoryId,
    pub name: String,
    pub depth: u32,
}

/// A master product as the console lists it for choosing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductChoice {
    pub sku: String,
    pub name: String,
    pub price: Money,
    /// Its category's name.
    pub category: Option<String>,
}

/// One example of a pricing rule at work. No SKU for a made-up example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceExample {
    pub sku: String,
    pub name: String,
    pub list: Money,
    pub price: Money,
}

/// The wizard's starting point: the store's current settings (or the defaults before its
/// first publication) and the choices it offers.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The current settings as the wizard shows them (no override rows: overrides in place
    /// are managed on the catalog page).
    pub input: SetupInput,
    /// The store has been published before.
    pub live: bool,
    pub policy: Policy,
    pub categories: Vec<CategoryNode>,
    /// The products the selection names (included, then excluded).
    pub chosen_products: Vec<ProductChoice>,
    /// The current pricing rule at work.
    pub examples: Vec<PriceExample>,
    /// Overrides already in place.
    pub override_count: usize,
    pub master_products: usize,
}

/// Whether a store could move to an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlugAnswer {
    /// As typed, trimmed and in lower case.
    pub slug: String,
    pub available: bool,
    pub message: String,
}

/// The store after publishing.
#[derive(Clone, Debug)]
pub struct Published {
    /// The store as it is now (new name and address included).
    pub tenant: Tenant,
    pub slug_changed: bool,
    pub renamed: bool,
    /// Products the storefront offers.
    pub products: usize,
}

/// An override set by SKU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedOverride {
    /// Normalised (upper case).
    pub sku: String,
    pub product_name: String,
    pub field: Field,
}

/// The drift view with the policy that judged it.
#[derive(Clone, Debug)]
pub struct DriftReport {
    pub rows: Vec<Drift>,
    pub policy: Policy,
}

/// The master at its current version.
async fn current_master(db: &TenantDb, catalog: &CatalogCache) -> Result<Arc<Master>> {
    catalog.master(db.db()).await
}

/// The markups the hub's price range allows, in basis points (`90`–`150` % → `-1000`–`5000`).
pub fn markup_bounds_bp(policy: &Policy) -> (i32, i32) {
    let bp = |pct: i32| pct.saturating_sub(100).saturating_mul(100);
    (bp(policy.price_min_pct), bp(policy.price_max_pct))
}

/// A markup and rounding as typed, as a pricing rule (the hub's policy aside).
pub fn pricing_rule(markup: &str, rounding: &str) -> Result<PricingRule> {
    let bp = store::parse_markup(markup)?;
    let rounding = Rounding::parse(rounding.trim())
        .ok_or_else(|| Error::validation("rounding", "choose a rounding from the list"))?;
    if !(MARKUP_RANGE_BP.0..=MARKUP_RANGE_BP.1).contains(&bp) {
        return Err(Error::validation(
            "markup",
            "must be between -50 % and +400 %",
        ));
    }
    PricingRule::new(bp, rounding)
}

/// The master's categories, each under its parent, siblings by position then name.
/// Categories a cycle in the parents leaves unreached come last, at the top level.
pub fn category_tree(master: &Master) -> Vec<CategoryNode> {
    tree(&master.categories)
}

fn tree(categories: &[Category]) -> Vec<CategoryNode> {
    let known: HashSet<CategoryId> = categories.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<CategoryId>, Vec<usize>> = HashMap::new();
    for (i, c) in categories.iter().enumerate() {
        let parent = c.parent.filter(|p| known.contains(p) && *p != c.id);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            let (a, b) = (&categories[*a], &categories[*b]);
            (a.position, a.name.to_lowercase()).cmp(&(b.position, b.name.to_lowercase()))
        });
    }
    let node = |c: &Category, depth| CategoryNode {
        id: c.id,
        name: c.name.clone(),
        depth,
    };
    let mut out = Vec::with_capacity(categories.len());
    let mut seen = HashSet::new();
    let mut stack: Vec<(usize, u32)> = children
        .get(&None)
        .map(|l| l.iter().rev().map(|i| (*i, 0)).collect())
        .unwrap_or_default();
    while let Some((i, depth)) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        let c = &categories[i];
        out.push(node(c, depth));
        if let Some(kids) = children.get(&Some(c.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    for (i, c) in categories.iter().enumerate() {
        if !seen.contains(&i) {
            out.push(node(c, 0));
        }
    }
    out
}

/// The master's `i`-th product, for choosing.
pub fn product_choice(master: &Master, i: usize) -> Option<ProductChoice> {
    let m = master.items.get(i)?;
    Some(ProductChoice {
        sku: m.sku.clone(),
        name: m.name.clone(),
        price: m.price,
        category: m
            .category
            .and_then(|c| master.categories.get(usize::try_from(c).ok()?))
            .map(|c| c.name.clone()),
    })
}

/// Master products whose SKU or name contains `query` (any case), at most `limit`.
pub fn search(master: &Master, query: &str, limit: usize) -> Vec<ProductChoice> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    master
        .items
        .iter()
        .enumerate()
        .filter(|(_, m)| m.sku.to_lowercase().contains(&q) || m.name.to_lowercase().contains(&q))
        .take(limit)
        .filter_map(|(i, _)| product_choice(master, i))
        .collect()
}

/// [`search`] over the current master (at most 12); a blank query reads nothing.
pub async fn search_master(
    db: &TenantDb,
    catalog: &CatalogCache,
    query: &str,
) -> Result<Vec<ProductChoice>> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let master = current_master(db, catalog).await?;
    Ok(search(&master, query, 12))
}

/// Up to three of the master's products (the cheapest, a middle one, the dearest) with their
/// price under `rule`; made-up list prices while the master is empty.
pub fn price_examples(master: &Master, rule: &PricingRule) -> Vec<PriceExample> {
    let mut idx: Vec<usize> = (0..master.items.len()).collect();
    idx.sort_by_key(|i| master.items[*i].price.minor);
    let mut picks: Vec<usize> = match idx.len() {
        0 => Vec::new(),
        n => vec![idx[0], idx[n / 2], idx[n - 1]],
    };
    picks.dedup();
    if picks.is_empty() {
        let Some(eur) = Currency::parse("EUR") else {
            return Vec::new();
        };
        return [
            (999, "Example: a small item"),
            (2450, "Example: a mid-range item"),
            (12_900, "Example: a large item"),
        ]
        .into_iter()
        .map(|(minor, name)| {
            let list = Money::new(minor, eur);
            PriceExample {
                sku: String::new(),
                name: name.to_owned(),
                list,
                price: rule.apply(list),
            }
        })
        .collect();
    }
    picks
        .into_iter()
        .map(|i| {
            let m = &master.items[i];
            PriceExample {
                sku: m.sku.clone(),
                name: m.name.clone(),
                list: m.price,
                price: rule.apply(m.price),
            }
        })
        .collect()
}

/// Price examples under a markup and rounding as typed, checked against the hub's policy
/// (a violation is a validation error on `markup`).
pub async fn preview_pricing(
    db: &TenantDb,
    view: &MasterView,
    catalog: &CatalogCache,
    markup: &str,
    rounding: &str,
) -> Result<Vec<PriceExample>> {
    let rule = pricing_rule(markup, rounding)?;
    store::check_pricing(&rule, &store::policy(view).await?)?;
    let master = current_master(db, catalog).await?;
    Ok(price_examples(&master, &rule))
}

/// The wizard's selection step against `master`.
pub fn selection(master: &Master, input: &SetupInput) -> Result<Selection> {
    choose(
        &master.categories,
        |sku| master.find_sku(sku).map(|m| m.id),
        input,
    )
}

/// The selection step over the master's categories and a SKU lookup. Unknown category ids
/// are categories the hub removed since: they select nothing and are dropped. An unknown
/// SKU is an error.
fn choose(
    categories: &[Category],
    find_sku: impl Fn(&str) -> Option<ProductId>,
    input: &SetupInput,
) -> Result<Selection> {
    let by_id: HashMap<CategoryId, &str> =
        categories.iter().map(|c| (c.id, c.name.as_str())).collect();
    let cats = |ids: &[String]| {
        let mut seen = HashSet::new();
        ids.iter()
            .filter_map(|s| CategoryId::parse(s.trim()))
            .filter(|c| by_id.contains_key(c) && seen.insert(*c))
            .collect::<Vec<_>>()
    };
    let products = |skus: &[String]| -> Result<Vec<(String, ProductId)>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for raw in skus.iter().filter(|s| !s.trim().is_empty()) {
            let sku = normalise_sku(raw).map_err(|e| {
                Error::validation("selection", format!("SKU '{}': {e}", raw.trim()))
            })?;
            let id = find_sku(&sku).ok_or_else(|| {
                Error::validation(
                    "selection",
                    format!("there is no product {sku} in the catalog"),
                )
            })?;
            if seen.insert(id) {
                out.push((sku, id));
            }
        }
        Ok(out)
    };
    let include_categories = cats(&input.include_categories);
    let exclude_categories = cats(&input.exclude_categories);
    if let Some(c) = include_categories
        .iter()
        .find(|c| exclude_categories.contains(c))
    {
        let name = by_id.get(c).copied().unwrap_or("a category");
        return Err(Error::validation(
            "selection",
            format!("{name} is both included and excluded; choose one"),
        ));
    }
    let include_products = products(&input.include_products)?;
    let exclude_products = products(&input.exclude_products)?;
    if let Some((sku, _)) = include_products
        .iter()
        .find(|(_, id)| exclude_products.iter().any(|(_, x)| x == id))
    {
        return Err(Error::validation(
            "selection",
            format!("{sku} is both included and excluded; choose one"),
        ));
    }
    let select_all = input.select_all;
    if !select_all && include_categories.is_empty() && include_products.is_empty() {
        return Err(Error::validation(
            "selection",
            "choose at least one category or product to sell, or sell everything",
        ));
    }
    Ok(Selection {
        all: select_all,
        include_categories: if select_all {
            Vec::new()
        } else {
            include_categories
        },
        exclude_categories,
        include_products: include_products.into_iter().map(|(_, id)| id).collect(),
        exclude_products: exclude_products.into_iter().map(|(_, id)| id).collect(),
    })
}

/// The wizard's whole input for the store of `db`, checked in the wizard's order, so the
/// first problem reported is the earliest step's: address (available, or the store's own)
/// and name, branding (the tagline first), selection, pricing within the hub's policy,
/// overrides.
pub async fn check(
    db: &TenantDb,
    view: &MasterView,
    catalog: &CatalogCache,
    input: &SetupInput,
) -> Result<Checked> {
    // 1. Address and name.
    let slug = Slug::parse(&input.slug)?;
    let slug_changed = slug.as_str() != db.tenant().slug();
    if slug_changed {
        registry::slug_available(db.db(), slug.as_str())
            .await
            .map_err(|e| match e {
                Error::Conflict(message) => Error::validation("slug", message),
                e => e,
            })?;
    }
    let name = registry::parse_name(&input.name, "name")?;
    // 2. Branding.
    let branding = Branding::parse(&BrandingInput {
        tagline: input.tagline.clone(),
        hero_text: input.hero_text.clone(),
        primary_color: input.primary_color.clone(),
        accent_color: input.accent_color.clone(),
        font: input.font.clone(),
        logo: input.logo.clone(),
    })?;
    // 3. Catalog.
    let master = current_master(db, catalog).await?;
    let selection = selection(&master, input)?;
    // 4. Pricing, within the hub's policy.
    let policy = store::policy(view).await?;
    let pricing = pricing_rule(&input.markup, &input.rounding)?;
    store::check_pricing(&pricing, &policy)?;
    // 5. Overrides.
    let rows: Vec<OverrideInput> = input
        .overrides
        .iter()
        .filter(|o| !(o.sku.trim().is_empty() && o.value.trim().is_empty()))
        .cloned()
        .collect();
    let overrides = store::check_overrides(view, &rows, &policy).await?;
    Ok(Checked {
        slug: slug.as_str().to_owned(),
        slug_changed,
        name_changed: name != db.tenant().name(),
        name,
        setup: StoreSetup {
            branding,
            selection,
            pricing,
            overrides,
        },
        master,
    })
}

/// What the storefront of `store` would offer with `checked` (overrides already in place
/// aside).
pub fn effect(store: TenantId, checked: &Checked) -> Effect {
    let settings = StoreSettings {
        branding: checked.setup.branding.clone(),
        pricing: checked.setup.pricing,
        selection: checked.setup.selection.clone(),
        live: true,
    };
    let overrides: Vec<_> = checked
        .setup
        .overrides
        .iter()
        .map(|(p, f, v)| (p.as_uuid(), *f, v.clone()))
        .collect();
    let front = snapshot::resolve(store, checked.master.clone(), settings, true, &overrides, 0);
    Effect {
        products: front.product_count(),
        categories: front.categories.len(),
    }
}

/// Checks the input without saving it: the first problem, or what the store would offer.
pub async fn dry_run(
    db: &TenantDb,
    view: &MasterView,
    catalog: &CatalogCache,
    input: &SetupInput,
) -> Result<Effect> {
    let checked = check(db, view, catalog, input).await?;
    Ok(effect(db.tenant_id(), &checked))
}

/// Saves the wizard's input and makes the store live (an approved store only), then renames
/// it and moves it to its new address if those changed. Publishing comes first: should the
/// move then fail (someone took the address a moment ago), the store is live at its current
/// address and the admin can retry. Every change to the tenant is dropped from `hosts` (the
/// cache host resolution reads) as soon as it is made.
pub async fn publish(
    db: &TenantDb,
    view: &MasterView,
    catalog: &CatalogCache,
    hosts: &RegistryCache,
    input: &SetupInput,
) -> Result<Published> {
    if db.tenant().status() != TenantStatus::Approved {
        return Err(Error::Conflict(
            "your store can go live once the hub has approved it".into(),
        ));
    }
    let checked = check(db, view, catalog, input).await?;
    let effect = effect(db.tenant_id(), &checked);
    store::publish(db, &checked.setup).await?;
    let mut tenant = db.tenant().clone();
    if checked.name_changed {
        tenant = registry::rename(db.db(), &tenant, &checked.name).await?;
        hosts.invalidate(&tenant).await;
        tracing::info!(tenant = %tenant.id(), name = tenant.name(), "store renamed");
    }
    if checked.slug_changed {
        let moved = registry::set_slug(db.db(), &tenant, &checked.slug)
            .await
            .map_err(|e| match e {
                Error::Conflict(message) => Error::validation("slug", message),
                e => e,
            })?;
        hosts.invalidate(db.tenant()).await;
        hosts.invalidate(&moved).await;
        tracing::info!(tenant = %moved.id(), from = db.tenant().slug(), to = moved.slug(), "store moved");
        tenant = moved;
    }
    Ok(Published {
        tenant,
        slug_changed: checked.slug_changed,
        renamed: checked.name_changed,
        products: effect.products,
    })
}

/// Whether the store of `db` could move to `slug`. Its own current address counts as
/// available; a malformed or taken one is answered, not an error.
pub async fn slug_check(db: &TenantDb, slug: &str) -> Result<SlugAnswer> {
    let normalised = slug.trim().to_ascii_lowercase();
    if normalised == db.tenant().slug() {
        return Ok(SlugAnswer {
            message: format!("{normalised} is your store's current address"),
            slug: normalised,
            available: true,
        });
    }
    match registry::slug_available(db.db(), slug).await {
        Ok(()) => Ok(SlugAnswer {
            message: format!("{normalised} is available"),
            slug: normalised,
            available: true,
        }),
        Err(Error::Validation { message, .. }) | Err(Error::Conflict(message)) => Ok(SlugAnswer {
            slug: normalised,
            available: false,
            message,
        }),
        Err(e) => Err(e),
    }
}

/// The wizard's starting point for the store of `db`.
pub async fn draft(db: &TenantDb, view: &MasterView, catalog: &CatalogCache) -> Result<Draft> {
    let current = store::settings(db).await?;
    let live = current.is_some();
    let settings = current.unwrap_or_default();
    let master = current_master(db, catalog).await?;
    let policy = store::policy(view).await?;
    let override_count = store::drift(db, view, &policy).await?.len();
    let index: HashMap<ProductId, usize> = master
        .items
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    let positions = |ids: &[ProductId]| -> Vec<usize> {
        ids.iter().filter_map(|id| index.get(id).copied()).collect()
    };
    let included = positions(&settings.selection.include_products);
    let excluded = positions(&settings.selection.exclude_products);
    let sku_of = |l: &[usize]| l.iter().map(|i| master.items[*i].sku.clone()).collect();
    let chosen_products = included
        .iter()
        .chain(&excluded)
        .filter_map(|i| product_choice(&master, *i))
        .collect();
    let b = &settings.branding;
    let tagline = if live {
        b.tagline.clone()
    } else {
        db.tenant().tagline().unwrap_or_default().to_owned()
    };
    let ids = |l: &[CategoryId]| l.iter().map(ToString::to_string).collect();
    Ok(Draft {
        input: SetupInput {
            slug: db.tenant().slug().to_owned(),
            name: db.tenant().name().to_owned(),
            tagline,
            hero_text: b.hero_text.clone(),
            primary_color: b.primary_color.clone(),
            accent_color: b.accent_color.clone(),
            font: b.font.as_str().to_owned(),
            logo: b.logo.clone().unwrap_or_default(),
            select_all: settings.selection.all,
            include_categories: ids(&settings.selection.include_categories),
            exclude_categories: ids(&settings.selection.exclude_categories),
            include_products: sku_of(&included),
            exclude_products: sku_of(&excluded),
            markup: store::markup_text(settings.pricing.markup_bp),
            rounding: settings.pricing.rounding.as_str().to_owned(),
            overrides: Vec::new(),
        },
        live,
        categories: category_tree(&master),
        chosen_products,
        examples: price_examples(&master, &settings.pricing),
        override_count,
        master_products: master.items.len(),
        policy,
    })
}

/// Every overridden field of the store of `db` beside the master's value, under the hub's
/// current policy.
pub async fn drift_report(db: &TenantDb, view: &MasterView) -> Result<DriftReport> {
    let policy = store::policy(view).await?;
    let rows = store::drift(db, view, &policy).await?;
    Ok(DriftReport { rows, policy })
}

/// Overrides one field of one master product named by SKU, within the hub's policy.
pub async fn override_by_sku(
    db: &TenantDb,
    view: &MasterView,
    catalog: &CatalogCache,
    sku: &str,
    field: &str,
    value: &str,
) -> Result<SavedOverride> {
    let bad = |message: String| Error::validation("overrides", message);
    let sku = normalise_sku(sku).map_err(|e| bad(format!("SKU '{}': {e}", sku.trim())))?;
    let master = current_master(db, catalog).await?;
    let item = master
        .find_sku(&sku)
        .ok_or_else(|| bad(format!("there is no product {sku} in the catalog")))?;
    let f = Field::parse(field).ok_or_else(|| {
        bad(format!(
            "{sku}: '{field}' is not a field a store can change"
        ))
    })?;
    store::set_override(db, view, item.id, f, Some(value)).await?;
    Ok(SavedOverride {
        sku,
        product_name: item.name.clone(),
        field: f,
    })
}

#[cfg(test)]
mod tests;
