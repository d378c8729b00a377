//! The reseller's console: the store wizard, per-product overrides and the drift view. Every
//! function requires the store's admin on the store's own host (its staff may look, not
//! change), on a reseller's host only.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json, MultipartData};
use serde::{Deserialize, Serialize};

use crate::accounts::api::SlugCheck;
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

/// Turns the domain's answers (`tenants::catalog::setup`, where the console's rules live)
/// into this file's DTOs; plus the upload's error texts.
#[cfg(feature = "ssr")]
mod server {
    use tenants::TenantStatus;
    use tenants::catalog::setup::{self, CategoryNode, Draft, ProductChoice, SetupInput};
    use tenants::catalog::store::{self, Field, Font, OverrideInput, Policy};

    use super::*;
    use crate::context::store_url;

    fn capitalised(s: &str) -> String {
        let mut c = s.chars();
        c.next()
            .map(|first| first.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }

    pub fn policy_info(policy: &Policy) -> PolicyInfo {
        let (markup_min, markup_max) = setup::markup_bounds_bp(policy);
        PolicyInfo {
            price_min_pct: policy.price_min_pct,
            price_max_pct: policy.price_max_pct,
            markup_min: store::format_bp(markup_min),
            markup_max: store::format_bp(markup_max),
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

    pub fn setup_input(s: StoreInput) -> SetupInput {
        SetupInput {
            slug: s.slug,
            name: s.name,
            tagline: s.tagline,
            hero_text: s.hero_text,
            primary_color: s.primary_color,
            accent_color: s.accent_color,
            font: s.font,
            logo: s.logo,
            select_all: s.select_all,
            include_categories: s.include_categories,
            exclude_categories: s.exclude_categories,
            include_products: s.include_products,
            exclude_products: s.exclude_products,
            markup: s.markup,
            rounding: s.rounding,
            overrides: s
                .overrides
                .into_iter()
                .map(|o| OverrideInput {
                    sku: o.sku,
                    field: o.field,
                    value: o.value,
                })
                .collect(),
        }
    }

    fn store_input(s: SetupInput) -> StoreInput {
        StoreInput {
            slug: s.slug,
            name: s.name,
            tagline: s.tagline,
            hero_text: s.hero_text,
            primary_color: s.primary_color,
            accent_color: s.accent_color,
            font: s.font,
            logo: s.logo,
            select_all: s.select_all,
            include_categories: s.include_categories,
            exclude_categories: s.exclude_categories,
            include_products: s.include_products,
            exclude_products: s.exclude_products,
            markup: s.markup,
            rounding: s.rounding,
            overrides: s
                .overrides
                .into_iter()
                .map(|o| OverrideRow {
                    sku: o.sku,
                    field: o.field,
                    value: o.value,
                })
                .collect(),
        }
    }

    fn category_option(c: CategoryNode) -> CategoryOption {
        CategoryOption {
            id: c.id.to_string(),
            name: c.name,
            depth: c.depth,
        }
    }

    pub fn master_product(p: ProductChoice) -> MasterProduct {
        MasterProduct {
            sku: p.sku,
            name: p.name,
            price: p.price.display(),
            category: p.category,
        }
    }

    pub fn pricing_preview(examples: Vec<setup::PriceExample>) -> PricingPreview {
        PricingPreview {
            examples: examples
                .into_iter()
                .map(|e| PriceExample {
                    sku: e.sku,
                    name: e.name,
                    list: e.list.display(),
                    price: e.price.display(),
                })
                .collect(),
        }
    }

    /// The draft, with what only the request knows: the address the store answers at (as
    /// seen from this request's host) and whether the caller may publish.
    pub fn store_draft(draft: Draft, status: TenantStatus, can_publish: bool) -> StoreDraft {
        let marker = store_url("x", "");
        let (scheme, rest) = marker.split_once("://x").unwrap_or(("http", ""));
        let slug = draft.input.slug.clone();
        StoreDraft {
            current_name: draft.input.name.clone(),
            address_suffix: rest.to_owned(),
            scheme: scheme.trim_end_matches(':').to_owned(),
            store_url: store_url(&slug, "/"),
            current_slug: slug,
            status: status.as_str().to_owned(),
            can_publish,
            live: draft.live,
            policy: policy_info(&draft.policy),
            categories: draft.categories.into_iter().map(category_option).collect(),
            chosen_products: draft
                .chosen_products
                .into_iter()
                .map(master_product)
                .collect(),
            fonts: Font::ALL
                .into_iter()
                .map(|f| FontOption {
                    value: f.as_str().to_owned(),
                    label: f.label().to_owned(),
                    stack: f.stack().to_owned(),
                })
                .collect(),
            pricing: pricing_preview(draft.examples),
            override_count: draft.override_count,
            master_products: draft.master_products,
            store: store_input(draft.input),
        }
    }

    pub fn drift_report(report: setup::DriftReport, can_edit: bool) -> DriftReport {
        DriftReport {
            rows: report
                .rows
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
                .collect(),
            policy: policy_info(&report.policy),
            can_edit,
        }
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
#[server(prefix = "/api", endpoint = "console/store", input = GetUrl, output = crate::codec::Answer)]
pub async fn load_store_draft() -> Result<StoreDraft, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let can_publish = staff.principal().role == tenants::auth::Role::ResellerAdmin;
        let draft =
            tenants::catalog::setup::draft(staff.db(), &staff.master().await?, &state.catalog)
                .await?;
        Ok(server::store_draft(
            draft,
            staff.tenant().status(),
            can_publish,
        ))
    })
    .await
}

/// Store admin or staff: whether the store could move to `slug`. Its own current address
/// counts as available.
#[server(prefix = "/api", endpoint = "console/store/slug-check", input = GetUrl, output = crate::codec::Answer)]
pub async fn check_store_slug(slug: String) -> Result<SlugCheck, ApiError> {
    use crate::context::run;
    run(|staff: StoreStaff| async move {
        let answer = tenants::catalog::setup::slug_check(staff.db(), &slug).await?;
        Ok(SlugCheck {
            slug: answer.slug,
            available: answer.available,
            message: answer.message,
        })
    })
    .await
}

/// Store admin or staff: a few of the master's prices under a markup and rounding, checked
/// against the hub's policy (a violation is a validation error on `markup`).
#[server(prefix = "/api", endpoint = "console/store/pricing-preview", input = GetUrl, output = crate::codec::Answer)]
pub async fn preview_pricing(markup: String, rounding: String) -> Result<PricingPreview, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let examples = tenants::catalog::setup::preview_pricing(
            staff.db(),
            &staff.master().await?,
            &state.catalog,
            &markup,
            &rounding,
        )
        .await?;
        Ok(server::pricing_preview(examples))
    })
    .await
}

