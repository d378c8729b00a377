//! The store wizard: its page, its state (the form's signals) and the step-by-step flow.

use super::steps::*;
use super::*;

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
pub(super) struct Line {
    pub(super) key: u32,
    pub(super) sku: RwSignal<String>,
    pub(super) field: RwSignal<String>,
    pub(super) value: RwSignal<String>,
}

impl Line {
    pub(super) fn new(key: u32) -> Self {
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
pub(super) struct Form {
    pub(super) slug: RwSignal<String>,
    pub(super) name: RwSignal<String>,
    pub(super) tagline: RwSignal<String>,
    pub(super) hero_text: RwSignal<String>,
    pub(super) primary: RwSignal<String>,
    pub(super) accent: RwSignal<String>,
    pub(super) font: RwSignal<String>,
    pub(super) logo: RwSignal<String>,
    pub(super) select_all: RwSignal<bool>,
    pub(super) include_categories: RwSignal<Vec<String>>,
    pub(super) exclude_categories: RwSignal<Vec<String>>,
    pub(super) include_products: RwSignal<Vec<MasterProduct>>,
    pub(super) exclude_products: RwSignal<Vec<MasterProduct>>,
    pub(super) markup: RwSignal<String>,
    pub(super) rounding: RwSignal<String>,
    pub(super) lines: RwSignal<Vec<Line>>,
}

impl Form {
    pub(super) fn new(s: &StoreInput, chosen: &[MasterProduct]) -> Self {
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

    pub(super) fn input(&self) -> StoreInput {
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
pub(super) struct Ui {
    pub(super) form: Form,
    pub(super) draft: StoredValue<StoreDraft>,
    /// The last error of a check, a publication or a step's own check.
    pub(super) error: RwSignal<Option<ApiError>>,
    pub(super) busy: RwSignal<bool>,
    /// The availability of the address as typed (checked as the user types).
    pub(super) slug_status: RwSignal<Option<SlugCheck>>,
    /// The hub's objection to the markup as typed (checked as the user types).
    pub(super) pricing_error: RwSignal<Option<String>>,
    /// Example prices under the pricing rule as typed.
    pub(super) examples: RwSignal<Vec<PriceExample>>,
}

impl Ui {
    /// The last error's message if it is about one of `fields`.
    pub(super) fn error_for(&self, fields: &'static [&'static str]) -> Signal<Option<String>> {
        let error = self.error;
        Signal::derive(move || {
            error.with(|e| match e {
                Some(e) if e.field().is_some_and(|f| fields.contains(&f)) => Some(e.to_string()),
                _ => None,
            })
        })
    }

    /// Forgets the last error if it was about `fields` (the user is fixing it).
    pub(super) fn clear(&self, fields: &'static [&'static str]) {
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
    pub(super) fn blocker(&self, step: usize) -> Option<ApiError> {
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
pub(super) struct Review {
    pub(super) summary: RwSignal<Option<StoreCheck>>,
    pub(super) problem: RwSignal<Option<ApiError>>,
    pub(super) checking: RwSignal<bool>,
}
