//! Reseller console pages: the store wizard (`/console/store`, which also edits a live store)
//! and the overrides / drift view (`/console/catalog`).
//!
//! The wizard is one page; its steps live in client signals. "Next" asks the server to check
//! everything typed so far (the same checks publishing runs, in the wizard's order), so a
//! problem is shown next to its field on the step it belongs to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::auth::SlugCheck;
use crate::api::store_console::{
    DriftReport, DriftRow, MasterProduct, OverrideRow, PriceExample, PublishedStore,
    RevertOverride, SaveOverride, StoreCheck, StoreDraft, StoreInput, check_store,
    check_store_slug, load_drift, load_store_draft, preview_pricing, publish_store, search_master,
};
use crate::components::form::{field_error, form_error};
use crate::components::layout::{HubFrame, Site};
use crate::error::ApiError;

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

#[component]
pub fn StoreWizardPage() -> impl IntoView {
    // Loaded once: the wizard's own state lives in signals and is never re-rendered away.
    let draft = Resource::new(|| (), |_| load_store_draft());
    view! {
        <Title text="Your store · Store console"/>
        <HubFrame>
            <section class="section console">
                <div class="container">
                    <ConsoleNav current="store"/>
                    <Transition fallback=|| view! { <p class="muted">"Loading your store…"</p> }>
                        {move || Suspend::new(async move {
                            match draft.await {
                                Ok(d) => view! { <Wizard draft=d/> }.into_any(),
                                Err(e) => access_problem(e),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// One per-product override row of the wizard.
#[derive(Clone, Copy)]
struct Line {
    key: u32,
    sku: RwSignal<String>,
    field: RwSignal<String>,
    value: RwSignal<String>,
}

impl Line {
    fn new(key: u32) -> Self {
        Self {
            key,
            sku: RwSignal::new(String::new()),
            field: RwSignal::new("price".to_owned()),
            value: RwSignal::new(String::new()),
        }
    }
}

/// The wizard's state: one signal per input.
#[derive(Clone, Copy)]
struct Form {
    slug: RwSignal<String>,
    name: RwSignal<String>,
    tagline: RwSignal<String>,
    hero_text: RwSignal<String>,
    primary: RwSignal<String>,
    accent: RwSignal<String>,
    font: RwSignal<String>,
    logo: RwSignal<String>,
    select_all: RwSignal<bool>,
    include_categories: RwSignal<Vec<String>>,
    exclude_categories: RwSignal<Vec<String>>,
    include_products: RwSignal<Vec<MasterProduct>>,
    exclude_products: RwSignal<Vec<MasterProduct>>,
    markup: RwSignal<String>,
    rounding: RwSignal<String>,
    lines: RwSignal<Vec<Line>>,
}

impl Form {
    fn new(s: &StoreInput, chosen: &[MasterProduct]) -> Self {
        let products = |skus: &[String]| -> Vec<MasterProduct> {
            skus.iter()
                .filter_map(|sku| chosen.iter().find(|p| &p.sku == sku).cloned())
                .collect()
        };
        Self {
            slug: RwSignal::new(s.slug.clone()),
            name: RwSignal::new(s.name.clone()),
            tagline: RwSignal::new(s.tagline.clone()),
            hero_text: RwSignal::new(s.hero_text.clone()),
            primary: RwSignal::new(s.primary_color.clone()),
            accent: RwSignal::new(s.accent_color.clone()),
            font: RwSignal::new(s.font.clone()),
            logo: RwSignal::new(s.logo.clone()),
            select_all: RwSignal::new(s.select_all),
            include_categories: RwSignal::new(s.include_categories.clone()),
            exclude_categories: RwSignal::new(s.exclude_categories.clone()),
            include_products: RwSignal::new(products(&s.include_products)),
            exclude_products: RwSignal::new(products(&s.exclude_products)),
            markup: RwSignal::new(s.markup.clone()),
            rounding: RwSignal::new(s.rounding.clone()),
            lines: RwSignal::new(Vec::new()),
        }
    }

    fn input(&self) -> StoreInput {
        let skus = |l: RwSignal<Vec<MasterProduct>>| {
            l.with_untracked(|l| l.iter().map(|p| p.sku.clone()).collect())
        };
        StoreInput {
            slug: self.slug.get_untracked(),
            name: self.name.get_untracked(),
            tagline: self.tagline.get_untracked(),
            hero_text: self.hero_text.get_untracked(),
            primary_color: self.primary.get_untracked(),
            accent_color: self.accent.get_untracked(),
            font: self.font.get_untracked(),
            logo: self.logo.get_untracked(),
            select_all: self.select_all.get_untracked(),
            include_categories: self.include_categories.get_untracked(),
            exclude_categories: self.exclude_categories.get_untracked(),
            include_products: skus(self.include_products),
            exclude_products: skus(self.exclude_products),
            markup: self.markup.get_untracked(),
            rounding: self.rounding.get_untracked(),
            overrides: self.lines.with_untracked(|l| {
                l.iter()
                    .map(|l| OverrideRow {
                        sku: l.sku.get_untracked(),
                        field: l.field.get_untracked(),
                        value: l.value.get_untracked(),
                    })
                    .collect()
            }),
        }
    }
}

/// What the wizard's steps share besides the form.
#[derive(Clone, Copy)]
struct Ui {
    form: Form,
    draft: StoredValue<StoreDraft>,
    /// The last error of a check, a publication or a step's own check.
    error: RwSignal<Option<ApiError>>,
    busy: RwSignal<bool>,
    /// The availability of the address as typed (checked as the user types).
    slug_status: RwSignal<Option<SlugCheck>>,
    /// The hub's objection to the markup as typed (checked as the user types).
    pricing_error: RwSignal<Option<String>>,
    /// Example prices under the pricing rule as typed.
    examples: RwSignal<Vec<PriceExample>>,
}

impl Ui {
    /// The last error's message if it is about one of `fields`.
    fn error_for(&self, fields: &'static [&'static str]) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || {
            error.with(|e| match e {
                Some(e) if e.field().is_some_and(|f| fields.contains(&f)) => Some(e.to_string()),
                _ => None,
            })
        })
    }

    /// Forgets the last error if it was about `fields` (the user is fixing it).
    fn clear(&self, fields: &'static [&'static str]) {
        let stale = self.error.with_untracked(|e| {
            e.as_ref()
                .and_then(ApiError::field)
                .is_some_and(|f| fields.contains(&f))
        });
        if stale {
            self.error.set(None);
        }
    }

    /// What keeps the user on `step`, as far as the browser can tell at once (the server
    /// checks everything again on publishing).
    fn blocker(&self, step: usize) -> Option<ApiError> {
        let f = self.form;
        let invalid = |field: &str, message: String| {
            Some(ApiError::Validation {
                field: field.to_owned(),
                message,
            })
        };
        match step {
            0 => {
                let typed = f.slug.with_untracked(|s| s.trim().to_ascii_lowercase());
                if let Some(c) = self
                    .slug_status
                    .get_untracked()
                    .filter(|c| !c.available && c.slug == typed)
                {
                    return invalid("slug", c.message);
                }
                let name = f.name.with_untracked(|n| n.split_whitespace().count());
                let len = f.name.with_untracked(|n| {
                    n.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .chars()
                        .count()
                });
                if name == 0 || !(2..=120).contains(&len) {
                    return invalid("name", "must be 2 to 120 characters".into());
                }
                None
            }
            1 => {
                if let Some(m) = colour_problem(&f.primary.get_untracked(), "white button text") {
                    return invalid("primary_color", m);
                }
                colour_problem(&f.accent.get_untracked(), "a white page")
                    .and_then(|m| invalid("accent_color", m))
            }
            2 => {
                let nothing = !f.select_all.get_untracked()
                    && f.include_categories.with_untracked(Vec::is_empty)
                    && f.include_products.with_untracked(Vec::is_empty);
                nothing
                    .then(|| {
                        invalid(
                            "selection",
                            "choose at least one category or product to sell, or sell everything"
                                .into(),
                        )
                    })
                    .flatten()
            }
            3 => self
                .pricing_error
                .get_untracked()
                .and_then(|m| invalid("markup", m)),
            _ => None,
        }
    }
}

#[component]
fn Wizard(draft: StoreDraft) -> impl IntoView {
    let form = Form::new(&draft.store, &draft.chosen_products);
    let live = draft.live;
    let can_publish = draft.can_publish;
    let approved = draft.status == "approved";
    let pending = draft.status == "pending";
    let (pill, pill_text) = match (live, draft.status.as_str()) {
        (_, "suspended") => ("pill pill--suspended", "Suspended"),
        (true, _) => ("pill pill--approved", "Live"),
        (false, "approved") => ("pill pill--pending", "Not published yet"),
        _ => ("pill pill--pending", "Awaiting approval"),
    };
    let examples = RwSignal::new(draft.pricing.examples.clone());
    let ui = Ui {
        form,
        examples,
        draft: StoredValue::new(draft),
        error: RwSignal::new(None),
        busy: RwSignal::new(false),
        slug_status: RwSignal::new(None),
        pricing_error: RwSignal::new(None),
    };
    let step = RwSignal::new(0_usize);
    // How far the user may jump with the step indicator: everything when editing a live store.
    let reached = RwSignal::new(if live { LAST } else { 0 });
    let review = Review {
        summary: RwSignal::new(None),
        problem: RwSignal::new(None),
        checking: RwSignal::new(false),
    };
    let published: RwSignal<Option<PublishedStore>> = RwSignal::new(None);

    let go = move |n: usize| {
        step.set(n);
        reached.update(|r| *r = (*r).max(n));
        #[cfg(feature = "hydrate")]
        window().scroll_to_with_x_and_y(0.0, 0.0);
    };
    // Arriving at the review: the server checks everything and tells what the store offers.
    Effect::new(move |_| {
        if step.get() != LAST {
            return;
        }
        review.checking.set(true);
        review.problem.set(None);
        let input = form.input();
        spawn_local(async move {
            let result = check_store(input).await;
            review.checking.set(false);
            match result {
                Ok(s) => review.summary.set(Some(s)),
                Err(e) => {
                    review.summary.set(None);
                    review.problem.set(Some(e.clone()));
                    if e.field().is_some() {
                        ui.error.set(Some(e));
                    }
                }
            }
        });
    });
    // Steps move at once; a step whose problems only the server can see (the per-product
    // overrides) is checked before leaving it.
    let next = move |_| {
        if ui.busy.get_untracked() {
            return;
        }
        let current = step.get_untracked();
        if let Some(e) = ui.blocker(current) {
            ui.error.set(Some(e));
            return;
        }
        let has_lines = form.lines.with_untracked(|l| {
            l.iter().any(|x| {
                !x.sku.with_untracked(|s| s.trim().is_empty())
                    || !x.value.with_untracked(|s| s.trim().is_empty())
            })
        });
        if current == 4 && has_lines {
            ui.busy.set(true);
            let input = form.input();
            spawn_local(async move {
                let result = check_store(input).await;
                ui.busy.set(false);
                match result {
                    Ok(_) => {
                        ui.error.set(None);
                        go(current + 1);
                    }
                    Err(e) => {
                        if let Some(s) = e.field().map(step_of).filter(|s| *s < LAST) {
                            step.set(s);
                        }
                        ui.error.set(Some(e));
                    }
                }
            });
            return;
        }
        ui.error.set(None);
        go(current + 1);
    };
    let back = move |_| {
        let current = step.get_untracked();
        if current > 0 {
            step.set(current - 1);
        }
    };
    let publish = move |_| {
        if ui.busy.get_untracked() {
            return;
        }
        ui.busy.set(true);
        ui.error.set(None);
        let input = form.input();
        spawn_local(async move {
            let result = publish_store(input).await;
            ui.busy.set(false);
            match result {
                Ok(p) => published.set(Some(p)),
                Err(e) => {
                    if let Some(s) = e.field().map(step_of).filter(|s| *s < LAST) {
                        step.set(s);
                    }
                    ui.error.set(Some(e));
                }
            }
        });
    };
    let title = if live {
        "Edit your store"
    } else {
        "Set up your store"
    };
    let general_error = Signal::derive(move || {
        ui.error.with(|e| match e {
            Some(e) if e.field().is_none() => Some(e.to_string()),
            _ => None,
        })
    });
    let panel = move |i: usize| move || step.get() != i;

    view! {
        <div class="wizard" id="wizard" hidden=move || published.get().is_some()>
            <header class="console-head">
                <div>
                    <p class="eyebrow">"Store console"</p>
                    <h1>{title}</h1>
                    <p class="muted">
                        {if live {
                            "Your store is live. Change anything below and publish again; customers see it at once."
                        } else {
                            "Six short steps and your store opens to customers. You can change everything later."
                        }}
                    </p>
                </div>
                <span class=pill data-testid="store-state">{pill_text}</span>
            </header>
            {pending.then(|| view! {
                <div class="banner banner--pending" role="status">
                    <strong>"Awaiting approval. "</strong>
                    "Prepare your store now; you can publish it as soon as the hub's partner team approves your application."
                </div>
            })}
            {(!can_publish).then(|| view! {
                <div class="banner banner--info" role="status">
                    "You can look through the settings; only the store's administrator can change and publish them."
                </div>
            })}
            <ol class="wizard-steps" aria-label="Steps">
                {STEPS.into_iter().enumerate().map(|(i, (name, about))| view! {
                    <li class=move || {
                        let s = step.get();
                        let state = if s == i { " is-current" } else if i <= reached.get() { " is-done" } else { "" };
                        format!("wizard-steps__item{state}")
                    }>
                        <button type="button" class="wizard-steps__button"
                            aria-current=move || (step.get() == i).then_some("step")
                            disabled=move || { i > reached.get() || ui.busy.get() }
                            on:click=move |_| step.set(i)
                        >
                            <span class="wizard-steps__n" aria-hidden="true">{i + 1}</span>
                            <span class="wizard-steps__text">
                                <span class="wizard-steps__name">{name}</span>
                                <span class="wizard-steps__about">{about}</span>
                            </span>
                        </button>
                    </li>
                }).collect_view()}
            </ol>
            <div class="wizard__layout">
                <div class="wizard__main card">
                    <section class="wizard__panel" hidden=panel(0) aria-labelledby="step-0">
                        <AddressStep ui/>
                    </section>
                    <section class="wizard__panel" hidden=panel(1) aria-labelledby="step-1">
                        <BrandingStep ui/>
                    </section>
                    <section class="wizard__panel" hidden=panel(2) aria-labelledby="step-2">
                        <CatalogStep ui/>
                    </section>
                    <section class="wizard__panel" hidden=panel(3) aria-labelledby="step-3">
                        <PricingStep ui/>
                    </section>
                    <section class="wizard__panel" hidden=panel(4) aria-labelledby="step-4">
                        <OverridesStep ui/>
                    </section>
                    <section class="wizard__panel" hidden=panel(LAST) aria-labelledby="step-5">
                        <ReviewStep ui review go_to=Callback::new(move |s: usize| step.set(s))/>
                    </section>
                    <p class="form__error" role="alert" data-testid="wizard-error">{general_error}</p>
                    // Rendered only where they apply, so what is on the page is what can be used.
                    <div class="wizard__nav">
                        {move || (step.get() > 0).then(|| view! {
                            <button type="button" class="button button--ghost" data-testid="wizard-back"
                                disabled=move || ui.busy.get()
                                on:click=back
                            >"← Back"</button>
                        })}
                        <span class="wizard__count muted small">{move || format!("Step {} of {}", step.get() + 1, STEPS.len())}</span>
                        {move || if step.get() == LAST {
                            view! {
                                <button type="button" class="button button--large" data-testid="wizard-publish"
                                    disabled=move || ui.busy.get() || !can_publish || !approved
                                    on:click=publish
                                >{move || if ui.busy.get() { "Publishing…" } else if live { "Publish changes" } else { "Publish my store" }}</button>
                            }.into_any()
                        } else {
                            view! {
                                <button type="button" class="button" data-testid="wizard-next"
                                    disabled=move || ui.busy.get()
                                    on:click=next
                                >{move || if ui.busy.get() { "Checking…" } else { "Next →" }}</button>
                            }.into_any()
                        }}
                    </div>
                </div>
                <aside class="wizard__aside" aria-label="Preview">
                    <Preview ui/>
                </aside>
            </div>
        </div>
        {move || published.get().map(|p| view! { <Live published=p/> })}
    }
}

/// The review step's check of everything typed.
#[derive(Clone, Copy)]
struct Review {
    summary: RwSignal<Option<StoreCheck>>,
    problem: RwSignal<Option<ApiError>>,
    checking: RwSignal<bool>,
}

#[component]
fn AddressStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (scheme, suffix, current_slug, current_name) = ui.draft.with_value(|d| {
        (
            d.scheme.clone(),
            d.address_suffix.clone(),
            d.current_slug.clone(),
            d.current_name.clone(),
        )
    });
    let status = ui.slug_status;
    let on_slug = move |ev| {
        let v = event_target_value(&ev);
        f.slug.set(v.clone());
        ui.clear(&["slug"]);
        let wanted = v.trim().to_ascii_lowercase();
        if wanted.len() < 3 {
            status.set(Some(SlugCheck {
                slug: wanted,
                available: false,
                message: "must be 3 to 63 characters long".into(),
            }));
            return;
        }
        spawn_local(async move {
            if let Ok(c) = check_store_slug(v).await
                // Answers can overtake each other: keep the one for what is typed now.
                && c.slug == f.slug.get_untracked().trim().to_ascii_lowercase()
            {
                status.set(Some(c));
            }
        });
    };
    let moving = {
        let current = current_slug.clone();
        move || {
            let s = f.slug.get().trim().to_ascii_lowercase();
            !s.is_empty() && s != current
        }
    };
    let renamed = {
        let current = current_name.clone();
        move || {
            f.name
                .get()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                != current
        }
    };
    let slug_error = ui.error_for(&["slug"]);
    let name_error = ui.error_for(&["name"]);
    let tagline_error = ui.error_for(&["tagline"]);
    let initial = f.slug.get_untracked();
    let suffix_shown = suffix.clone();
    view! {
        <h2 id="step-0">"Your store's address and name"</h2>
        <p class="muted">"Customers reach your store at its own address. Pick something short they will remember."</p>
        <div class="field">
            <label for="slug">"Store address"</label>
            <div class="affix" aria-invalid=move || slug_error.get().is_some().to_string()>
                <span class="affix__text">{format!("{scheme}://")}</span>
                <input id="slug" name="slug" autocomplete="off" spellcheck="false" autocapitalize="none"
                    value=initial aria-describedby="slug-status slug-error"
                    on:input=on_slug/>
                <span class="affix__text">{suffix_shown}</span>
            </div>
            <p class="field__status" id="slug-status" data-testid="slug-status" aria-live="polite">
                {move || status.get().map(|c| view! {
                    <span class=if c.available { "ok" } else { "bad" }>{c.message}</span>
                })}
            </p>
            {move || moving().then(|| view! {
                <p class="field__hint">"Moving your store changes its address at once: the old one stops working, and you log in again at the new one."</p>
            })}
            <p class="field__error" id="slug-error" role="alert">{slug_error}</p>
        </div>
        <div class="field">
            <label for="store-name">"Store name"</label>
            <input id="store-name" name="store-name" autocomplete="organization"
                value=f.name.get_untracked()
                aria-invalid=move || name_error.get().is_some().to_string()
                on:input=move |ev| { f.name.set(event_target_value(&ev)); ui.clear(&["name"]); }/>
            {move || renamed().then(|| view! {
                <p class="field__hint" data-testid="name-note">
                    "Your store takes the new name when you publish: its header, page titles and the hub's partner list show it from then on."
                </p>
            })}
            <p class="field__error" role="alert">{name_error}</p>
        </div>
        <div class="field">
            <label for="tagline">"Tagline " <span class="muted small">"(optional)"</span></label>
            <input id="tagline" name="tagline" maxlength="160" placeholder="Tools for people who build things"
                value=f.tagline.get_untracked()
                aria-invalid=move || tagline_error.get().is_some().to_string()
                on:input=move |ev| { f.tagline.set(event_target_value(&ev)); ui.clear(&["tagline"]); }/>
            <p class="field__hint">{move || format!("One line under your name. {} of 160 characters.", f.tagline.with(|t| t.chars().count()))}</p>
            <p class="field__error" role="alert">{tagline_error}</p>
        </div>
    }
}

#[component]
fn ColourField(
    ui: Ui,
    id: &'static str,
    field: &'static [&'static str],
    label: &'static str,
    hint: &'static str,
    against: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let server_error = ui.error_for(field);
    let problem = Signal::derive(move || {
        colour_problem(&value.get(), against).or_else(|| server_error.get())
    });
    let contrast = move || contrast_on_white(&value.get().trim().to_ascii_lowercase());
    let picker = format!("{id}-picker");
    let error_id = format!("{id}-error");
    view! {
        <div class="field colour-field">
            <label for=id>{label}</label>
            <div class="colour-field__row">
                <input type="color" id=picker.clone() class="colour-field__picker" aria-label=format!("{label}: colour picker")
                    value=value.get_untracked()
                    prop:value=move || { let c = value.get().trim().to_ascii_lowercase(); if valid_hex(&c) { c } else { "#000000".to_owned() } }
                    on:input=move |ev| { value.set(event_target_value(&ev)); ui.clear(field); }/>
                <input id=id name=id class="colour-field__hex" spellcheck="false" autocomplete="off" maxlength="7"
                    value=value.get_untracked()
                    prop:value=move || value.get()
                    aria-describedby=error_id.clone()
                    aria-invalid=move || problem.get().is_some().to_string()
                    on:input=move |ev| { value.set(event_target_value(&ev)); ui.clear(field); }/>
                {move || contrast().filter(|x| *x >= 450).map(|x| view! {
                    <span class="contrast-ok" title="Contrast against white">{format!("✓ {}", ratio(x))}</span>
                })}
            </div>
            <p class="field__hint">{hint}</p>
            <p class="field__error" id=error_id role="alert">{problem}</p>
        </div>
    }
}

