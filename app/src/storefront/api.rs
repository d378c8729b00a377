//! The storefront's server functions: public reads of the host's effective catalog (served
//! from the in-memory snapshot) and the visitor's own cart. A guest cart is found by an
//! unguessable id in a host-only cookie; a customer's by their account.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A store's look, applied as CSS custom properties by the page frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    pub tagline: String,
    pub hero_text: String,
    pub primary: String,
    pub accent: String,
    pub font_stack: String,
    pub logo: Option<String>,
    /// The store's wizard was finished (a hub's own store always is).
    pub live: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub sku: String,
    pub name: String,
    /// Formatted for people, e.g. `€1,299.00`.
    pub price: String,
    pub price_minor: i64,
    pub currency: String,
    /// The list price, when the store sells below it.
    pub list_price: Option<String>,
    pub image: Option<String>,
    pub summary: String,
    pub featured: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: String,
    pub name: String,
    pub count: usize,
    pub depth: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreFront {
    pub name: String,
    /// `hub`, `reseller` or `distributor`.
    pub kind: String,
    /// `pending`, `approved` or `suspended`.
    pub status: String,
    pub theme: Theme,
    pub featured: Vec<ProductCard>,
    pub categories: Vec<CategoryLink>,
    pub product_count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub store_name: String,
    pub category: CategoryLink,
    pub categories: Vec<CategoryLink>,
    pub items: Vec<ProductCard>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub sort: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInfo {
    pub store_name: String,
    pub card: ProductCard,
    /// Sanitised HTML rendered from the description's Markdown.
    pub description_html: String,
    pub attributes: Vec<(String, String)>,
    pub trail: Vec<CategoryLink>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub store_name: String,
    pub query: String,
    pub items: Vec<ProductCard>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub sku: String,
    pub name: String,
    pub image: Option<String>,
    pub quantity: u32,
    pub unit_price: String,
    pub line_total: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLineView>,
    /// Per currency, formatted (a master catalog may price in more than one).
    pub totals: Vec<String>,
    pub count: u32,
    /// Lines whose product the store no longer sells (kept, not priced).
    pub unavailable: usize,
}

/// Products per category page.
pub const PER_PAGE: usize = 48;

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use tenants::access::Shopper;
    use tenants::catalog::cart::{self, Owner};
    use tenants::catalog::{Category, ProductView, Storefront};

    use super::*;
    use crate::context::{app_state, principal};

    /// The host's effective catalog (the shopper's guard has refused distributors' hosts).
    pub async fn storefront(s: &Shopper) -> Result<(Arc<Storefront>, tenants::Tenant), ApiError> {
        let state = app_state()?;
        let sf = state.catalog.storefront(&state.db, s.tenant()).await?;
        Ok((sf, s.tenant().clone()))
    }

    /// A store that has not finished its wizard shows nothing for sale yet.
    pub async fn live_storefront(
        s: &Shopper,
    ) -> Result<(Arc<Storefront>, tenants::Tenant), ApiError> {
        let (sf, t) = storefront(s).await?;
        if !sf.settings.live {
            return Err(ApiError::NotFound);
        }
        Ok((sf, t))
    }

    pub fn theme(sf: &Storefront) -> Theme {
        let b = sf.branding();
        Theme {
            tagline: b.tagline.clone(),
            hero_text: b.hero_text.clone(),
            primary: b.primary_color.clone(),
            accent: b.accent_color.clone(),
            font_stack: b.font.stack().to_owned(),
            logo: b.logo.clone(),
            live: sf.settings.live,
        }
    }

    pub fn card(p: &ProductView) -> ProductCard {
        ProductCard {
            sku: p.sku.clone(),
            name: p.name.clone(),
            price: p.price.display(),
            price_minor: p.price.minor,
            currency: p.price.currency.code().to_owned(),
            // Shown struck through: only when the store sells below the list price.
            list_price: (p.price.minor < p.list_price.minor).then(|| p.list_price.display()),
            image: p.image.clone(),
            summary: p.summary.clone(),
            featured: p.featured,
        }
    }

    pub fn link(c: &Category, count: usize, depth: u32) -> CategoryLink {
        CategoryLink {
            slug: c.slug.clone(),
            name: c.name.clone(),
            count,
            depth,
        }
    }

    pub fn links(sf: &Storefront) -> Vec<CategoryLink> {
        sf.categories
            .iter()
            .map(|c| link(&c.category, c.count(), c.depth))
            .collect()
    }

    /// The cart this request may use: the customer's when a customer is signed in, else the
    /// guest cart named by the cookie (if any).
    pub fn owner() -> Option<Owner> {
        if let Some(p) = principal()
            && p.role == tenants::auth::Role::Customer
        {
            return Some(Owner::Customer(p.user_id));
        }
        guest_cookie().map(Owner::Guest)
    }

    pub fn guest_cookie() -> Option<tenants::CartId> {
        let parts = use_context::<http::request::Parts>()?;
        crate::session::read_cart(&parts.headers)
    }

    pub fn set_cookie(value: String) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(v) = http::HeaderValue::from_str(&value)
        {
            res.append_header(http::header::SET_COOKIE, v);
        }
    }

    /// The cart as the page shows it, priced by the domain.
    pub fn cart_view(sf: &Storefront, lines: &[cart::Line]) -> Result<CartView, ApiError> {
        let priced = cart::price(sf, lines)?;
        Ok(CartView {
            lines: priced
                .lines
                .iter()
                .map(|l| CartLineView {
                    sku: l.product.sku.clone(),
                    name: l.product.name.clone(),
                    image: l.product.image.clone(),
                    quantity: l.quantity,
                    unit_price: l.product.price.display(),
                    line_total: l.total.display(),
                })
                .collect(),
            totals: priced.totals.iter().map(|t| t.display()).collect(),
            count: priced.count,
            unavailable: priced.unavailable,
        })
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{live_storefront, owner, storefront, theme};

/// Public: the store's front page: theme, featured products and categories.
#[server(prefix = "/api", endpoint = "store/home", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_home() -> Result<StoreFront, ApiError> {
    use tenants::access::Visitor;

    use crate::context::run;
    run(|v: Visitor| async move {
        if v.tenant().kind() == tenants::TenantKind::Distributor {
            // A distributor's host has no shop: its name and nothing for sale.
            return Ok(StoreFront {
                name: v.tenant().name().to_owned(),
                kind: v.tenant().kind().as_str().to_owned(),
                status: v.tenant().status().as_str().to_owned(),
                theme: Theme {
                    tagline: String::new(),
                    hero_text: String::new(),
                    primary: String::new(),
                    accent: String::new(),
                    font_stack: String::new(),
                    logo: None,
                    live: false,
                },
                featured: Vec::new(),
                categories: Vec::new(),
                product_count: 0,
            });
        }
        let shopper = crate::context::caller()?.shopper()?;
        let (sf, tenant) = ssr::storefront(&shopper).await?;
        let live = sf.settings.live;
        Ok(StoreFront {
            name: tenant.name().to_owned(),
            kind: tenant.kind().as_str().to_owned(),
            status: tenant.status().as_str().to_owned(),
            theme: ssr::theme(&sf),
            featured: if live {
                sf.featured(8).iter().map(ssr::card).collect()
            } else {
                Vec::new()
            },
            categories: if live { ssr::links(&sf) } else { Vec::new() },
            product_count: if live { sf.product_count() } else { 0 },
        })
    })
    .await
}

