//! The hub admin's catalog console (pages): the product list (search, filters, pages), the product
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

use self::api::{
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
pub(crate) fn multipart(form: &web_sys::HtmlFormElement) -> Result<MultipartData, ApiError> {
    web_sys::FormData::new_with_form(form)
        .map(MultipartData::from)
        .map_err(|_| ApiError::Transport("the browser could not read the form".into()))
}

#[cfg(not(feature = "hydrate"))]
pub(crate) fn multipart<T>(_form: &T) -> Result<MultipartData, ApiError> {
    Err(ApiError::Transport(
        "uploads need the page to be loaded in a browser".into(),
    ))
}

/// What to say when an upload fails: the server's reason, or for a request refused before it
/// reached the hub's code (typically for its size), a hint at the size limit.
/// `advice` says what to do about a file that is too big.
pub(crate) fn upload_message(e: &ApiError, advice: &str) -> String {
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

// One module per console section; the helpers above are shared by all of them.
pub mod api;
mod categories;
mod editor;
mod import;
mod policy;
mod products;

pub use categories::CategoriesPage;
pub use editor::ProductEditorPage;
pub use import::ImportPage;
pub use policy::PolicyPage;
pub use products::CatalogPage;

#[cfg(test)]
mod tests {
    use super::policy::example_price;
    use super::products::Filters;
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
