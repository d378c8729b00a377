//! The storefront: a store's front page sections, category listings, product pages, search
//! and the cart. Every page is complete HTML from the server (async SSR), browsing and the
//! cart work with JavaScript off (plain links and form posts). In the browser only the
//! islands come alive (`#[island]`: the sort order, "Add to cart", the cart): they are all
//! the shop bundle carries, and they make the cart answer in place.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::layout::HubFrame;
use crate::error::ApiError;
use crate::storefront::api::{
    AddToCart, CartView, CategoryLink, ProductCard, UpdateCart, load_cart, store_category,
    store_home, store_product, store_search,
};

fn image_url(name: &Option<String>) -> Option<String> {
    name.as_ref().map(|n| format!("/media/{n}"))
}

/// One product in a grid.
/// `0.9rem` per level, written without float formatting (which would add its code to the
/// shop bundle for one style attribute).
fn indent(depth: u32) -> String {
    let tenths = u64::from(depth) * 9;
    format!("padding-left: {}.{}rem", tenths / 10, tenths % 10)
}

#[component]
pub fn ProductTile(card: ProductCard) -> impl IntoView {
    let href = format!("/p/{}", card.sku);
    let alt = card.name.clone();
    view! {
        <li class="tile" data-testid="product-tile">
            <a class="tile__link" href=href.clone()>
                <div class="tile__media">
                    {match image_url(&card.image) {
                        Some(src) => view! { <img src=src alt=alt loading="lazy" width="320" height="320"/> }.into_any(),
                        None => view! { <div class="tile__placeholder" aria-hidden="true">{card.name.chars().next().unwrap_or('?').to_string()}</div> }.into_any(),
                    }}
                    {card.featured.then(|| view! { <span class="tile__badge">"Featured"</span> })}
                </div>
                <div class="tile__body">
                    <h3 class="tile__name">{card.name.clone()}</h3>
                    <p class="tile__sku muted small">{card.sku.clone()}</p>
                    <p class="tile__price">
                        <span class="price" data-testid="price">{card.price.clone()}</span>
                        {card.list_price.clone().map(|l| view! { <span class="price--list muted small">" list " {l}</span> })}
                    </p>
                </div>
            </a>
        </li>
    }
}

#[component]
fn Grid(items: Vec<ProductCard>) -> impl IntoView {
    view! {
        <ul class="grid" role="list">
            {items.into_iter().map(|card| view! { <ProductTile card/> }).collect_view()}
        </ul>
    }
}

#[component]
fn CategoryNav(
    categories: Vec<CategoryLink>,
    #[prop(optional)] current: Option<String>,
) -> impl IntoView {
    view! {
        <nav class="catnav" aria-label="Categories">
            <h2 class="catnav__title">"Categories"</h2>
            <ul role="list">
                {categories.into_iter().map(|c| {
                    let active = current.as_deref() == Some(c.slug.as_str());
                    view! {
                        <li style=indent(c.depth)>
                            <a href=format!("/c/{}", c.slug) aria-current=active.then_some("page")>
                                {c.name}
                                <span class="muted small">" (" {c.count} ")"</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
    }
}

fn error_view(e: ApiError) -> AnyView {
    match e {
        ApiError::NotFound => view! {
            <section class="section"><div class="container narrow">
                <h1>"Not found"</h1>
                <p class="muted">"This store does not sell that, or it has moved."</p>
                <a class="button" href="/">"Back to the store"</a>
            </div></section>
            <crate::HydrationMark/>
        }
        .into_any(),
        e => view! {
            <section class="section"><div class="container narrow">
                <p class="error" role="alert">{e.to_string()}</p>
            </div></section>
        }
        .into_any(),
    }
}

/// The front page's shop: on a live store its hero, featured products and categories; on the
/// hub the master catalog's; on a store that is not open yet (or a distributor) a welcome.
/// Rendered at the top level of the home page (not inside another suspense), so server and
/// browser agree on its structure.
#[component]
pub fn StoreHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| store_home());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match home.await {
                    Err(e) => error_view(e),
                    Ok(h) if h.kind == "hub" => shop_sections(h, true),
                    Ok(h) if h.theme.live => shop_sections(h, false),
                    Ok(h) => welcome(h),
                }
            })}
        </Transition>
    }
}

