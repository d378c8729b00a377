//! The effective catalog: the master + a store's selection, pricing rule and overrides,
//! resolved into an immutable snapshot. Snapshots live in moka keyed by the catalog versions
//! of the hub and the store, so any process sees a change on its next request: a warm
//! storefront reads the two version counters (one indexed query) and no catalog rows.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::master::{Category, ProductStatus, all_categories, all_products, to_product};
use super::money::{Money, PricingRule};
use super::store::{Branding, Field, Policy, StoreSettings, Value, read_overrides, read_settings};
use super::text::{excerpt, plain_text, render_markdown};
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

impl Storefront {
    pub fn branding(&self) -> &Branding {
        &self.settings.branding
    }

    pub fn product_count(&self) -> usize {
        self.count
    }

    fn sells(&self, i: u32) -> bool {
        self.sells
            .get(i as usize / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn name_key(&self, i: u32) -> &str {
        self.deltas
            .get(&i)
            .and_then(|d| d.name_key.as_deref())
            .unwrap_or(&*self.master.name_keys[i as usize])
    }

    fn price_minor(&self, i: u32) -> i64 {
        match self.deltas.get(&i).and_then(|d| d.price) {
            Some(p) => p,
            None => {
                self.settings
                    .pricing
                    .apply(self.master.items[i as usize].price)
                    .minor
            }
        }
    }

    /// Compares two products in `order`; equal keys fall back to the master index, so every
    /// order is total and stable across processes.
    fn cmp(&self, order: Order, a: u32, b: u32) -> std::cmp::Ordering {
        let names = || {
            self.name_key(a)
                .cmp(self.name_key(b))
                .then_with(|| a.cmp(&b))
        };
        match order {
            Order::Name => names(),
            Order::Store => {
                let place = |i: u32| {
                    self.deltas
                        .get(&i)
                        .map_or((true, 0), |d| (!d.featured, d.sort))
                };
                place(a).cmp(&place(b)).then_with(names)
            }
        }
    }

    /// Products of `base` (a master name-ordered list) the store sells, in `order`: the base
    /// list keeps its order for every product the store did not move, and `moved` (sorted in
    /// `order`) is merged in. Yields from position `skip` on, at most `take` products.
    fn merged(
        &self,
        base: &[u32],
        moved: &[u32],
        order: Order,
        skip: usize,
        take: usize,
    ) -> Vec<u32> {
        let stays = |i: u32| {
            self.sells(i)
                && !self.deltas.get(&i).is_some_and(|d| match order {
                    Order::Store => d.moves(),
                    Order::Name => d.name.is_some(),
                })
        };
        let mut out = Vec::with_capacity(take.min(base.len() + moved.len()));
        let (mut b, mut m, mut pos) = (0usize, 0usize, 0usize);
        while out.len() < take {
            while b < base.len() && !stays(base[b]) {
                b += 1;
            }
            let next = match (base.get(b), moved.get(m)) {
                (None, None) => break,
                (Some(&x), None) => {
                    b += 1;
                    x
                }
                (None, Some(&y)) => {
                    m += 1;
                    y
                }
                (Some(&x), Some(&y)) => {
                    if self.cmp(order, y, x).is_lt() {
                        m += 1;
                        y
                    } else {
                        b += 1;
                        x
                    }
                }
            };
            if pos >= skip {
                out.push(next);
            }
            pos += 1;
        }
        out
    }

    fn view(&self, i: u32) -> ProductView {
        let m = &self.master.items[i as usize];
        let d = self.deltas.get(&i);
        let summary = match d.and_then(|d| d.description.as_deref()) {
            Some(text) => excerpt(&plain_text(text), 160),
            None => excerpt(m.description_text(), 160),
        };
        ProductView {
            id: m.id,
            sku: m.sku.clone(),
            name: d
                .and_then(|d| d.name.as_deref())
                .unwrap_or(&m.name)
                .to_owned(),
            price: Money::new(self.price_minor(i), m.price.currency),
            list_price: m.price,
            image: m.image.clone(),
            featured: d.is_some_and(|d| d.featured),
            category: m.category.map(|c| self.master.categories[c as usize].id),
            summary,
        }
    }

    /// Up to `n` featured products (the first products in the store's order if none are).
    pub fn featured(&self, n: usize) -> Vec<ProductView> {
        let src: Vec<u32> = if self.featured.is_empty() {
            self.merged(&self.master.by_name, &self.moved, Order::Store, 0, n)
        } else {
            self.featured.iter().copied().take(n).collect()
        };
        src.into_iter().map(|i| self.view(i)).collect()
    }

    /// A category with products in this store, by id.
    pub fn category_by_id(&self, id: CategoryId) -> Option<&StoreCategory> {
        self.cat_index
            .get(&id)
            .map(|i| &self.categories[*i as usize])
    }

    pub fn category(&self, slug: &str) -> Option<&StoreCategory> {
        self.categories
            .iter()
            .find(|c| c.category.slug.eq_ignore_ascii_case(slug))
    }

    fn by_price<'a>(&'a self, c: &'a StoreCategory) -> &'a [u32] {
        c.by_price.get_or_init(|| {
            let mut v: Vec<(i64, u32)> = self.master.cat_by_name[c.master as usize]
                .iter()
                .copied()
                .filter(|i| self.sells(*i))
                .map(|i| (self.price_minor(i), i))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| self.cmp(Order::Name, a.1, b.1)));
            v.into_iter().map(|(_, i)| i).collect()
        })
    }

