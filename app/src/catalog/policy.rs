//! The stores' price policy and field locks.

use super::*;

/// What locking each field means for a store.
fn lock_hint(key: &str) -> &'static str {
    match key {
        "price" => "Stores cannot set their own price per product (their markup still applies).",
        "name" => "Stores cannot rename products.",
        "description" => "Stores cannot rewrite descriptions.",
        "featured" => "Stores cannot feature products on their own.",
        "hidden" => "Stores cannot hide products from their catalog.",
        "sort" => "Stores cannot reorder products.",
        _ => "Stores cannot change this field.",
    }
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let policy = Resource::new(|| (), |_| catalog_policy());
    view! {
        <Title text="Price policy & locks · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Policy title="Price policy & locks"/>
                    <p class="muted catalog-lead">
                        "These rules apply to every partner store at once. Locking a field puts every store back on the master catalog's value for it."
                    </p>
                    <Transition fallback=|| view! { <p class="muted">"Loading the policy…"</p> }>
                        {move || Suspend::new(async move {
                            match policy.await {
                                Err(e) => error_box(&e),
                                Ok(p) => view! { <PolicyEditor policy=p/> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// `pct` of 100.00, written out: `90` → `90.00`.
pub(super) fn example_price(pct: &str) -> Option<String> {
    let p: u32 = pct.trim().trim_end_matches('%').trim().parse().ok()?;
    Some(format!("{p}.00"))
}

#[component]
fn PolicyEditor(policy: PolicyForm) -> impl IntoView {
    let save = ServerAction::<SaveCatalogPolicy>::new();
    let result = save.value();
    let min = RwSignal::new(policy.price_min_pct.to_string());
    let max = RwSignal::new(policy.price_max_pct.to_string());
    Effect::new(move |_| {
        if let Some(Ok(p)) = result.get() {
            min.set(p.price_min_pct.to_string());
            max.set(p.price_max_pct.to_string());
        }
    });
    let example = move || match (example_price(&min.get()), example_price(&max.get())) {
        (Some(lo), Some(hi)) => {
            format!("A product listed at 100.00 may sell for {lo} to {hi} in a store.")
        }
        _ => "Enter whole percentages, e.g. 90 and 150.".to_owned(),
    };
    view! {
        <ActionForm action=save attr:class="catalog-policy" attr:novalidate=true attr:data-testid="policy-form">
            <div class="card catalog-panel">
                <h2 class="catalog-panel__title">"Price range"</h2>
                <p class="muted small">"Stores may set their own price for a product within this range of its list price."</p>
                <div class="catalog-row catalog-row--pct">
                    <PercentField id="price_min_pct" label="Lowest price" value=min error=field_error(result, "price_min_pct")
                        hint="1 % to 100 % of the list price"/>
                    <PercentField id="price_max_pct" label="Highest price" value=max error=field_error(result, "price_max_pct")
                        hint="100 % to 1000 % of the list price"/>
                </div>
                <p class="catalog-example" aria-live="polite">{example}</p>
            </div>
            <fieldset class="card catalog-panel catalog-locks">
                <legend class="catalog-panel__title">"Locked fields"</legend>
                <p class="muted small">"A locked field always shows the master catalog's value in every store."</p>
                <p class="field__error" role="alert">{move || field_error(result, "locked").get().map(|e| capitalise(&e))}</p>
                <ul class="catalog-locks__list">
                    {policy.fields.into_iter().map(|f| view! { <LockOption field=f/> }).collect_view()}
                </ul>
            </fieldset>
            <div class="catalog-savebar">
                <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                <p class="catalog-savebar__status" role="status" data-testid="policy-status">
                    {move || matches!(result.get(), Some(Ok(_))).then_some("Saved. Every store follows the new policy now.")}
                </p>
                <button class="button" type="submit" disabled=move || save.pending().get() data-testid="save-policy">
                    {move || if save.pending().get() { "Saving…" } else { "Save policy" }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
fn PercentField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <div class="catalog-suffix">
                <input
                    id=id
                    name=id
                    type="number"
                    min="1"
                    max="1000"
                    step="1"
                    inputmode="numeric"
                    value=value.get_untracked()
                    prop:value=value
                    aria-describedby=format!("{hint_id} {error_id}")
                    aria-invalid=move || error.get().is_some().to_string()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <span aria-hidden="true">"%"</span>
            </div>
            <p class="field__hint" id=hint_id>{hint}</p>
            <p class="field__error" id=error_id role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

#[component]
fn LockOption(field: LockField) -> impl IntoView {
    let id = format!("lock-{}", field.key);
    let hint = lock_hint(&field.key);
    view! {
        <li class="catalog-lock">
            <input type="checkbox" id=id.clone() name="locked[]" value=field.key.clone() checked=field.locked/>
            <label for=id>
                <strong>{capitalise(&field.label)}</strong>
                <span class="muted small">{hint}</span>
            </label>
        </li>
    }
}
