//! The hub admin's catalog console: the product list (search, filters, pages), the product
//! editor (with image upload and a Markdown preview), the category tree, the stores' price
//! policy and field locks, and CSV import with live progress.

use std::fmt::Write as _;
use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos::server_fn::codec::MultipartData;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::catalog_admin::{
    BadRow, CategoryRow, DeleteCatalogCategory, ImportOutcome, ImportStatus, LockField, PolicyForm,
    ProductEditor, ProductList, ProductRow, SaveCatalogCategory, SaveCatalogPolicy,
    SaveCatalogProduct, StartCatalogImport, UploadProductImage, catalog_categories,
    catalog_import_status, catalog_policy, catalog_product, catalog_products, preview_description,
    remove_product_image, start_catalog_import, upload_product_image,
};
use crate::components::form::{field_error, form_error};
use crate::components::layout::HubFrame;
use crate::error::ApiError;

// ---------------------------------------------------------------------------------------
// Shared pieces.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Products,
    Categories,
    Policy,
    Import,
}

const SECTIONS: [(Section, &str, &str); 4] = [
    (Section::Products, "/admin/catalog", "Products"),
    (
        Section::Categories,
        "/admin/catalog/categories",
        "Categories",
    ),
    (
        Section::Policy,
        "/admin/catalog/policy",
        "Price policy & locks",
    ),
    (Section::Import, "/admin/catalog/import", "Import"),
];

