//! The effective catalog: the master + a store's selection, pricing rule and overrides,
//! resolved into an immutable snapshot. Snapshots live in moka keyed by the catalog versions
//! of the hub and the store, so any process sees a change on its next request: a warm
//! storefront reads the two version counters (one indexed query) and no catalog rows.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::master::{Category, ProductStatus, all_categories, all_products, to_product};
use crate::catalog::money::{Money, PricingRule};
use crate::catalog::store::{
    Branding, Field, Policy, StoreSettings, Value, read_overrides, read_settings,
};
use crate::catalog::text::{excerpt, plain_text, render_markdown};
use crate::db::{Database, TenantDb};
use crate::error::{Error, Result};
use crate::ids::{CategoryId, ProductId, TenantId};
use crate::registry::{self, Tenant};

/// A master product as stores see it (active products only).
#[derive(Debug)]
pub struct MasterItem {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    /// Index into the master's categories.
    pub category: Option<u32>,
    pub attributes: Vec<(String, String)>,
    pub image: Option<String>,
    html: OnceLock<String>,
    text: OnceLock<String>,
}

impl MasterItem {
    pub fn description_html(&self) -> &str {
        self.html.get_or_init(|| render_markdown(&self.description))
    }
    pub fn description_text(&self) -> &str {
        self.text.get_or_init(|| plain_text(&self.description))
    }
}

/// The hub's master catalog at one version, shared by every store's snapshot: besides the
/// products it holds what every store derives the same way (name orders, the search index),
/// so a store's snapshot only needs to say what it does differently.
#[derive(Debug)]
pub struct Master {
    pub version: i64,
    pub categories: Vec<Category>,
    /// For each category, the indexes of itself and its ancestors.
    lineage: Vec<Vec<u32>>,
    pub items: Vec<MasterItem>,
    by_id: HashMap<ProductId, u32>,
    by_sku: HashMap<String, u32>,
    pub policy: Policy,
    /// Each item's name in lower case: the key of name order.
    name_keys: Vec<Box<str>>,
    /// Every item in name order.
    by_name: Vec<u32>,
    /// For each category, its items and its sub-categories' items, in name order.
    cat_by_name: Vec<Vec<u32>>,
    /// Over the master's own names, SKUs and descriptions; built on the first search.
    search: OnceLock<SearchIndex>,
}

impl Master {
    /// An active product by SKU (any case).
    pub fn find_sku(&self, sku: &str) -> Option<&MasterItem> {
        let i = *self.by_sku.get(&sku.trim().to_ascii_uppercase())?;
        self.items.get(i as usize)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| {
            SearchIndex::build(self.items.iter().enumerate().map(|(i, m)| Entry {
                item: i as u32,
                name: &m.name,
                sku: &m.sku,
                description: m.description_text().into(),
            }))
        })
    }
}

/// What a store changes of one product it sells. Only products with an override have one:
/// everything else is read from the master and the store's pricing rule when shown.
#[derive(Debug, Default)]
struct Delta {
    price: Option<i64>,
    name: Option<Box<str>>,
    /// `name` in lower case.
    name_key: Option<Box<str>>,
    description: Option<Box<str>>,
    html: OnceLock<String>,
    featured: bool,
    sort: i32,
}

impl Delta {
    /// The product's place in the store's default order differs from its place in the
    /// master's name order.
    fn moves(&self) -> bool {
        self.featured || self.sort != 0 || self.name.is_some()
    }
    /// What search matches differs from the master's text.
    fn retexts(&self) -> bool {
        self.name.is_some() || self.description.is_some()
    }
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.name.as_ref().map_or(0, |n| n.len() * 2)
            + self.description.as_ref().map_or(0, |d| d.len())
    }
}

/// A category with products in this store.
#[derive(Debug)]
pub struct StoreCategory {
    pub category: Category,
    pub depth: u32,
    /// Index into the master's categories.
    master: u32,
    count: usize,
    /// Products of the category whose place in the default order is the store's own
    /// (featured, a sort order or a new name), in that order.
    moved: Vec<u32>,
    /// Products of the category with a new name, in name order.
    renamed: Vec<u32>,
    /// Price order, built on the first request for it (4 bytes a product).
    by_price: OnceLock<Box<[u32]>>,
}

impl StoreCategory {
    pub fn count(&self) -> usize {
        self.count
    }
}

/// How a listing is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// The store's order: featured first, then sort order, then name.
    #[default]
    Featured,
    NameAsc,
    PriceAsc,
    PriceDesc,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "featured" => Some(Self::Featured),
            "name" => Some(Self::NameAsc),
            "price" => Some(Self::PriceAsc),
            "price_desc" => Some(Self::PriceDesc),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Featured => "featured",
            Self::NameAsc => "name",
            Self::PriceAsc => "price",
            Self::PriceDesc => "price_desc",
        }
    }
}

/// What a page shows of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub list_price: Money,
    pub image: Option<String>,
    pub featured: bool,
    pub category: Option<CategoryId>,
    /// Up to 160 characters of the description, as text.
    pub summary: String,
}

/// A product page's extra fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub product: ProductView,
    /// Sanitised HTML.
    pub description_html: String,
    pub attributes: Vec<(String, String)>,
    /// Root-first trail of the product's category.
    pub trail: Vec<Category>,
}

/// One store's effective catalog at one pair of versions, held as its differences from the
/// master: which master products it sells (a bit each), and a [`Delta`] for each product it
/// overrides. Prices follow from the store's pricing rule as products are shown, and every
/// listing is the master's name order merged with the few products the store moved, so a
/// store's snapshot weighs kilobytes, not a copy of the catalog, and builds in milliseconds.
/// Item indexes below are master indexes.
#[derive(Debug)]
pub struct Storefront {
    pub store: TenantId,
    pub master_version: i64,
    pub store_version: i64,
    pub settings: StoreSettings,
    /// The store has no settings yet (its wizard is not finished).
    pub configured: bool,
    pub master: Arc<Master>,
    /// One bit per master item: the store sells it.
    sells: Vec<u64>,
    count: usize,
    deltas: HashMap<u32, Delta>,
    pub categories: Vec<StoreCategory>,
    cat_index: HashMap<CategoryId, u32>,
    /// Featured products in store order.
    featured: Vec<u32>,
    /// All products the store moved (see [`StoreCategory::moved`]), in store order.
    moved: Vec<u32>,
    /// Over the products whose name or description the store changed; built on first search.
    search: OnceLock<SearchIndex>,
}

/// A page of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub items: Vec<ProductView>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

/// Which order a merge follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Featured first, then sort order, then name.
    Store,
    Name,
}

mod build;
mod cache;
mod listing;
mod resolve;
mod search;
#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) use build::master_for_tests;
use build::*;
pub use cache::CatalogCache;
pub use resolve::resolve;
use resolve::*;
pub use search::tokens;
use search::*;