/// Public: one page of a category, sorted by `featured` (default), `name`, `price` or
/// `price_desc`; `page` counts from 0.
#[server(prefix = "/api", endpoint = "store/category", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_category(
    slug: String,
    sort: Option<String>,
    page: Option<usize>,
) -> Result<CategoryListing, ApiError> {
    use tenants::catalog::Sort;

    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, tenant) = ssr::live_storefront(&shopper).await?;
        let sort =
            Sort::parse(sort.as_deref().unwrap_or("")).ok_or_else(|| ApiError::Validation {
                field: "sort".into(),
                message: "sort by featured, name, price or price_desc".into(),
            })?;
        let c = sf.category(&slug).ok_or(ApiError::NotFound)?;
        let listing = sf.list(c, sort, page.unwrap_or(0).min(100_000), PER_PAGE);
        Ok(CategoryListing {
            store_name: tenant.name().to_owned(),
            category: ssr::link(&c.category, c.count(), c.depth),
            categories: ssr::links(&sf),
            items: listing.items.iter().map(ssr::card).collect(),
            total: listing.total,
            page: listing.page,
            per_page: listing.per_page,
            sort: sort.as_str().to_owned(),
        })
    })
    .await
}

/// Public: a product the store sells, by SKU.
#[server(prefix = "/api", endpoint = "store/product", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_product(sku: String) -> Result<ProductInfo, ApiError> {
    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, tenant) = ssr::live_storefront(&shopper).await?;
        let d = sf.detail(&sku).ok_or(ApiError::NotFound)?;
        let trail = d
            .trail
            .iter()
            .map(|c| {
                let count = sf.category_by_id(c.id).map_or(0, |x| x.count());
                ssr::link(c, count, 0)
            })
            .collect();
        Ok(ProductInfo {
            store_name: tenant.name().to_owned(),
            card: ssr::card(&d.product),
            description_html: d.description_html,
            attributes: d.attributes,
            trail,
        })
    })
    .await
}

