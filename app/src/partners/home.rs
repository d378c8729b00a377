//! The hub's landing page: who the hub is, how the partner programme works, and a form for
//! companies that want to sell its products.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::layout::{HubFrame, Site};
use crate::error::ApiError;
use crate::partners::api::{HubOverview, RegisterInterest, load_hub_overview};

#[component]
pub fn HomePage() -> impl IntoView {
    let register = ServerAction::<RegisterInterest>::new();
    // Reloaded after each registration, so the counters follow without a page reload.
    let overview = Resource::new(move || register.version().get(), |_| load_hub_overview());

    view! {
        <HubFrame>
            <Transition fallback=|| view! { <section class="hero"><div class="container"><p class="muted">"Loading…"</p></div></section> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(o)) => view! { <Hero overview=o/> }.into_any(),
                        // Not the hub's host: the store's own front page follows.
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <section class="container notice"><p class="error" role="alert">{e.to_string()}</p></section> }.into_any(),
                    }
                })}
            </Transition>
            // Outside the overview's Transition: reloading the counters after a registration
            // must not re-render (and reset) the form.
            <crate::storefront::StoreHome/>
            <HubOnly>
                <HowItWorks/>
                <PartnerForm register/>
            </HubOnly>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn Hero(overview: HubOverview) -> impl IntoView {
    let tagline = overview
        .tagline
        .clone()
        .unwrap_or_else(|| "One catalog. Every partner store.".to_owned());
    view! {
        <Title text=format!("{} · Partner commerce hub", overview.name)/>
        <Meta name="description" content=tagline.clone()/>
        <section class="hero">
            <div class="container hero__inner">
                <div class="hero__copy">
                    <p class="eyebrow">"Partner programme"</p>
                    <h1>{overview.name.clone()}</h1>
                    <p class="hero__lead">{tagline}</p>
                    <div class="hero__actions">
                        <a class="button button--large" href="/partners/apply">"Become a partner"</a>
                        <a class="button button--ghost button--large" href="#how-it-works">"See how it works"</a>
                    </div>
                </div>
                <dl class="stats" aria-label="The hub today">
                    <div class="stat">
                        <dt>"Companies registered"</dt>
                        <dd data-testid="lead-count">{overview.partner_leads}</dd>
                    </div>
                    <div class="stat">
                        <dt>"Partner stores live"</dt>
                        <dd>{overview.live_resellers}</dd>
                    </div>
                    <div class="stat">
                        <dt>"Master catalog"</dt>
                        <dd>"1"</dd>
                    </div>
                </dl>
            </div>
        </section>
    }
}

/// Renders its children on the hub's own host only.
#[component]
fn HubOnly(children: ChildrenFn) -> impl IntoView {
    let Site(site, _) = expect_context::<Site>();
    view! {
        <Transition fallback=|| ()>
            {
                let children = children.clone();
                move || site.get().flatten().is_some_and(|s| s.kind == "hub").then(|| children())
            }
        </Transition>
    }
}

#[component]
fn HowItWorks() -> impl IntoView {
    let steps = [
        (
            "1",
            "Open your store",
            "Pick a subdomain, your colours and your logo. Your branded store is live at once.",
        ),
        (
            "2",
            "Choose what to sell",
            "Select products from the master catalog and set your prices within the programme's policy.",
        ),
        (
            "3",
            "Hand off fulfilment",
            "Customers can transfer their cart to the distributor that serves them, with the exact price.",
        ),
    ];
    view! {
        <section id="how-it-works" class="section">
            <div class="container">
                <h2 class="section__title">"How the partner programme works"</h2>
                <ol class="steps">
                    {steps
                        .into_iter()
                        .map(|(n, title, body)| view! {
                            <li class="card step">
                                <span class="step__number" aria-hidden="true">{n}</span>
                                <h3>{title}</h3>
                                <p class="muted">{body}</p>
                            </li>
                        })
                        .collect_view()}
                </ol>
            </div>
        </section>
    }
}

#[component]
fn PartnerForm(register: ServerAction<RegisterInterest>) -> impl IntoView {
    let result = register.value();
    let error_for = move |field: &'static str| {
        move || match result.get() {
            Some(Err(e)) if e.field() == Some(field) => Some(e.to_string()),
            _ => None,
        }
    };
    let general_error = move || match result.get() {
        Some(Err(ApiError::Validation { .. })) | None | Some(Ok(_)) => None,
        Some(Err(e)) => Some(e.to_string()),
    };
    view! {
        <section id="partner" class="section section--tinted">
            <div class="container split">
                <div>
                    <h2 class="section__title">"Sell our products under your own brand"</h2>
                    <p class="muted">
                        "Tell us who you are. Our partner team reviews every registration and "
                        "gets back to you within two working days."
                    </p>
                </div>
                <div class="card form-card">
                    <Show
                        when=move || matches!(result.get(), Some(Ok(_)))
                        fallback=move || view! {
                            <ActionForm action=register attr:class="form" attr:novalidate=true>
                                <div class="field">
                                    <label for="company">"Company name"</label>
                                    <input id="company" name="company" type="text" required autocomplete="organization" maxlength="120"/>
                                    <p class="field__error" role="alert">{error_for("company")}</p>
                                </div>
                                <div class="field">
                                    <label for="email">"Work e-mail"</label>
                                    <input id="email" name="email" type="email" required autocomplete="email" maxlength="254"/>
                                    <p class="field__error" role="alert">{error_for("email")}</p>
                                </div>
                                <p class="form__error" role="alert">{general_error}</p>
                                <button class="button button--block" type="submit" disabled=move || register.pending().get()>
                                    {move || if register.pending().get() { "Sending…" } else { "Register interest" }}
                                </button>
                            </ActionForm>
                            <crate::HydrationMark/>
                        }
                    >
                        {move || result.get().and_then(Result::ok).map(|r| view! {
                            <div class="success" role="status" data-testid="lead-receipt">
                                <h3>"Thank you, " {r.company.clone()} "!"</h3>
                                <p>
                                    "You are company number " <strong>{r.total}</strong>
                                    " to register. We will be in touch soon."
                                </p>
                            </div>
                        })}
                    </Show>
                </div>
            </div>
        </section>
    }
}