    /// One page of a category's products.
    pub fn list(&self, c: &StoreCategory, sort: Sort, page: usize, per_page: usize) -> Listing {
        let per_page = per_page.clamp(1, 96);
        let skip = page.saturating_mul(per_page);
        let base = &self.master.cat_by_name[c.master as usize];
        let picked: Vec<u32> = match sort {
            Sort::Featured => self.merged(base, &c.moved, Order::Store, skip, per_page),
            Sort::NameAsc => self.merged(base, &c.renamed, Order::Name, skip, per_page),
            Sort::PriceAsc => self
                .by_price(c)
                .iter()
                .skip(skip)
                .take(per_page)
                .copied()
                .collect(),
            Sort::PriceDesc => self
                .by_price(c)
                .iter()
                .rev()
                .skip(skip)
                .take(per_page)
                .copied()
                .collect(),
        };
        Listing {
            items: picked.into_iter().map(|i| self.view(i)).collect(),
            total: c.count,
            page,
            per_page,
        }
    }

    fn index_of(&self, id: ProductId) -> Option<u32> {
        let m = *self.master.by_id.get(&id)?;
        self.sells(m).then_some(m)
    }

    /// A product the store sells, by id.
    pub fn product(&self, id: ProductId) -> Option<ProductView> {
        self.index_of(id).map(|i| self.view(i))
    }

    /// A product the store sells, by SKU (any case), with its page's details.
    pub fn detail(&self, sku: &str) -> Option<ProductDetail> {
        let i = *self.master.by_sku.get(&sku.trim().to_ascii_uppercase())?;
        if !self.sells(i) {
            return None;
        }
        let mi = &self.master.items[i as usize];
        let html = match self.deltas.get(&i) {
            Some(d) if d.description.is_some() => d
                .html
                .get_or_init(|| render_markdown(d.description.as_deref().unwrap_or_default()))
                .clone(),
            _ => mi.description_html().to_owned(),
        };
        let trail = mi
            .category
            .map(|c| {
                let mut t: Vec<Category> = self.master.lineage[c as usize]
                    .iter()
                    .map(|x| self.master.categories[*x as usize].clone())
                    .collect();
                t.reverse();
                t
            })
            .unwrap_or_default();
        Some(ProductDetail {
            product: self.view(i),
            description_html: html,
            attributes: mi.attributes.clone(),
            trail,
        })
    }

    /// Search over name, SKU and description as this store shows them, tolerant of one typo
    /// in words of 4+ letters and two in words of 8+. Every word of the query must match.
    /// Products with the master's text are found through the master's index; those the store
    /// renamed or described anew through the store's own small one.
    pub fn search(&self, query: &str, page: usize, per_page: usize) -> Listing {
        let own = self.search.get_or_init(|| {
            SearchIndex::build(
                self.deltas
                    .iter()
                    .filter(|(i, d)| d.retexts() && self.sells(**i))
                    .map(|(i, d)| {
                        let m = &self.master.items[*i as usize];
                        Entry {
                            item: *i,
                            name: d.name.as_deref().unwrap_or(&m.name),
                            sku: &m.sku,
                            description: match d.description.as_deref() {
                                Some(text) => plain_text(text).into(),
                                None => m.description_text().into(),
                            },
                        }
                    }),
            )
        });
        let mut hits: Vec<(u32, u32)> = self
            .master
            .search_index()
            .query(query)
            .into_iter()
            .filter(|(i, _)| self.sells(*i) && !self.deltas.get(i).is_some_and(Delta::retexts))
            .chain(own.query(query))
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = hits.len();
        let per_page = per_page.clamp(1, 96);
        Listing {
            items: hits
                .into_iter()
                .skip(page.saturating_mul(per_page))
                .take(per_page)
                .map(|(i, _)| self.view(i))
                .collect(),
            total,
            page,
            per_page,
        }
    }

    /// A rough size in bytes, for the cache's weigher: the bitset, the deltas and the
    /// per-category lists. Price orders built later (4 bytes a product of a category sorted
    /// by price) and the store's search index come on top.
    fn weight(&self) -> u32 {
        let bytes = self.sells.len() * 8
            + self.deltas.values().map(|d| d.bytes() + 16).sum::<usize>()
            + self
                .categories
                .iter()
                .map(|c| {
                    std::mem::size_of::<StoreCategory>() + (c.moved.len() + c.renamed.len()) * 4
                })
                .sum::<usize>()
            + (self.featured.len() + self.moved.len()) * 4
            + 4096;
        u32::try_from(bytes / 1024).unwrap_or(u32::MAX).max(1)
    }
}

/// Tokens of a text: lower case, letters and digits.
pub fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

/// A product's text as search sees it.
struct Entry<'a> {
    item: u32,
    name: &'a str,
    sku: &'a str,
    description: std::borrow::Cow<'a, str>,
}