/// Public: search over the store's effective catalog (name, SKU, description), tolerant of
/// small typos.
#[server(prefix = "/api", endpoint = "store/search", input = GetUrl, output = crate::codec::Answer)]
pub async fn store_search(q: String, page: Option<usize>) -> Result<SearchResults, ApiError> {
    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, tenant) = ssr::live_storefront(&shopper).await?;
        let q: String = q.chars().take(100).collect();
        let r = sf.search(&q, page.unwrap_or(0).min(10_000), PER_PAGE);
        Ok(SearchResults {
            store_name: tenant.name().to_owned(),
            query: q,
            items: r.items.iter().map(ssr::card).collect(),
            total: r.total,
            page: r.page,
            per_page: r.per_page,
        })
    })
    .await
}

/// Public: the visitor's cart with today's prices of this store.
#[server(prefix = "/api", endpoint = "store/cart", input = GetUrl, output = crate::codec::Answer)]
pub async fn load_cart() -> Result<CartView, ApiError> {
    use tenants::catalog::cart;

    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, _) = ssr::live_storefront(&shopper).await?;
        let lines = match ssr::owner() {
            Some(o) => cart::lines(shopper.db(), o).await?,
            None => Vec::new(),
        };
        ssr::cart_view(&sf, &lines)
    })
    .await
}

/// Public: adds a product to the visitor's cart (a guest gets a cart and its cookie).
#[server(prefix = "/api", endpoint = "store/cart/add", output = crate::codec::Answer)]
pub async fn add_to_cart(sku: String, quantity: Option<u32>) -> Result<CartView, ApiError> {
    use tenants::catalog::cart::{self, Owner};

    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, _) = ssr::live_storefront(&shopper).await?;
        let d = sf.detail(&sku).ok_or_else(|| ApiError::Validation {
            field: "sku".into(),
            message: format!("this store does not sell '{}'", sku.trim()),
        })?;
        let owner = match ssr::owner() {
            Some(o) => o,
            None => {
                let id = cart::new_guest_id()?;
                ssr::set_cookie(crate::session::cart_cookie(&id));
                Owner::Guest(id)
            }
        };
        let lines = cart::add(shopper.db(), owner, d.product.id, quantity.unwrap_or(1)).await?;
        ssr::cart_view(&sf, &lines)
    })
    .await
}

/// Public: sets the quantity of a line of the visitor's cart (0 removes it).
#[server(prefix = "/api", endpoint = "store/cart/update", output = crate::codec::Answer)]
pub async fn update_cart(sku: String, quantity: u32) -> Result<CartView, ApiError> {
    use tenants::catalog::cart;

    use tenants::access::Shopper;

    use crate::context::run;
    run(|shopper: Shopper| async move {
        let (sf, _) = ssr::live_storefront(&shopper).await?;
        let owner = ssr::owner().ok_or(ApiError::NotFound)?;
        // A line of a product the store stopped selling can still be removed.
        let id = sf
            .master
            .find_sku(&sku)
            .map(|m| m.id)
            .ok_or(ApiError::NotFound)?;
        let lines = cart::set_quantity(shopper.db(), owner, id, quantity).await?;
        ssr::cart_view(&sf, &lines)
    })
    .await
}
