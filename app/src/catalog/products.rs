//! The product list: search, status tabs, category filter, pages.

use super::*;

const STATUS_TABS: [(&str, &str); 4] = [
    ("all", "All"),
    ("draft", "Draft"),
    ("active", "Active"),
    ("discontinued", "Discontinued"),
];

/// The list's state, as kept in the address (so a filtered page can be shared and the back
/// button works).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Filters {
    pub(super) q: String,
    pub(super) status: String,
    pub(super) category: String,
    /// 1-based.
    pub(super) page: u64,
}

impl Filters {
    pub(super) fn href(&self) -> String {
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

    pub(super) fn is_filtered(&self) -> bool {
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