#[derive(Debug, Default)]
struct SearchIndex {
    /// term → (item, weight): 3 for name and SKU words, 1 for description words.
    terms: HashMap<String, Vec<(u32, u8)>>,
}

impl SearchIndex {
    fn build<'a>(entries: impl Iterator<Item = Entry<'a>>) -> Self {
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        for e in entries {
            let mut seen: HashMap<String, u8> = HashMap::new();
            for t in tokens(e.name)
                .chain(tokens(e.sku))
                .chain(std::iter::once(e.sku.to_lowercase()))
            {
                seen.insert(t, 3);
            }
            for t in tokens(&e.description) {
                seen.entry(t).or_insert(1);
            }
            for (t, w) in seen {
                terms.entry(t).or_default().push((e.item, w));
            }
        }
        Self { terms }
    }

    fn allowed_typos(len: usize) -> usize {
        match len {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        }
    }

    /// Items matching every word of `q`, with their scores (unordered).
    fn query(&self, q: &str) -> Vec<(u32, u32)> {
        let words: Vec<String> = tokens(q).take(8).collect();
        if words.is_empty() || self.terms.is_empty() {
            return Vec::new();
        }
        let mut total: Option<HashMap<u32, u32>> = None;
        for w in &words {
            let mut scores: HashMap<u32, u32> = HashMap::new();
            let typos = Self::allowed_typos(w.chars().count());
            for (term, postings) in &self.terms {
                let score = if term == w {
                    4
                } else if w.chars().count() >= 3 && term.starts_with(w.as_str()) {
                    3
                } else if typos > 0
                    && term.len().abs_diff(w.len()) <= typos
                    && strsim::osa_distance(term, w) <= typos
                {
                    2
                } else {
                    continue;
                };
                for (item, weight) in postings {
                    let s = score * u32::from(*weight);
                    let e = scores.entry(*item).or_insert(0);
                    *e = (*e).max(s);
                }
            }
            total = Some(match total {
                None => scores,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(k, v)| scores.get(&k).map(|s| (k, v + s)))
                    .collect(),
            });
        }
        total.unwrap_or_default().into_iter().collect()
    }
}

/// Builds the master snapshot from the hub's rows.
async fn build_master(db: &Database, hub: &Tenant, version: i64) -> Result<Master> {
    let hdb = TenantDb::new(db, hub);
    let tx = hdb.begin().await?;
    let categories = all_categories(&tx).await?;
    let rows = all_products(&tx).await?;
    let policy = super::store::policy_in(&tx).await?;
    tx.commit().await?;
    let mut items = Vec::with_capacity(rows.len());
    let cat_index: HashMap<CategoryId, u32> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    for row in rows {
        let p = to_product(row)?;
        if p.status != ProductStatus::Active {
            continue;
        }
        items.push(MasterItem {
            id: p.id,
            category: p.category.and_then(|c| cat_index.get(&c).copied()),
            sku: p.sku,
            name: p.name,
            description: p.description,
            price: p.price,
            attributes: p.attributes,
            image: p.image,
            html: OnceLock::new(),
            text: OnceLock::new(),
        });
    }
    Ok(master_of(version, categories, items, policy))
}

/// A master of uncategorised products `(sku, price)`, for other modules' tests.
#[cfg(test)]
pub(crate) fn master_for_tests(items: &[(&str, Money)]) -> Arc<Master> {
    let items = items
        .iter()
        .map(|(sku, price)| MasterItem {
            id: ProductId::generate(),
            sku: (*sku).to_owned(),
            name: format!("Product {sku}"),
            description: String::new(),
            price: *price,
            category: None,
            attributes: Vec::new(),
            image: None,
            html: OnceLock::new(),
            text: OnceLock::new(),
        })
        .collect();
    Arc::new(master_of(1, Vec::new(), items, Policy::default()))
}

/// The pure part of building a master: indexes and orders over its products.
fn master_of(
    version: i64,
    categories: Vec<Category>,
    items: Vec<MasterItem>,
    policy: Policy,
) -> Master {
    let cat_index: HashMap<CategoryId, u32> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    let lineage: Vec<Vec<u32>> = categories
        .iter()
        .map(|c| {
            let mut chain = vec![cat_index[&c.id]];
            let mut cur = c.parent;
            while let Some(p) = cur {
                let Some(&pi) = cat_index.get(&p) else { break };
                if chain.contains(&pi) {
                    break;
                }
                chain.push(pi);
                cur = categories[pi as usize].parent;
            }
            chain
        })
        .collect();
    let by_id = items
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i as u32))
        .collect();
    let by_sku = items
        .iter()
        .enumerate()
        .map(|(i, m)| (m.sku.clone(), i as u32))
        .collect();
    let name_keys: Vec<Box<str>> = items.iter().map(|m| m.name.to_lowercase().into()).collect();
    let mut by_name: Vec<u32> = (0..items.len() as u32).collect();
    by_name.sort_by(|a, b| {
        name_keys[*a as usize]
            .cmp(&name_keys[*b as usize])
            .then(a.cmp(b))
    });
    let mut cat_by_name: Vec<Vec<u32>> = vec![Vec::new(); categories.len()];
    for &i in &by_name {
        if let Some(c) = items[i as usize].category {
            for x in &lineage[c as usize] {
                cat_by_name[*x as usize].push(i);
            }
        }
    }
    Master {
        version,
        categories,
        lineage,
        items,
        by_id,
        by_sku,
        policy,
        name_keys,
        by_name,
        cat_by_name,
        search: OnceLock::new(),
    }
}

