//! `/console/partner` on a distributor's host: the partner's profile and territories, its price
//! list (CSV import, the rows), and for its admin the API keys and the webhook endpoints with
//! the delivery log, a test event and replays.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::catalog::{multipart, upload_message};
use crate::components::form::{Field, field_error, form_error};
use crate::components::layout::HubFrame;
use crate::error::ApiError;
use crate::partner_console::api::{
    AddStaff, CreateEndpoint, CreateKey, DeleteEndpoint, DeliveryRow, EndpointRow, ImportReport,
    KeyRow, Overview, PRICE_IMPORT_PATH, RemoveStaff, ReplayDead, ReplayDelivery, RevokeKey,
    SaveTerritories, SendTestEvent, StaffRow, import_prices, partner_deliveries, partner_endpoints,
    partner_keys, partner_overview, partner_prices, partner_staff,
};

#[component]
pub fn PartnerConsolePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| partner_overview());
    let imported = RwSignal::new(0_u32);
    view! {
        <HubFrame>
            <section class="section partner-console">
                <div class="container">
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match overview.await {
                                Err(e) => view! { <ConsoleError error=e/> }.into_any(),
                                Ok(o) => view! {
                                    <OverviewCard overview=o.clone()/>
                                    {o.admin.then(|| view! { <Territories initial=o.territories.join("\n")/> })}
                                    <Prices admin=o.admin imported/>
                                    {o.admin.then(|| view! { <Keys/> <Webhooks/> <Staff/> })}
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn ConsoleError(error: ApiError) -> impl IntoView {
    let message = match error {
        ApiError::Unauthenticated => {
            "Log in with your partner account to open the console.".to_owned()
        }
        ApiError::NotFound | ApiError::Forbidden => {
            "The partner console is on a distributor's own address, for its staff.".to_owned()
        }
        other => other.to_string(),
    };
    view! {
        <Title text="Partner console"/>
        <div class="card empty">
            <p class="error" role="alert">{message}</p>
            <p><a class="button" href="/login?next=/console/partner">"Log in"</a></p>
        </div>
    }
}

#[component]
fn OverviewCard(overview: Overview) -> impl IntoView {
    let o = overview;
    view! {
        <Title text=format!("{} · Partner console", o.name)/>
        <p class="eyebrow">"Partner console"</p>
        <h1 data-testid="partner-name">{o.name.clone()}</h1>
        <div class="partner-facts">
            <div class="card partner-fact">
                <h2>"Profile"</h2>
                <dl class="facts">
                    <dt>"Status"</dt><dd><span class=format!("pill pill--{}", o.status)>{o.status.clone()}</span></dd>
                    <dt>"Contact"</dt><dd>{o.contact_name.clone()} " · " {o.contact_email.clone()}</dd>
                    <dt>"Currency"</dt><dd>{o.currency.clone()}</dd>
                    <dt>"Acknowledge orders within"</dt><dd data-testid="ack-window">{format!("{} h (set through the partner API)", o.ack_window_hours)}</dd>
                    <dt>"Address"</dt><dd><code>{o.slug.clone()}</code></dd>
                </dl>
            </div>
            <div class="card partner-fact">
                <h2>"Territories"</h2>
                {if o.territories.is_empty() {
                    view! { <p class="muted">"No ship-to regions yet: set them through the partner API."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips" data-testid="territories">
                            {o.territories.iter().map(|t| view! { <li class="chip">{t.clone()}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </div>
            <div class="card partner-fact">
                <h2>"Stores you supply"</h2>
                {if o.resellers.is_empty() {
                    view! { <p class="muted">"The hub has not linked you to a store yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips">
                            {o.resellers.iter().map(|t| view! { <li class="chip">{t.clone()}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </div>
        </div>
    }
}

#[component]
fn Prices(admin: bool, imported: RwSignal<u32>) -> impl IntoView {
    let rows = Resource::new(move || imported.get(), |_| partner_prices(None));
    view! {
        <div class="card partner-panel" id="prices">
            <div class="partner-panel__head">
                <h2>"Price list"</h2>
                <a class="button button--ghost button--small" href="/console/partner/prices.csv" rel="external" download="price-list.csv">"Export CSV"</a>
            </div>
            {admin.then(|| view! { <PriceImport imported/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="muted" data-testid="prices-empty">"No prices yet. Import a CSV file or write them through the partner API."</p>
                        }.into_any(),
                        Ok(page) => view! {
                            <div class="catalog-tablewrap">
                                <table class="table" data-testid="prices">
                                    <thead><tr>
                                        <th>"SKU"</th><th>"Your SKU"</th><th class="num">"Price"</th><th class="num">"Min. qty"</th>
                                        <th>"Quantity breaks"</th><th class="num">"Stock"</th><th class="num">"Lead time"</th><th>"Valid"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|p| { let sku = p.sku.clone(); view! {
                                            <tr data-sku=sku>
                                                <td><code>{p.sku}</code></td>
                                                <td>{p.partner_sku}</td>
                                                <td class="num">{p.price}</td>
                                                <td class="num">{p.min_quantity}</td>
                                                <td class="small">{p.breaks.join(", ")}</td>
                                                <td class="num">{p.stock}</td>
                                                <td class="num">{p.lead_days} " d"</td>
                                                <td class="small">{p.valid}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {page.next.is_some().then(|| view! {
                                <p class="muted small">"The first 50 rows by SKU; export the CSV for all of them."</p>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn PriceImport(imported: RwSignal<u32>) -> impl IntoView {
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<ImportReport, ApiError>>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let data = match multipart(&form) {
            Ok(d) => d,
            Err(e) => {
                result.set(Some(Err(e)));
                return;
            }
        };
        busy.set(true);
        result.set(None);
        leptos::task::spawn_local(async move {
            let r = import_prices(data).await;
            let _ = busy.try_set(false);
            if matches!(&r, Ok(rep) if rep.problems.is_empty()) {
                form.reset();
                imported.update(|n| *n += 1);
            }
            let _ = result.try_set(Some(r));
        });
    };
    view! {
        <form
            node_ref=form_ref
            class="partner-import"
            method="post"
            enctype="multipart/form-data"
            action=PRICE_IMPORT_PATH
            novalidate
            on:submit=submit
            data-testid="price-import"
        >
            <div class="field">
                <label for="price-file">"Import a CSV file"</label>
                <input id="price-file" name="file" type="file" accept=".csv,text/csv" data-testid="price-file"/>
                <p class="field__hint">
                    "Columns: " <code>"sku, partner_sku, price, currency, min_quantity, breaks, stock, lead_days, valid_from, valid_to"</code>
                    ". Breaks as " <code>"10:11.50;50:10.90"</code> "; an empty stock means made to order. Every row is written, or none."
                </p>
            </div>
            <button class="button" type="submit" disabled=move || busy.get() data-testid="price-import-submit">
                {move || if busy.get() { "Importing…" } else { "Import" }}
            </button>
        </form>
        {move || result.get().map(|r| match r {
            Ok(rep) if rep.problems.is_empty() => view! {
                <p class="success" role="status" data-testid="price-import-done">{format!("Imported {} price(s).", rep.written)}</p>
            }.into_any(),
            Ok(rep) => view! {
                <div class="notice" role="alert" data-testid="price-import-problems">
                    <p><strong>{format!("Nothing was imported: {} problem(s).", rep.problems.len())}</strong></p>
                    <ul>
                        {rep.problems.into_iter().take(50).map(|p| view! {
                            <li>{format!("Line {}", p.line)} {(!p.sku.is_empty()).then(|| format!(" ({})", p.sku))} ", " <code>{p.field}</code> ": " {p.message}</li>
                        }).collect_view()}
                    </ul>
                </div>
            }.into_any(),
            Err(e) => view! {
                <p class="error" role="alert">{upload_message(&e, "Send big price lists through the partner API in parts.")}</p>
            }.into_any(),
        })}
    }
}

#[component]
fn Keys() -> impl IntoView {
    let create = ServerAction::<CreateKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| partner_keys(),
    );
    let result = create.value();
    view! {
        <div class="card partner-panel" id="keys">
            <div class="partner-panel__head"><h2>"API keys"</h2>
                <a class="button button--ghost button--small" href="/partner/v1/docs" rel="external">"API reference"</a>
            </div>
            <p class="muted">"Your systems call the partner API with these. A key is shown once, when you create it; test keys never touch real orders."</p>
            <ActionForm action=create attr:class="form form--inline" attr:novalidate=true attr:data-testid="key-form">
                <Field id="name" label="Name" hint="e.g. ERP production" error=field_error(result, "name")/>
                <div class="field">
                    <label for="mode">"Mode"</label>
                    <select id="mode" name="mode">
                        <option value="live">"Live"</option>
                        <option value="test">"Test (sandbox)"</option>
                    </select>
                </div>
                <button class="button" type="submit" data-testid="key-create">"Create key"</button>
            </ActionForm>
            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
            {move || match result.get() {
                Some(Ok(made)) => Some(view! {
                    <div class="notice secret" role="status">
                        <p><strong>"Copy this key now: it will not be shown again."</strong></p>
                        <code class="secret__value" data-testid="new-key">{made.secret}</code>
                    </div>
                }),
                _ => None,
            }}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No keys yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="keys">
                                <thead><tr><th>"Name"</th><th>"Key"</th><th>"Mode"</th><th>"Created"</th><th>"Last used"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|k| view! { <KeyLine key=k revoke/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn KeyLine(key: KeyRow, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    view! {
        <tr>
            <td><strong>{key.name.clone()}</strong><br/><span class="muted small">{key.scopes.join(" ")}</span></td>
            <td><code>{key.prefix.clone()} "…"</code></td>
            <td><span class=format!("pill pill--{}", if key.mode == "live" { "approved" } else { "pending" })>{key.mode.clone()}</span></td>
            <td class="small">{key.created_at.clone()}</td>
            <td class="small">{key.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
            <td class="table__actions">
                {if key.revoked {
                    view! { <span class="pill pill--suspended">"revoked"</span> }.into_any()
                } else {
                    view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=key.id.clone()/>
                            <button type="submit" class="button button--small button--ghost">"Revoke"</button>
                        </ActionForm>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn Webhooks() -> impl IntoView {
    let create = ServerAction::<CreateEndpoint>::new();
    let delete = ServerAction::<DeleteEndpoint>::new();
    let test = ServerAction::<SendTestEvent>::new();
    let replay = ServerAction::<ReplayDelivery>::new();
    let replay_dead = ServerAction::<ReplayDead>::new();
    let (filter, set_filter) = signal("all".to_owned());
    let refresh = RwSignal::new(0_u32);
    let endpoints = Resource::new(
        move || (create.version().get(), delete.version().get()),
        |_| partner_endpoints(),
    );
    let log = Resource::new(
        move || {
            (
                filter.get(),
                test.version().get(),
                replay.version().get(),
                replay_dead.version().get(),
                refresh.get(),
            )
        },
        |(f, ..)| partner_deliveries(Some(f)),
    );
    let result = create.value();
    view! {
        <div class="card partner-panel" id="webhooks">
            <div class="partner-panel__head"><h2>"Webhooks"</h2></div>
            <p class="muted">
                "The hub sends your system signed events (Standard Webhooks: " <code>"webhook-id"</code> ", "
                <code>"webhook-timestamp"</code> ", " <code>"webhook-signature"</code>
                "), retrying for 73 hours; an endpoint that failed for 72 hours is disabled."
            </p>
            <ActionForm action=create attr:class="form form--inline" attr:novalidate=true attr:data-testid="endpoint-form">
                <Field id="url" label="Endpoint URL" kind="url" hint="https:// only" error=field_error(result, "url")/>
                <Field id="description" label="Description" error=field_error(result, "description")/>
                <button class="button" type="submit" data-testid="endpoint-create">"Add endpoint"</button>
            </ActionForm>
            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
            {move || match result.get() {
                Some(Ok(made)) => Some(view! {
                    <div class="notice secret" role="status">
                        <p><strong>"Signing secret of the new endpoint: keep it in your system's configuration."</strong></p>
                        <code class="secret__value" data-testid="endpoint-secret">{made.secret}</code>
                    </div>
                }),
                _ => None,
            }}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No endpoints yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="endpoints">
                                <thead><tr><th>"URL"</th><th>"Events"</th><th>"State"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|e| view! { <EndpointLine endpoint=e test delete/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || match test.value().get() {
                Some(Ok(d)) => Some(view! { <p class="success" role="status" data-testid="test-sent">{format!("Test event {} queued.", d.event_id)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any()),
                None => None,
            }}
            <div class="partner-panel__head">
                <h3>"Delivery log"</h3>
                <div class="toolbar">
                    <div class="tabs" role="tablist" aria-label="Filter deliveries">
                        {[("all", "All"), ("pending", "Pending"), ("delivered", "Delivered"), ("dead", "Dead letters")].into_iter().map(|(value, label)| view! {
                            <button type="button" role="tab" class="tab"
                                aria-selected=move || (filter.get() == value).to_string()
                                on:click=move |_| set_filter.set(value.to_owned())>{label}</button>
                        }).collect_view()}
                    </div>
                    <button type="button" class="button button--small button--ghost" data-testid="log-refresh"
                        on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
                    <ActionForm action=replay_dead attr:class="inline-form">
                        <button type="submit" class="button button--small button--ghost">"Replay dead letters"</button>
                    </ActionForm>
                </div>
            </div>
            {move || replay_dead.value().get().map(|r| match r {
                Ok(n) => view! { <p class="success" role="status">{format!("{n} delivery(ies) queued again.")}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match log.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="deliveries-empty">"No deliveries."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="deliveries">
                                <thead><tr><th>"Event"</th><th>"State"</th><th class="num">"Attempts"</th><th>"Last answer"</th><th>"Updated"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>{list.into_iter().map(|d| view! { <DeliveryLine delivery=d replay/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn EndpointLine(
    endpoint: EndpointRow,
    test: ServerAction<SendTestEvent>,
    delete: ServerAction<DeleteEndpoint>,
) -> impl IntoView {
    let e = endpoint;
    let (test_id, delete_id) = (e.id.clone(), e.id.clone());
    let state = if !e.enabled {
        format!(
            "disabled{}",
            e.disabled_reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        )
    } else if let Some(since) = &e.failing_since {
        format!("failing since {since}")
    } else {
        "enabled".to_owned()
    };
    view! {
        <tr>
            <td><code class="wrap">{e.url.clone()}</code><br/><span class="muted small">{e.description.clone()}</span></td>
            <td class="small">{if e.events.is_empty() { "all".to_owned() } else { e.events.join(", ") }}</td>
            <td class="small">{state}</td>
            <td class="table__actions">
                <ActionForm action=test attr:class="inline-form">
                    <input type="hidden" name="id" value=test_id/>
                    <button type="submit" class="button button--small" data-testid="send-test">"Send test event"</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=delete_id/>
                    <button type="submit" class="button button--small button--ghost">"Remove"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
fn DeliveryLine(delivery: DeliveryRow, replay: ServerAction<ReplayDelivery>) -> impl IntoView {
    let d = delivery;
    let answer = match (d.last_status, &d.last_error) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Some(e)) => e.clone(),
        (None, None) => "—".to_owned(),
    };
    let pill = match d.state.as_str() {
        "delivered" => "approved",
        "dead" => "suspended",
        _ => "pending",
    };
    view! {
        <tr data-state=d.state.clone() data-event=d.event_type.clone()>
            <td><strong>{d.event_type.clone()}</strong><br/><code class="small">{d.event_id.clone()}</code></td>
            <td><span class=format!("pill pill--{pill}")>{d.state.clone()}</span>
                {d.next_attempt_at.clone().map(|t| view! { <br/><span class="muted small">"next " {t}</span> })}
            </td>
            <td class="num">{d.attempts}</td>
            <td class="small">{answer}</td>
            <td class="small">{d.updated_at.clone()}</td>
            <td class="table__actions">
                {(d.state != "pending").then(|| view! {
                    <ActionForm action=replay attr:class="inline-form">
                        <input type="hidden" name="id" value=d.id.clone()/>
                        <button type="submit" class="button button--small button--ghost">"Replay"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Territories(initial: String) -> impl IntoView {
    let save = ServerAction::<SaveTerritories>::new();
    let result = save.value();
    view! {
        <div class="card partner-panel" id="territories">
            <div class="partner-panel__head"><h2>"Where you ship"</h2></div>
            <p class="muted">
                "One region per line: a country (" <code>"DE"</code> "), a subdivision ("
                <code>"DE-BY"</code> ") or a postal-code prefix (" <code>"FR 75"</code>
                "). Carts and quote requests reach you only for ship-to addresses you serve."
            </p>
            <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="territories-form">
                <div class="field">
                    <label for="regions">"Regions"</label>
                    <textarea id="regions" name="regions" rows="4" class="catalog-textarea"
                        aria-invalid=move || field_error(result, "regions").get().is_some().to_string()>{initial}</textarea>
                    <p class="field__error" role="alert">{move || field_error(result, "regions").get()}</p>
                </div>
                <div><button class="button" type="submit" data-testid="territories-save">"Save regions"</button></div>
            </ActionForm>
            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
            {move || match result.get() {
                Some(Ok(saved)) => Some(view! {
                    <p class="success" role="status" data-testid="territories-saved">{format!("Saved {} region(s).", saved.len())}</p>
                }),
                _ => None,
            }}
        </div>
    }
}

#[component]
fn Staff() -> impl IntoView {
    let add = ServerAction::<AddStaff>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let list = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| partner_staff(),
    );
    let result = add.value();
    view! {
        <div class="card partner-panel" id="staff">
            <div class="partner-panel__head"><h2>"Staff"</h2></div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(people) => view! {
                            <table class="table" data-testid="staff">
                                <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>{people.into_iter().map(|p| view! { <StaffLine person=p remove/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || match remove.value().get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert">{e.to_string()}</p> }),
                _ => None,
            }}
            <h3>"Add someone"</h3>
            <ActionForm action=add attr:class="form form--grid" attr:novalidate=true attr:data-testid="staff-form">
                <Field id="staff-name" name="name" label="Name" error=field_error(result, "name")/>
                <Field id="staff-email" name="email" label="E-mail" kind="email" error=field_error(result, "email")/>
                <Field id="staff-password" name="password" label="Password" kind="password" autocomplete="new-password" hint="At least 12 characters; give it to them over a safe channel" error=field_error(result, "password")/>
                <div class="field">
                    <label for="staff-role">"Role"</label>
                    <select id="staff-role" name="role">
                        <option value="staff">"Staff (price list, orders)"</option>
                        <option value="admin">"Admin (also keys, webhooks, staff)"</option>
                    </select>
                </div>
                <div class="form__actions"><button class="button" type="submit" data-testid="staff-add">"Add"</button></div>
            </ActionForm>
            <p class="form__error" role="alert">{move || form_error(result).get()}</p>
        </div>
    }
}

#[component]
fn StaffLine(person: StaffRow, remove: ServerAction<RemoveStaff>) -> impl IntoView {
    let p = person;
    view! {
        <tr>
            <td><strong>{p.name.clone()}</strong>{p.you.then(|| view! { <span class="muted small">" (you)"</span> })}</td>
            <td>{p.email.clone()}</td>
            <td><span class=format!("pill pill--{}", if p.role == "admin" { "approved" } else { "pending" })>{p.role.clone()}</span></td>
            <td class="table__actions">
                {(!p.you).then(|| view! {
                    <ActionForm action=remove attr:class="inline-form">
                        <input type="hidden" name="id" value=p.id.clone()/>
                        <button type="submit" class="button button--small button--ghost">"Remove"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
