//! The reseller's console: the store wizard, per-product overrides and the drift view. Every
//! function requires the store's admin on the store's own host (its staff may look, not
//! change), on a reseller's host only.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json, MultipartData};
use serde::{Deserialize, Serialize};

use crate::api::auth::SlugCheck;
use crate::error::ApiError;
#[cfg(feature = "ssr")]
use tenants::access::{StoreAdmin, StoreStaff};

/// One per-product override as typed in the wizard: a product by SKU, a field, a value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideRow {
    pub sku: String,
    /// `price`, `name`, `description`, `featured`, `hidden` or `sort`
    pub field: String,
    pub value: String,
}

/// Everything the wizard collects, as typed. The server checks it step by step, in the
/// wizard's order, so the first problem reported is the earliest step's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInput {
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
    pub overrides: Vec<OverrideRow>,
}

/// A master category, in tree order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub id: String,
    pub name: String,
    pub depth: u32,
}

/// A master product, as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterProduct {
    pub sku: String,
    pub name: String,
    /// The list price, formatted.
    pub price: String,
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontOption {
    pub value: String,
    pub label: String,
    /// The CSS font stack, for the preview.
    pub stack: String,
}

/// A field a store may override, and whether the hub locked it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOption {
    pub value: String,
    pub label: String,
    pub locked: bool,
}

/// The hub's rules for stores, for showing next to the inputs they bound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub price_min_pct: i32,
    pub price_max_pct: i32,
    /// The markups the range allows, e.g. `-10 %` and `+50 %`.
    pub markup_min: String,
    pub markup_max: String,
    pub fields: Vec<FieldOption>,
}

/// One example of the pricing rule at work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceExample {
    pub sku: String,
    pub name: String,
    pub list: String,
    pub price: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingPreview {
    pub examples: Vec<PriceExample>,
}

/// What the wizard starts from: the store's current settings (or the defaults before its
/// first publication) and the choices it offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreDraft {
    pub store: StoreInput,
    pub current_slug: String,
    pub current_name: String,
    /// What follows the slug in the store's address, e.g. `.hub.example` (port included in
    /// development).
    pub address_suffix: String,
    pub scheme: String,
    pub store_url: String,
    /// `pending`, `approved` or `suspended`
    pub status: String,
    /// The caller may publish (store admin), not only look (staff).
    pub can_publish: bool,
    /// The store has been published before (the wizard edits it).
    pub live: bool,
    pub policy: PolicyInfo,
    pub categories: Vec<CategoryOption>,
    /// The chosen products, for showing them by name.
    pub chosen_products: Vec<MasterProduct>,
    pub fonts: Vec<FontOption>,
    pub pricing: PricingPreview,
    /// Overrides already in place (managed on the catalog page).
    pub override_count: usize,
    pub master_products: usize,
}

/// The effect of the wizard's input, had it been published now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreCheck {
    pub products: usize,
    pub categories: usize,
}

/// The answer to publishing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedStore {
    pub url: String,
    pub login_url: String,
    pub slug: String,
    pub slug_changed: bool,
    pub name: String,
    /// The store took the new name asked for.
    pub renamed: bool,
    pub products: usize,
}