#[component]
fn BrandingStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let fonts = ui.draft.with_value(|d| d.fonts.clone());
    let can_upload = ui.draft.with_value(|d| d.can_publish);
    let initial_font = f.font.get_untracked();
    let logo_form: NodeRef<leptos::html::Form> = NodeRef::new();
    let uploading = RwSignal::new(false);
    let upload_error: RwSignal<Option<String>> = RwSignal::new(None);
    let upload = move || {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = logo_form.get_untracked() else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&el) else {
                return;
            };
            uploading.set(true);
            upload_error.set(None);
            ui.clear(&["logo", "image"]);
            spawn_local(async move {
                match crate::api::store_console::upload_logo(data.into()).await {
                    Ok(name) => f.logo.set(name),
                    Err(e) => upload_error.set(Some(e.to_string())),
                }
                uploading.set(false);
            });
        }
    };
    let logo_error = ui.error_for(&["logo", "image"]);
    let font_error = ui.error_for(&["font"]);
    let hero_error = ui.error_for(&["hero_text"]);
    view! {
        <h2 id="step-1">"Make it yours"</h2>
        <p class="muted">"Your logo, colours and type set the look of every page of your store. The preview follows as you go."</p>
        <div class="field">
            <span class="field__label">"Logo"</span>
            <div class="logo-field">
                <div class="logo-field__current">
                    {move || {
                        let name = f.logo.get();
                        if name.is_empty() {
                            view! { <span class="logo-field__empty" aria-hidden="true">"No logo"</span> }.into_any()
                        } else {
                            view! { <img src=format!("/media/{name}") alt="Your logo" data-testid="logo-preview"/> }.into_any()
                        }
                    }}
                </div>
                <form node_ref=logo_form class="logo-field__form" on:submit=move |ev| ev.prevent_default()>
                    <label class="button button--ghost button--small logo-field__pick"
                        class:is-disabled=move || !can_upload || uploading.get()>
                        {move || if uploading.get() { "Uploading…" } else { "Upload a logo" }}
                        <input id="logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp"
                            class="visually-hidden" disabled=move || !can_upload || uploading.get()
                            on:change=move |_| upload()/>
                    </label>
                    {move || (!f.logo.get().is_empty() && can_upload).then(|| view! {
                        <button type="button" class="button button--ghost button--small"
                            on:click=move |_| f.logo.set(String::new())>"Remove"</button>
                    })}
                </form>
            </div>
            <p class="field__hint">"PNG, JPEG or WebP. A square image of at least 128 × 128 pixels looks best."</p>
            <p class="field__error" role="alert">{move || upload_error.get().or_else(|| logo_error.get())}</p>
        </div>
        <div class="colour-pair">
            <ColourField ui id="primary-color" field=&["primary_color"] label="Primary colour"
                hint="The header and buttons, with white text on it." against="white button text" value=f.primary/>
            <ColourField ui id="accent-color" field=&["accent_color"] label="Accent colour"
                hint="Links and prices, on a white page." against="a white page" value=f.accent/>
        </div>
        <div class="field">
            <label for="font">"Typeface"</label>
            <select id="font" name="font" on:change=move |ev| { f.font.set(event_target_value(&ev)); ui.clear(&["font"]); }>
                {fonts.into_iter().map(|o| {
                    let selected = o.value == initial_font;
                    view! { <option value=o.value selected=selected style=format!("font-family: {}", o.stack)>{o.label}</option> }
                }).collect_view()}
            </select>
            <p class="field__hint">"System fonts only: fast, and nothing is loaded from third parties."</p>
            <p class="field__error" role="alert">{font_error}</p>
        </div>
        <div class="field">
            <label for="hero-text">"Welcome text " <span class="muted small">"(optional)"</span></label>
            <textarea id="hero-text" name="hero-text" rows="4" maxlength="400"
                placeholder="What makes your store worth a visit?"
                prop:value=move || f.hero_text.get()
                aria-invalid=move || hero_error.get().is_some().to_string()
                on:input=move |ev| { f.hero_text.set(event_target_value(&ev)); ui.clear(&["hero_text"]); }
            ></textarea>
            <p class="field__hint">{move || format!("Shown large on your home page. {} of 400 characters.", f.hero_text.with(|t| t.chars().count()))}</p>
            <p class="field__error" role="alert">{hero_error}</p>
        </div>
    }
}

