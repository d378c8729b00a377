//! Sign-up: customers at a store (`/signup`), resellers at the hub (`/partners/apply`).

use leptos::prelude::*;
use leptos_meta::Title;

use super::login::go_to;
use crate::accounts::api::{ApplyAsReseller, SignUp, check_slug};
use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::{HubFrame, Site};

#[component]
pub fn SignUpPage() -> impl IntoView {
    let signup = ServerAction::<SignUp>::new();
    let result = signup.value();
    Effect::new(move |_| {
        if let Some(Ok(_)) = result.get() {
            go_to("/account");
        }
    });
    view! {
        <Title text="Create your account"/>
        <HubFrame>
            <section class="section">
                <div class="container narrow">
                    <div class="card form-card">
                        <h1>"Create your account"</h1>
                        <SiteName/>
                        <ActionForm action=signup attr:class="form" attr:novalidate=true>
                            <Field id="name" label="Your name" autocomplete="name" error=field_error(result, "name")/>
                            <Field id="email" label="E-mail" kind="email" autocomplete="email" error=field_error(result, "email")/>
                            <Field id="password" label="Password" kind="password" autocomplete="new-password"
                                hint="At least 8 characters; common passwords are refused."
                                error=field_error(result, "password")/>
                            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                            <button class="button button--block" type="submit" disabled=move || signup.pending().get()>
                                "Create account"
                            </button>
                        </ActionForm>
                        <p class="muted small">"Already have an account? " <a href="/login">"Log in"</a></p>
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn SiteName() -> impl IntoView {
    let Site(site, _) = expect_context::<Site>();
    view! {
        <Transition fallback=|| ()>
            <p class="muted">"at " <strong>{move || site.get().flatten().map(|s| s.name)}</strong></p>
        </Transition>
    }
}

#[component]
pub fn ApplyPage() -> impl IntoView {
    let apply = ServerAction::<ApplyAsReseller>::new();
    let result = apply.value();
    let (slug, set_slug) = signal(String::new());
    let availability = Resource::new(
        move || slug.get(),
        |s| async move {
            if s.trim().len() < 3 {
                return None;
            }
            check_slug(s).await.ok()
        },
    );
    let slug_error = field_error(result, "slug");
    view! {
        <Title text="Become a partner"/>
        <HubFrame>
            <section class="section">
                <div class="container narrow">
                    <Show
                        when=move || matches!(result.get(), Some(Ok(_)))
                        fallback=move || view! {
                            <div class="card form-card">
                                <p class="eyebrow">"Partner programme"</p>
                                <h1>"Open your reseller store"</h1>
                                <p class="muted">"Tell us about your company. Your store is reviewed by our partner team before it opens."</p>
                                <ActionForm action=apply attr:class="form" attr:novalidate=true>
                                    <Field id="company" label="Company name" autocomplete="organization" error=field_error(result, "company")/>
                                    <Field id="slug" label="Store address" hint="Lower-case letters, digits and '-'; your store will live at <address>.hub"
                                        error=slug_error on_input=Callback::new(move |v: String| set_slug.set(v))/>
                                    <p class="field__status" data-testid="slug-status" aria-live="polite">
                                        <Transition fallback=|| ()>
                                            // A Transition keeps the last answer while the next one loads;
                                            // show an answer only for what is typed now.
                                            {move || availability.get().flatten()
                                                .filter(|c| slug.with(|s| c.slug == s.trim().to_ascii_lowercase()))
                                                .map(|c| view! {
                                                <span class=if c.available { "ok" } else { "bad" }>{c.message}</span>
                                            })}
                                        </Transition>
                                    </p>
                                    <Field id="name" label="Your name" autocomplete="name" error=field_error(result, "name")/>
                                    <Field id="email" label="Work e-mail" kind="email" autocomplete="email" error=field_error(result, "email")/>
                                    <Field id="password" label="Password" kind="password" autocomplete="new-password"
                                        hint="At least 8 characters; common passwords are refused."
                                        error=field_error(result, "password")/>
                                    <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                                    <button class="button button--block" type="submit" disabled=move || apply.pending().get()>
                                        {move || if apply.pending().get() { "Sending…" } else { "Apply" }}
                                    </button>
                                </ActionForm>
                            </div>
                        }
                    >
                        {move || result.get().and_then(Result::ok).map(|a| view! {
                            <div class="card form-card success" role="status" data-testid="application-receipt">
                                <h1>"Thank you, " {a.company.clone()}</h1>
                                <p>"Your application is in. Our partner team will review it shortly."</p>
                                <p>"Your store's address: " <strong>{a.slug.clone()}</strong></p>
                                <p>"You can log in to your store's console now; it will open once approved:"</p>
                                <a class="button" href=a.login_url.clone() data-testid="store-login-link">"Log in at your store"</a>
                            </div>
                        })}
                    </Show>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}
