//! The hub admin's distributors: the list, and a new distributor with its first admin.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::HubFrame;
use crate::partners::admin_api::{
    CreateDistributor, DistributorRow, SetDistributorStatus, list_distributors,
};

#[component]
pub fn DistributorsPage() -> impl IntoView {
    let create = ServerAction::<CreateDistributor>::new();
    let change = ServerAction::<SetDistributorStatus>::new();
    let list = Resource::new(
        move || (create.version().get(), change.version().get()),
        |_| list_distributors(),
    );
    let result = create.value();
    view! {
        <Title text="Distributors · Hub admin"/>
        <HubFrame>
            <section class="section">
                <div class="container">
                    <p class="eyebrow">"Hub admin"</p>
                    <h1>"Distributors"</h1>
                    <p class="muted">"Distributors fulfil orders and answer quote requests for the stores they are linked to. Each has its own console at its own address."</p>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match list.await {
                                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(items) if items.is_empty() => view! {
                                    <div class="card empty"><p class="muted">"No distributors yet."</p></div>
                                }.into_any(),
                                Ok(items) => view! {
                                    <table class="table card" data-testid="distributors">
                                        <thead><tr><th>"Distributor"</th><th>"Address"</th><th>"Status"</th><th>"Console"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {items.into_iter().map(|d| view! { <Row row=d change/> }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                    {move || match change.value().get() {
                        Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                        _ => None,
                    }}
                    <div class="card form-card">
                        <h2>"New distributor"</h2>
                        <ActionForm action=create attr:class="form form--grid" attr:novalidate=true attr:data-testid="distributor-form">
                            <Field id="name" label="Name" error=field_error(result, "name")/>
                            <Field id="slug" label="Address" hint="Lower-case letters, digits and dashes: its console answers at ADDRESS.your-hub" error=field_error(result, "slug")/>
                            <Field id="contact_name" label="Contact name" error=field_error(result, "contact_name")/>
                            <Field id="contact_email" label="Contact e-mail" kind="email" error=field_error(result, "contact_email")/>
                            <Field id="currency" label="Currency" hint="ISO 4217, e.g. EUR" error=field_error(result, "currency")/>
                            <Field id="admin_name" label="First admin's name" error=field_error(result, "admin_name")/>
                            <Field id="admin_email" label="First admin's e-mail" kind="email" error=field_error(result, "email")/>
                            <Field id="admin_password" label="First admin's password" kind="password" autocomplete="new-password" hint="At least 12 characters; give it to them over a safe channel" error=field_error(result, "password")/>
                            <div class="form__actions"><button class="button" type="submit" data-testid="distributor-create">"Create distributor"</button></div>
                        </ActionForm>
                        <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                        {move || match result.get() {
                            Some(Ok(d)) => Some(view! {
                                <p class="success" role="status" data-testid="distributor-created">
                                    {format!("{} was created. ", d.name)}
                                    <a href=d.console_url rel="external">"Open its console"</a>
                                </p>
                            }),
                            _ => None,
                        }}
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn Row(row: DistributorRow, change: ServerAction<SetDistributorStatus>) -> impl IntoView {
    let d = row;
    // Active ones can be paused or suspended; paused and suspended ones made active again.
    let actions: &[(&str, &str)] = match d.status.as_str() {
        "approved" => &[("paused", "Pause"), ("suspended", "Suspend")],
        "paused" => &[("approved", "Resume"), ("suspended", "Suspend")],
        _ => &[("approved", "Reinstate")],
    };
    let label = match d.status.as_str() {
        "approved" => "active".to_owned(),
        other => other.to_owned(),
    };
    let slug = d.slug.clone();
    view! {
        <tr data-slug=d.slug.clone()>
            <td><strong>{d.name.clone()}</strong></td>
            <td><code>{d.slug.clone()}</code></td>
            <td><span class=format!("pill pill--{}", d.status)>{label}</span></td>
            <td><a href=d.console_url.clone() rel="external">"Open console"</a></td>
            <td class="table__actions">
                {actions.iter().map(|(status, text)| {
                    let id = d.id.clone();
                    let testid = format!("{status}-{slug}");
                    view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="status" value=*status/>
                            <button type="submit" class="button button--small button--ghost" data-testid=testid>{*text}</button>
                        </ActionForm>
                    }
                }).collect_view()}
            </td>
        </tr>
    }
}