/// The console's heading, its actions and the navigation between its sections.
#[component]
fn ConsoleHeader(
    section: Section,
    #[prop(into)] title: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="catalog-head">
            <div>
                <p class="eyebrow">"Hub admin · Catalog"</p>
                <h1>{title}</h1>
            </div>
            <div class="catalog-head__actions">{children.map(|c| c())}</div>
        </header>
        <nav class="catalog-nav" aria-label="Catalog console">
            {SECTIONS.into_iter().map(|(s, href, label)| view! {
                <a href=href class="catalog-nav__link" aria-current=(s == section).then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
    }
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!(
            "{}.{} MB",
            n / (1024 * 1024),
            (n % (1024 * 1024)) * 10 / (1024 * 1024)
        )
    } else {
        format!("{} KB", n.div_ceil(1024).max(1))
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The fields of a form element as multipart data (in the browser; there is no form to read
/// on the server).
#[cfg(feature = "hydrate")]
fn multipart(form: &web_sys::HtmlFormElement) -> Result<MultipartData, ApiError> {
    web_sys::FormData::new_with_form(form)
        .map(MultipartData::from)
        .map_err(|_| ApiError::Transport("the browser could not read the form".into()))
}

#[cfg(not(feature = "hydrate"))]
fn multipart<T>(_form: &T) -> Result<MultipartData, ApiError> {
    Err(ApiError::Transport(
        "uploads need the page to be loaded in a browser".into(),
    ))
}

/// What to say when an upload fails: the server's reason, or for a request refused before it
/// reached the hub's code (typically for its size), a hint at the size limit.
/// `advice` says what to do about a file that is too big.
fn upload_message(e: &ApiError, advice: &str) -> String {
    match e {
        ApiError::Transport(_) => format!(
            "The upload did not go through: the file may be larger than the server accepts, or the \
             connection dropped. {advice}"
        ),
        other => capitalise(&other.to_string()),
    }
}

fn error_box(e: &ApiError) -> AnyView {
    match e {
        ApiError::Unauthenticated => view! {
            <p class="error" role="alert">
                "Please log in as a hub administrator to use the catalog console. "
                <a href="/login">"Log in"</a>
            </p>
        }
        .into_any(),
        other => {
            let message = match other {
                ApiError::NotFound => "This was not found. It may have been deleted.".to_owned(),
                ApiError::Forbidden => "The catalog console is for hub administrators.".to_owned(),
                other => capitalise(&other.to_string()),
            };
            view! { <p class="error" role="alert">{message}</p> }.into_any()
        }
    }
}

/// A labelled text input bound to a signal, with its hint and its error next to it.
#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] required: bool,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Input>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class=format!("field {}", class.unwrap_or_default())>
            <label for=id>{label}{required.then(|| view! { <span class="catalog-required" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=id
                type=kind
                node_ref=node_ref
                autocomplete="off"
                value=value.get_untracked()
                prop:value=value
                placeholder=placeholder
                inputmode=inputmode
                maxlength=maxlength.map(|m| m.to_string())
                aria-required=required.then_some("true")
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <p class="field__error" id=error_id role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

/// A labelled select bound to a signal; `options` are `(value, label)`.
#[component]
fn SelectField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Vec<(String, String)>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    let initial = value.get_untracked();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                prop:value=value
                aria-describedby=described
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options.into_iter().map(|(v, l)| {
                    let selected = v == initial;
                    view! { <option value=v selected=selected>{l}</option> }
                }).collect_view()}
            </select>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <p class="field__error" id=error_id role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

/// Category options for a select, indented by depth.
fn category_options(categories: &[CategoryRow], none: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(categories.iter().map(|c| {
            (
                c.id.clone(),
                format!("{}{}", "\u{2003}".repeat(c.depth), c.name),
            )
        }))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Products list.

const STATUS_TABS: [(&str, &str); 4] = [
    ("all", "All"),
    ("draft", "Draft"),
    ("active", "Active"),
    ("discontinued", "Discontinued"),
];

/// The list's state, as kept in the address (so a filtered page can be shared and the back
/// button works).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Filters {
    q: String,
    status: String,
    category: String,
    /// 1-based.
    page: u64,
}

impl Filters {
    fn href(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.trim().is_empty() {
            parts.push(format!("q={}", enc(self.q.trim())));
        }
        if self.status != "all" {
            parts.push(format!("status={}", enc(&self.status)));
        }
        if !self.category.is_empty() {
            parts.push(format!("category={}", enc(&self.category)));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/admin/catalog".to_owned()
        } else {
            format!("/admin/catalog?{}", parts.join("&"))
        }
    }

    fn is_filtered(&self) -> bool {
        !self.q.trim().is_empty() || self.status != "all" || !self.category.is_empty()
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|m| Filters {
            q: m.get("q").unwrap_or_default(),
            status: m
                .get("status")
                .filter(|s| STATUS_TABS.iter().any(|(v, _)| v == s))
                .unwrap_or_else(|| "all".to_owned()),
            category: m.get("category").unwrap_or_default(),
            page: m
                .get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
        })
    });
    let list = Resource::new(
        move || filters.get(),
        |f| {
            catalog_products(
                Some(f.q),
                Some(f.status),
                Some(f.category),
                Some(f.page - 1),
            )
        },
    );
    let categories = Resource::new(|| (), |_| catalog_categories());
    view! {
        <Title text="Products · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Products title="Products">
                        <a class="button button--ghost button--small" href="/admin/catalog/import">"Import CSV"</a>
                        <a class="button button--ghost button--small" href="/admin/catalog/export.csv" rel="external" download="catalog.csv" data-testid="export-csv">"Export CSV"</a>
                        <a class="button button--small" href="/admin/catalog/new" data-testid="new-product">"New product"</a>
                    </ConsoleHeader>
                    <div class="toolbar catalog-toolbar">
                        <nav class="tabs" aria-label="Filter by status">
                            {STATUS_TABS.into_iter().map(|(value, label)| view! {
                                <a
                                    class="tab"
                                    href=move || Filters { status: value.to_owned(), page: 1, ..filters.get() }.href()
                                    aria-current=move || (filters.with(|f| f.status == value)).then_some("page")
                                >{label}</a>
                            }).collect_view()}
                        </nav>
                        <Transition fallback=|| view! { <div class="catalog-filters"></div> }>
                            {move || Suspend::new(async move {
                                let cats = categories.await.unwrap_or_default();
                                view! { <FilterForm filters cats/> }
                            })}
                        </Transition>
                    </div>
                    <Transition fallback=|| view! { <p class="muted">"Loading products…"</p> }>
                        {move || Suspend::new(async move {
                            match list.await {
                                Err(e) => error_box(&e),
                                Ok(page) => view! { <ProductTable page filters=filters.get_untracked()/> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// The search box and the category filter: a plain GET form without JavaScript, address
/// changes with it.
#[component]
fn FilterForm(filters: Memo<Filters>, cats: Vec<CategoryRow>) -> impl IntoView {
    let navigate = use_navigate();
    let current = filters.get_untracked();
    let search = RwSignal::new(current.q.clone());
    let category = RwSignal::new(current.category.clone());
    // Follow the address when it changes by a link (a tab, "clear filters", back).
    Effect::new(move |_| {
        let f = filters.get();
        search.set(f.q);
        category.set(f.category);
    });
    let go = {
        let navigate = navigate.clone();
        move || {
            let f = Filters {
                q: search.get_untracked(),
                category: category.get_untracked(),
                page: 1,
                ..filters.get_untracked()
            };
            navigate(&f.href(), NavigateOptions::default());
        }
    };
    let submit = {
        let go = go.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            go();
        }
    };
    let options = category_options(&cats, "All categories");
    let initial = current.category;
    view! {
        <form class="catalog-filters" method="get" action="/admin/catalog" role="search" on:submit=submit>
            <input type="hidden" name="status" value=move || filters.with(|f| f.status.clone())/>
            <label class="search">
                <span class="visually-hidden">"Search by SKU or name"</span>
                <input
                    type="search"
                    name="q"
                    placeholder="Search SKU or name"
                    value=search.get_untracked()
                    prop:value=search
                    on:input=move |ev| search.set(event_target_value(&ev))
                    data-testid="product-search"
                />
            </label>
            <label class="catalog-select">
                <span class="visually-hidden">"Category"</span>
                <select
                    name="category"
                    prop:value=category
                    on:change=move |ev| {
                        category.set(event_target_value(&ev));
                        go();
                    }
                    data-testid="category-filter"
                >
                    {options.into_iter().map(|(v, l)| {
                        let selected = v == initial;
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button class="button button--small" type="submit">"Search"</button>
        </form>
    }
}

#[component]
fn ProductTable(page: ProductList, filters: Filters) -> impl IntoView {
    if page.items.is_empty() {
        let body = if filters.is_filtered() {
            view! {
                <h2>"No products match"</h2>
                <p class="muted">"Try another search, status or category."</p>
                <a class="button button--ghost button--small" href="/admin/catalog">"Clear filters"</a>
            }
            .into_any()
        } else if page.total > 0 {
            view! {
                <h2>"This page is empty"</h2>
                <a class="button button--ghost button--small" href="/admin/catalog">"Back to the first page"</a>
            }
            .into_any()
        } else {
            view! {
                <h2>"Your catalog is empty"</h2>
                <p class="muted">"Add products one by one, or import them all at once from a CSV file."</p>
                <div class="catalog-empty__actions">
                    <a class="button button--small" href="/admin/catalog/new">"New product"</a>
                    <a class="button button--ghost button--small" href="/admin/catalog/import">"Import CSV"</a>
                </div>
            }
            .into_any()
        };
        return view! { <div class="card empty catalog-empty" data-testid="products-empty">{body}</div> }.into_any();
    }
    let first = page.page * page.per_page + 1;
    let last = first + page.items.len() as u64 - 1;
    view! {
        <p class="muted small catalog-count" data-testid="product-count">
            "Showing " {thousands(first)} "–" {thousands(last)} " of " {thousands(page.total)} " products"
        </p>
        <div class="card catalog-tablewrap">
            <table class="table catalog-table" data-testid="products">
                <thead>
                    <tr>
                        <th class="catalog-table__thumb"><span class="visually-hidden">"Image"</span></th>
                        <th>"SKU"</th>
                        <th>"Name"</th>
                        <th>"Category"</th>
                        <th class="catalog-num">"Price"</th>
                        <th>"Status"</th>
                        <th><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|p| view! { <ProductLine p/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager filters page=page.page + 1 pages=page.pages/>
    }
    .into_any()
}

#[component]
fn ProductLine(p: ProductRow) -> impl IntoView {
    let href = format!("/admin/catalog/products/{}", p.id);
    view! {
        <tr data-sku=p.sku.clone()>
            <td class="catalog-table__thumb">
                {match p.image.clone() {
                    Some(img) => view! { <img class="catalog-thumb" src=format!("/media/{img}") alt="" width="44" height="44" loading="lazy"/> }.into_any(),
                    None => view! { <span class="catalog-thumb catalog-thumb--empty" aria-hidden="true"></span> }.into_any(),
                }}
            </td>
            <td><code class="catalog-sku">{p.sku.clone()}</code></td>
            <td><a class="catalog-table__name" href=href.clone()>{p.name.clone()}</a></td>
            <td>{match p.category.clone() {
                Some(c) => view! { <span>{c}</span> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td class="catalog-num">{p.price.clone()}</td>
            <td><span class=format!("pill catalog-pill catalog-pill--{}", p.status)>{p.status.clone()}</span></td>
            <td class="table__actions">
                <a class="button button--ghost button--small" href=href aria-label=format!("Edit {}", p.sku)>"Edit"</a>
            </td>
        </tr>
    }
}

#[component]
fn Pager(filters: Filters, page: u64, pages: u64) -> impl IntoView {
    let at = |p: u64| {
        Filters {
            page: p,
            ..filters.clone()
        }
        .href()
    };
    let prev = (page > 1).then(|| at(page - 1));
    let next = (page < pages).then(|| at(page + 1));
    view! {
        <nav class="catalog-pager" aria-label="Pages">
            {match prev {
                Some(href) => view! { <a class="button button--ghost button--small" rel="prev" href=href>"← Previous"</a> }.into_any(),
                None => view! { <span class="button button--ghost button--small catalog-pager__off" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="muted small" data-testid="page-info">"Page " {page} " of " {pages}</span>
            {match next {
                Some(href) => view! { <a class="button button--ghost button--small" rel="next" href=href>"Next →"</a> }.into_any(),
                None => view! { <span class="button button--ghost button--small catalog-pager__off" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
}

// ---------------------------------------------------------------------------------------
// Product editor.

const STATUSES: [(&str, &str); 3] = [
    ("draft", "Draft — not in any store"),
    ("active", "Active — in the stores' catalogs"),
    ("discontinued", "Discontinued — withdrawn from the stores"),
];

/// `/admin/catalog/new` and `/admin/catalog/products/:id`.
#[component]
pub fn ProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let editor = Resource::new(move || params.with(|p| p.get("id")), catalog_product);
    view! {
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <Transition fallback=|| view! { <p class="muted">"Loading the product…"</p> }>
                        {move || Suspend::new(async move {
                            let created = query.with(|q| q.get("created").is_some());
                            match editor.await {
                                Ok(e) => view! { <ProductEditorView editor=e created/> }.into_any(),
                                Err(e) => view! {
                                    <Title text="Product · Catalog · Hub admin"/>
                                    <ConsoleHeader section=Section::Products title="Product"/>
                                    {error_box(&e)}
                                    <p><a href="/admin/catalog">"← Back to the products"</a></p>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn ProductEditorView(editor: ProductEditor, created: bool) -> impl IntoView {
    let p = editor.product;
    let id = p.id.clone();
    let is_new = id.is_none();
    let sku = RwSignal::new(p.sku.clone());
    let name = RwSignal::new(p.name.clone());
    let description = RwSignal::new(p.description.clone());
    let price = RwSignal::new(p.price.clone());
    let currency = RwSignal::new(p.currency.clone());
    let category = RwSignal::new(p.category.clone());
    let status = RwSignal::new(p.status.clone());
    let attributes = RwSignal::new(p.attributes.clone());
    let image = RwSignal::new(p.image.clone());
    let updated = RwSignal::new(p.updated_at.clone());
    let saved_name = RwSignal::new(p.name.clone());
    let saved_status = RwSignal::new(p.status.clone());

    let save = ServerAction::<SaveCatalogProduct>::new();
    let result = save.value();
    let navigate = use_navigate();

    // Required fields left empty are flagged in the browser, all at once, before anything is
    // sent; the server checks everything else (and these again).
    let required = [
        ("sku", sku, "Enter a SKU."),
        ("name", name, "Enter a name."),
        ("price", price, "Enter a price, e.g. 12.50."),
        ("currency", currency, "Enter a currency code, e.g. EUR."),
    ];
    let refs: [NodeRef<leptos::html::Input>; 4] = Default::default();
    let missing = RwSignal::new(Vec::<&'static str>::new());
    let error_for = move |field: &'static str| -> Signal<Option<String>> {
        let server = field_error(result, field);
        Signal::derive(move || {
            let local = required
                .iter()
                .find(|(f, value, _)| *f == field && value.with(|v| v.trim().is_empty()))
                .filter(|_| missing.with(|m| m.contains(&field)))
                .map(|(_, _, message)| (*message).to_owned());
            local.or_else(|| server.get())
        })
    };
    let check_required = move |ev: leptos::ev::MouseEvent| {
        let empty: Vec<usize> = (0..required.len())
            .filter(|i| required[*i].1.with_untracked(|v| v.trim().is_empty()))
            .collect();
        missing.set(empty.iter().map(|i| required[*i].0).collect());
        if let Some(first) = empty.first() {
            ev.prevent_default();
            if let Some(input) = refs[*first].get_untracked() {
                let _ = input.focus();
            }
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            match &saved.id {
                Some(new_id) if is_new => {
                    navigate(
                        &format!("/admin/catalog/products/{new_id}?created=1"),
                        NavigateOptions::default(),
                    );
                }
                _ => {
                    // Show what was stored (SKU in upper case, price with its decimals...).
                    sku.set(saved.sku.clone());
                    name.set(saved.name.clone());
                    price.set(saved.price.clone());
                    currency.set(saved.currency.clone());
                    attributes.set(saved.attributes.clone());
                    updated.set(saved.updated_at.clone());
                    saved_name.set(saved.name.clone());
                    saved_status.set(saved.status.clone());
                }
            }
        }
    });

    let title = if is_new {
        "New product".to_owned()
    } else {
        p.name.clone()
    };
    let crumb = if is_new {
        "New product".to_owned()
    } else {
        p.sku.clone()
    };
    let mut status_options: Vec<(String, String)> = STATUSES
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect();
    if !STATUSES.iter().any(|(v, _)| *v == p.status) {
        status_options.insert(0, (p.status.clone(), capitalise(&p.status)));
    }
    let categories = category_options(&editor.categories, "No category");
    let no_categories = editor.categories.is_empty();
    let hidden_id = id.clone().unwrap_or_default();
    let image_id = id.clone();
    view! {
        <Title text=format!("{title} · Catalog · Hub admin")/>
        <nav class="catalog-crumbs" aria-label="Breadcrumb">
            <a href="/admin/catalog">"Products"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{crumb}</span>
        </nav>
        <header class="catalog-head">
            <div>
                <p class="eyebrow">"Hub admin · Catalog"</p>
                <h1 data-testid="editor-title">
                    {move || if is_new { "New product".to_owned() } else { saved_name.get() }}
                </h1>
            </div>
            {(!is_new).then(|| view! {
                <div class="catalog-head__actions">
                    <span class=move || format!("pill catalog-pill catalog-pill--{}", saved_status.get())>{move || saved_status.get()}</span>
                </div>
            })}
        </header>
        {move || (created && result.with(Option::is_none)).then(|| view! {
            <p class="success catalog-flash" role="status" data-testid="product-created">
                "Product created. You can add an image now."
            </p>
        })}
        <div class="catalog-editor">
            <ActionForm action=save attr:class="catalog-editor__form" attr:novalidate=true attr:data-testid="product-form">
                <input type="hidden" name="id" value=hidden_id/>
                <div class="card catalog-panel">
                    <h2 class="catalog-panel__title">"Product"</h2>
                    <div class="catalog-row">
                        <TextField id="sku" label="SKU" value=sku error=error_for("sku") required=true maxlength=64 node_ref=refs[0]
                            class="catalog-row__narrow" hint="Letters, digits and - _ . / — stored in upper case."/>
                        <TextField id="name" label="Name" value=name error=error_for("name") required=true maxlength=200 node_ref=refs[1]/>
                    </div>
                    <DescriptionField value=description error=field_error(result, "description")/>
                    <TextField id="attributes" label="Attributes" value=attributes error=field_error(result, "attributes")
                        placeholder="Colour=Red; Weight=2 kg"
                        hint="Name=Value pairs separated by semicolons, up to 30."/>
                </div>
                <div class="card catalog-panel">
                    <h2 class="catalog-panel__title">"Price and availability"</h2>
                    <div class="catalog-row">
                        <TextField id="price" label="List price" value=price error=error_for("price") required=true node_ref=refs[2]
                            inputmode="decimal" placeholder="12.50" hint="Stores price from this within your price policy."/>
                        <TextField id="currency" label="Currency" value=currency error=error_for("currency") required=true node_ref=refs[3]
                            maxlength=3 class="catalog-row__narrow" placeholder="EUR" hint="ISO code, e.g. EUR, USD, GBP."/>
                    </div>
                    <div class="catalog-row">
                        <SelectField id="status" label="Status" value=status options=status_options error=field_error(result, "status")/>
                        <SelectField id="category" label="Category" value=category options=categories error=field_error(result, "category")
                            hint=if no_categories { "No categories yet: create them under Categories." } else { "Where the product appears in the stores." }/>
                    </div>
                </div>
                <div class="catalog-savebar">
                    <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                    <p class="catalog-savebar__status" role="status">
                        {move || matches!(result.get(), Some(Ok(_))).then(|| if is_new { "Created." } else { "Saved." })}
                    </p>
                    <a class="button button--ghost" href="/admin/catalog">"Cancel"</a>
                    <button class="button" type="submit" disabled=move || save.pending().get() on:click=check_required data-testid="save-product">
                        {move || match (save.pending().get(), is_new) {
                            (true, _) => "Saving…",
                            (false, true) => "Create product",
                            (false, false) => "Save changes",
                        }}
                    </button>
                </div>
            </ActionForm>
            <aside class="catalog-editor__side">
                <ImageCard id=image_id image max_bytes=editor.max_image_bytes/>
                {id.map(|id| view! {
                    <div class="card catalog-panel catalog-meta">
                        <h2 class="catalog-panel__title">"Details"</h2>
                        <dl>
                            <div><dt>"ID"</dt><dd><code>{id}</code></dd></div>
                            <div><dt>"Last updated"</dt><dd>{move || updated.get()}</dd></div>
                        </dl>
                    </div>
                })}
            </aside>
        </div>
    }
}

/// The description: Markdown, with a preview rendered exactly as the storefront will.
#[component]
fn DescriptionField(
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let previewing = RwSignal::new(false);
    let html = RwSignal::new(None::<Result<String, ApiError>>);
    let show_preview = move |_| {
        previewing.set(true);
        html.set(None);
        let text = value.get_untracked();
        leptos::task::spawn_local(async move {
            let result = preview_description(text).await;
            let _ = html.try_set(Some(result));
        });
    };
    view! {
        <div class="field catalog-description">
            <div class="catalog-description__head">
                <label for="description">"Description"</label>
                <div class="tabs catalog-description__tabs" role="tablist" aria-label="Description view">
                    <button type="button" role="tab" class="tab" aria-selected=move || (!previewing.get()).to_string()
                        aria-controls="description" on:click=move |_| previewing.set(false)>"Write"</button>
                    <button type="button" role="tab" class="tab" aria-selected=move || previewing.get().to_string()
                        aria-controls="description-preview" on:click=show_preview>"Preview"</button>
                </div>
            </div>
            <textarea
                id="description"
                name="description"
                rows="10"
                class="catalog-textarea"
                hidden=move || previewing.get()
                prop:value=value
                aria-describedby="description-hint description-error"
                aria-invalid=move || error.get().is_some().to_string()
                on:input=move |ev| value.set(event_target_value(&ev))
            >{value.get_untracked()}</textarea>
            <div id="description-preview" class="catalog-preview" role="tabpanel" hidden=move || !previewing.get()>
                {move || match html.get() {
                    None => view! { <p class="muted">"Rendering…"</p> }.into_any(),
                    Some(Ok(h)) if h.trim().is_empty() => view! { <p class="muted">"Nothing to preview yet."</p> }.into_any(),
                    Some(Ok(h)) => view! { <div class="catalog-preview__body" inner_html=h></div> }.into_any(),
                    Some(Err(e)) => view! { <p class="field__error">{capitalise(&e.to_string())}</p> }.into_any(),
                }}
            </div>
            <p class="field__hint" id="description-hint">
                "Markdown: **bold**, *italic*, lists, links and tables. Up to 20,000 characters."
            </p>
            <p class="field__error" id="description-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

/// The product's image: shown, replaced by an upload, or removed.
#[component]
fn ImageCard(id: Option<String>, image: RwSignal<Option<String>>, max_bytes: u64) -> impl IntoView {
    let Some(id) = id else {
        return view! {
            <div class="card catalog-panel catalog-image">
                <h2 class="catalog-panel__title">"Image"</h2>
                <div class="catalog-image__frame catalog-image__frame--empty" aria-hidden="true"></div>
                <p class="muted small">"Create the product first; then you can add its image here."</p>
            </div>
        }
        .into_any();
    };
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let uploading = RwSignal::new(false);
    let removing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<&'static str>);
    let upload = move |ev: SubmitEvent| {
        ev.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let data = match multipart(&form) {
            Ok(d) => d,
            Err(e) => {
                error.set(Some(capitalise(&e.to_string())));
                return;
            }
        };
        uploading.set(true);
        error.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let result = upload_product_image(data).await;
            let _ = uploading.try_set(false);
            match result {
                Ok(name) => {
                    let _ = image.try_set(Some(name));
                    let _ = notice.try_set(Some("Image uploaded."));
                    form.reset();
                }
                Err(e) => {
                    let _ = error.try_set(Some(upload_message(&e, "Try a smaller image.")));
                }
            }
        });
    };
    let remove = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            removing.set(true);
            error.set(None);
            notice.set(None);
            leptos::task::spawn_local(async move {
                let result = remove_product_image(id).await;
                let _ = removing.try_set(false);
                match result {
                    Ok(()) => {
                        let _ = image.try_set(None);
                        let _ = notice.try_set(Some("Image removed."));
                    }
                    Err(e) => {
                        let _ = error.try_set(Some(capitalise(&e.to_string())));
                    }
                }
            });
        }
    };
    let limit = format!("PNG, JPEG or WebP, up to {}.", human_bytes(max_bytes));
    view! {
        <div class="card catalog-panel catalog-image">
            <h2 class="catalog-panel__title">"Image"</h2>
            {move || match image.get() {
                Some(name) => view! {
                    <div class="catalog-image__frame">
                        <img src=format!("/media/{name}") alt="Current product image" data-testid="product-image"/>
                    </div>
                }.into_any(),
                None => view! {
                    <div class="catalog-image__frame catalog-image__frame--empty">
                        <span class="muted small">"No image yet"</span>
                    </div>
                }.into_any(),
            }}
            <form
                node_ref=form_ref
                class="catalog-image__form"
                method="post"
                enctype="multipart/form-data"
                action=UploadProductImage::PATH
                novalidate
                on:submit=upload
            >
                <input type="hidden" name="id" value=id.clone()/>
                <div class="field">
                    <label for="image">{move || if image.get().is_some() { "Replace the image" } else { "Add an image" }}</label>
                    <input id="image" name="image" type="file" accept="image/png,image/jpeg,image/webp"
                        aria-describedby="image-hint image-error"
                        aria-invalid=move || error.get().is_some().to_string()
                        data-testid="image-input"/>
                    <p class="field__hint" id="image-hint">{limit}</p>
                    <p class="field__error" id="image-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
                </div>
                <div class="catalog-image__actions">
                    <button class="button button--small" type="submit" disabled=move || uploading.get() data-testid="upload-image">
                        {move || if uploading.get() { "Uploading…" } else { "Upload" }}
                    </button>
                    {move || image.get().is_some().then(|| view! {
                        <button class="button button--ghost button--small" type="button" on:click=remove.clone() disabled=move || removing.get()>
                            {move || if removing.get() { "Removing…" } else { "Remove image" }}
                        </button>
                    })}
                </div>
                <p class="catalog-image__notice" role="status">{move || notice.get()}</p>
            </form>
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------
// Categories.

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCatalogCategory>::new();
    let delete = ServerAction::<DeleteCatalogCategory>::new();
    let rows = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| catalog_categories(),
    );
    // The form's state lives here, outside the parts that re-render with the list.
    let editing = RwSignal::new(None::<CategoryRow>);
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let position = RwSignal::new("0".to_owned());
    let confirming = RwSignal::new(None::<String>);
    // The category a deletion was asked for: (id, name).
    let deleting = RwSignal::new((String::new(), String::new()));
    let saved = RwSignal::new(None::<String>);
    let name_ref = NodeRef::<leptos::html::Input>::new();

    let reset = move || {
        editing.set(None);
        name.set(String::new());
        slug.set(String::new());
        parent.set(String::new());
        position.set("0".to_owned());
    };
    let edit = Callback::new(move |row: CategoryRow| {
        name.set(row.name.clone());
        slug.set(row.slug.clone());
        parent.set(row.parent.clone().unwrap_or_default());
        position.set(row.position.to_string());
        editing.set(Some(row));
        saved.set(None);
        if let Some(input) = name_ref.get_untracked() {
            let _ = input.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(row)) = save.value().get() {
            saved.set(Some(row.name.clone()));
            reset();
        }
    });
    Effect::new(move |_| {
        let outcome = delete.value().get();
        if outcome.is_some() {
            confirming.set(None);
        }
        if let Some(Ok(())) = outcome {
            // A deleted category being edited is gone: back to a new one.
            let gone = deleting.with_untracked(|(id, _)| id.clone());
            if editing.with_untracked(|e| e.as_ref().is_some_and(|e| e.id == gone)) {
                reset();
            }
        }
    });

    view! {
        <Title text="Categories · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Categories title="Categories"/>
                    <div class="catalog-split">
                        <div class="catalog-split__main">
                            {move || match delete.value().get() {
                                Some(Err(e)) => Some(view! {
                                    <p class="error" role="alert" data-testid="delete-error">
                                        {format!("“{}” was not deleted: {e}", deleting.with(|(_, name)| name.clone()))}
                                    </p>
                                }),
                                _ => None,
                            }}
                            <Transition fallback=|| view! { <p class="muted">"Loading categories…"</p> }>
                                {move || Suspend::new(async move {
                                    match rows.await {
                                        Err(e) => error_box(&e),
                                        Ok(rows) if rows.is_empty() => view! {
                                            <div class="card empty catalog-empty">
                                                <h2>"No categories yet"</h2>
                                                <p class="muted">"Categories organise the stores' navigation. Create the first one with the form."</p>
                                            </div>
                                        }.into_any(),
                                        Ok(rows) => view! {
                                            <div class="card catalog-tablewrap">
                                                <table class="table catalog-table" data-testid="categories">
                                                    <thead>
                                                        <tr>
                                                            <th>"Name"</th>
                                                            <th>"Address"</th>
                                                            <th class="catalog-num">"Position"</th>
                                                            <th><span class="visually-hidden">"Actions"</span></th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {rows.into_iter().map(|row| view! {
                                                            <CategoryLine row edit confirming deleting delete/>
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }.into_any(),
                                    }
                                })}
                            </Transition>
                        </div>
                        <aside class="catalog-split__side">
                            <div class="card catalog-panel">
                                <h2 class="catalog-panel__title">
                                    {move || match editing.get() {
                                        Some(row) => format!("Edit “{}”", row.name),
                                        None => "New category".to_owned(),
                                    }}
                                </h2>
                                <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="category-form">
                                    <input type="hidden" name="id" prop:value=move || editing.with(|e| e.as_ref().map(|e| e.id.clone()).unwrap_or_default()) value=""/>
                                    <TextField id="name" label="Name" value=name error=field_error(save.value(), "name") required=true maxlength=80 node_ref=name_ref/>
                                    <TextField id="slug" label="Address" value=slug error=field_error(save.value(), "slug")
                                        placeholder="derived from the name" hint="The store shows the category at /c/address."/>
                                    <Transition fallback=|| view! { <p class="muted small">"Loading…"</p> }>
                                        {move || Suspend::new(async move {
                                            let rows = rows.await.unwrap_or_default();
                                            // Built afresh for each category edited: its options
                                            // leave out the category and what it holds.
                                            move || {
                                                let exclude = editing.with(|e| e.as_ref().map(|e| e.id.clone()));
                                                view! { <ParentSelect rows=rows.clone() value=parent exclude error=field_error(save.value(), "parent")/> }
                                            }
                                        })}
                                    </Transition>
                                    <TextField id="position" label="Position" value=position error=field_error(save.value(), "position")
                                        kind="number" inputmode="numeric" hint="Lower numbers come first among siblings."/>
                                    <p class="form__error" role="alert">{move || form_error(save.value()).get()}</p>
                                    <div class="catalog-form__actions">
                                        <button class="button" type="submit" disabled=move || save.pending().get() data-testid="save-category">
                                            {move || match (save.pending().get(), editing.with(Option::is_some)) {
                                                (true, _) => "Saving…",
                                                (false, true) => "Save changes",
                                                (false, false) => "Create category",
                                            }}
                                        </button>
                                        {move || editing.with(Option::is_some).then(|| view! {
                                            <button class="button button--ghost" type="button" on:click=move |_| reset()>"Cancel"</button>
                                        })}
                                    </div>
                                    <p class="catalog-savebar__status" role="status">
                                        {move || saved.get().map(|n| format!("Saved “{n}”."))}
                                    </p>
                                </ActionForm>
                            </div>
                        </aside>
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// The parent choice: every category but the one being edited and those inside it.
#[component]
fn ParentSelect(
    rows: Vec<CategoryRow>,
    value: RwSignal<String>,
    exclude: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let initial = value.get_untracked();
    let mut options = vec![(
        String::new(),
        "None (top level)".to_owned(),
        initial.is_empty(),
    )];
    // Rows are in tree order: a category's descendants follow it, deeper than it.
    let mut skip_below: Option<usize> = None;
    for r in &rows {
        if let Some(d) = skip_below {
            if r.depth > d {
                continue;
            }
            skip_below = None;
        }
        if Some(&r.id) == exclude.as_ref() {
            skip_below = Some(r.depth);
            continue;
        }
        let label = format!("{}{}", "\u{2003}".repeat(r.depth), r.name);
        options.push((r.id.clone(), label, r.id == initial));
    }
    view! {
        <div class="field">
            <label for="parent">"Parent category"</label>
            <select
                id="parent"
                name="parent"
                prop:value=value
                aria-describedby="parent-error"
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options.into_iter().map(|(v, l, selected)| view! {
                    <option value=v selected=selected>{l}</option>
                }).collect_view()}
            </select>
            <p class="field__error" id="parent-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

#[component]
fn CategoryLine(
    row: CategoryRow,
    edit: Callback<CategoryRow>,
    confirming: RwSignal<Option<String>>,
    deleting: RwSignal<(String, String)>,
    delete: ServerAction<DeleteCatalogCategory>,
) -> impl IntoView {
    let id = row.id.clone();
    let is_confirming = {
        let id = id.clone();
        move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
    };
    let indent = format!("--depth: {}", row.depth);
    let line = row.clone();
    let name = row.name.clone();
    view! {
        <tr data-slug=row.slug.clone()>
            <td>
                <span class="catalog-tree" style=indent>
                    {(row.depth > 0).then(|| view! { <span class="catalog-tree__branch" aria-hidden="true">"└"</span> })}
                    <strong>{row.name.clone()}</strong>
                </span>
            </td>
            <td><code class="catalog-sku">{format!("/c/{}", row.slug)}</code></td>
            <td class="catalog-num">{row.position}</td>
            <td class="table__actions">
                {move || if is_confirming() {
                    let id = id.clone();
                    let name = name.clone();
                    view! {
                        <span class="catalog-confirm" role="group" aria-label="Confirm deletion">
                            <span class="small">"Delete?"</span>
                            <button type="button" class="button button--small catalog-danger"
                                disabled=move || delete.pending().get()
                                on:click=move |_| {
                                    deleting.set((id.clone(), name.clone()));
                                    delete.dispatch(DeleteCatalogCategory { id: id.clone() });
                                }>"Delete"</button>
                            <button type="button" class="button button--ghost button--small" on:click=move |_| confirming.set(None)>"Keep"</button>
                        </span>
                    }.into_any()
                } else {
                    let line = line.clone();
                    let id = id.clone();
                    let label_edit = format!("Edit {}", line.name);
                    let label_delete = format!("Delete {}", line.name);
                    view! {
                        <button type="button" class="button button--ghost button--small" aria-label=label_edit
                            on:click=move |_| edit.run(line.clone())>"Edit"</button>
                        <button type="button" class="button button--ghost button--small catalog-ghost-danger" aria-label=label_delete
                            on:click=move |_| confirming.set(Some(id.clone()))>"Delete"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

// ---------------------------------------------------------------------------------------
// Price policy and locks.

/// What locking each field means for a store.
fn lock_hint(key: &str) -> &'static str {
    match key {
        "price" => "Stores cannot set their own price per product (their markup still applies).",
        "name" => "Stores cannot rename products.",
        "description" => "Stores cannot rewrite descriptions.",
        "featured" => "Stores cannot feature products on their own.",
        "hidden" => "Stores cannot hide products from their catalog.",
        "sort" => "Stores cannot reorder products.",
        _ => "Stores cannot change this field.",
    }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| catalog_policy());
    view! {
        <Title text="Price policy & locks · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Policy title="Price policy & locks"/>
                    <p class="muted catalog-lead">
                        "These rules apply to every partner store at once. Locking a field puts every store back on the master catalog's value for it."
                    </p>
                    <Transition fallback=|| view! { <p class="muted">"Loading the policy…"</p> }>
                        {move || Suspend::new(async move {
                            match policy.await {
                                Err(e) => error_box(&e),
                                Ok(p) => view! { <PolicyEditor policy=p/> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// `pct` of 100.00, written out: `90` → `90.00`.
fn example_price(pct: &str) -> Option<String> {
    let p: u32 = pct.trim().trim_end_matches('%').trim().parse().ok()?;
    Some(format!("{p}.00"))
}

#[component]
fn PolicyEditor(policy: PolicyForm) -> impl IntoView {
    let save = ServerAction::<SaveCatalogPolicy>::new();
    let result = save.value();
    let min = RwSignal::new(policy.price_min_pct.to_string());
    let max = RwSignal::new(policy.price_max_pct.to_string());
    Effect::new(move |_| {
        if let Some(Ok(p)) = result.get() {
            min.set(p.price_min_pct.to_string());
            max.set(p.price_max_pct.to_string());
        }
    });
    let example = move || match (example_price(&min.get()), example_price(&max.get())) {
        (Some(lo), Some(hi)) => {
            format!("A product listed at 100.00 may sell for {lo} to {hi} in a store.")
        }
        _ => "Enter whole percentages, e.g. 90 and 150.".to_owned(),
    };
    view! {
        <ActionForm action=save attr:class="catalog-policy" attr:novalidate=true attr:data-testid="policy-form">
            <div class="card catalog-panel">
                <h2 class="catalog-panel__title">"Price range"</h2>
                <p class="muted small">"Stores may set their own price for a product within this range of its list price."</p>
                <div class="catalog-row catalog-row--pct">
                    <PercentField id="price_min_pct" label="Lowest price" value=min error=field_error(result, "price_min_pct")
                        hint="1 % to 100 % of the list price"/>
                    <PercentField id="price_max_pct" label="Highest price" value=max error=field_error(result, "price_max_pct")
                        hint="100 % to 1000 % of the list price"/>
                </div>
                <p class="catalog-example" aria-live="polite">{example}</p>
            </div>
            <fieldset class="card catalog-panel catalog-locks">
                <legend class="catalog-panel__title">"Locked fields"</legend>
                <p class="muted small">"A locked field always shows the master catalog's value in every store."</p>
                <p class="field__error" role="alert">{move || field_error(result, "locked").get().map(|e| capitalise(&e))}</p>
                <ul class="catalog-locks__list">
                    {policy.fields.into_iter().map(|f| view! { <LockOption field=f/> }).collect_view()}
                </ul>
            </fieldset>
            <div class="catalog-savebar">
                <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                <p class="catalog-savebar__status" role="status" data-testid="policy-status">
                    {move || matches!(result.get(), Some(Ok(_))).then_some("Saved. Every store follows the new policy now.")}
                </p>
                <button class="button" type="submit" disabled=move || save.pending().get() data-testid="save-policy">
                    {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
fn PercentField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="catalog-suffix">
                <input
                    id=id
                    name=id
                    type="number"
                    min="1"
                    max="1000"
                    step="1"
                    inputmode="numeric"
                    value=value.get_untracked()
                    prop:value=value
                    aria-describedby=format!("{hint_id} {error_id}")
                    aria-invalid=move || error.get().is_some().to_string()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <span aria-hidden="true">"%"</span>
            </div>
            <p class="field__hint" id=hint_id>{hint}</p>
            <p class="field__error" id=error_id role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

#[component]
fn LockOption(field: LockField) -> impl IntoView {
    let id = format!("lock-{}", field.key);
    let hint = lock_hint(&field.key);
    view! {
        <li class="catalog-lock">
            <input type="checkbox" id=id.clone() name="locked[]" value=field.key.clone() checked=field.locked/>
            <label for=id>
                <strong>{capitalise(&field.label)}</strong>
                <span class="muted small">{hint}</span>
            </label>
        </li>
    }
}

// ---------------------------------------------------------------------------------------
// CSV import.

fn phase_label(phase: &str) -> &'static str {
    match phase {
        "queued" => "Waiting to start",
        "reading" => "Reading the file",
        "checking" => "Checking the rows",
        "writing" => "Writing the products",
        "done" => "Finishing",
        _ => "Working",
    }
}

/// Follows an import job: fetches its state now and again every half second while it runs.
/// Without `job`, the hub's latest import (if any) is shown. Stops once the page is gone.
fn poll(
    job: Option<String>,
    status: RwSignal<Option<ImportStatus>>,
    failure: RwSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        match catalog_import_status(job.clone()).await {
            Ok(Some(s)) => {
                let next = s.running().then(|| s.job.clone());
                if status.try_set(Some(s)).is_some() {
                    return;
                }
                let _ = failure.try_set(None);
                if let Some(job) = next {
                    set_timeout(
                        move || poll(Some(job), status, failure),
                        Duration::from_millis(500),
                    );
                }
            }
            Ok(None) => {}
            // A passing network problem: try again a little later.
            Err(ApiError::Transport(_)) if job.is_some() => {
                if failure
                    .try_set(Some("Lost contact with the server; retrying…".into()))
                    .is_none()
                {
                    set_timeout(move || poll(job, status, failure), Duration::from_secs(2));
                }
            }
            Err(ApiError::NotFound) => {
                let _ = failure.try_set(Some(
                    "This import's progress is no longer available (the server may have restarted). \
                     Check the products list to see what was imported."
                        .into(),
                ));
            }
            Err(e) => {
                let _ = failure.try_set(Some(capitalise(&e.to_string())));
            }
        }
    });
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let status = RwSignal::new(None::<ImportStatus>);
    let failure = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let upload_result = RwSignal::new(None::<Result<(), ApiError>>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // In the browser: pick up the latest import (one may be running from before a reload).
    Effect::new(move |_| poll(None, status, failure));
    let running = move || status.with(|s| s.as_ref().is_some_and(ImportStatus::running));

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let data = match multipart(&form) {
            Ok(d) => d,
            Err(e) => {
                upload_result.set(Some(Err(e)));
                return;
            }
        };
        uploading.set(true);
        upload_result.set(None);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = start_catalog_import(data).await;
            let _ = uploading.try_set(false);
            match result {
                Ok(s) => {
                    let job = s.job.clone();
                    if status.try_set(Some(s)).is_none() {
                        let _ = upload_result.try_set(Some(Ok(())));
                        form.reset();
                        poll(Some(job), status, failure);
                    }
                }
                Err(e) => {
                    let _ = upload_result.try_set(Some(Err(e)));
                }
            }
        });
    };
    let file_error = move || match upload_result.get() {
        Some(Err(e)) if e.field() == Some("file") => Some(capitalise(&e.to_string())),
        _ => None,
    };
    let other_error = move || match upload_result.get() {
        Some(Err(e)) if e.field().is_none() => Some(upload_message(
            &e,
            "Import big files on the server with `hub catalog import FILE`.",
        )),
        _ => None,
    };

    view! {
        <Title text="Import · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Import title="Import products">
                        <a class="button button--ghost button--small" href="/admin/catalog/export.csv" rel="external" download="catalog.csv">"Export CSV"</a>
                    </ConsoleHeader>
                    <div class="catalog-split">
                        <div class="catalog-split__main">
                            <form
                                node_ref=form_ref
                                class="card catalog-panel catalog-upload"
                                method="post"
                                enctype="multipart/form-data"
                                action=StartCatalogImport::PATH
                                novalidate
                                on:submit=submit
                                data-testid="import-form"
                            >
                                <h2 class="catalog-panel__title">"Upload a CSV file"</h2>
                                <div class="field">
                                    <label for="file">"CSV file"</label>
                                    <input id="file" name="file" type="file" accept=".csv,text/csv"
                                        aria-describedby="file-hint file-error"
                                        aria-invalid=move || file_error().is_some().to_string()
                                        data-testid="import-file"/>
                                    <p class="field__hint" id="file-hint">
                                        "Uploads here are limited by the server's request size (2 MB unless configured otherwise). "
                                        "Import bigger files on the server with " <code>"hub catalog import FILE"</code> "."
                                    </p>
                                    <p class="field__error" id="file-error" role="alert">{file_error}</p>
                                </div>
                                <p class="form__error" role="alert">{other_error}</p>
                                <div class="catalog-form__actions">
                                    <button class="button" type="submit" disabled=move || uploading.get() || running() data-testid="start-import">
                                        {move || if uploading.get() { "Uploading…" } else if running() { "Import running…" } else { "Import" }}
                                    </button>
                                </div>
                            </form>
                            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get()}</p>
                            {move || status.get().map(|s| view! { <ImportView status=s/> })}
                        </div>
                        <aside class="catalog-split__side">
                            <div class="card catalog-panel catalog-help">
                                <h2 class="catalog-panel__title">"File format"</h2>
                                <p class="small">"The first line names the columns, in any order:"</p>
                                <ul class="catalog-columns">
                                    <li><code>"sku"</code><span class="catalog-required">" required"</span></li>
                                    <li><code>"name"</code><span class="catalog-required">" required"</span></li>
                                    <li><code>"price"</code><span class="catalog-required">" required"</span>" — e.g. 12.50"</li>
                                    <li><code>"currency"</code><span class="catalog-required">" required"</span>" — e.g. EUR"</li>
                                    <li><code>"description"</code>" — Markdown"</li>
                                    <li><code>"category"</code>" — a category address or id"</li>
                                    <li><code>"status"</code>" — draft, active or discontinued"</li>
                                    <li><code>"attributes"</code>" — Name=Value; Name=Value"</li>
                                    <li><code>"image"</code>" — a stored image name"</li>
                                </ul>
                                <p class="small">
                                    "Rows are matched by SKU: known SKUs are updated, new ones are created. "
                                    "If any row has a problem, nothing is imported and every bad row is listed."
                                </p>
                                <p class="small muted">"Tip: export the catalog to get a file in exactly this format."</p>
                            </div>
                        </aside>
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn ImportView(status: ImportStatus) -> impl IntoView {
    let file = format!("{} ({})", status.file_name, human_bytes(status.size_bytes));
    match status.outcome {
        None => {
            let (value, max) = if status.total > 0 {
                (Some(status.done.min(status.total).to_string()), status.total.to_string())
            } else {
                (None, "1".to_owned())
            };
            let count = (status.total > 0).then(|| {
                format!("{} of {} rows", thousands(status.done.min(status.total)), thousands(status.total))
            });
            view! {
                <div class="card catalog-panel catalog-progress" aria-live="polite" data-testid="import-progress">
                    <h2 class="catalog-panel__title">"Importing " {file}</h2>
                    <progress max=max value=value aria-label="Import progress"></progress>
                    <p class="catalog-progress__phase">
                        <strong data-testid="import-phase">{phase_label(&status.phase)}</strong>
                        {count.map(|c| view! { <span class="muted">" · " {c}</span> })}
                    </p>
                </div>
            }
            .into_any()
        }
        Some(ImportOutcome::Imported { rows, created, updated }) => view! {
            <div class="success catalog-result" role="status" data-testid="import-done">
                <h3>"Imported " {file}</h3>
                <p>
                    {thousands(rows)} " products: " {thousands(created)} " new, " {thousands(updated)} " updated. "
                    <a href="/admin/catalog">"See the products"</a>
                </p>
            </div>
        }
        .into_any(),
        Some(ImportOutcome::FileError(message)) => view! {
            <div class="card catalog-panel catalog-result catalog-result--bad" role="alert" data-testid="import-file-error">
                <h2 class="catalog-panel__title">{file} " was not imported"</h2>
                <p class="error">{capitalise(&message)}</p>
            </div>
        }
        .into_any(),
        Some(ImportOutcome::BadRows { rows, total }) => {
            let shown = rows.len() as u64;
            view! {
                <div class="card catalog-panel catalog-result catalog-result--bad" role="alert" data-testid="import-bad-rows">
                    <h2 class="catalog-panel__title">{file} " was not imported"</h2>
                    <p class="error">
                        {thousands(total)} {if total == 1 { " row has a problem" } else { " rows have problems" }}
                        "; nothing was imported. Fix them and upload the file again."
                    </p>
                    {(shown < total).then(|| view! {
                        <p class="muted small">"The first " {thousands(shown)} " are listed."</p>
                    })}
                    <div class="catalog-tablewrap catalog-tablewrap--plain">
                        <table class="table catalog-table catalog-badrows">
                            <thead>
                                <tr><th class="catalog-num">"Line"</th><th>"SKU"</th><th>"Problems"</th></tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! { <BadRowLine row=r/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn BadRowLine(row: BadRow) -> impl IntoView {
    view! {
        <tr>
            <td class="catalog-num">{row.line}</td>
            <td>{if row.sku.is_empty() {
                view! { <span class="muted">"—"</span> }.into_any()
            } else {
                view! { <code class="catalog-sku">{row.sku}</code> }.into_any()
            }}</td>
            <td>
                <ul class="catalog-reasons">
                    {row.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_addresses_keep_only_what_filters() {
        let f = Filters {
            q: " drill & saw ".into(),
            status: "all".into(),
            category: String::new(),
            page: 1,
        };
        assert_eq!(f.href(), "/admin/catalog?q=drill%20%26%20saw");
        assert!(f.is_filtered());
        let f = Filters {
            q: String::new(),
            status: "draft".into(),
            category: "cat_1".into(),
            page: 3,
        };
        assert_eq!(
            f.href(),
            "/admin/catalog?status=draft&category=cat_1&page=3"
        );
        let plain = Filters {
            q: String::new(),
            status: "all".into(),
            category: String::new(),
            page: 1,
        };
        assert_eq!(plain.href(), "/admin/catalog");
        assert!(!plain.is_filtered());
    }

    #[test]
    fn numbers_and_words_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(human_bytes(88), "1 KB");
        assert_eq!(human_bytes(2 * 1024 * 1024), "2.0 MB");
        assert_eq!(capitalise("enter a SKU"), "Enter a SKU");
        assert_eq!(capitalise(""), "");
        assert_eq!(enc("é/ü"), "%C3%A9%2F%C3%BC");
        assert_eq!(example_price("90 %"), Some("90.00".into()));
        assert_eq!(example_price("x"), None);
    }
}