/// Builds a store's snapshot over `master`.
async fn build_store(
    db: &Database,
    store: &Tenant,
    master: Arc<Master>,
    store_version: i64,
) -> Result<Storefront> {
    let sdb = TenantDb::new(db, store);
    let tx = sdb.begin().await?;
    let settings = read_settings(&tx).await?;
    let overrides = read_overrides(&tx).await?;
    tx.commit().await?;
    let configured = settings.is_some();
    let mut settings = settings.unwrap_or_default();
    if store.kind() == registry::TenantKind::Hub {
        // The brand owner's own store: the master as it is.
        settings.selection = super::store::Selection {
            all: true,
            ..Default::default()
        };
        settings.pricing = PricingRule::default();
        settings.live = true;
    }
    Ok(resolve(
        store.id(),
        master,
        settings,
        configured,
        &overrides,
        store_version,
    ))
}

/// The pure part: master + settings + overrides → snapshot.
pub fn resolve(
    store: TenantId,
    master: Arc<Master>,
    settings: StoreSettings,
    configured: bool,
    overrides: &[(uuid::Uuid, Field, Value)],
    store_version: i64,
) -> Storefront {
    let policy = &master.policy;
    let sel = &settings.selection;
    let cat_set = |set: &[CategoryId]| -> HashSet<u32> {
        set.iter()
            .filter_map(|c| {
                master
                    .categories
                    .iter()
                    .position(|x| x.id == *c)
                    .map(|i| i as u32)
            })
            .collect()
    };
    let inc_c = cat_set(&sel.include_categories);
    let exc_c = cat_set(&sel.exclude_categories);
    // Whether a product of each category is in the selection by its category.
    let cat_sold: Vec<bool> = master
        .lineage
        .iter()
        .map(|chain| {
            !chain.iter().any(|x| exc_c.contains(x))
                && (sel.all || chain.iter().any(|x| inc_c.contains(x)))
        })
        .collect();
    let mut sells = vec![0u64; master.items.len().div_ceil(64)];
    let mut set = |i: u32, on: bool| {
        let (w, b) = (i as usize / 64, 1u64 << (i % 64));
        if on {
            sells[w] |= b;
        } else {
            sells[w] &= !b;
        }
    };
    for (i, m) in master.items.iter().enumerate() {
        set(
            i as u32,
            m.category.map_or(sel.all, |c| cat_sold[c as usize]),
        );
    }
    for p in &sel.exclude_products {
        if let Some(&i) = master.by_id.get(p) {
            set(i, false);
        }
    }
    // Products named in both lists are excluded.
    for p in &sel.include_products {
        if let Some(&i) = master.by_id.get(p)
            && !sel.exclude_products.contains(p)
        {
            set(i, true);
        }
    }
    let mut deltas: HashMap<u32, Delta> = HashMap::new();
    for (p, f, v) in overrides {
        if policy.is_locked(*f) {
            continue;
        }
        let Some(&i) = master.by_id.get(&ProductId::from(*p)) else {
            continue;
        };
        let m = &master.items[i as usize];
        let d = deltas.entry(i).or_default();
        match (f, v) {
            // An override the hub's current range no longer allows is not shown.
            (Field::Price, Value::Price(p)) if policy.allows_price(m.price, *p) => {
                d.price = Some(*p);
            }
            (Field::Name, Value::Text(t)) => {
                d.name_key = Some(t.to_lowercase().into());
                d.name = Some(t.clone().into());
            }
            (Field::Description, Value::Text(t)) => d.description = Some(t.clone().into()),
            (Field::Featured, Value::Flag(b)) => d.featured = *b,
            (Field::Hidden, Value::Flag(true)) => set(i, false),
            (Field::Sort, Value::Sort(s)) => d.sort = *s,
            _ => {}
        }
    }
    let sold = |i: u32| sells[i as usize / 64] & (1 << (i % 64)) != 0;
    deltas.retain(|i, _| sold(*i));
    let mut counts = vec![0usize; master.categories.len()];
    let mut count = 0usize;
    for (i, m) in master.items.iter().enumerate() {
        if !sold(i as u32) {
            continue;
        }
        count += 1;
        if let Some(c) = m.category {
            for x in &master.lineage[c as usize] {
                counts[*x as usize] += 1;
            }
        }
    }
    let mut sf = Storefront {
        store,
        master_version: master.version,
        store_version,
        settings,
        configured,
        master: master.clone(),
        sells,
        count,
        deltas,
        categories: Vec::new(),
        cat_index: HashMap::new(),
        featured: Vec::new(),
        moved: Vec::new(),
        search: OnceLock::new(),
    };
    let mut moved: Vec<u32> = sf
        .deltas
        .iter()
        .filter(|(_, d)| d.moves())
        .map(|(i, _)| *i)
        .collect();
    moved.sort_by(|a, b| sf.cmp(Order::Store, *a, *b));
    let mut renamed: Vec<u32> = sf
        .deltas
        .iter()
        .filter(|(_, d)| d.name.is_some())
        .map(|(i, _)| *i)
        .collect();
    renamed.sort_by(|a, b| sf.cmp(Order::Name, *a, *b));
    let in_cat = |i: u32, c: usize| {
        master.items[i as usize]
            .category
            .is_some_and(|own| master.lineage[own as usize].contains(&(c as u32)))
    };
    for (ci, n) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let c = master.categories[ci].clone();
        sf.cat_index.insert(c.id, sf.categories.len() as u32);
        sf.categories.push(StoreCategory {
            depth: (master.lineage[ci].len() - 1) as u32,
            category: c,
            master: ci as u32,
            count: *n,
            moved: moved.iter().copied().filter(|i| in_cat(*i, ci)).collect(),
            renamed: renamed.iter().copied().filter(|i| in_cat(*i, ci)).collect(),
            by_price: OnceLock::new(),
        });
    }
    sf.featured = moved
        .iter()
        .copied()
        .filter(|i| sf.deltas.get(i).is_some_and(|d| d.featured))
        .collect();
    sf.moved = moved;
    sf
}

