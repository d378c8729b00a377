//! Catalog overrides and the drift view: every field that differs from the master.

use super::*;

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
    let Site(site, me) = expect_context::<Site>();
    // The site context loads once, so what is rendered from it (the form) is never reset.
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let site = site.get().flatten();
                let role = me.get().and_then(|m| m.session).map(|s| s.role);
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