/// Store admin or staff: master products whose SKU or name contains `query` (at most 12).
#[server(prefix = "/api", endpoint = "console/catalog/search", input = GetUrl, output = crate::codec::Answer)]
pub async fn search_master(query: String) -> Result<Vec<MasterProduct>, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let found =
            tenants::catalog::setup::search_master(staff.db(), &state.catalog, &query).await?;
        Ok(found.into_iter().map(server::master_product).collect())
    })
    .await
}

/// Store admin or staff: checks the wizard's input without saving it, reporting the first
/// problem in the wizard's order, or what the store would offer.
#[server(prefix = "/api", endpoint = "console/store/check", input = Json, output = crate::codec::Answer)]
pub async fn check_store(store: StoreInput) -> Result<StoreCheck, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreStaff| async move {
        let state = app_state()?;
        let effect = tenants::catalog::setup::dry_run(
            staff.db(),
            &staff.master().await?,
            &state.catalog,
            &server::setup_input(store),
        )
        .await?;
        Ok(StoreCheck {
            products: effect.products,
            categories: effect.categories,
        })
    })
    .await
}

/// Store admin of an approved reseller: saves the wizard's input and makes the store live;
/// moves it to a new address if the slug changed. Answers the store's address.
#[server(prefix = "/api", endpoint = "console/store/publish", input = Json, output = crate::codec::Answer)]
pub async fn publish_store(store: StoreInput) -> Result<PublishedStore, ApiError> {
    use crate::context::{app_state, run, store_url};
    run(|staff: StoreAdmin| async move {
        let state = app_state()?;
        let published = tenants::catalog::setup::publish(
            staff.db(),
            &staff.master().await?,
            &state.catalog,
            &state.registry,
            &server::setup_input(store),
        )
        .await?;
        let tenant = &published.tenant;
        tracing::info!(tenant = %tenant.id(), products = published.products, "store published");
        Ok(PublishedStore {
            url: store_url(tenant.slug(), "/"),
            login_url: store_url(tenant.slug(), "/login"),
            slug: tenant.slug().to_owned(),
            slug_changed: published.slug_changed,
            name: tenant.name().to_owned(),
            renamed: published.renamed,
            products: published.products,
        })
    })
    .await
}

/// Store admin: uploads the store's logo (PNG, JPEG or WebP, in the form field `logo`) and
/// answers its stored name, served at `/media/{name}`.
// The guarded multipart encoding: a POST that is not multipart is refused, not a panic.
#[server(prefix = "/api", endpoint = "console/store/logo", input = crate::upload::Upload, input_derive = (), output = crate::codec::Answer)]
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
crate::upload::upload_codec!(UploadLogo);

/// Store admin or staff: every overridden field beside the master's value.
#[server(prefix = "/api", endpoint = "console/catalog/drift", input = GetUrl, output = crate::codec::Answer)]
pub async fn load_drift() -> Result<DriftReport, ApiError> {
    use crate::context::run;
    run(|staff: StoreStaff| async move {
        let report =
            tenants::catalog::setup::drift_report(staff.db(), &staff.master().await?).await?;
        Ok(server::drift_report(
            report,
            staff.principal().role == tenants::auth::Role::ResellerAdmin,
        ))
    })
    .await
}

/// Store admin: overrides one field of one product (by SKU), within the hub's policy.
#[server(prefix = "/api", endpoint = "console/catalog/override", output = crate::codec::Answer)]
pub async fn save_override(
    sku: String,
    field: String,
    value: String,
) -> Result<OverrideSaved, ApiError> {
    use crate::context::{app_state, run};
    run(|staff: StoreAdmin| async move {
        let state = app_state()?;
        let saved = tenants::catalog::setup::override_by_sku(
            staff.db(),
            &staff.master().await?,
            &state.catalog,
            &sku,
            &field,
            &value,
        )
        .await?;
        tracing::info!(tenant = %staff.tenant().id(), sku = %saved.sku, field = saved.field.as_str(), "override set");
        Ok(OverrideSaved {
            sku: saved.sku,
            product_name: saved.product_name,
            field_label: saved.field.label().to_owned(),
        })
    })
    .await
}

/// Store admin: reverts one overridden field to the master's value.
#[server(prefix = "/api", endpoint = "console/catalog/revert", output = crate::codec::Answer)]
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