/// Snapshots of every store, bounded by size, with the master shared between them.
#[derive(Clone, Debug)]
pub struct CatalogCache {
    masters: moka::future::Cache<i64, Arc<Master>>,
    stores: moka::future::Cache<(TenantId, i64, i64), Arc<Storefront>>,
    hub: Arc<tokio::sync::OnceCell<Tenant>>,
    builds: Arc<AtomicU64>,
    versions: super::versions::VersionReads,
}

impl CatalogCache {
    /// `max_kib`: the budget for store snapshots (the master comes on top, once per version).
    pub fn new(max_kib: u64) -> Self {
        Self {
            masters: moka::future::Cache::builder()
                .max_capacity(2)
                .time_to_idle(Duration::from_secs(600))
                .build(),
            stores: moka::future::Cache::builder()
                .max_capacity(max_kib)
                .weigher(|_k, v: &Arc<Storefront>| v.weight())
                .time_to_idle(Duration::from_secs(900))
                .build(),
            hub: Arc::new(tokio::sync::OnceCell::new()),
            builds: Arc::new(AtomicU64::new(0)),
            versions: super::versions::VersionReads::default(),
        }
    }

    /// How many snapshots (masters and stores) this cache has built: a warm storefront
    /// builds none.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// The hub tenant (looked up once per process: it never changes).
    pub async fn hub(&self, db: &Database) -> Result<Tenant> {
        self.hub
            .get_or_try_init(|| async { registry::hub(db).await?.ok_or(Error::NotFound("hub")) })
            .await
            .cloned()
    }

    /// The catalog versions `(master, store)` a snapshot of `store` must match: one indexed
    /// read. Also the key of anything derived from the effective catalog (rendered pages).
    pub async fn versions(&self, db: &Database, store: &Tenant) -> Result<(i64, i64)> {
        let hub = self.hub(db).await?;
        let ids = if hub.id() == store.id() {
            vec![hub.id()]
        } else {
            vec![hub.id(), store.id()]
        };
        // Concurrent requests share a read that starts after they all arrived.
        let versions = self.versions.read(db, &ids).await?;
        let version_of = |id: TenantId| versions.iter().find(|(t, _)| *t == id).map(|(_, v)| *v);
        let mv = version_of(hub.id()).ok_or(Error::NotFound("hub"))?;
        let sv = version_of(store.id()).ok_or(Error::NotFound("store"))?;
        Ok((mv, sv))
    }

    /// The store's effective catalog, current as of this call.
    pub async fn storefront(&self, db: &Database, store: &Tenant) -> Result<Arc<Storefront>> {
        let hub = self.hub(db).await?;
        let (mv, sv) = self.versions(db, store).await?;
        let flatten = |e: Arc<Error>| match Arc::try_unwrap(e) {
            Ok(e) => e,
            Err(e) => Error::Db(sea_orm::DbErr::Custom(e.to_string())),
        };
        let master = self
            .masters
            .try_get_with(mv, async {
                self.builds.fetch_add(1, Ordering::Relaxed);
                build_master(db, &hub, mv).await.map(Arc::new)
            })
            .await
            .map_err(flatten)?;
        self.stores
            .try_get_with((store.id(), mv, sv), async {
                self.builds.fetch_add(1, Ordering::Relaxed);
                build_store(db, store, master, sv).await.map(Arc::new)
            })
            .await
            .map_err(flatten)
    }

    /// The master at its current version (the hub's console and the stores' editors).
    pub async fn master(&self, db: &Database) -> Result<Arc<Master>> {
        let hub = self.hub(db).await?;
        Ok(self.storefront(db, &hub).await?.master.clone())
    }

