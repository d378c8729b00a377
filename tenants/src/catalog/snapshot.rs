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

/// The hub's master catalog at one version, shared by every store's snapshot.
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
}

/// One product in a store: the master item with the store's resolved fields.
#[derive(Debug)]
struct Item {
    master: u32,
    price_minor: i64,
    name: Option<Box<str>>,
    description: Option<Box<str>>,
    html: OnceLock<String>,
    featured: bool,
    sort: i32,
}

/// A category with products in this store.
#[derive(Debug)]
pub struct StoreCategory {
    pub category: Category,
    pub depth: u32,
    /// Items (indexes into the store's items) in default order, sub-categories included.
    items: Vec<u32>,
    by_name: OnceLock<Vec<u32>>,
    by_price: OnceLock<Vec<u32>>,
}

impl StoreCategory {
    pub fn count(&self) -> usize {
        self.items.len()
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

/// One store's effective catalog at one pair of versions.
#[derive(Debug)]
pub struct Storefront {
    pub store: TenantId,
    pub master_version: i64,
    pub store_version: i64,
    pub settings: StoreSettings,
    /// The store has no settings yet (its wizard is not finished).
    pub configured: bool,
    pub master: Arc<Master>,
    items: Vec<Item>,
    /// master index → item index, `u32::MAX` where the store does not sell it.
    of_master: Vec<u32>,
    pub categories: Vec<StoreCategory>,
    cat_index: HashMap<CategoryId, u32>,
    featured: Vec<u32>,
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

impl Storefront {
    pub fn branding(&self) -> &Branding {
        &self.settings.branding
    }

    pub fn product_count(&self) -> usize {
        self.items.len()
    }

    fn view(&self, i: u32) -> ProductView {
        let it = &self.items[i as usize];
        let m = &self.master.items[it.master as usize];
        let summary = match &it.description {
            Some(d) => excerpt(&plain_text(d), 160),
            None => excerpt(m.description_text(), 160),
        };
        ProductView {
            id: m.id,
            sku: m.sku.clone(),
            name: it.name.as_deref().unwrap_or(&m.name).to_owned(),
            price: Money::new(it.price_minor, m.price.currency),
            list_price: m.price,
            image: m.image.clone(),
            featured: it.featured,
            category: m.category.map(|c| self.master.categories[c as usize].id),
            summary,
        }
    }

    /// Up to `n` featured products (the first products in the store's order if none are).
    pub fn featured(&self, n: usize) -> Vec<ProductView> {
        let src: Vec<u32> = if self.featured.is_empty() {
            (0..self.items.len() as u32).take(n).collect()
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

    fn sorted<'a>(&'a self, c: &'a StoreCategory, sort: Sort) -> &'a [u32] {
        let by = |key: &dyn Fn(&u32, &u32) -> std::cmp::Ordering| {
            let mut v = c.items.clone();
            v.sort_by(|a, b| key(a, b));
            v
        };
        match sort {
            Sort::Featured => &c.items,
            Sort::NameAsc => c
                .by_name
                .get_or_init(|| by(&|a, b| self.name_key(*a).cmp(&self.name_key(*b)))),
            Sort::PriceAsc | Sort::PriceDesc => c.by_price.get_or_init(|| {
                by(&|a, b| {
                    self.items[*a as usize]
                        .price_minor
                        .cmp(&self.items[*b as usize].price_minor)
                        .then_with(|| self.name_key(*a).cmp(&self.name_key(*b)))
                })
            }),
        }
    }

    fn name_key(&self, i: u32) -> String {
        let it = &self.items[i as usize];
        it.name
            .as_deref()
            .unwrap_or(&self.master.items[it.master as usize].name)
            .to_lowercase()
    }

    /// One page of a category's products.
    pub fn list(&self, c: &StoreCategory, sort: Sort, page: usize, per_page: usize) -> Listing {
        let order = self.sorted(c, sort);
        let total = order.len();
        let per_page = per_page.clamp(1, 96);
        let pick = |i: &u32| self.view(*i);
        let items: Vec<ProductView> = if sort == Sort::PriceDesc {
            order
                .iter()
                .rev()
                .skip(page * per_page)
                .take(per_page)
                .map(pick)
                .collect()
        } else {
            order
                .iter()
                .skip(page * per_page)
                .take(per_page)
                .map(pick)
                .collect()
        };
        Listing {
            items,
            total,
            page,
            per_page,
        }
    }

    fn index_of(&self, id: ProductId) -> Option<u32> {
        let m = *self.master.by_id.get(&id)?;
        Some(self.of_master[m as usize]).filter(|i| *i != u32::MAX)
    }

    /// A product the store sells, by id.
    pub fn product(&self, id: ProductId) -> Option<ProductView> {
        self.index_of(id).map(|i| self.view(i))
    }

    /// A product the store sells, by SKU (any case), with its page's details.
    pub fn detail(&self, sku: &str) -> Option<ProductDetail> {
        let m = *self.master.by_sku.get(&sku.trim().to_ascii_uppercase())?;
        let i = self.of_master[m as usize];
        if i == u32::MAX {
            return None;
        }
        let it = &self.items[i as usize];
        let mi = &self.master.items[m as usize];
        let html = match &it.description {
            Some(d) => it.html.get_or_init(|| render_markdown(d)).clone(),
            None => mi.description_html().to_owned(),
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
    pub fn search(&self, query: &str, page: usize, per_page: usize) -> Listing {
        let index = self.search.get_or_init(|| SearchIndex::build(self));
        let hits = index.query(query);
        let total = hits.len();
        let per_page = per_page.clamp(1, 96);
        Listing {
            items: hits
                .into_iter()
                .skip(page * per_page)
                .take(per_page)
                .map(|i| self.view(i))
                .collect(),
            total,
            page,
            per_page,
        }
    }

    /// A rough size in bytes, for the cache's weigher.
    fn weight(&self) -> u32 {
        let bytes = self.items.len() * std::mem::size_of::<Item>()
            + self.of_master.len() * 4
            + self
                .categories
                .iter()
                .map(|c| c.items.len() * 12)
                .sum::<usize>()
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

#[derive(Debug, Default)]
struct SearchIndex {
    /// term → (item, weight): 3 for name and SKU words, 1 for description words.
    terms: HashMap<String, Vec<(u32, u8)>>,
}

impl SearchIndex {
    fn build(sf: &Storefront) -> Self {
        let mut terms: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
        for (i, it) in sf.items.iter().enumerate() {
            let m = &sf.master.items[it.master as usize];
            let name = it.name.as_deref().unwrap_or(&m.name);
            let mut seen: HashMap<String, u8> = HashMap::new();
            for t in tokens(name)
                .chain(tokens(&m.sku))
                .chain(std::iter::once(m.sku.to_lowercase()))
            {
                seen.insert(t, 3);
            }
            let desc_text;
            let desc: &str = match &it.description {
                Some(d) => {
                    desc_text = plain_text(d);
                    &desc_text
                }
                None => m.description_text(),
            };
            for t in tokens(desc) {
                seen.entry(t).or_insert(1);
            }
            for (t, w) in seen {
                terms.entry(t).or_default().push((i as u32, w));
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

    fn query(&self, q: &str) -> Vec<u32> {
        let words: Vec<String> = tokens(q).take(8).collect();
        if words.is_empty() {
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
        let mut hits: Vec<(u32, u32)> = total.unwrap_or_default().into_iter().collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter().map(|(i, _)| i).collect()
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
    let cat_index: HashMap<CategoryId, u32> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as u32))
        .collect();
    let lineage = categories
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
    let mut items = Vec::with_capacity(rows.len());
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
    Ok(Master {
        version,
        categories,
        lineage,
        items,
        by_id,
        by_sku,
        policy,
    })
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
    let cat_rule = |set: &[CategoryId]| -> HashSet<u32> {
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
    let inc_c = cat_rule(&sel.include_categories);
    let exc_c = cat_rule(&sel.exclude_categories);
    let inc_p: HashSet<ProductId> = sel.include_products.iter().copied().collect();
    let exc_p: HashSet<ProductId> = sel.exclude_products.iter().copied().collect();
    let mut per: HashMap<uuid::Uuid, Vec<(Field, &Value)>> = HashMap::new();
    for (p, f, v) in overrides {
        if !policy.is_locked(*f) {
            per.entry(*p).or_default().push((*f, v));
        }
    }
    let in_cats = |m: &MasterItem, set: &HashSet<u32>| {
        m.category
            .is_some_and(|c| master.lineage[c as usize].iter().any(|x| set.contains(x)))
    };
    let mut items: Vec<Item> = Vec::new();
    for (mi, m) in master.items.iter().enumerate() {
        let visible = if exc_p.contains(&m.id) {
            false
        } else if inc_p.contains(&m.id) {
            true
        } else if in_cats(m, &exc_c) {
            false
        } else {
            sel.all || in_cats(m, &inc_c)
        };
        if !visible {
            continue;
        }
        let mut it = Item {
            master: mi as u32,
            price_minor: settings.pricing.apply(m.price).minor,
            name: None,
            description: None,
            html: OnceLock::new(),
            featured: false,
            sort: 0,
        };
        let mut hidden = false;
        if let Some(list) = per.get(&m.id.as_uuid()) {
            for (f, v) in list {
                match (f, v) {
                    (Field::Price, Value::Price(p)) => {
                        let (lo, hi) = policy.price_range(m.price);
                        // An override the hub's current range no longer allows is not shown.
                        if (lo.minor..=hi.minor).contains(p) {
                            it.price_minor = *p;
                        }
                    }
                    (Field::Name, Value::Text(t)) => it.name = Some(t.clone().into()),
                    (Field::Description, Value::Text(t)) => it.description = Some(t.clone().into()),
                    (Field::Featured, Value::Flag(b)) => it.featured = *b,
                    (Field::Hidden, Value::Flag(b)) => hidden = *b,
                    (Field::Sort, Value::Sort(s)) => it.sort = *s,
                    _ => {}
                }
            }
        }
        if !hidden {
            items.push(it);
        }
    }
    let name_of = |it: &Item| -> String {
        it.name
            .as_deref()
            .unwrap_or(&master.items[it.master as usize].name)
            .to_lowercase()
    };
    items.sort_by_cached_key(|it| (!it.featured, it.sort, name_of(it)));
    let mut of_master = vec![u32::MAX; master.items.len()];
    for (i, it) in items.iter().enumerate() {
        of_master[it.master as usize] = i as u32;
    }
    let featured: Vec<u32> = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.featured)
        .map(|(i, _)| i as u32)
        .collect();
    let mut per_cat: Vec<Vec<u32>> = vec![Vec::new(); master.categories.len()];
    for (i, it) in items.iter().enumerate() {
        if let Some(c) = master.items[it.master as usize].category {
            for x in &master.lineage[c as usize] {
                per_cat[*x as usize].push(i as u32);
            }
        }
    }
    let mut categories = Vec::new();
    let mut cat_index = HashMap::new();
    for (ci, list) in per_cat.into_iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let c = master.categories[ci].clone();
        cat_index.insert(c.id, categories.len() as u32);
        categories.push(StoreCategory {
            depth: (master.lineage[ci].len() - 1) as u32,
            category: c,
            items: list,
            by_name: OnceLock::new(),
            by_price: OnceLock::new(),
        });
    }
    Storefront {
        store,
        master_version: master.version,
        store_version,
        settings,
        configured,
        master,
        items,
        of_master,
        categories,
        cat_index,
        featured,
        search: OnceLock::new(),
    }
}

/// Snapshots of every store, bounded by size, with the master shared between them.
#[derive(Clone, Debug)]
pub struct CatalogCache {
    masters: moka::future::Cache<i64, Arc<Master>>,
    stores: moka::future::Cache<(TenantId, i64, i64), Arc<Storefront>>,
    hub: Arc<tokio::sync::OnceCell<Tenant>>,
    builds: Arc<AtomicU64>,
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
        let versions = registry::catalog_versions(db, &ids).await?;
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