#[component]
fn CatalogStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (categories, total) = ui
        .draft
        .with_value(|d| (d.categories.clone(), d.master_products));
    let query = RwSignal::new(String::new());
    let results: RwSignal<Vec<MasterProduct>> = RwSignal::new(Vec::new());
    let on_search = move |ev| {
        let q = event_target_value(&ev);
        query.set(q.clone());
        if q.trim().is_empty() {
            results.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = search_master(q.clone()).await
                && query.get_untracked() == q
            {
                results.set(found);
            }
        });
    };
    let toggle =
        move |list: RwSignal<Vec<String>>, other: RwSignal<Vec<String>>, id: String, on: bool| {
            list.update(|l| {
                l.retain(|x| *x != id);
                if on {
                    l.push(id.clone());
                }
            });
            if on {
                other.update(|l| l.retain(|x| *x != id));
            }
            ui.clear(&["selection"]);
        };
    let choose = move |p: MasterProduct, include: bool| {
        let (into, from) = if include {
            (f.include_products, f.exclude_products)
        } else {
            (f.exclude_products, f.include_products)
        };
        from.update(|l| l.retain(|x| x.sku != p.sku));
        into.update(|l| {
            if !l.iter().any(|x| x.sku == p.sku) {
                l.push(p);
            }
        });
        ui.clear(&["selection"]);
    };
    let selection_error = ui.error_for(&["selection"]);
    let initial_all = f.select_all.get_untracked();
    let has_categories = !categories.is_empty();
    view! {
        <h2 id="step-2">"Choose what you sell"</h2>
        <p class="muted">{format!("The hub's catalog has {total} products. Sell all of them, or pick categories and products.")}</p>
        <fieldset class="choice-cards">
            <legend class="visually-hidden">"What to sell"</legend>
            <label class="choice-card">
                <input type="radio" name="select-mode" id="select-all" value="all"
                    checked=initial_all prop:checked=move || f.select_all.get()
                    on:change=move |_| { f.select_all.set(true); ui.clear(&["selection"]); }/>
                <span>
                    <strong>"Everything"</strong>
                    <span class="muted small">"The whole catalog, including products the hub adds later. Exclude what does not fit."</span>
                </span>
            </label>
            <label class="choice-card">
                <input type="radio" name="select-mode" id="select-chosen" value="chosen"
                    checked=!initial_all prop:checked=move || !f.select_all.get()
                    on:change=move |_| { f.select_all.set(false); ui.clear(&["selection"]); }/>
                <span>
                    <strong>"Chosen categories and products"</strong>
                    <span class="muted small">"Only what you include below. New products appear when they are in a category you include."</span>
                </span>
            </label>
        </fieldset>
        <h3 class="subhead">"Categories"</h3>
        {if has_categories {
            view! {
                <div class="table-wrap">
                    <table class="table category-table" data-testid="category-table">
                        <thead><tr><th>"Category"</th><th class="center">"Include"</th><th class="center">"Exclude"</th></tr></thead>
                        <tbody>
                            {categories.into_iter().map(|c| {
                                let (inc_id, exc_id) = (c.id.clone(), c.id.clone());
                                let (inc_on, exc_on) = (c.id.clone(), c.id.clone());
                                let initially_in = f.include_categories.with_untracked(|l| l.contains(&c.id));
                                let initially_out = f.exclude_categories.with_untracked(|l| l.contains(&c.id));
                                view! {
                                    <tr>
                                        <td style=format!("padding-left: {}rem", 1.0 + f64::from(c.depth) * 1.25)>
                                            {(c.depth > 0).then(|| view! { <span class="muted" aria-hidden="true">"↳ "</span> })}
                                            {c.name.clone()}
                                        </td>
                                        <td class="center">
                                            <input type="checkbox" aria-label=format!("Include {}", c.name)
                                                checked=initially_in
                                                prop:checked=move || !f.select_all.get() && f.include_categories.with(|l| l.contains(&inc_on))
                                                disabled=move || f.select_all.get()
                                                title=move || if f.select_all.get() { "Everything is included already" } else { "" }
                                                on:change=move |ev| toggle(f.include_categories, f.exclude_categories, inc_id.clone(), event_target_checked(&ev))/>
                                        </td>
                                        <td class="center">
                                            <input type="checkbox" aria-label=format!("Exclude {}", c.name)
                                                checked=initially_out
                                                prop:checked=move || f.exclude_categories.with(|l| l.contains(&exc_on))
                                                on:change=move |ev| toggle(f.exclude_categories, f.include_categories, exc_id.clone(), event_target_checked(&ev))/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        } else {
            view! { <p class="muted">"The hub's catalog has no categories yet."</p> }.into_any()
        }}
        <h3 class="subhead">"Single products"</h3>
        <p class="muted small">"A rule on a product beats its category's: include a product from an excluded category, or leave one out."</p>
        <div class="field">
            <label for="product-search" class="visually-hidden">"Find products"</label>
            <input id="product-search" type="search" placeholder="Search the catalog by name or SKU" autocomplete="off"
                on:input=on_search/>
        </div>
        {move || {
            let found = results.get();
            (!found.is_empty()).then(|| view! {
                <ul class="product-results" data-testid="product-results">
                    {found.into_iter().map(|p| {
                        let (a, b) = (p.clone(), p.clone());
                        view! {
                            <li>
                                <span class="product-results__name">
                                    <strong>{p.name.clone()}</strong>
                                    <span class="muted small">{p.sku.clone()} {p.category.clone().map(|c| format!(" · {c}"))} " · " {p.price.clone()}</span>
                                </span>
                                <span class="product-results__actions">
                                    <button type="button" class="button button--small" on:click=move |_| choose(a.clone(), true)>"Include"</button>
                                    <button type="button" class="button button--ghost button--small" on:click=move |_| choose(b.clone(), false)>"Exclude"</button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
        {move || (!query.get().trim().is_empty() && results.with(Vec::is_empty)).then(|| view! {
            <p class="muted small">"No products match."</p>
        })}
        <div class="chosen">
            <Chosen title="Always included" list=f.include_products ui/>
            <Chosen title="Left out" list=f.exclude_products ui/>
        </div>
        <p class="field__error" role="alert" data-testid="selection-error">{selection_error}</p>
    }
}

#[component]
fn Chosen(title: &'static str, list: RwSignal<Vec<MasterProduct>>, ui: Ui) -> impl IntoView {
    view! {
        <div class="chosen__group">
            <h4>{title} <span class="muted">{move || format!(" ({})", list.with(Vec::len))}</span></h4>
            {move || {
                let items = list.get();
                if items.is_empty() {
                    view! { <p class="muted small">"None."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips">
                            {items.into_iter().map(|p| {
                                let sku = p.sku.clone();
                                view! {
                                    <li class="chip">
                                        <span title=p.name.clone()>{p.sku.clone()}</span>
                                        <button type="button" class="chip__remove" aria-label=format!("Remove {}", p.sku)
                                            on:click=move |_| { list.update(|l| l.retain(|x| x.sku != sku)); ui.clear(&["selection"]); }>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn PricingStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let policy = ui.draft.with_value(|d| d.policy.clone());
    let examples = ui.examples;
    let preview_error = ui.pricing_error;
    let refresh = move || {
        let (m, r) = (f.markup.get_untracked(), f.rounding.get_untracked());
        ui.clear(&["markup", "rounding"]);
        spawn_local(async move {
            let result = preview_pricing(m.clone(), r.clone()).await;
            // Keep only the answer for what is typed now.
            if f.markup.get_untracked() != m || f.rounding.get_untracked() != r {
                return;
            }
            match result {
                Ok(p) => {
                    examples.set(p.examples);
                    preview_error.set(None);
                }
                Err(e) => preview_error.set(Some(e.to_string())),
            }
        });
    };
    let server_error = ui.error_for(&["markup", "rounding"]);
    let markup_error = Signal::derive(move || preview_error.get().or_else(|| server_error.get()));
    let initial_rounding = f.rounding.get_untracked();
    view! {
        <h2 id="step-3">"Set your prices"</h2>
        <p class="muted">"Your prices follow the hub's list prices with your markup. Change single prices on the next step."</p>
        <div class="pricing-grid">
            <div class="field">
                <label for="markup">"Markup on list prices"</label>
                <div class="affix affix--short" aria-invalid=move || markup_error.get().is_some().to_string()>
                    <input id="markup" name="markup" inputmode="decimal" autocomplete="off"
                        value=f.markup.get_untracked()
                        aria-describedby="markup-hint markup-error"
                        on:input=move |ev| { f.markup.set(event_target_value(&ev)); refresh(); }/>
                    <span class="affix__text">"%"</span>
                </div>
                <p class="field__hint" id="markup-hint">
                    {format!("The hub allows {} to {} ({} %–{} % of the list price). Use a negative number for a discount.",
                        policy.markup_min, policy.markup_max, policy.price_min_pct, policy.price_max_pct)}
                </p>
                <p class="field__error" id="markup-error" role="alert" data-testid="markup-error">{markup_error}</p>
            </div>
            <div class="field">
                <label for="rounding">"Rounding"</label>
                <select id="rounding" name="rounding" on:change=move |ev| { f.rounding.set(event_target_value(&ev)); refresh(); }>
                    {ROUNDINGS.into_iter().map(|(value, label)| view! {
                        <option value=value selected=value == initial_rounding>{label}</option>
                    }).collect_view()}
                </select>
                <p class="field__hint">"Applied after the markup."</p>
            </div>
        </div>
        <h3 class="subhead">"Examples"</h3>
        <div class="table-wrap">
            <table class="table price-examples" class:is-stale=move || markup_error.get().is_some() data-testid="price-examples">
                <thead><tr><th>"Product"</th><th class="num">"List price"</th><th class="num">"Your price"</th></tr></thead>
                <tbody>
                    {move || examples.get().into_iter().map(|e| view! {
                        <tr>
                            <td>{e.name} {(!e.sku.is_empty()).then(|| view! { <span class="muted small">" · " {e.sku.clone()}</span> })}</td>
                            <td class="num muted">{e.list}</td>
                            <td class="num"><strong>{e.price}</strong></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn OverridesStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (fields, existing) = ui
        .draft
        .with_value(|d| (d.policy.fields.clone(), d.override_count));
    let fields = StoredValue::new(fields);
    let next_key = StoredValue::new(0_u32);
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        f.lines.update(|l| l.push(Line::new(key)));
    };
    let error = ui.error_for(&["overrides"]);
    view! {
        <h2 id="step-4">"Change single products " <span class="muted small">"(optional)"</span></h2>
        <p class="muted">"Give a product your own price, name or description, feature it or hide it. The hub's range for prices applies; fields it locked cannot be changed."</p>
        {(existing > 0).then(|| view! {
            <p class="banner banner--info">
                {format!("Your store already has {existing} change(s) to single products. They stay as they are; ")}
                <a href="/console/catalog">"review them on the catalog page"</a> "."
            </p>
        })}
        <div class="table-wrap">
            <table class="table override-table">
                <thead><tr><th>"SKU"</th><th>"Field"</th><th>"New value"</th><th><span class="visually-hidden">"Remove"</span></th></tr></thead>
                <tbody>
                    <For each=move || f.lines.get() key=|l| l.key let:line>
                        <tr>
                            <td><input class="input" aria-label="SKU" placeholder="e.g. DR-1" autocomplete="off"
                                on:input=move |ev| { line.sku.set(event_target_value(&ev)); ui.clear(&["overrides"]); }/></td>
                            <td>
                                <select class="input" aria-label="Field" on:change=move |ev| { line.field.set(event_target_value(&ev)); ui.clear(&["overrides"]); }>
                                    {fields.get_value().into_iter().map(|o| {
                                        let label = if o.locked { format!("{} (locked by the hub)", o.label) } else { o.label.clone() };
                                        view! { <option value=o.value.clone() disabled=o.locked selected=o.value == "price">{label}</option> }
                                    }).collect_view()}
                                </select>
                            </td>
                            <td><input class="input" aria-label="New value" autocomplete="off"
                                placeholder=move || value_hint(&line.field.get())
                                on:input=move |ev| { line.value.set(event_target_value(&ev)); ui.clear(&["overrides"]); }/></td>
                            <td class="table__actions">
                                <button type="button" class="button button--ghost button--small" aria-label="Remove this row"
                                    on:click=move |_| f.lines.update(|l| l.retain(|x| x.key != line.key))>"×"</button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
        {move || f.lines.with(Vec::is_empty).then(|| view! {
            <p class="muted small">"No changes. That's fine: your store shows the hub's products with your pricing."</p>
        })}
        <button type="button" class="button button--ghost button--small" data-testid="add-override" on:click=add>"+ Add a change"</button>
        <p class="field__error" role="alert" data-testid="overrides-error">{error}</p>
    }
}

#[component]
fn ReviewStep(ui: Ui, review: Review, go_to: Callback<usize>) -> impl IntoView {
    let f = ui.form;
    let (scheme, suffix, fonts) = ui
        .draft
        .with_value(|d| (d.scheme.clone(), d.address_suffix.clone(), d.fonts.clone()));
    let address = move || {
        format!(
            "{scheme}://{}{suffix}",
            f.slug.get().trim().to_ascii_lowercase()
        )
    };
    let font_label = move || {
        let v = f.font.get();
        fonts
            .iter()
            .find(|o| o.value == v)
            .map(|o| o.label.clone())
            .unwrap_or(v)
    };
    let rounding_label = move || {
        let v = f.rounding.get();
        ROUNDINGS
            .iter()
            .find(|(k, _)| *k == v)
            .map_or("", |(_, l)| *l)
    };
    let selection = move || {
        let (ic, ec) = (
            f.include_categories.with(Vec::len),
            f.exclude_categories.with(Vec::len),
        );
        let (ip, ep) = (
            f.include_products.with(Vec::len),
            f.exclude_products.with(Vec::len),
        );
        let base = if f.select_all.get() {
            "Everything".to_owned()
        } else {
            format!("{ic} categor{}", if ic == 1 { "y" } else { "ies" })
        };
        let mut parts = vec![base];
        if ip > 0 {
            parts.push(format!("+{ip} product(s)"));
        }
        if ec + ep > 0 {
            parts.push(format!("{} excluded", ec + ep));
        }
        parts.join(", ")
    };
    let markup = move || {
        let m = f.markup.get();
        let m = m.trim().trim_end_matches('%').trim();
        match m {
            "" | "0" => "No markup".to_owned(),
            m if m.starts_with('-') => format!("{m} %"),
            m => format!("+{} %", m.trim_start_matches('+')),
        }
    };
    let swatch = |c: RwSignal<String>| {
        view! { <span class="swatch" style=move || format!("background: {}", if valid_hex(c.get().trim()) { c.get() } else { "transparent".into() })></span> }
    };
    view! {
        <h2 id="step-5">"Ready to go live?"</h2>
        <p class="muted">"Check the essentials. Publishing applies everything at once."</p>
        <dl class="review">
            <div><dt>"Address"</dt><dd data-testid="review-address">{address}</dd></div>
            <div><dt>"Name"</dt><dd>{move || f.name.get()}</dd></div>
            <div><dt>"Colours"</dt><dd>{swatch(f.primary)} {move || f.primary.get()} " " {swatch(f.accent)} {move || f.accent.get()}</dd></div>
            <div><dt>"Typeface"</dt><dd>{font_label}</dd></div>
            <div><dt>"Catalog"</dt><dd>{selection}</dd></div>
            <div><dt>"Pricing"</dt><dd>{markup} " · " {rounding_label}</dd></div>
            <div><dt>"Single-product changes"</dt><dd>{move || f.lines.with(|l| l.iter().filter(|x| !x.sku.get().trim().is_empty()).count())}</dd></div>
        </dl>
        {move || review.checking.get().then(|| view! {
            <p class="review__effect review__effect--checking muted" role="status">"Checking your store…"</p>
        })}
        {move || review.summary.get().filter(|_| !review.checking.get()).map(|s| view! {
            <p class="review__effect" data-testid="review-effect" role="status">
                "✓ All set: " <strong>{s.products}</strong> {if s.products == 1 { " product" } else { " products" }}
                " in " <strong>{s.categories}</strong> {if s.categories == 1 { " category" } else { " categories" }}
                " will be on sale."
            </p>
        })}
        {move || review.problem.get().filter(|_| !review.checking.get()).map(|e| {
            let at = e.field().map(step_of).filter(|s| *s < LAST);
            view! {
                <div class="review__problem" role="alert" data-testid="review-problem">
                    <span>
                        {at.map(|s| view! { <strong>{format!("{}: ", STEPS[s].0)}</strong> })}
                        {e.to_string()}
                    </span>
                    {at.map(|s| view! {
                        <button type="button" class="button button--small" on:click=move |_| go_to.run(s)>"Fix it"</button>
                    })}
                </div>
            }
        })}
    }
}

/// The live look of the store as the branding stands.
#[component]
fn Preview(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let fonts = ui.draft.with_value(|d| d.fonts.clone());
    // A middle-priced example, at the price the rule as typed gives it.
    let sample = move || ui.examples.with(|e| e.get(e.len() / 2).cloned());
    let style = move || {
        let pick = |c: String, fallback: &str| {
            let c = c.trim().to_ascii_lowercase();
            if valid_hex(&c) {
                c
            } else {
                fallback.to_owned()
            }
        };
        let v = f.font.get();
        let stack = fonts
            .iter()
            .find(|o| o.value == v)
            .map(|o| o.stack.clone())
            .unwrap_or_default();
        format!(
            "--p: {}; --a: {}; font-family: {}",
            pick(f.primary.get(), "#1f3a5f"),
            pick(f.accent.get(), "#b4461f"),
            if stack.is_empty() {
                "inherit".to_owned()
            } else {
                stack
            }
        )
    };
    let name = move || {
        let n = f.name.get();
        if n.trim().is_empty() {
            "Your store".to_owned()
        } else {
            n
        }
    };
    view! {
        <p class="eyebrow">"Preview"</p>
        <div class="store-preview card" style=style data-testid="store-preview">
            <div class="store-preview__bar">
                {move || {
                    let logo = f.logo.get();
                    if logo.is_empty() {
                        view! { <span class="store-preview__mark">{name().chars().next().unwrap_or('S').to_string()}</span> }.into_any()
                    } else {
                        view! { <img class="store-preview__logo" src=format!("/media/{logo}") alt=""/> }.into_any()
                    }
                }}
                <span class="store-preview__name">{name}</span>
                <span class="store-preview__cart">"Cart"</span>
            </div>
            <div class="store-preview__hero">
                <p class="store-preview__tagline">{move || { let t = f.tagline.get(); if t.trim().is_empty() { "Your tagline".to_owned() } else { t } }}</p>
                <p class="store-preview__text">{move || { let t = f.hero_text.get(); if t.trim().is_empty() { "Your welcome text appears here.".to_owned() } else { t } }}</p>
                <span class="store-preview__button">"Shop now"</span>
            </div>
            <div class="store-preview__product">
                <span class="store-preview__thumb" aria-hidden="true"></span>
                <span>
                    <span class="store-preview__pname">{move || sample().map_or_else(|| "Example product".to_owned(), |s| s.name)}</span>
                    <span class="store-preview__price">{move || sample().map(|s| s.price)}</span>
                </span>
                <a class="store-preview__link" href="#wizard" on:click=|ev| ev.prevent_default()>"Details →"</a>
            </div>
        </div>
        <p class="muted small">"White text sits on the primary colour; the accent colour is used on white. Both need a contrast of at least 4.5:1."</p>
    }
}

#[component]
fn Live(published: PublishedStore) -> impl IntoView {
    let p = published;
    view! {
        <div class="card live-card" data-testid="store-live" role="status">
            <div class="live-card__badge" aria-hidden="true">"✓"</div>
            <p class="eyebrow">"Published"</p>
            <h1>"Your store is live"</h1>
            <p class="live-card__lead">
                "Customers can shop at " <a href=p.url.clone() data-testid="store-url">{p.url.clone()}</a>
                {format!(" — {} product{} on sale.", p.products, if p.products == 1 { "" } else { "s" })}
            </p>
            {p.slug_changed.then(|| view! {
                <div class="banner banner--pending" data-testid="moved-notice">
                    <strong>"Your store has a new address. "</strong>
                    "Log-ins belong to one address, so this page's session ends here: log in again at "
                    <a href=p.login_url.clone()>{p.login_url.clone()}</a> " to keep working on your store."
                </div>
            })}
            {p.renamed.then(|| view! {
                <p class="muted" data-testid="renamed-notice">{format!("Your store is now called “{}”.", p.name)}</p>
            })}
            <div class="live-card__actions">
                <a class="button button--large" href=p.url.clone() target="_blank" rel="noopener">"Visit your store ↗"</a>
                {if p.slug_changed {
                    view! { <a class="button button--ghost button--large" href=p.login_url.clone()>"Log in at the new address"</a> }.into_any()
                } else {
                    view! {
                        <a class="button button--ghost button--large" href="/console/catalog">"Review catalog overrides"</a>
                        <a class="button button--ghost button--large" href="/console/store">"Edit again"</a>
                    }.into_any()
                }}
            </div>
        </div>
    }
}

// ---------------------------------------------------------------------------------------
// Catalog overrides and drift.

#[component]
pub fn StoreCatalogPage() -> impl IntoView {
    let save = ServerAction::<SaveOverride>::new();
    let revert = ServerAction::<RevertOverride>::new();
    // Reloaded after each change; the form to set an override stays outside this reload.
    let report = Resource::new(
        move || (save.version().get(), revert.version().get()),
        |_| load_drift(),
    );
    view! {
        <Title text="Catalog overrides · Store console"/>
        <HubFrame>
            <section class="section console">
                <div class="container">
                    <ConsoleNav current="catalog"/>
                    <CatalogBody save revert report/>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn CatalogBody(
    save: ServerAction<SaveOverride>,
    revert: ServerAction<RevertOverride>,
    report: Resource<Result<DriftReport, ApiError>>,
) -> impl IntoView {
    let Site(site) = expect_context::<Site>();
    // The site context loads once, so what is rendered from it (the form) is never reset.
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let site = site.get().flatten();
                let role = site.as_ref().and_then(|s| s.session.as_ref()).map(|s| s.role.clone());
                match (site.map(|s| s.kind), role.as_deref()) {
                    (Some(kind), _) if kind != "reseller" => access_problem(ApiError::NotFound),
                    (_, None) => access_problem(ApiError::Unauthenticated),
                    (_, Some(r @ ("reseller_admin" | "reseller_staff"))) => {
                        view! { <Overrides save revert report can_edit=r == "reseller_admin"/> }.into_any()
                    }
                    _ => access_problem(ApiError::Forbidden),
                }
            }}
        </Transition>
    }
}

#[component]
fn Overrides(
    save: ServerAction<SaveOverride>,
    revert: ServerAction<RevertOverride>,
    report: Resource<Result<DriftReport, ApiError>>,
    can_edit: bool,
) -> impl IntoView {
    view! {
        <header class="console-head">
            <div>
                <p class="eyebrow">"Store console"</p>
                <h1>"Catalog overrides"</h1>
                <p class="muted">"Where your store differs from the hub's catalog, field by field. Revert a change to follow the hub again."</p>
            </div>
        </header>
        <div class="console-grid">
            <div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match report.await {
                            Err(e) => access_problem(e),
                            Ok(r) => view! { <DriftTable report=r revert/> }.into_any(),
                        }
                    })}
                </Transition>
                {move || match revert.value().get() {
                    Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                    _ => None,
                }}
            </div>
            <aside>
                {if can_edit {
                    view! { <SetOverride save/> }.into_any()
                } else {
                    view! {
                        <div class="card form-card">
                            <h2>"Change a product"</h2>
                            <p class="muted">"Only the store's administrator can change products."</p>
                        </div>
                    }.into_any()
                }}
            </aside>
        </div>
    }
}

#[component]
fn DriftTable(report: DriftReport, revert: ServerAction<RevertOverride>) -> impl IntoView {
    let policy = report.policy.clone();
    let locked: Vec<String> = policy
        .fields
        .iter()
        .filter(|f| f.locked)
        .map(|f| f.label.clone())
        .collect();
    let can_edit = report.can_edit;
    let count = report.rows.len();
    view! {
        <p class="muted small">
            {format!("The hub allows prices from {} % to {} % of the list price", policy.price_min_pct, policy.price_max_pct)}
            {if locked.is_empty() { ".".to_owned() } else { format!("; it locked: {}.", locked.join(", ")) }}
        </p>
        {if report.rows.is_empty() {
            view! {
                <div class="card empty" data-testid="drift-empty">
                    <h2>"No overrides"</h2>
                    <p class="muted">"Your store shows the hub's products as they are, with your pricing rule."</p>
                </div>
            }.into_any()
        } else {
            view! {
                <p class="muted small">{format!("{count} overridden field(s)")}</p>
                <div class="table-wrap card">
                    <table class="table drift-table" data-testid="drift">
                        <thead><tr>
                            <th>"Product"</th><th>"Field"</th><th>"Hub's value"</th><th>"Your value"</th>
                            <th><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {report.rows.into_iter().map(|r| view! { <DriftLine row=r revert can_edit/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn DriftLine(row: DriftRow, revert: ServerAction<RevertOverride>, can_edit: bool) -> impl IntoView {
    let testid = format!("revert-{}-{}", row.sku, row.field);
    let (product, field) = (row.product.clone(), row.field.clone());
    view! {
        <tr data-sku=row.sku.clone() data-field=row.field.clone()>
            <td>
                <strong>{row.product_name.clone()}</strong>
                <span class="muted small drift__sku">{row.sku.clone()}</span>
            </td>
            <td>
                <span class="drift__field">{row.field_label.clone()}</span>
                {row.locked.then(|| view! { <span class="pill pill--suspended" title="The hub locked this field: your value is not shown">"locked"</span> })}
            </td>
            <td class="drift__value muted">{row.master.clone()}</td>
            <td class="drift__value" class:is-locked=row.locked || row.outside_range.is_some()>
                <strong>{row.store.clone()}</strong>
                {row.outside_range.clone().map(|range| view! {
                    <span class="field__error small drift__note" data-testid="outside-range">
                        {format!("Not shown: outside the hub's range of {range}. Your pricing rule's price is shown until you set a price within it.")}
                    </span>
                })}
            </td>
            <td class="table__actions">
                {can_edit.then(|| view! {
                    <ActionForm action=revert attr:class="inline-form">
                        <input type="hidden" name="product" value=product.clone()/>
                        <input type="hidden" name="field" value=field.clone()/>
                        <button type="submit" class="button button--ghost button--small" data-testid=testid.clone()
                            disabled=move || revert.pending().get()>"Revert"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

#[component]
fn SetOverride(save: ServerAction<SaveOverride>) -> impl IntoView {
    let result = save.value();
    let field = RwSignal::new("price".to_owned());
    let suggestions: RwSignal<Vec<MasterProduct>> = RwSignal::new(Vec::new());
    let sku_typed = RwSignal::new(String::new());
    let on_sku = move |ev| {
        let q = event_target_value(&ev);
        sku_typed.set(q.clone());
        if q.trim().len() < 2 {
            suggestions.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = search_master(q.clone()).await
                && sku_typed.get_untracked() == q
            {
                suggestions.set(found);
            }
        });
    };
    let error = field_error(result, "overrides");
    view! {
        <div class="card form-card">
            <h2>"Change a product"</h2>
            <p class="muted small">"Set one field of one product. Prices must stay within the hub's range."</p>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <div class="field">
                    <label for="override-sku">"SKU"</label>
                    <input id="override-sku" name="sku" list="override-sku-options" autocomplete="off" placeholder="Type a SKU or name"
                        aria-invalid=move || error.get().is_some().to_string()
                        on:input=on_sku/>
                    <datalist id="override-sku-options">
                        {move || suggestions.get().into_iter().map(|p| view! {
                            <option value=p.sku.clone()>{format!("{} · {}", p.name, p.price)}</option>
                        }).collect_view()}
                    </datalist>
                </div>
                <div class="field">
                    <label for="override-field">"Field"</label>
                    <select id="override-field" name="field" on:change=move |ev| field.set(event_target_value(&ev))>
                        {FIELDS.into_iter().map(|(value, label)| view! {
                            <option value=value selected=value == "price">{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="override-value">"New value"</label>
                    <input id="override-value" name="value" autocomplete="off"
                        placeholder=move || value_hint(&field.get())/>
                </div>
                <p class="field__error" role="alert" data-testid="override-error">{error}</p>
                <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                {move || match result.get() {
                    Some(Ok(s)) => Some(view! {
                        <p class="success small" role="status" data-testid="override-saved">
                            {format!("Saved: the {} of {} ({}).", s.field_label, s.product_name, s.sku)}
                        </p>
                    }),
                    _ => None,
                }}
                <button type="submit" class="button" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save change" }}
                </button>
            </ActionForm>
        </div>
    }
}