    /// `(queries, requests answered)` of the batched version reads.
    pub fn version_reads(&self) -> (u64, u64) {
        self.versions.stats()
    }

    /// Drops every snapshot (tests and the benchmark's cold runs).
    pub fn clear(&self) {
        self.masters.invalidate_all();
        self.stores.invalidate_all();
    }

    /// Entries and weighted size (KiB) of the store snapshots.
    pub async fn usage(&self) -> (u64, u64) {
        self.stores.run_pending_tasks().await;
        (self.stores.entry_count(), self.stores.weighted_size())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::money::{Currency, Rounding};

    /// A small deterministic generator (xorshift), so a failure replays.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn category(slug: &str, parent: Option<CategoryId>) -> Category {
        Category {
            id: CategoryId::generate(),
            parent,
            slug: slug.into(),
            name: slug.into(),
            position: 0,
        }
    }

    fn master(rng: &mut Rng, n: usize) -> Master {
        let root = category("tools", None);
        let drills = category("drills", Some(root.id));
        let saws = category("saws", Some(root.id));
        let paint = category("paint", None);
        let cats = vec![root, drills, saws, paint];
        let eur = Currency::parse("EUR").expect("EUR");
        let words = [
            "Drill", "saw", "Bit", "anchor", "Level", "tape", "Hammer", "drill",
        ];
        let items = (0..n)
            .map(|i| {
                let name = format!(
                    "{} {}",
                    words[rng.next(words.len() as u64) as usize],
                    rng.next(20)
                );
                MasterItem {
                    id: ProductId::generate(),
                    sku: format!("SKU-{i}"),
                    description: format!("A {} for every job", name.to_lowercase()),
                    name,
                    price: Money::new(100 + rng.next(50) as i64 * 100, eur),
                    category: match rng.next(5) {
                        4 => None,
                        c => Some(c as u32),
                    },
                    attributes: Vec::new(),
                    image: None,
                    html: OnceLock::new(),
                    text: OnceLock::new(),
                }
            })
            .collect();
        master_of(1, cats, items, Policy::default())
    }

    /// What a store shows, computed the slow and obvious way.
    struct Reference {
        sold: Vec<u32>,
        name: HashMap<u32, String>,
        price: HashMap<u32, i64>,
        featured: HashSet<u32>,
        sort: HashMap<u32, i32>,
    }

    fn store(rng: &mut Rng, m: &Arc<Master>) -> (Storefront, Reference) {
        let mut settings = StoreSettings {
            pricing: PricingRule::new(1_500, Rounding::Ends99).expect("rule"),
            ..Default::default()
        };
        settings.selection.all = rng.next(2) == 0;
        settings.selection.include_categories = vec![m.categories[1].id];
        settings.selection.exclude_categories = vec![m.categories[2].id];
        settings.selection.include_products = vec![m.items[rng.next(m.len() as u64) as usize].id];
        settings.selection.exclude_products = vec![m.items[rng.next(m.len() as u64) as usize].id];
        let mut overrides = Vec::new();
        // One override at most per product and field, as the table's key has it.
        let mut taken = HashSet::new();
        for _ in 0..m.len() / 3 {
            let i = rng.next(m.len() as u64) as usize;
            let item = &m.items[i];
            let field = rng.next(6);
            if !taken.insert((i, field)) {
                continue;
            }
            let (f, v) = match field {
                0 => (
                    Field::Price,
                    Value::Price(item.price.minor + rng.next(40) as i64 - 5),
                ),
                1 => (
                    Field::Name,
                    Value::Text(format!("{} {}", words(rng), rng.next(9))),
                ),
                2 => (Field::Featured, Value::Flag(rng.next(3) > 0)),
                3 => (Field::Hidden, Value::Flag(rng.next(4) == 0)),
                4 => (Field::Sort, Value::Sort(rng.next(7) as i32 - 3)),
                _ => (
                    Field::Description,
                    Value::Text("Told anew: zeppelin".into()),
                ),
            };
            overrides.push((item.id.as_uuid(), f, v));
        }
        // The reference, straight from the rules.
        let sel = &settings.selection;
        let in_cat = |i: usize, c: &CategoryId| {
            m.items[i].category.is_some_and(|own| {
                m.lineage[own as usize]
                    .iter()
                    .any(|x| m.categories[*x as usize].id == *c)
            })
        };
        let mut r = Reference {
            sold: Vec::new(),
            name: HashMap::new(),
            price: HashMap::new(),
            featured: HashSet::new(),
            sort: HashMap::new(),
        };
        let mut hidden = HashSet::new();
        for (p, f, v) in &overrides {
            let i = m.by_id[&ProductId::from(*p)];
            match (f, v) {
                (Field::Price, Value::Price(x)) => {
                    let (lo, hi) = m.policy.price_range(m.items[i as usize].price);
                    if (lo.minor..=hi.minor).contains(x) {
                        r.price.insert(i, *x);
                    }
                }
                (Field::Name, Value::Text(t)) => {
                    r.name.insert(i, t.clone());
                }
                (Field::Featured, Value::Flag(b)) => {
                    if *b {
                        r.featured.insert(i);
                    } else {
                        r.featured.remove(&i);
                    }
                }
                (Field::Hidden, Value::Flag(b)) => {
                    if *b {
                        hidden.insert(i);
                    } else {
                        hidden.remove(&i);
                    }
                }
                (Field::Sort, Value::Sort(s)) => {
                    r.sort.insert(i, *s);
                }
                _ => {}
            }
        }
        for (i, item) in m.items.iter().enumerate() {
            let visible = if sel.exclude_products.contains(&item.id) {
                false
            } else if sel.include_products.contains(&item.id) {
                true
            } else if sel.exclude_categories.iter().any(|c| in_cat(i, c)) {
                false
            } else {
                sel.all || sel.include_categories.iter().any(|c| in_cat(i, c))
            };
            if visible && !hidden.contains(&(i as u32)) {
                r.sold.push(i as u32);
            }
        }
        let sf = resolve(
            TenantId::generate(),
            m.clone(),
            settings,
            true,
            &overrides,
            1,
        );
        (sf, r)
    }

