//! The hub admin's reseller list: filter, search, approve, suspend, reinstate; and unlocking
//! an account that too many failed log-ins locked.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::HubFrame;
use crate::partners::admin_api::{ResellerRow, SetResellerStatus, UnlockAccount, list_resellers};

const FILTERS: [(&str, &str); 4] = [
    ("all", "All"),
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("suspended", "Suspended"),
];

#[component]
pub fn ResellersPage() -> impl IntoView {
    let (status, set_status) = signal("all".to_owned());
    let (search, set_search) = signal(String::new());
    let change = ServerAction::<SetResellerStatus>::new();
    let list = Resource::new(
        move || (status.get(), search.get(), change.version().get()),
        |(status, search, _)| list_resellers(Some(status), Some(search), Some(0)),
    );
    view! {
        <Title text="Resellers · Hub admin"/>
        <HubFrame>
            <section class="section">
                <div class="container">
                    <p class="eyebrow">"Hub admin"</p>
                    <h1>"Resellers"</h1>
                    <div class="toolbar">
                        <div class="tabs" role="tablist" aria-label="Filter by status">
                            {FILTERS.into_iter().map(|(value, label)| view! {
                                <button
                                    type="button"
                                    role="tab"
                                    class="tab"
                                    aria-selected=move || (status.get() == value).to_string()
                                    on:click=move |_| set_status.set(value.to_owned())
                                >{label}</button>
                            }).collect_view()}
                        </div>
                        <label class="search">
                            <span class="visually-hidden">"Search resellers"</span>
                            <input type="search" placeholder="Search by name or address"
                                on:input=move |ev| set_search.set(event_target_value(&ev))/>
                        </label>
                    </div>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match list.await {
                                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(page) if page.items.is_empty() => view! {
                                    <div class="card empty"><p class="muted">"No resellers match."</p></div>
                                }.into_any(),
                                Ok(page) => view! {
                                    <p class="muted small">{page.total} " reseller(s)"</p>
                                    <table class="table card" data-testid="resellers">
                                        <thead><tr><th>"Store"</th><th>"Address"</th><th>"Status"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {page.items.into_iter().map(|r| view! { <Row row=r change/> }).collect_view()}
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
                    <Unlock/>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn Row(row: ResellerRow, change: ServerAction<SetResellerStatus>) -> impl IntoView {
    let (action, label) = match row.status.as_str() {
        "pending" => ("approved", "Approve"),
        "approved" => ("suspended", "Suspend"),
        _ => ("approved", "Reinstate"),
    };
    let id = row.id.clone();
    let slug = row.slug.clone();
    view! {
        <tr data-slug=row.slug.clone()>
            <td><strong>{row.name.clone()}</strong></td>
            <td><a href=row.store_url.clone()>{row.slug.clone()}</a></td>
            <td><span class=format!("pill pill--{}", row.status)>{row.status.clone()}</span></td>
            <td class="table__actions">
                <ActionForm action=change attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="status" value=action/>
                    <button type="submit" class="button button--small" data-testid=format!("{action}-{slug}")>{label}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn Unlock() -> impl IntoView {
    let unlock = ServerAction::<UnlockAccount>::new();
    let result = unlock.value();
    view! {
        <div class="card form-card unlock">
            <h2>"Unlock an account"</h2>
            <p class="muted">"After too many failed log-ins an account is refused for a while. Lift that here."</p>
            <ActionForm action=unlock attr:class="form form--inline" attr:novalidate=true>
                <Field id="store" label="Store address (or hub)" error=field_error(result, "store")/>
                <Field id="email" label="E-mail" kind="email" error=field_error(result, "email")/>
                <button class="button" type="submit">"Unlock"</button>
            </ActionForm>
            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
            {move || match result.get() {
                Some(Ok(true)) => Some(view! { <p class="success" role="status">"Unlocked."</p> }),
                Some(Ok(false)) => Some(view! { <p class="muted" role="status">"That account had no failed log-ins recorded."</p> }),
                _ => None,
            }}
        </div>
    }
}
