//! Reseller console pages: the store wizard (`/console/store`, which also edits a live store)
//! and the overrides / drift view (`/console/catalog`).
//!
//! The wizard is one page; its steps live in client signals. "Next" asks the server to check
//! everything typed so far (the same checks publishing runs, in the wizard's order), so a
//! problem is shown next to its field on the step it belongs to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::accounts::api::SlugCheck;
use crate::components::form::{field_error, form_error};
use crate::components::layout::{HubFrame, Site};
use crate::error::ApiError;
use crate::store_console::api::{
    DriftReport, DriftRow, MasterProduct, OverrideRow, PriceExample, PublishedStore,
    RevertOverride, SaveOverride, StoreCheck, StoreDraft, StoreInput, check_store,
    check_store_slug, load_drift, load_store_draft, preview_pricing, publish_store, search_master,
};

/// The wizard's steps: title and what it is about.
const STEPS: [(&str, &str); 6] = [
    ("Address", "Where customers find you"),
    ("Branding", "Logo, colours and type"),
    ("Catalog", "What you sell"),
    ("Pricing", "Your markup"),
    ("Overrides", "Per-product changes"),
    ("Publish", "Review and go live"),
];
const LAST: usize = STEPS.len() - 1;

const ROUNDINGS: [(&str, &str); 3] = [
    ("none", "Exact: no rounding"),
    ("whole", "Whole amounts (12.49 → 12.00)"),
    ("ends_99", "Ending in .99 (12.10 → 12.99)"),
];

/// The fields a store may override, as `store::Field` names them.
const FIELDS: [(&str, &str); 6] = [
    ("price", "Price"),
    ("name", "Name"),
    ("description", "Description"),
    ("featured", "Featured"),
    ("hidden", "Hidden"),
    ("sort", "Sort order"),
];

/// The step a server-side validation error belongs to.
fn step_of(field: &str) -> usize {
    match field {
        "slug" | "name" | "tagline" => 0,
        "primary_color" | "accent_color" | "font" | "hero_text" | "logo" | "image" => 1,
        "selection" => 2,
        "markup" | "rounding" => 3,
        "overrides" => 4,
        _ => LAST,
    }
}

fn value_hint(field: &str) -> &'static str {
    match field {
        "price" => "e.g. 129.00",
        "name" => "The product's name in your store",
        "description" => "Your description (Markdown)",
        "featured" | "hidden" => "yes or no",
        "sort" => "A whole number; lower comes first",
        _ => "",
    }
}

fn valid_hex(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// WCAG contrast of `#rrggbb` against white, in hundredths: instant feedback only, the
/// server's check is the one that counts.
fn contrast_on_white(c: &str) -> Option<u32> {
    if !valid_hex(c) {
        return None;
    }
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&c[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    Some(((1.05 / (l + 0.05)) * 100.0).floor() as u32)
}

fn ratio(x100: u32) -> String {
    format!("{}.{}:1", x100 / 100, (x100 % 100) / 10)
}

/// The problem with a colour, as the server would word it.
fn colour_problem(raw: &str, against: &str) -> Option<String> {
    let c = raw.trim().to_ascii_lowercase();
    match contrast_on_white(&c) {
        None => Some(format!("'{}' is not a colour like #1a4f8b", raw.trim())),
        Some(x) if x < 450 => Some(format!(
            "{c} has a contrast of {} against {against}; choose a darker colour (at least 4.5:1)",
            ratio(x)
        )),
        Some(_) => None,
    }
}

/// A card for a visitor who cannot use the console here.
fn access_problem(e: ApiError) -> AnyView {
    match e {
        ApiError::Unauthenticated => view! {
            <div class="card form-card console-gate">
                <p class="eyebrow">"Store console"</p>
                <h1>"Log in to manage your store"</h1>
                <p class="muted">"The console is for your store's team. Log in with your store account at this address."</p>
                <a class="button" href="/login">"Log in"</a>
            </div>
        }
        .into_any(),
        ApiError::Forbidden => view! {
            <div class="card form-card console-gate">
                <p class="eyebrow">"Store console"</p>
                <h1>"This console is for the store's team"</h1>
                <p class="muted">"Your account cannot manage this store. Ask the store's administrator for access."</p>
                <a class="button button--ghost" href="/">"Back to the store"</a>
            </div>
        }
        .into_any(),
        ApiError::NotFound => view! {
            <div class="card form-card console-gate">
                <p class="eyebrow">"Store console"</p>
                <h1>"There is no store console here"</h1>
                <p class="muted">"Each partner store has its console at its own address."</p>
            </div>
        }
        .into_any(),
        e => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

#[component]
fn ConsoleNav(current: &'static str) -> impl IntoView {
    let here = move |page: &'static str| (current == page).then_some("page");
    view! {
        <nav class="console-nav" aria-label="Store console">
            <a href="/console/store" aria-current=here("store")>"Store setup"</a>
            <a href="/console/catalog" aria-current=here("catalog")>"Catalog overrides"</a>
            <a href="/" class="console-nav__store">"View storefront ↗"</a>
        </nav>
    }
}

// One module per console page; the helpers above are shared by them.
pub mod api;
mod overrides;
mod steps;
mod wizard;

pub use overrides::StoreCatalogPage;
pub use wizard::StoreWizardPage;