    fn words(rng: &mut Rng) -> &'static str {
        ["Zeta", "alpha", "Mid", "drill"][rng.next(4) as usize]
    }

    impl Reference {
        fn name(&self, m: &Master, i: u32) -> String {
            self.name
                .get(&i)
                .cloned()
                .unwrap_or_else(|| m.items[i as usize].name.clone())
                .to_lowercase()
        }
        fn price(&self, sf: &Storefront, i: u32) -> i64 {
            self.price.get(&i).copied().unwrap_or_else(|| {
                sf.settings
                    .pricing
                    .apply(sf.master.items[i as usize].price)
                    .minor
            })
        }
        fn listing(&self, sf: &Storefront, cat: Option<usize>, sort: Sort) -> Vec<u32> {
            let m = &sf.master;
            let mut v: Vec<u32> = self
                .sold
                .iter()
                .copied()
                .filter(|i| {
                    cat.is_none_or(|c| {
                        m.items[*i as usize]
                            .category
                            .is_some_and(|own| m.lineage[own as usize].contains(&(c as u32)))
                    })
                })
                .collect();
            match sort {
                Sort::Featured => v.sort_by_key(|i| {
                    (
                        !self.featured.contains(i),
                        self.sort.get(i).copied().unwrap_or(0),
                        self.name(m, *i),
                        *i,
                    )
                }),
                Sort::NameAsc => v.sort_by_key(|i| (self.name(m, *i), *i)),
                Sort::PriceAsc | Sort::PriceDesc => {
                    v.sort_by_key(|i| (self.price(sf, *i), self.name(m, *i), *i));
                    if sort == Sort::PriceDesc {
                        v.reverse();
                    }
                }
            }
            v
        }
    }

    fn ids(sf: &Storefront, l: &Listing) -> Vec<u32> {
        l.items.iter().map(|p| sf.master.by_id[&p.id]).collect()
    }

    #[test]
    fn listings_equal_a_full_sort_of_the_effective_catalog() {
        for seed in 1..=40u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let m = Arc::new(master(&mut rng, 60 + seed as usize * 7));
            let (sf, r) = store(&mut rng, &m);
            assert_eq!(sf.product_count(), r.sold.len(), "seed {seed}");
            for (ci, _) in m.categories.iter().enumerate() {
                let want_all = r.listing(&sf, Some(ci), Sort::Featured);
                let Some(c) = sf.categories.iter().find(|c| c.master == ci as u32) else {
                    assert!(want_all.is_empty(), "seed {seed}: category {ci} missing");
                    continue;
                };
                assert_eq!(c.count(), want_all.len(), "seed {seed}: count of {ci}");
                for sort in [
                    Sort::Featured,
                    Sort::NameAsc,
                    Sort::PriceAsc,
                    Sort::PriceDesc,
                ] {
                    let want = r.listing(&sf, Some(ci), sort);
                    for per_page in [7, 48] {
                        let mut got = Vec::new();
                        for page in 0..=want.len() / per_page {
                            got.extend(ids(&sf, &sf.list(c, sort, page, per_page)));
                        }
                        assert_eq!(
                            got, want,
                            "seed {seed}: category {ci}, {sort:?}, {per_page}"
                        );
                    }
                }
            }
            // The home page's picks: featured products, else the first in store order.
            let featured = sf.featured(8);
            let want: Vec<u32> = if r.featured.iter().any(|i| r.sold.contains(i)) {
                r.listing(&sf, None, Sort::Featured)
                    .into_iter()
                    .filter(|i| r.featured.contains(i))
                    .take(8)
                    .collect()
            } else {
                r.listing(&sf, None, Sort::Featured)
                    .into_iter()
                    .take(8)
                    .collect()
            };
            assert_eq!(
                featured.iter().map(|p| m.by_id[&p.id]).collect::<Vec<_>>(),
                want
            );
            // Every product shows the store's name and price; unsold ones are not found.
            for (i, item) in m.items.iter().enumerate() {
                let i = i as u32;
                match sf.product(item.id) {
                    Some(v) => {
                        assert!(r.sold.contains(&i), "seed {seed}: {i} is not sold");
                        assert_eq!(v.name.to_lowercase(), r.name(&m, i));
                        assert_eq!(v.price.minor, r.price(&sf, i));
                        assert_eq!(v.featured, r.featured.contains(&i));
                    }
                    None => assert!(!r.sold.contains(&i), "seed {seed}: {i} is sold"),
                }
            }
        }
    }

    #[test]
    fn search_sees_the_store_text_and_not_the_master_text_it_replaced() {
        let mut rng = Rng(7);
        let m = Arc::new(master(&mut rng, 120));
        let (sf, r) = store(&mut rng, &m);
        // "zeppelin" is only in the store's own descriptions.
        let hits = sf.search("zeppelin", 0, 96);
        assert!(hits.total > 0);
        for p in &hits.items {
            let i = m.by_id[&p.id];
            assert!(r.sold.contains(&i));
        }
        // A product renamed by the store is not found by a word only its master name has.
        let renamed: Vec<u32> = r
            .name
            .keys()
            .copied()
            .filter(|i| r.sold.contains(i))
            .collect();
        assert!(!renamed.is_empty());
        for i in renamed {
            let store_name = r.name(&m, i);
            // A word of the master name that nothing the store shows of it comes near.
            let master_word = m.items[i as usize]
                .name
                .split(' ')
                .next()
                .unwrap_or_default();
            let master_word = master_word.to_lowercase();
            let near = |w: &str| {
                w.starts_with(&master_word[..3])
                    || master_word.starts_with(w)
                    || strsim::osa_distance(w, &master_word) <= 2
            };
            let redescribed = sf.deltas.get(&i).is_some_and(|d| d.description.is_some());
            if redescribed && !tokens(&store_name).any(|w| near(&w)) {
                let hits = sf.search(&master_word, 0, 96);
                assert!(
                    hits.items.iter().all(|p| m.by_id[&p.id] != i),
                    "'{master_word}' found product {i}, renamed '{store_name}'"
                );
            }
            // The store's own name finds it.
            let hits = sf.search(&store_name, 0, 96);
            assert!(hits.items.iter().any(|p| m.by_id[&p.id] == i) || hits.total > 96);
        }
    }

    /// The cache's budget (`catalog.cache_mib`) is counted in these weights: a store must
    /// weigh at least what its snapshot holds, or the cache outgrows its budget, and far less
    /// than the master it shares, or thousands of stores would not stay warm.
    #[test]
    fn a_store_snapshot_weighs_a_fraction_of_the_catalog() {
        let mut rng = Rng(11);
        let m = Arc::new(master(&mut rng, 100_000));
        let weight = |overrides: &[(uuid::Uuid, Field, Value)]| {
            let sf = resolve(
                TenantId::generate(),
                m.clone(),
                StoreSettings::default(),
                true,
                overrides,
                1,
            );
            assert_eq!(sf.product_count(), 100_000);
            sf.weight()
        };
        // ARCHITECTURE: a store over 100,000 products weighs ~12 KiB (a bit a product: 12.2
        // KiB) plus its overrides.
        let plain = weight(&[]);
        assert!((12..=20).contains(&plain), "weighs {plain} KiB");
        // The master it reads through holds at least its items and their texts.
        let master_bytes: usize = m
            .items
            .iter()
            .map(|i| {
                std::mem::size_of::<MasterItem>() + i.sku.len() + i.name.len() + i.description.len()
            })
            .sum();
        assert!(
            plain as usize * 1024 * 100 < master_bytes,
            "{plain} KiB is not under 1 % of the master's {master_bytes} bytes"
        );
        // Each new name (40 characters) is held twice, as shown and in lower case: at least
        // 80 bytes an override.
        let renamed = |n: usize| -> Vec<(uuid::Uuid, Field, Value)> {
            (0..n)
                .map(|i| {
                    let text = format!("The store's own name for product {i:07}");
                    assert_eq!(text.len(), 40);
                    (m.items[i * 7].id.as_uuid(), Field::Name, Value::Text(text))
                })
                .collect()
        };
        let (w100, w1000, w10000) = (
            weight(&renamed(100)),
            weight(&renamed(1_000)),
            weight(&renamed(10_000)),
        );
        assert!(
            plain < w100 && w100 < w1000 && w1000 < w10000,
            "{plain} < {w100} < {w1000} < {w10000} KiB"
        );
        assert!(w1000 >= plain + 78, "1,000 new names weigh {w1000} KiB");
        assert!(w10000 >= plain + 781, "10,000 new names weigh {w10000} KiB");
        // A price override holds no text, but still an entry of its own.
        let repriced: Vec<_> = m.items[..1_000]
            .iter()
            .map(|i| (i.id.as_uuid(), Field::Price, Value::Price(i.price.minor)))
            .collect();
        let w_prices = weight(&repriced);
        assert!(w_prices >= plain + 31, "1,000 prices weigh {w_prices} KiB");
        // Yet a thousand such stores (1,000 overrides each) fit the default 512 MiB budget.
        assert!(
            w1000 * 1_000 <= 512 * 1024 && w_prices * 1_000 <= 512 * 1024,
            "{w1000} and {w_prices} KiB a store"
        );
    }
}