fn welcome(h: crate::storefront::api::StoreFront) -> AnyView {
    let open = h.status == "approved" && h.kind == "reseller";
    view! {
        <Title text=h.name.clone()/>
        <section class="hero">
            <div class="container">
                <p class="eyebrow">{if open { "Opening soon" } else { "Welcome" }}</p>
                <h1 data-testid="store-name">{h.name.clone()}</h1>
                {if h.kind == "reseller" {
                    view! { <p class="hero__lead">"This store is being set up and is not open to customers yet."</p> }.into_any()
                } else {
                    view! { <p class="hero__lead">"Partner portal. Log in to continue."</p> }.into_any()
                }}
                <div class="hero__actions">
                    <a class="button button--ghost button--large" href="/login">"Log in"</a>
                </div>
            </div>
        </section>
    }
    .into_any()
}

fn shop_sections(h: crate::storefront::api::StoreFront, on_hub: bool) -> AnyView {
    let hero_title = if h.theme.hero_text.trim().is_empty() {
        h.name.clone()
    } else {
        h.theme.hero_text.clone()
    };
    let description = if h.theme.tagline.is_empty() {
        format!("{} — {} products", h.name, h.product_count)
    } else {
        h.theme.tagline.clone()
    };
    view! {
        {(!on_hub).then(|| view! {
            <Title text=format!("{} · Shop online", h.name)/>
            <Meta name="description" content=description.clone()/>
            <Meta property="og:title" content=h.name.clone()/>
            <Meta property="og:description" content=description.clone()/>
            <section class="storehero">
                <div class="container storehero__inner">
                    <p class="eyebrow storehero__eyebrow">{h.name.clone()}</p>
                    <h1 data-testid="store-hero">{hero_title}</h1>
                    {(!h.theme.tagline.is_empty()).then(|| view! { <p class="storehero__lead">{h.theme.tagline.clone()}</p> })}
                    <form class="storehero__search" action="/search" method="get" role="search">
                        <label for="hero-q" class="visually-hidden">"Search products"</label>
                        <input id="hero-q" name="q" type="search" placeholder="Search products, SKUs…"/>
                        <button class="button" type="submit">"Search"</button>
                    </form>
                </div>
            </section>
        })}
        <section class="section">
            <div class="container">
                <div class="section__head">
                    <h2 class="section__title">{if on_hub { "Shop the master catalog" } else { "Featured products" }}</h2>
                    <span class="muted">{h.product_count} " products"</span>
                </div>
                <Grid items=h.featured.clone()/>
            </div>
        </section>
        <section class="section section--tinted">
            <div class="container">
                <h2 class="section__title">"Shop by category"</h2>
                <ul class="cattiles" role="list">
                    {h.categories.iter().filter(|c| c.depth == 0).map(|c| view! {
                        <li><a class="cattile" href=format!("/c/{}", c.slug)>
                            <span class="cattile__name">{c.name.clone()}</span>
                            <span class="muted small">{c.count} " products"</span>
                        </a></li>
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
    .into_any()
}

fn query_usize(key: &'static str) -> impl Fn() -> Option<usize> + Copy {
    let q = use_query_map();
    move || q.with(|q| q.get(key).and_then(|v| v.parse().ok()))
}

/// Pagination links that work without JavaScript.
#[component]
fn Pager(base: String, page: usize, per_page: usize, total: usize) -> impl IntoView {
    let pages = total.div_ceil(per_page.max(1)).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = move |p: usize| format!("{base}{sep}page={p}");
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 0).then(|| view! { <a class="button button--ghost button--small" rel="prev" href=href(page - 1)>"← Previous"</a> })}
            <span class="muted small">"Page " {page + 1} " of " {pages}</span>
            {(page + 1 < pages).then(|| view! { <a class="button button--ghost button--small" rel="next" href=href(page + 1)>"Next →"</a> })}
        </nav>
    }
}

const SORTS: [(&str, &str); 4] = [
    ("featured", "Featured"),
    ("name", "Name A–Z"),
    ("price", "Price: low to high"),
    ("price_desc", "Price: high to low"),
];

/// The sort order: choosing one submits its form at once (with JavaScript; without it the
/// form has a Sort button). A handler, not an inline `onchange`, so the CSP can refuse
/// inline code.
#[island]
fn SortSelect(sort: String) -> impl IntoView {
    view! {
        <select id="sort" name="sort" on:change=submit_on_change>
            {SORTS.iter().map(|(v, label)| view! {
                <option value=*v selected=sort == *v>{*label}</option>
            }).collect_view()}
        </select>
    }
}

fn submit_on_change(ev: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    if let Some(form) = event_target::<web_sys::HtmlSelectElement>(&ev).form() {
        let _ = form.request_submit();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = query_usize("page");
    let listing = Resource::new(
        move || {
            (
                params.with(|p| p.get("slug").unwrap_or_default()),
                query.with(|q| q.get("sort")),
                page(),
            )
        },
        |(slug, sort, page)| store_category(slug, sort, page),
    );
    view! {
        <HubFrame>
            <Transition fallback=|| view! { <p class="container muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Err(e) => error_view(e),
                        Ok(l) => {
                            let base = format!("/c/{}?sort={}", l.category.slug, l.sort);
                            let slug = l.category.slug.clone();
                            let sort = l.sort.clone();
                            view! {
                                <Title text=format!("{} · {}", l.category.name, l.store_name)/>
                                <Meta name="description" content=format!("{} {} at {}", l.total, l.category.name, l.store_name)/>
                                <Link rel="canonical" href=format!("/c/{}", l.category.slug)/>
                                <section class="section">
                                    <div class="container shop">
                                        <aside class="shop__side"><CategoryNav categories=l.categories.clone() current=slug.clone()/></aside>
                                        <div class="shop__main">
                                            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">"Home"</a>" / "<span>{l.category.name.clone()}</span></nav>
                                            <div class="section__head">
                                                <h1 data-testid="category-title">{l.category.name.clone()}</h1>
                                                <form class="sortform" method="get" action=format!("/c/{slug}")>
                                                    <label for="sort">"Sort by"</label>
                                                    <SortSelect sort/>
                                                    <noscript><button class="button button--small" type="submit">"Sort"</button></noscript>
                                                </form>
                                            </div>
                                            <p class="muted small" data-testid="result-count">{l.total} " products"</p>
                                            <Grid items=l.items.clone()/>
                                            <Pager base page=l.page per_page=l.per_page total=l.total/>
                                        </div>
                                    </div>
                                </section>
                                <crate::HydrationMark/>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </HubFrame>
    }
}

/// "Add to cart": a plain form post without JavaScript, answered in place with it.
#[island]
fn AddToCartForm(sku: String) -> impl IntoView {
    let add = ServerAction::<AddToCart>::new();
    let result = add.value();
    view! {
        <ActionForm action=add attr:class="buybox__form">
            <input type="hidden" name="sku" value=sku/>
            <label for="quantity">"Quantity"</label>
            <input id="quantity" name="quantity" type="number" min="1" max="99" value="1" inputmode="numeric"/>
            <button class="button button--large" type="submit" data-testid="add-to-cart" disabled=move || add.pending().get()>
                {move || if add.pending().get() { "Adding…" } else { "Add to cart" }}
            </button>
        </ActionForm>
        <p class="buybox__status" role="status" data-testid="cart-status">
            {move || match result.get() {
                Some(Ok(c)) => view! { <span class="success-text">"Added. " <a href="/cart">"View cart (" {c.count} ")"</a></span> }.into_any(),
                Some(Err(e)) => view! { <span class="error">{e.to_string()}</span> }.into_any(),
                None => ().into_any(),
            }}
        </p>
    }
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let product = Resource::new(
        move || params.with(|p| p.get("sku").unwrap_or_default()),
        store_product,
    );
    view! {
        <HubFrame>
            <Transition fallback=|| view! { <p class="container muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match product.await {
                        Err(e) => error_view(e),
                        Ok(p) => {
                            let c = p.card.clone();
                            view! {
                                <Title text=format!("{} · {}", c.name, p.store_name)/>
                                <Meta name="description" content=c.summary.clone()/>
                                <Meta property="og:title" content=c.name.clone()/>
                                <Meta property="og:type" content="product"/>
                                {image_url(&c.image).map(|src| view! { <Meta property="og:image" content=src/> })}
                                <Link rel="canonical" href=format!("/p/{}", c.sku)/>
                                <section class="section">
                                    <div class="container">
                                        <nav class="crumbs" aria-label="Breadcrumb">
                                            <a href="/">"Home"</a>
                                            {p.trail.iter().map(|t| view! { " / " <a href=format!("/c/{}", t.slug)>{t.name.clone()}</a> }).collect_view()}
                                        </nav>
                                        <div class="pdp">
                                            <div class="pdp__media">
                                                {match image_url(&c.image) {
                                                    Some(src) => view! { <img src=src alt=c.name.clone() width="640" height="640"/> }.into_any(),
                                                    None => view! { <div class="tile__placeholder tile__placeholder--large" aria-hidden="true">{c.name.chars().next().unwrap_or('?').to_string()}</div> }.into_any(),
                                                }}
                                            </div>
                                            <div class="pdp__info">
                                                <h1 data-testid="product-name">{c.name.clone()}</h1>
                                                <p class="muted small">"SKU " {c.sku.clone()}</p>
                                                <p class="pdp__price">
                                                    <span class="price price--large" data-testid="product-price">{c.price.clone()}</span>
                                                    {c.list_price.clone().map(|l| view! { <span class="muted small">" · list price " {l}</span> })}
                                                </p>
                                                <p class="muted small">"Prices are indicative; the partner who fulfils your order confirms the final price."</p>
                                                <div class="buybox"><AddToCartForm sku=c.sku.clone()/></div>
                                                <div class="prose" data-testid="product-description" inner_html=p.description_html.clone()></div>
                                                {(!p.attributes.is_empty()).then(|| view! {
                                                    <h2 class="h3">"Specifications"</h2>
                                                    <dl class="specs">
                                                        {p.attributes.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
                                                    </dl>
                                                })}
                                            </div>
                                        </div>
                                    </div>
                                </section>
                                <crate::HydrationMark/>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </HubFrame>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let page = query_usize("page");
    let results = Resource::new(
        move || (query.with(|q| q.get("q").unwrap_or_default()), page()),
        |(q, page)| store_search(q, page),
    );
    view! {
        <HubFrame>
            <Transition fallback=|| view! { <p class="container muted">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Err(e) => error_view(e),
                        Ok(r) => {
                            let base = format!("/search?q={}", urlencode(&r.query));
                            view! {
                                <Title text=format!("Search: {} · {}", r.query, r.store_name)/>
                                <Meta name="robots" content="noindex"/>
                                <section class="section">
                                    <div class="container">
                                        <form class="searchbar" action="/search" method="get" role="search">
                                            <label for="q" class="visually-hidden">"Search products"</label>
                                            <input id="q" name="q" type="search" value=r.query.clone() placeholder="Search products, SKUs…"/>
                                            <button class="button" type="submit">"Search"</button>
                                        </form>
                                        <h1 class="h2">
                                            {if r.query.trim().is_empty() { "Search the store".to_owned() } else { format!("Results for “{}”", r.query) }}
                                        </h1>
                                        <p class="muted small" data-testid="result-count">{r.total} " products"</p>
                                        {if r.items.is_empty() && !r.query.trim().is_empty() {
                                            view! { <div class="card empty"><p>"Nothing matches. Try another word or a SKU."</p></div> }.into_any()
                                        } else {
                                            view! { <Grid items=r.items.clone()/> }.into_any()
                                        }}
                                        <Pager base page=r.page per_page=r.per_page total=r.total/>
                                    </div>
                                </section>
                                <crate::HydrationMark/>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
        </HubFrame>
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[component]
pub fn CartPage() -> impl IntoView {
    view! {
        <HubFrame>
            <Title text="Your cart"/>
            <Meta name="robots" content="noindex"/>
            <section class="section">
                <div class="container narrow-wide">
                    <h1>"Your cart"</h1>
                    <CartBody/>
                    <crate::HydrationMark/>
                </div>
            </section>
        </HubFrame>
    }
}

/// The cart's lines and totals: each quantity is a form of its own (a plain post without
/// JavaScript); with it, an update reloads the cart in place.
#[island]
fn CartBody() -> impl IntoView {
    let update = ServerAction::<UpdateCart>::new();
    let cart = Resource::new(move || update.version().get(), |_| load_cart());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Err(e) => error_view(e),
                    Ok(c) => cart_table(c, update),
                }
            })}
        </Transition>
    }
}

fn cart_table(c: CartView, update: ServerAction<UpdateCart>) -> AnyView {
    if c.lines.is_empty() {
        return view! {
            <div class="card empty" data-testid="cart-empty">
                <p>"Your cart is empty."</p>
                <a class="button" href="/">"Continue shopping"</a>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="card cart">
            <table class="table cart__table">
                <caption class="visually-hidden">"Products in your cart"</caption>
                <thead><tr><th scope="col">"Product"</th><th scope="col">"Price"</th><th scope="col">"Quantity"</th><th scope="col" class="num">"Total"</th></tr></thead>
                <tbody>
                    {c.lines.into_iter().map(|l| {
                        let qid = format!("qty-{}", l.sku);
                        view! {
                            <tr data-testid="cart-line">
                                <td>
                                    <a class="cart__product" href=format!("/p/{}", l.sku)>
                                        {image_url(&l.image).map(|src| view! { <img src=src alt="" width="48" height="48"/> })}
                                        <span><strong>{l.name.clone()}</strong><br/><span class="muted small">{l.sku.clone()}</span></span>
                                    </a>
                                </td>
                                <td>{l.unit_price.clone()}</td>
                                <td>
                                    <ActionForm action=update attr:class="inline-form">
                                        <input type="hidden" name="sku" value=l.sku.clone()/>
                                        <label for=qid.clone() class="visually-hidden">"Quantity of " {l.name.clone()}</label>
                                        <input id=qid name="quantity" type="number" min="0" max="99" value=l.quantity data-testid="cart-quantity"/>
                                        <button class="button button--ghost button--small" type="submit">"Update"</button>
                                    </ActionForm>
                                </td>
                                <td class="num">{l.line_total.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="cart__foot">
                <p class="muted small">"Approximate total — the partner who fulfils the order confirms prices, taxes and delivery."</p>
                <p class="cart__total">"Total " <strong data-testid="cart-total">{c.totals.join(" + ")}</strong></p>
                <a class="button button--large" href="/cart/transfer" data-testid="transfer-cart">"Transfer cart to a partner"</a>
            </div>
            {(c.unavailable > 0).then(|| view! { <p class="muted small">{c.unavailable} " item(s) are no longer sold here."</p> })}
        </div>
    }
    .into_any()
}
