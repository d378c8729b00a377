//! Log in and log out, on every host: each host's accounts are its own.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::accounts::api::{LogIn, LogOut};
use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::{HubFrame, Site};

/// Sends the browser to `path` with a full page load, so every part of the page (the account
/// menu included) is rendered for the new session.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <Title text="Log in"/>
        <HubFrame>
            <section class="section">
                <div class="container narrow">
                    <LoginBody/>
                </div>
            </section>
        </HubFrame>
    }
}

#[component]
fn LoginBody() -> impl IntoView {
    let Site(site, me) = expect_context::<Site>();
    let login = ServerAction::<LogIn>::new();
    let result = login.value();
    Effect::new(move |_| {
        if let Some(Ok(info)) = result.get() {
            go_to(if info.role == "hub_admin" {
                "/admin/resellers"
            } else {
                "/account"
            });
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                let ctx = site.get().flatten();
                let name = ctx.as_ref().map(|c| c.name.clone()).unwrap_or_default();
                match me.get().and_then(|m| m.session) {
                    Some(s) => view! {
                        <div class="card form-card">
                            <h1>"You are logged in"</h1>
                            <p class="muted">"Signed in as " <strong>{s.email}</strong> " at " {name} "."</p>
                            <a class="button" href="/account">"Go to your account"</a>
                        </div>
                    }.into_any(),
                    None => view! {
                        <div class="card form-card">
                            <h1>"Log in"</h1>
                            <p class="muted">"to your account at " <strong>{name}</strong></p>
                            <ActionForm action=login attr:class="form" attr:novalidate=true>
                                <Field id="email" label="E-mail" kind="email" autocomplete="username" error=field_error(result, "email")/>
                                <Field id="password" label="Password" kind="password" autocomplete="current-password" error=field_error(result, "password")/>
                                <p class="form__error" role="alert" data-testid="login-error">{move || form_error(result).get()}</p>
                                <button class="button button--block" type="submit" disabled=move || login.pending().get()>
                                    {move || if login.pending().get() { "Logging in…" } else { "Log in" }}
                                </button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                }
            }}
        </Transition>
        <crate::HydrationMark/>
    }
}

/// A log-out button: ends the session on the server, then reloads the home page.
#[component]
pub fn LogOutButton() -> impl IntoView {
    let logout = ServerAction::<LogOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            go_to("/");
        }
    });
    view! {
        <ActionForm action=logout attr:class="inline-form">
            <button class="button button--ghost" type="submit" data-testid="logout">"Log out"</button>
        </ActionForm>
    }
}