/// One overridden field beside the master's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftRow {
    /// `prd_…`
    pub product: String,
    pub sku: String,
    pub product_name: String,
    pub field: String,
    pub field_label: String,
    pub master: String,
    pub store: String,
    /// The hub locked the field since: the storefront shows the master's value.
    pub locked: bool,
    /// A price outside the hub's current range (the range): the rule's price is shown.
    pub outside_range: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftReport {
    pub rows: Vec<DriftRow>,
    pub policy: PolicyInfo,
    pub can_edit: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideSaved {
    pub sku: String,
    pub product_name: String,
    pub field_label: String,
}

#[cfg(feature = "ssr")]
mod server {
    use std::collections::{HashMap, HashSet};
    use std::sync::Arc;

    use tenants::access::MasterView;
    use tenants::catalog::money::{MARKUP_RANGE_BP, Money, PricingRule, Rounding};
    use tenants::catalog::snapshot::Master;
    use tenants::catalog::store::{
        self, Branding, BrandingInput, Field, Font, OverrideInput, Policy, Selection,
        StoreSettings, StoreSetup,
    };
    use tenants::{CategoryId, ProductId, TenantDb};

    use super::*;
    use crate::context::{AppState, store_url};

    fn capitalised(s: &str) -> String {
        let mut c = s.chars();
        c.next()
            .map(|first| first.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    pub fn policy_info(policy: &Policy) -> PolicyInfo {
        PolicyInfo {
            price_min_pct: policy.price_min_pct,
            price_max_pct: policy.price_max_pct,
            markup_min: store::format_bp((policy.price_min_pct - 100) * 100),
            markup_max: store::format_bp((policy.price_max_pct - 100) * 100),
            fields: Field::ALL
                .into_iter()
                .map(|f| FieldOption {
                    value: f.as_str().to_owned(),
                    label: capitalised(f.label()),
                    locked: policy.is_locked(f),
                })
                .collect(),
        }
    }

    /// The master's categories, each under its parent, siblings by position then name.
    pub fn category_options(master: &Master) -> Vec<CategoryOption> {
        let known: HashSet<CategoryId> = master.categories.iter().map(|c| c.id).collect();
        let mut children: HashMap<Option<CategoryId>, Vec<usize>> = HashMap::new();
        for (i, c) in master.categories.iter().enumerate() {
            let parent = c.parent.filter(|p| known.contains(p) && *p != c.id);
            children.entry(parent).or_default().push(i);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| {
                let (a, b) = (&master.categories[*a], &master.categories[*b]);
                (a.position, a.name.to_lowercase()).cmp(&(b.position, b.name.to_lowercase()))
            });
        }
        let mut out = Vec::with_capacity(master.categories.len());
        let mut seen = HashSet::new();
        let mut stack: Vec<(usize, u32)> = children
            .get(&None)
            .map(|l| l.iter().rev().map(|i| (*i, 0)).collect())
            .unwrap_or_default();
        while let Some((i, depth)) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            let c = &master.categories[i];
            out.push(CategoryOption {
                id: c.id.to_string(),
                name: c.name.clone(),
                depth,
            });
            if let Some(kids) = children.get(&Some(c.id)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
            }
        }
        // A cycle in the parents leaves categories unreached: list them at the top level.
        for (i, c) in master.categories.iter().enumerate() {
            if !seen.contains(&i) {
                out.push(CategoryOption {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    depth: 0,
                });
            }
        }
        out
    }

    pub fn master_product(master: &Master, i: usize) -> Option<MasterProduct> {
        let m = master.items.get(i)?;
        Some(MasterProduct {
            sku: m.sku.clone(),
            name: m.name.clone(),
            price: m.price.display(),
            category: m
                .category
                .and_then(|c| master.categories.get(c as usize))
                .map(|c| c.name.clone()),
        })
    }

    pub fn pricing_rule(markup: &str, rounding: &str) -> Result<PricingRule, ApiError> {
        let bp = store::parse_markup(markup)?;
        let rounding = Rounding::parse(rounding.trim())
            .ok_or_else(|| ApiError::validation("rounding", "choose a rounding from the list"))?;
        if !(MARKUP_RANGE_BP.0..=MARKUP_RANGE_BP.1).contains(&bp) {
            return Err(ApiError::validation(
                "markup",
                "must be between -50 % and +400 %",
            ));
        }
        Ok(PricingRule::new(bp, rounding)?)
    }

    /// Up to three of the master's products (the cheapest, a middle one, the dearest) with
    /// their price under `rule`; made-up list prices while the master is empty.
    pub fn examples(master: &Master, rule: &PricingRule) -> Vec<PriceExample> {
        let mut idx: Vec<usize> = (0..master.items.len()).collect();
        idx.sort_by_key(|i| master.items[*i].price.minor);
        let mut picks: Vec<usize> = match idx.len() {
            0 => Vec::new(),
            n => vec![idx[0], idx[n / 2], idx[n - 1]],
        };
        picks.dedup();
        if picks.is_empty() {
            let Some(eur) = tenants::catalog::Currency::parse("EUR") else {
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
                    list: list.display(),
                    price: rule.apply(list).display(),
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
                    list: m.price.display(),
                    price: rule.apply(m.price).display(),
                }
            })
            .collect()
    }

    /// The wizard's input, checked in the wizard's order.
    pub struct Checked {
        pub slug: String,
        pub slug_changed: bool,
        pub name: String,
        pub name_changed: bool,
        pub setup: StoreSetup,
        pub master: Arc<Master>,
    }

    fn selection(master: &Master, input: &StoreInput) -> Result<Selection, ApiError> {
        let by_id: HashMap<CategoryId, &str> = master
            .categories
            .iter()
            .map(|c| (c.id, c.name.as_str()))
            .collect();
        // Unknown ids are categories the hub removed since: they select nothing, drop them.
        let cats = |ids: &[String]| {
            let mut seen = HashSet::new();
            ids.iter()
                .filter_map(|s| CategoryId::parse(s.trim()))
                .filter(|c| by_id.contains_key(c) && seen.insert(*c))
                .collect::<Vec<_>>()
        };
        let products = |skus: &[String]| -> Result<Vec<(String, ProductId)>, ApiError> {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for raw in skus.iter().filter(|s| !s.trim().is_empty()) {
                let sku = tenants::catalog::master::normalise_sku(raw).map_err(|e| {
                    ApiError::validation("selection", format!("SKU '{}': {e}", raw.trim()))
                })?;
                let id = master.find_sku(&sku).map(|m| m.id).ok_or_else(|| {
                    ApiError::validation(
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
            return Err(ApiError::validation(
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
            return Err(ApiError::validation(
                "selection",
                format!("{sku} is both included and excluded; choose one"),
            ));
        }
        let select_all = input.select_all;
        if !select_all && include_categories.is_empty() && include_products.is_empty() {
            return Err(ApiError::validation(
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

    pub async fn check_input(
        db: &TenantDb,
        view: &MasterView,
        state: &AppState,
        input: &StoreInput,
    ) -> Result<Checked, ApiError> {
        // 1. Address and name.
        let slug = tenants::registry::Slug::parse(&input.slug)?;
        let slug_changed = slug.as_str() != db.tenant().slug();
        if slug_changed {
            match tenants::registry::slug_available(&state.db, slug.as_str()).await {
                Ok(()) => {}
                Err(tenants::Error::Conflict(message)) => {
                    return Err(ApiError::validation("slug", message));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let name = tenants::registry::parse_name(&input.name, "name")?;
        // 2. Branding (the tagline is on the first step, and checked first here).
        let branding = Branding::parse(&BrandingInput {
            tagline: input.tagline.clone(),
            hero_text: input.hero_text.clone(),
            primary_color: input.primary_color.clone(),
            accent_color: input.accent_color.clone(),
            font: input.font.clone(),
            logo: input.logo.clone(),
        })?;
        // 3. Catalog.
        let master = state.catalog.master(&state.db).await?;
        let selection = selection(&master, input)?;
        // 4. Pricing, within the hub's policy.
        let policy = store::policy(view).await?;
        let pricing = pricing_rule(&input.markup, &input.rounding)?;
        store::check_pricing(&pricing, &policy)?;
        // 5. Overrides (rows left empty are ignored).
        let rows: Vec<OverrideInput> = input
            .overrides
            .iter()
            .filter(|o| !(o.sku.trim().is_empty() && o.value.trim().is_empty()))
            .map(|o| OverrideInput {
                sku: o.sku.clone(),
                field: o.field.clone(),
                value: o.value.clone(),
            })
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

    /// What the storefront would offer with `checked` (overrides already in place aside).
    pub fn effect(db: &TenantDb, checked: &Checked) -> StoreCheck {
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
        let front = tenants::catalog::snapshot::resolve(
            db.tenant_id(),
            checked.master.clone(),
            settings,
            true,
            &overrides,
            0,
        );
        StoreCheck {
            products: front.product_count(),
            categories: front.categories.len(),
        }
    }

    /// The wizard's starting point.
    pub async fn draft(
        db: &TenantDb,
        view: &MasterView,
        state: &AppState,
        can_publish: bool,
    ) -> Result<StoreDraft, ApiError> {
        let current = store::settings(db).await?;
        let live = current.is_some();
        let settings = current.unwrap_or_default();
        let master = state.catalog.master(&state.db).await?;
        let policy = store::policy(view).await?;
        let overrides = store::drift(db, view, &policy).await?;
        let index: HashMap<ProductId, usize> = master
            .items
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id, i))
            .collect();
        let skus = |ids: &[ProductId]| -> Vec<usize> {
            ids.iter().filter_map(|id| index.get(id).copied()).collect()
        };
        let included = skus(&settings.selection.include_products);
        let excluded = skus(&settings.selection.exclude_products);
        let sku_of = |l: &[usize]| l.iter().map(|i| master.items[*i].sku.clone()).collect();
        let chosen_products = included
            .iter()
            .chain(&excluded)
            .filter_map(|i| master_product(&master, *i))
            .collect();
        let b = &settings.branding;
        let slug = db.tenant().slug().to_owned();
        let marker = store_url("x", "");
        let (scheme, rest) = marker.split_once("://x").unwrap_or(("http", ""));
        let tagline = if live {
            b.tagline.clone()
        } else {
            db.tenant().tagline().unwrap_or_default().to_owned()
        };
        Ok(StoreDraft {
            store: StoreInput {
                slug: slug.clone(),
                name: db.tenant().name().to_owned(),
                tagline,
                hero_text: b.hero_text.clone(),
                primary_color: b.primary_color.clone(),
                accent_color: b.accent_color.clone(),
                font: b.font.as_str().to_owned(),
                logo: b.logo.clone().unwrap_or_default(),
                select_all: settings.selection.all,
                include_categories: settings
                    .selection
                    .include_categories
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                exclude_categories: settings
                    .selection
                    .exclude_categories
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                include_products: sku_of(&included),
                exclude_products: sku_of(&excluded),
                markup: store::markup_text(settings.pricing.markup_bp),
                rounding: settings.pricing.rounding.as_str().to_owned(),
                overrides: Vec::new(),
            },
            current_name: db.tenant().name().to_owned(),
            address_suffix: rest.to_owned(),
            scheme: scheme.trim_end_matches(':').to_owned(),
            store_url: store_url(&slug, "/"),
            current_slug: slug,
            status: db.tenant().status().as_str().to_owned(),
            can_publish,
            live,
            policy: policy_info(&policy),
            categories: category_options(&master),
            chosen_products,
            fonts: Font::ALL
                .into_iter()
                .map(|f| FontOption {
                    value: f.as_str().to_owned(),
                    label: f.label().to_owned(),
                    stack: f.stack().to_owned(),
                })
                .collect(),
            pricing: PricingPreview {
                examples: examples(&master, &settings.pricing),
            },
            override_count: overrides.len(),
            master_products: master.items.len(),
        })
    }

    pub fn too_large(limit: usize) -> ApiError {
        let mb = |b: usize| {
            format!(
                "{}.{} MB",
                b / (1024 * 1024),
                (b % (1024 * 1024)) * 10 / (1024 * 1024)
            )
        };
        ApiError::validation(
            "image",
            format!("the file is larger than the limit of {}", mb(limit)),
        )
    }

    pub fn unreadable(e: impl std::fmt::Display) -> ApiError {
        ApiError::validation(
            "image",
            format!("the upload could not be read ({e}); try again"),
        )
    }
}

/// Store admin or staff: the wizard's starting point (the current settings, or defaults).
#[server(prefix = "/api", endpoint = "console/store", input = GetUrl)]
pub async fn load_store_draft() -> Result<StoreDraft, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let can_publish = staff.principal().role == tenants::auth::Role::ResellerAdmin;
        server::draft(staff.db(), &staff.master().await?, &state, can_publish).await
    })
    .await
}

/// Store admin or staff: whether the store could move to `slug`. Its own current address
/// counts as available.
#[server(prefix = "/api", endpoint = "console/store/slug-check", input = GetUrl)]
pub async fn check_store_slug(slug: String) -> Result<SlugCheck, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let normalised = slug.trim().to_ascii_lowercase();
        if normalised == staff.tenant().slug() {
            return Ok(SlugCheck {
                message: format!("{normalised} is your store's current address"),
                slug: normalised,
                available: true,
            });
        }
        Ok(
            match tenants::registry::slug_available(&state.db, &slug).await {
                Ok(()) => SlugCheck {
                    message: format!("{normalised} is available"),
                    slug: normalised,
                    available: true,
                },
                Err(tenants::Error::Validation { message, .. })
                | Err(tenants::Error::Conflict(message)) => SlugCheck {
                    slug: normalised,
                    available: false,
                    message,
                },
                Err(e) => return Err(e.into()),
            },
        )
    })
    .await
}

/// Store admin or staff: a few of the master's prices under a markup and rounding, checked
/// against the hub's policy (a violation is a validation error on `markup`).
#[server(prefix = "/api", endpoint = "console/store/pricing-preview", input = GetUrl)]
pub async fn preview_pricing(markup: String, rounding: String) -> Result<PricingPreview, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let rule = server::pricing_rule(&markup, &rounding)?;
        let policy = tenants::catalog::store::policy(&staff.master().await?).await?;
        tenants::catalog::store::check_pricing(&rule, &policy)?;
        let master = state.catalog.master(&state.db).await?;
        Ok(PricingPreview {
            examples: server::examples(&master, &rule),
        })
    })
    .await
}

/// Store admin or staff: master products whose SKU or name contains `query` (at most 12).
#[server(prefix = "/api", endpoint = "console/catalog/search", input = GetUrl)]
pub async fn search_master(query: String) -> Result<Vec<MasterProduct>, ApiError> {
    use crate::context::{app_state, run};
    run(|_staff: StoreStaff| async move {
        let state = app_state()?;
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let master = state.catalog.master(&state.db).await?;
        Ok(master
            .items
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                m.sku.to_lowercase().contains(&q) || m.name.to_lowercase().contains(&q)
            })
            .take(12)
            .filter_map(|(i, _)| server::master_product(&master, i))
            .collect())
    })
    .await
}

/// Store admin or staff: checks the wizard's input without saving it, reporting the first
/// problem in the wizard's order, or what the store would offer.
#[server(prefix = "/api", endpoint = "console/store/check", input = Json)]
pub async fn check_store(store: StoreInput) -> Result<StoreCheck, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let checked =
            server::check_input(staff.db(), &staff.master().await?, &state, &store).await?;
        Ok(server::effect(staff.db(), &checked))
    })
    .await
}

