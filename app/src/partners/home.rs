//! The hub's landing page: who the hub is, how the partner programme works, and a form for
//! companies that want to sell its products.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::layout::HubFrame;
use crate::error::ApiError;
use crate::partners::api::{HubOverview, RegisterInterest, load_hub_overview};

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_hub_overview());
    view! {
        <HubFrame>
            <Transition fallback=|| view! { <section class="hero"><div class="container"><p class="muted">"Loading…"</p></div></section> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(o)) => {
                            let tagline = tagline(&o);
                            view! {
                                <Title text=format!("{} · Partner commerce hub", o.name)/>
                                <Meta name="description" content=tagline/>
                                <HubLanding overview=o>
                                    <crate::storefront::StoreHome/>
                                    <HowItWorks/>
                                </HubLanding>
                            }
                            .into_any()
                        }
                        // Not the hub's host: the store's own front page.
                        Ok(None) => view! { <crate::storefront::StoreHome/> }.into_any(),
                        Err(e) => view! {
                            <section class="container notice"><p class="error" role="alert">{e.to_string()}</p></section>
                            <crate::storefront::StoreHome/>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

fn tagline(o: &HubOverview) -> String {
    o.tagline
        .clone()
        .unwrap_or_else(|| "One catalog. Every partner store.".to_owned())
}

/// The hub's own front page: the programme's figures, the brand's shop and how the
/// programme works (`children`, the server's HTML), and the registration form. One island,
/// so the form's answer updates the "Companies registered" figure without a page load.
#[island]
fn HubLanding(overview: HubOverview, children: Children) -> impl IntoView {
    let register = ServerAction::<RegisterInterest>::new();
    let registered = overview.partner_leads;
    let leads = Signal::derive(move || {
        register
            .value()
            .get()
            .and_then(Result::ok)
            .map_or(registered, |r| r.total)
    });
    view! {
        <Hero overview leads/>
        {children()}
        <PartnerForm register/>
    }
}

#[component]
fn Hero(overview: HubOverview, leads: Signal<u64>) -> impl IntoView {
    let tagline = tagline(&overview);
    view! {
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
                        <dd data-testid="lead-count">{leads}</dd>
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
