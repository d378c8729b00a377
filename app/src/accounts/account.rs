//! The signed-in user's page: who they are, their tenant's state (a pending reseller sees that
//! it awaits approval), password change and log-out.

use leptos::prelude::*;
use leptos_meta::Title;

use super::login::LogOutButton;
use crate::accounts::api::{ChangePassword, SessionInfo};
use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::{HubFrame, Site};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account"/>
        <HubFrame>
            <section class="section">
                <div class="container narrow">
                    <AccountBody/>
                </div>
            </section>
        </HubFrame>
    }
}

fn role_label(role: &str) -> &'static str {
    match role {
        "hub_admin" => "Hub administrator",
        "reseller_admin" => "Store administrator",
        "reseller_staff" => "Store staff",
        "distributor_admin" => "Distributor administrator",
        "distributor_staff" => "Distributor staff",
        _ => "Customer",
    }
}

#[component]
fn AccountBody() -> impl IntoView {
    let Site(_, me) = expect_context::<Site>();
    view! {
        <Transition fallback=|| ()>
            {move || match me.get().and_then(|m| m.session) {
                None => view! {
                    <div class="card form-card">
                        <h1>"Your account"</h1>
                        <p class="muted">"Log in to see your account."</p>
                        <a class="button" href="/login">"Log in"</a>
                    </div>
                }.into_any(),
                Some(s) => view! { <Account session=s/> }.into_any(),
            }}
        </Transition>
        <crate::HydrationMark/>
    }
}

#[component]
fn Account(session: SessionInfo) -> impl IntoView {
    let pending = session.tenant_status == "pending" && session.role != "customer";
    let change = ServerAction::<ChangePassword>::new();
    let result = change.value();
    view! {
        {pending.then(|| view! {
            <div class="banner banner--pending" role="status" data-testid="pending-notice">
                <strong>"Awaiting approval."</strong>
                " The hub's partner team is reviewing " {session.tenant_name.clone()}
                ". Your store opens to customers as soon as it is approved."
            </div>
        })}
        <div class="card form-card">
            <p class="eyebrow">{session.tenant_name.clone()}</p>
            <h1 data-testid="account-name">{session.name.clone()}</h1>
            <dl class="facts">
                <div><dt>"E-mail"</dt><dd data-testid="account-email">{session.email.clone()}</dd></div>
                <div><dt>"Role"</dt><dd>{role_label(&session.role)}</dd></div>
            </dl>
            <LogOutButton/>
        </div>
        <div class="card form-card">
            <h2>"Change password"</h2>
            <p class="muted">"Changing it signs you out everywhere else."</p>
            <ActionForm action=change attr:class="form" attr:novalidate=true>
                <Field id="current_password" label="Current password" kind="password" autocomplete="current-password"
                    error=field_error(result, "current_password")/>
                <Field id="new_password" label="New password" kind="password" autocomplete="new-password"
                    hint="At least 8 characters; common passwords are refused."
                    error=field_error(result, "new_password")/>
                <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                    <p class="success" role="status" data-testid="password-changed">"Password changed. Other sessions were signed out."</p>
                })}
                <button class="button" type="submit" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
        </div>
    }
}