/// Store admin of an approved reseller: saves the wizard's input and makes the store live;
/// moves it to a new address if the slug changed. Answers the store's address.
#[server(prefix = "/api", endpoint = "console/store/publish", input = Json)]
pub async fn publish_store(store: StoreInput) -> Result<PublishedStore, ApiError> {
    use crate::context::{app_state, run, store_url};
    run(|staff: StoreAdmin| async move {
        if staff.tenant().status() != tenants::TenantStatus::Approved {
            return Err(ApiError::Conflict(
                "your store can go live once the hub has approved it".into(),
            ));
        }
        let state = app_state()?;
        let checked =
            server::check_input(staff.db(), &staff.master().await?, &state, &store).await?;
        let effect = server::effect(staff.db(), &checked);
        // Publish first: should the move then fail (someone took the address a moment
        // ago), the store is live at its current address and the admin can retry.
        tenants::catalog::store::publish(staff.db(), &checked.setup).await?;
        let mut tenant = staff.tenant().clone();
        if checked.name_changed {
            tenant = tenants::registry::rename(&state.db, &tenant, &checked.name).await?;
            state.registry.invalidate(&tenant).await;
            tracing::info!(tenant = %tenant.id(), name = tenant.name(), "store renamed");
        }
        let mut slug = tenant.slug().to_owned();
        if checked.slug_changed {
            let moved = tenants::registry::set_slug(&state.db, &tenant, &checked.slug)
                .await
                .map_err(|e| match e {
                    tenants::Error::Conflict(message) => ApiError::Validation {
                        field: "slug".into(),
                        message,
                    },
                    e => e.into(),
                })?;
            state.registry.invalidate(staff.tenant()).await;
            state.registry.invalidate(&moved).await;
            tracing::info!(tenant = %moved.id(), from = staff.tenant().slug(), to = moved.slug(), "store moved");
            slug = moved.slug().to_owned();
        }
        tracing::info!(tenant = %staff.tenant().id(), products = effect.products, "store published");
        Ok(PublishedStore {
            url: store_url(&slug, "/"),
            login_url: store_url(&slug, "/login"),
            slug_changed: checked.slug_changed,
            slug,
            name: tenant.name().to_owned(),
            renamed: checked.name_changed,
            products: effect.products,
        })
    })
    .await
}

/// Store admin: uploads the store's logo (PNG, JPEG or WebP, in the form field `logo`) and
/// answers its stored name, served at `/media/{name}`.
// The guarded multipart encoding: a POST that is not multipart is refused, not a panic.
#[server(prefix = "/api", endpoint = "console/store/logo", input = crate::api::upload::Upload, input_derive = ())]
pub async fn upload_logo(data: MultipartData) -> Result<String, ApiError> {
    use crate::context::{app_state, run};
    run(|_staff: StoreAdmin| async move {
        let state = app_state()?;
        let mut form = data.into_inner().ok_or(ApiError::Validation {
            field: "image".into(),
            message: "choose a file to upload".into(),
        })?;
        let limit = state.media.max_bytes();
        while let Some(mut field) = form.next_field().await.map_err(server::unreadable)? {
            if field.name() != Some("logo") {
                continue;
            }
            let declared = field.content_type().map(|m| m.essence_str().to_owned());
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(server::unreadable)? {
                if bytes.len() + chunk.len() > limit {
                    return Err(server::too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            let name = state.media.store_image(&bytes, declared.as_deref()).await?;
            tracing::info!(media = %name, "store logo uploaded");
            return Ok(name);
        }
        Err(ApiError::Validation {
            field: "image".into(),
            message: "choose a file to upload".into(),
        })
    })
    .await
}
crate::api::upload::upload_codec!(UploadLogo);

/// Store admin or staff: every overridden field beside the master's value.
#[server(prefix = "/api", endpoint = "console/catalog/drift", input = GetUrl)]
pub async fn load_drift() -> Result<DriftReport, ApiError> {
    use crate::context::run;
    run(|staff: StoreStaff| async move {
        let view = staff.master().await?;
        let policy = tenants::catalog::store::policy(&view).await?;
        let rows = tenants::catalog::store::drift(staff.db(), &view, &policy)
            .await?
            .into_iter()
            .map(|d| DriftRow {
                product: d.product.to_string(),
                sku: d.sku,
                product_name: d.product_name,
                field: d.field.as_str().to_owned(),
                field_label: d.field.label().to_owned(),
                master: d.master,
                store: d.store,
                locked: d.locked,
                outside_range: d.outside_range,
            })
            .collect();
        Ok(DriftReport {
            rows,
            policy: server::policy_info(&policy),
            can_edit: staff.principal().role == tenants::auth::Role::ResellerAdmin,
        })
    })
    .await
}

/// Store admin: overrides one field of one product (by SKU), within the hub's policy.
#[server(prefix = "/api", endpoint = "console/catalog/override")]
pub async fn save_override(
    sku: String,
    field: String,
    value: String,
) -> Result<OverrideSaved, ApiError> {
    use tenants::catalog::store::{self, Field};

    use crate::context::{app_state, run};
    run(|staff: StoreAdmin| async move {
        let state = app_state()?;
        let bad = |message: String| ApiError::Validation {
            field: "overrides".into(),
            message,
        };
        let sku = tenants::catalog::master::normalise_sku(&sku)
            .map_err(|e| bad(format!("SKU '{}': {e}", sku.trim())))?;
        let master = state.catalog.master(&state.db).await?;
        let item = master
            .find_sku(&sku)
            .ok_or_else(|| bad(format!("there is no product {sku} in the catalog")))?;
        let f = Field::parse(&field)
            .ok_or_else(|| bad(format!("{sku}: '{field}' is not a field a store can change")))?;
        store::set_override(staff.db(), &staff.master().await?, item.id, f, Some(&value)).await?;
        tracing::info!(tenant = %staff.tenant().id(), sku = %sku, field = f.as_str(), "override set");
        Ok(OverrideSaved {
            sku,
            product_name: item.name.clone(),
            field_label: f.label().to_owned(),
        })
    })
    .await
}

/// Store admin: reverts one overridden field to the master's value.
#[server(prefix = "/api", endpoint = "console/catalog/revert")]
pub async fn revert_override(product: String, field: String) -> Result<(), ApiError> {
    use tenants::catalog::store::{self, Field};

    use crate::context::run;
    run(|staff: StoreAdmin| async move {
        let product = tenants::ProductId::parse(product.trim()).ok_or(ApiError::NotFound)?;
        let field = Field::parse(&field).ok_or(ApiError::NotFound)?;
        store::set_override(staff.db(), &staff.master().await?, product, field, None).await?;
        tracing::info!(tenant = %staff.tenant().id(), product = %product, field = field.as_str(), "override reverted");
        Ok(())
    })
    .await
}
