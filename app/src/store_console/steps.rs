//! The wizard's steps, the live preview and the store-is-live panel.

use super::wizard::*;
use super::*;

#[component]
pub(super) fn AddressStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (scheme, suffix, current_slug, current_name) = ui.draft.with_value(|d| {
        (
            d.scheme.clone(),
            d.address_suffix.clone(),
            d.current_slug.clone(),
            d.current_name.clone(),
        )
    });
    let status = ui.slug_status;
    let on_slug = move |ev| {
        let v = event_target_value(&ev);
        f.slug.set(v.clone());
        ui.clear(&["slug"]);
        let wanted = v.trim().to_ascii_lowercase();
        if wanted.len() < 3 {
            status.set(Some(SlugCheck {
                slug: wanted,
                available: false,
                message: "must be 3 to 63 characters long".into(),
            }));
            return;
        }
        spawn_local(async move {
            if let Ok(c) = check_store_slug(v).await
                // Answers can overtake each other: keep the one for what is typed now.
                && c.slug == f.slug.get_untracked().trim().to_ascii_lowercase()
            {
                status.set(Some(c));
            }
        });
    };
    let moving = {
        let current = current_slug.clone();
        move || {
            let s = f.slug.get().trim().to_ascii_lowercase();
            !s.is_empty() && s != current
        }
    };
    let renamed = {
        let current = current_name.clone();
        move || {
            f.name
                .get()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                != current
        }
    };
    let slug_error = ui.error_for(&["slug"]);
    let name_error = ui.error_for(&["name"]);
    let tagline_error = ui.error_for(&["tagline"]);
    let initial = f.slug.get_untracked();
    let suffix_shown = suffix.clone();
    view! {
        <h2 id="step-0">"Your store's address and name"</h2>
        <p class="muted">"Customers reach your store at its own address. Pick something short they will remember."</p>
        <div class="field">
            <label for="slug">"Store address"</label>
            <div class="affix" aria-invalid=move || slug_error.get().is_some().to_string()>
                <span class="affix__text">{format!("{scheme}://")}</span>
                <input id="slug" name="slug" autocomplete="off" spellcheck="false" autocapitalize="none"
                    value=initial aria-describedby="slug-status slug-error"
                    on:input=on_slug/>
                <span class="affix__text">{suffix_shown}</span>
            </div>
            <p class="field__status" id="slug-status" data-testid="slug-status" aria-live="polite">
                {move || status.get().map(|c| view! {
                    <span class=if c.available { "ok" } else { "bad" }>{c.message}</span>
                })}
            </p>
            {move || moving().then(|| view! {
                <p class="field__hint">"Moving your store changes its address at once: the old one stops working, and you log in again at the new one."</p>
            })}
            <p class="field__error" id="slug-error" role="alert">{slug_error}</p>
        </div>
        <div class="field">
            <label for="store-name">"Store name"</label>
            <input id="store-name" name="store-name" autocomplete="organization"
                value=f.name.get_untracked()
                aria-invalid=move || name_error.get().is_some().to_string()
                on:input=move |ev| { f.name.set(event_target_value(&ev)); ui.clear(&["name"]); }/>
            {move || renamed().then(|| view! {
                <p class="field__hint" data-testid="name-note">
                    "Your store takes the new name when you publish: its header, page titles and the hub's partner list show it from then on."
                </p>
            })}
            <p class="field__error" role="alert">{name_error}</p>
        </div>
        <div class="field">
            <label for="tagline">"Tagline " <span class="muted small">"(optional)"</span></label>
            <input id="tagline" name="tagline" maxlength="160" placeholder="Tools for people who build things"
                value=f.tagline.get_untracked()
                aria-invalid=move || tagline_error.get().is_some().to_string()
                on:input=move |ev| { f.tagline.set(event_target_value(&ev)); ui.clear(&["tagline"]); }/>
            <p class="field__hint">{move || format!("One line under your name. {} of 160 characters.", f.tagline.with(|t| t.chars().count()))}</p>
            <p class="field__error" role="alert">{tagline_error}</p>
        </div>
    }
}

#[component]
pub(super) fn ColourField(
    ui: Ui,
    id: &'static str,
    field: &'static [&'static str],
    label: &'static str,
    hint: &'static str,
    against: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let server_error = ui.error_for(field);
    let problem = Signal::derive(move || {
        colour_problem(&value.get(), against).or_else(|| server_error.get())
    });
    let contrast = move || contrast_on_white(&value.get().trim().to_ascii_lowercase());
    let picker = format!("{id}-picker");
    let error_id = format!("{id}-error");
    view! {
        <div class="field colour-field">
            <label for=id>{label}</label>
            <div class="colour-field__row">
                <input type="color" id=picker.clone() class="colour-field__picker" aria-label=format!("{label}: colour picker")
                    value=value.get_untracked()
                    prop:value=move || { let c = value.get().trim().to_ascii_lowercase(); if valid_hex(&c) { c } else { "#000000".to_owned() } }
                    on:input=move |ev| { value.set(event_target_value(&ev)); ui.clear(field); }/>
                <input id=id name=id class="colour-field__hex" spellcheck="false" autocomplete="off" maxlength="7"
                    value=value.get_untracked()
                    prop:value=move || value.get()
                    aria-describedby=error_id.clone()
                    aria-invalid=move || problem.get().is_some().to_string()
                    on:input=move |ev| { value.set(event_target_value(&ev)); ui.clear(field); }/>
                {move || contrast().filter(|x| *x >= 450).map(|x| view! {
                    <span class="contrast-ok" title="Contrast against white">{format!("✓ {}", ratio(x))}</span>
                })}
            </div>
            <p class="field__hint">{hint}</p>
            <p class="field__error" id=error_id role="alert">{problem}</p>
        </div>
    }
}

#[component]
pub(super) fn BrandingStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let fonts = ui.draft.with_value(|d| d.fonts.clone());
    let can_upload = ui.draft.with_value(|d| d.can_publish);
    let initial_font = f.font.get_untracked();
    let logo_form: NodeRef<leptos::html::Form> = NodeRef::new();
    let uploading = RwSignal::new(false);
    let upload_error: RwSignal<Option<String>> = RwSignal::new(None);
    let upload = move || {
        #[cfg(feature = "hydrate")]
        {
            let Some(el) = logo_form.get_untracked() else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&el) else {
                return;
            };
            uploading.set(true);
            upload_error.set(None);
            ui.clear(&["logo", "image"]);
            spawn_local(async move {
                match crate::store_console::api::upload_logo(data.into()).await {
                    Ok(name) => f.logo.set(name),
                    Err(e) => upload_error.set(Some(e.to_string())),
                }
                uploading.set(false);
            });
        }
    };
    let logo_error = ui.error_for(&["logo", "image"]);
    let font_error = ui.error_for(&["font"]);
    let hero_error = ui.error_for(&["hero_text"]);
    view! {
        <h2 id="step-1">"Make it yours"</h2>
        <p class="muted">"Your logo, colours and type set the look of every page of your store. The preview follows as you go."</p>
        <div class="field">
            <span class="field__label">"Logo"</span>
            <div class="logo-field">
                <div class="logo-field__current">
                    {move || {
                        let name = f.logo.get();
                        if name.is_empty() {
                            view! { <span class="logo-field__empty" aria-hidden="true">"No logo"</span> }.into_any()
                        } else {
                            view! { <img src=format!("/media/{name}") alt="Your logo" data-testid="logo-preview"/> }.into_any()
                        }
                    }}
                </div>
                <form node_ref=logo_form class="logo-field__form" on:submit=move |ev| ev.prevent_default()>
                    <label class="button button--ghost button--small logo-field__pick"
                        class:is-disabled=move || !can_upload || uploading.get()>
                        {move || if uploading.get() { "Uploading…" } else { "Upload a logo" }}
                        <input id="logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp"
                            class="visually-hidden" disabled=move || !can_upload || uploading.get()
                            on:change=move |_| upload()/>
                    </label>
                    {move || (!f.logo.get().is_empty() && can_upload).then(|| view! {
                        <button type="button" class="button button--ghost button--small"
                            on:click=move |_| f.logo.set(String::new())>"Remove"</button>
                    })}
                </form>
            </div>
            <p class="field__hint">"PNG, JPEG or WebP. A square image of at least 128 × 128 pixels looks best."</p>
            <p class="field__error" role="alert">{move || upload_error.get().or_else(|| logo_error.get())}</p>
        </div>
        <div class="colour-pair">
            <ColourField ui id="primary-color" field=&["primary_color"] label="Primary colour"
                hint="The header and buttons, with white text on it." against="white button text" value=f.primary/>
            <ColourField ui id="accent-color" field=&["accent_color"] label="Accent colour"
                hint="Links and prices, on a white page." against="a white page" value=f.accent/>
        </div>
        <div class="field">
            <label for="font">"Typeface"</label>
            <select id="font" name="font" on:change=move |ev| { f.font.set(event_target_value(&ev)); ui.clear(&["font"]); }>
                {fonts.into_iter().map(|o| {
                    let selected = o.value == initial_font;
                    view! { <option value=o.value selected=selected style=format!("font-family: {}", o.stack)>{o.label}</option> }
                }).collect_view()}
            </select>
            <p class="field__hint">"System fonts only: fast, and nothing is loaded from third parties."</p>
            <p class="field__error" role="alert">{font_error}</p>
        </div>
        <div class="field">
            <label for="hero-text">"Welcome text " <span class="muted small">"(optional)"</span></label>
            <textarea id="hero-text" name="hero-text" rows="4" maxlength="400"
                placeholder="What makes your store worth a visit?"
                prop:value=move || f.hero_text.get()
                aria-invalid=move || hero_error.get().is_some().to_string()
                on:input=move |ev| { f.hero_text.set(event_target_value(&ev)); ui.clear(&["hero_text"]); }
            ></textarea>
            <p class="field__hint">{move || format!("Shown large on your home page. {} of 400 characters.", f.hero_text.with(|t| t.chars().count()))}</p>
            <p class="field__error" role="alert">{hero_error}</p>
        </div>
    }
}

#[component]
pub(super) fn CatalogStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (categories, total) = ui
        .draft
        .with_value(|d| (d.categories.clone(), d.master_products));
    let query = RwSignal::new(String::new());
    let results: RwSignal<Vec<MasterProduct>> = RwSignal::new(Vec::new());
    let on_search = move |ev| {
        let q = event_target_value(&ev);
        query.set(q.clone());
        if q.trim().is_empty() {
            results.set(Vec::new());
            return;
        }
        spawn_local(async move {
            if let Ok(found) = search_master(q.clone()).await
                && query.get_untracked() == q
            {
                results.set(found);
            }
        });
    };
    let toggle =
        move |list: RwSignal<Vec<String>>, other: RwSignal<Vec<String>>, id: String, on: bool| {
            list.update(|l| {
                l.retain(|x| *x != id);
                if on {
                    l.push(id.clone());
                }
            });
            if on {
                other.update(|l| l.retain(|x| *x != id));
            }
            ui.clear(&["selection"]);
        };
    let choose = move |p: MasterProduct, include: bool| {
        let (into, from) = if include {
            (f.include_products, f.exclude_products)
        } else {
            (f.exclude_products, f.include_products)
        };
        from.update(|l| l.retain(|x| x.sku != p.sku));
        into.update(|l| {
            if !l.iter().any(|x| x.sku == p.sku) {
                l.push(p);
            }
        });
        ui.clear(&["selection"]);
    };
    let selection_error = ui.error_for(&["selection"]);
    let initial_all = f.select_all.get_untracked();
    let has_categories = !categories.is_empty();
    view! {
        <h2 id="step-2">"Choose what you sell"</h2>
        <p class="muted">{format!("The hub's catalog has {total} products. Sell all of them, or pick categories and products.")}</p>
        <fieldset class="choice-cards">
            <legend class="visually-hidden">"What to sell"</legend>
            <label class="choice-card">
                <input type="radio" name="select-mode" id="select-all" value="all"
                    checked=initial_all prop:checked=move || f.select_all.get()
                    on:change=move |_| { f.select_all.set(true); ui.clear(&["selection"]); }/>
                <span>
                    <strong>"Everything"</strong>
                    <span class="muted small">"The whole catalog, including products the hub adds later. Exclude what does not fit."</span>
                </span>
            </label>
            <label class="choice-card">
                <input type="radio" name="select-mode" id="select-chosen" value="chosen"
                    checked=!initial_all prop:checked=move || !f.select_all.get()
                    on:change=move |_| { f.select_all.set(false); ui.clear(&["selection"]); }/>
                <span>
                    <strong>"Chosen categories and products"</strong>
                    <span class="muted small">"Only what you include below. New products appear when they are in a category you include."</span>
                </span>
            </label>
        </fieldset>
        <h3 class="subhead">"Categories"</h3>
        {if has_categories {
            view! {
                <div class="table-wrap">
                    <table class="table category-table" data-testid="category-table">
                        <thead><tr><th>"Category"</th><th class="center">"Include"</th><th class="center">"Exclude"</th></tr></thead>
                        <tbody>
                            {categories.into_iter().map(|c| {
                                let (inc_id, exc_id) = (c.id.clone(), c.id.clone());
                                let (inc_on, exc_on) = (c.id.clone(), c.id.clone());
                                let initially_in = f.include_categories.with_untracked(|l| l.contains(&c.id));
                                let initially_out = f.exclude_categories.with_untracked(|l| l.contains(&c.id));
                                view! {
                                    <tr>
                                        <td style=format!("padding-left: {}rem", 1.0 + f64::from(c.depth) * 1.25)>
                                            {(c.depth > 0).then(|| view! { <span class="muted" aria-hidden="true">"↳ "</span> })}
                                            {c.name.clone()}
                                        </td>
                                        <td class="center">
                                            <input type="checkbox" aria-label=format!("Include {}", c.name)
                                                checked=initially_in
                                                prop:checked=move || !f.select_all.get() && f.include_categories.with(|l| l.contains(&inc_on))
                                                disabled=move || f.select_all.get()
                                                title=move || if f.select_all.get() { "Everything is included already" } else { "" }
                                                on:change=move |ev| toggle(f.include_categories, f.exclude_categories, inc_id.clone(), event_target_checked(&ev))/>
                                        </td>
                                        <td class="center">
                                            <input type="checkbox" aria-label=format!("Exclude {}", c.name)
                                                checked=initially_out
                                                prop:checked=move || f.exclude_categories.with(|l| l.contains(&exc_on))
                                                on:change=move |ev| toggle(f.exclude_categories, f.include_categories, exc_id.clone(), event_target_checked(&ev))/>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        } else {
            view! { <p class="muted">"The hub's catalog has no categories yet."</p> }.into_any()
        }}
        <h3 class="subhead">"Single products"</h3>
        <p class="muted small">"A rule on a product beats its category's: include a product from an excluded category, or leave one out."</p>
        <div class="field">
            <label for="product-search" class="visually-hidden">"Find products"</label>
            <input id="product-search" type="search" placeholder="Search the catalog by name or SKU" autocomplete="off"
                on:input=on_search/>
        </div>
        {move || {
            let found = results.get();
            (!found.is_empty()).then(|| view! {
                <ul class="product-results" data-testid="product-results">
                    {found.into_iter().map(|p| {
                        let (a, b) = (p.clone(), p.clone());
                        view! {
                            <li>
                                <span class="product-results__name">
                                    <strong>{p.name.clone()}</strong>
                                    <span class="muted small">{p.sku.clone()} {p.category.clone().map(|c| format!(" · {c}"))} " · " {p.price.clone()}</span>
                                </span>
                                <span class="product-results__actions">
                                    <button type="button" class="button button--small" on:click=move |_| choose(a.clone(), true)>"Include"</button>
                                    <button type="button" class="button button--ghost button--small" on:click=move |_| choose(b.clone(), false)>"Exclude"</button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
        {move || (!query.get().trim().is_empty() && results.with(Vec::is_empty)).then(|| view! {
            <p class="muted small">"No products match."</p>
        })}
        <div class="chosen">
            <Chosen title="Always included" list=f.include_products ui/>
            <Chosen title="Left out" list=f.exclude_products ui/>
        </div>
        <p class="field__error" role="alert" data-testid="selection-error">{selection_error}</p>
    }
}

#[component]
pub(super) fn Chosen(
    title: &'static str,
    list: RwSignal<Vec<MasterProduct>>,
    ui: Ui,
) -> impl IntoView {
    view! {
        <div class="chosen__group">
            <h4>{title} <span class="muted">{move || format!(" ({})", list.with(Vec::len))}</span></h4>
            {move || {
                let items = list.get();
                if items.is_empty() {
                    view! { <p class="muted small">"None."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips">
                            {items.into_iter().map(|p| {
                                let sku = p.sku.clone();
                                view! {
                                    <li class="chip">
                                        <span title=p.name.clone()>{p.sku.clone()}</span>
                                        <button type="button" class="chip__remove" aria-label=format!("Remove {}", p.sku)
                                            on:click=move |_| { list.update(|l| l.retain(|x| x.sku != sku)); ui.clear(&["selection"]); }>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
pub(super) fn PricingStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let policy = ui.draft.with_value(|d| d.policy.clone());
    let examples = ui.examples;
    let preview_error = ui.pricing_error;
    let refresh = move || {
        let (m, r) = (f.markup.get_untracked(), f.rounding.get_untracked());
        ui.clear(&["markup", "rounding"]);
        spawn_local(async move {
            let result = preview_pricing(m.clone(), r.clone()).await;
            // Keep only the answer for what is typed now.
            if f.markup.get_untracked() != m || f.rounding.get_untracked() != r {
                return;
            }
            match result {
                Ok(p) => {
                    examples.set(p.examples);
                    preview_error.set(None);
                }
                Err(e) => preview_error.set(Some(e.to_string())),
            }
        });
    };
    let server_error = ui.error_for(&["markup", "rounding"]);
    let markup_error = Signal::derive(move || preview_error.get().or_else(|| server_error.get()));
    let initial_rounding = f.rounding.get_untracked();
    view! {
        <h2 id="step-3">"Set your prices"</h2>
        <p class="muted">"Your prices follow the hub's list prices with your markup. Change single prices on the next step."</p>
        <div class="pricing-grid">
            <div class="field">
                <label for="markup">"Markup on list prices"</label>
                <div class="affix affix--short" aria-invalid=move || markup_error.get().is_some().to_string()>
                    <input id="markup" name="markup" inputmode="decimal" autocomplete="off"
                        value=f.markup.get_untracked()
                        aria-describedby="markup-hint markup-error"
                        on:input=move |ev| { f.markup.set(event_target_value(&ev)); refresh(); }/>
                    <span class="affix__text">"%"</span>
                </div>
                <p class="field__hint" id="markup-hint">
                    {format!("The hub allows {} to {} ({} %–{} % of the list price). Use a negative number for a discount.",
                        policy.markup_min, policy.markup_max, policy.price_min_pct, policy.price_max_pct)}
                </p>
                <p class="field__error" id="markup-error" role="alert" data-testid="markup-error">{markup_error}</p>
            </div>
            <div class="field">
                <label for="rounding">"Rounding"</label>
                <select id="rounding" name="rounding" on:change=move |ev| { f.rounding.set(event_target_value(&ev)); refresh(); }>
                    {ROUNDINGS.into_iter().map(|(value, label)| view! {
                        <option value=value selected=value == initial_rounding>{label}</option>
                    }).collect_view()}
                </select>
                <p class="field__hint">"Applied after the markup."</p>
            </div>
        </div>
        <h3 class="subhead">"Examples"</h3>
        <div class="table-wrap">
            <table class="table price-examples" class:is-stale=move || markup_error.get().is_some() data-testid="price-examples">
                <thead><tr><th>"Product"</th><th class="num">"List price"</th><th class="num">"Your price"</th></tr></thead>
                <tbody>
                    {move || examples.get().into_iter().map(|e| view! {
                        <tr>
                            <td>{e.name} {(!e.sku.is_empty()).then(|| view! { <span class="muted small">" · " {e.sku.clone()}</span> })}</td>
                            <td class="num muted">{e.list}</td>
                            <td class="num"><strong>{e.price}</strong></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub(super) fn OverridesStep(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let (fields, existing) = ui
        .draft
        .with_value(|d| (d.policy.fields.clone(), d.override_count));
    let fields = StoredValue::new(fields);
    let next_key = StoredValue::new(0_u32);
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        f.lines.update(|l| l.push(Line::new(key)));
    };
    let error = ui.error_for(&["overrides"]);
    view! {
        <h2 id="step-4">"Change single products " <span class="muted small">"(optional)"</span></h2>
        <p class="muted">"Give a product your own price, name or description, feature it or hide it. The hub's range for prices applies; fields it locked cannot be changed."</p>
        {(existing > 0).then(|| view! {
            <p class="banner banner--info">
                {format!("Your store already has {existing} change(s) to single products. They stay as they are; ")}
                <a href="/console/catalog">"review them on the catalog page"</a> "."
            </p>
        })}
        <div class="table-wrap">
            <table class="table override-table">
                <thead><tr><th>"SKU"</th><th>"Field"</th><th>"New value"</th><th><span class="visually-hidden">"Remove"</span></th></tr></thead>
                <tbody>
                    <For each=move || f.lines.get() key=|l| l.key let:line>
                        <tr>
                            <td><input class="input" aria-label="SKU" placeholder="e.g. DR-1" autocomplete="off"
                                on:input=move |ev| { line.sku.set(event_target_value(&ev)); ui.clear(&["overrides"]); }/></td>
                            <td>
                                <select class="input" aria-label="Field" on:change=move |ev| { line.field.set(event_target_value(&ev)); ui.clear(&["overrides"]); }>
                                    {fields.get_value().into_iter().map(|o| {
                                        let label = if o.locked { format!("{} (locked by the hub)", o.label) } else { o.label.clone() };
                                        view! { <option value=o.value.clone() disabled=o.locked selected=o.value == "price">{label}</option> }
                                    }).collect_view()}
                                </select>
                            </td>
                            <td><input class="input" aria-label="New value" autocomplete="off"
                                placeholder=move || value_hint(&line.field.get())
                                on:input=move |ev| { line.value.set(event_target_value(&ev)); ui.clear(&["overrides"]); }/></td>
                            <td class="table__actions">
                                <button type="button" class="button button--ghost button--small" aria-label="Remove this row"
                                    on:click=move |_| f.lines.update(|l| l.retain(|x| x.key != line.key))>"×"</button>
                            </td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </div>
        {move || f.lines.with(Vec::is_empty).then(|| view! {
            <p class="muted small">"No changes. That's fine: your store shows the hub's products with your pricing."</p>
        })}
        <button type="button" class="button button--ghost button--small" data-testid="add-override" on:click=add>"+ Add a change"</button>
        <p class="field__error" role="alert" data-testid="overrides-error">{error}</p>
    }
}

#[component]
pub(super) fn ReviewStep(ui: Ui, review: Review, go_to: Callback<usize>) -> impl IntoView {
    let f = ui.form;
    let (scheme, suffix, fonts) = ui
        .draft
        .with_value(|d| (d.scheme.clone(), d.address_suffix.clone(), d.fonts.clone()));
    let address = move || {
        format!(
            "{scheme}://{}{suffix}",
            f.slug.get().trim().to_ascii_lowercase()
        )
    };
    let font_label = move || {
        let v = f.font.get();
        fonts
            .iter()
            .find(|o| o.value == v)
            .map(|o| o.label.clone())
            .unwrap_or(v)
    };
    let rounding_label = move || {
        let v = f.rounding.get();
        ROUNDINGS
            .iter()
            .find(|(k, _)| *k == v)
            .map_or("", |(_, l)| *l)
    };
    let selection = move || {
        let (ic, ec) = (
            f.include_categories.with(Vec::len),
            f.exclude_categories.with(Vec::len),
        );
        let (ip, ep) = (
            f.include_products.with(Vec::len),
            f.exclude_products.with(Vec::len),
        );
        let base = if f.select_all.get() {
            "Everything".to_owned()
        } else {
            format!("{ic} categor{}", if ic == 1 { "y" } else { "ies" })
        };
        let mut parts = vec![base];
        if ip > 0 {
            parts.push(format!("+{ip} product(s)"));
        }
        if ec + ep > 0 {
            parts.push(format!("{} excluded", ec + ep));
        }
        parts.join(", ")
    };
    let markup = move || {
        let m = f.markup.get();
        let m = m.trim().trim_end_matches('%').trim();
        match m {
            "" | "0" => "No markup".to_owned(),
            m if m.starts_with('-') => format!("{m} %"),
            m => format!("+{} %", m.trim_start_matches('+')),
        }
    };
    let swatch = |c: RwSignal<String>| {
        view! { <span class="swatch" style=move || format!("background: {}", if valid_hex(c.get().trim()) { c.get() } else { "transparent".into() })></span> }
    };
    view! {
        <h2 id="step-5">"Ready to go live?"</h2>
        <p class="muted">"Check the essentials. Publishing applies everything at once."</p>
        <dl class="review">
            <div><dt>"Address"</dt><dd data-testid="review-address">{address}</dd></div>
            <div><dt>"Name"</dt><dd>{move || f.name.get()}</dd></div>
            <div><dt>"Colours"</dt><dd>{swatch(f.primary)} {move || f.primary.get()} " " {swatch(f.accent)} {move || f.accent.get()}</dd></div>
            <div><dt>"Typeface"</dt><dd>{font_label}</dd></div>
            <div><dt>"Catalog"</dt><dd>{selection}</dd></div>
            <div><dt>"Pricing"</dt><dd>{markup} " · " {rounding_label}</dd></div>
            <div><dt>"Single-product changes"</dt><dd>{move || f.lines.with(|l| l.iter().filter(|x| !x.sku.get().trim().is_empty()).count())}</dd></div>
        </dl>
        {move || review.checking.get().then(|| view! {
            <p class="review__effect review__effect--checking muted" role="status">"Checking your store…"</p>
        })}
        {move || review.summary.get().filter(|_| !review.checking.get()).map(|s| view! {
            <p class="review__effect" data-testid="review-effect" role="status">
                "✓ All set: " <strong>{s.products}</strong> {if s.products == 1 { " product" } else { " products" }}
                " in " <strong>{s.categories}</strong> {if s.categories == 1 { " category" } else { " categories" }}
                " will be on sale."
            </p>
        })}
        {move || review.problem.get().filter(|_| !review.checking.get()).map(|e| {
            let at = e.field().map(step_of).filter(|s| *s < LAST);
            view! {
                <div class="review__problem" role="alert" data-testid="review-problem">
                    <span>
                        {at.map(|s| view! { <strong>{format!("{}: ", STEPS[s].0)}</strong> })}
                        {e.to_string()}
                    </span>
                    {at.map(|s| view! {
                        <button type="button" class="button button--small" on:click=move |_| go_to.run(s)>"Fix it"</button>
                    })}
                </div>
            }
        })}
    }
}

/// The live look of the store as the branding stands.
#[component]
pub(super) fn Preview(ui: Ui) -> impl IntoView {
    let f = ui.form;
    let fonts = ui.draft.with_value(|d| d.fonts.clone());
    // A middle-priced example, at the price the rule as typed gives it.
    let sample = move || ui.examples.with(|e| e.get(e.len() / 2).cloned());
    let style = move || {
        let pick = |c: String, fallback: &str| {
            let c = c.trim().to_ascii_lowercase();
            if valid_hex(&c) {
                c
            } else {
                fallback.to_owned()
            }
        };
        let v = f.font.get();
        let stack = fonts
            .iter()
            .find(|o| o.value == v)
            .map(|o| o.stack.clone())
            .unwrap_or_default();
        format!(
            "--p: {}; --a: {}; font-family: {}",
            pick(f.primary.get(), "#1f3a5f"),
            pick(f.accent.get(), "#b4461f"),
            if stack.is_empty() {
                "inherit".to_owned()
            } else {
                stack
            }
        )
    };
    let name = move || {
        let n = f.name.get();
        if n.trim().is_empty() {
            "Your store".to_owned()
        } else {
            n
        }
    };
    view! {
        <p class="eyebrow">"Preview"</p>
        <div class="store-preview card" style=style data-testid="store-preview">
            <div class="store-preview__bar">
                {move || {
                    let logo = f.logo.get();
                    if logo.is_empty() {
                        view! { <span class="store-preview__mark">{name().chars().next().unwrap_or('S').to_string()}</span> }.into_any()
                    } else {
                        view! { <img class="store-preview__logo" src=format!("/media/{logo}") alt=""/> }.into_any()
                    }
                }}
                <span class="store-preview__name">{name}</span>
                <span class="store-preview__cart">"Cart"</span>
            </div>
            <div class="store-preview__hero">
                <p class="store-preview__tagline">{move || { let t = f.tagline.get(); if t.trim().is_empty() { "Your tagline".to_owned() } else { t } }}</p>
                <p class="store-preview__text">{move || { let t = f.hero_text.get(); if t.trim().is_empty() { "Your welcome text appears here.".to_owned() } else { t } }}</p>
                <span class="store-preview__button">"Shop now"</span>
            </div>
            <div class="store-preview__product">
                <span class="store-preview__thumb" aria-hidden="true"></span>
                <span>
                    <span class="store-preview__pname">{move || sample().map_or_else(|| "Example product".to_owned(), |s| s.name)}</span>
                    <span class="store-preview__price">{move || sample().map(|s| s.price)}</span>
                </span>
                <a class="store-preview__link" href="#wizard" on:click=|ev| ev.prevent_default()>"Details →"</a>
            </div>
        </div>
        <p class="muted small">"White text sits on the primary colour; the accent colour is used on white. Both need a contrast of at least 4.5:1."</p>
    }
}

#[component]
pub(super) fn Live(published: PublishedStore) -> impl IntoView {
    let p = published;
    view! {
        <div class="card live-card" data-testid="store-live" role="status">
            <div class="live-card__badge" aria-hidden="true">"✓"</div>
            <p class="eyebrow">"Published"</p>
            <h1>"Your store is live"</h1>
            <p class="live-card__lead">
                "Customers can shop at " <a href=p.url.clone() data-testid="store-url">{p.url.clone()}</a>
                {format!(" — {} product{} on sale.", p.products, if p.products == 1 { "" } else { "s" })}
            </p>
            {p.slug_changed.then(|| view! {
                <div class="banner banner--pending" data-testid="moved-notice">
                    <strong>"Your store has a new address. "</strong>
                    "Log-ins belong to one address, so this page's session ends here: log in again at "
                    <a href=p.login_url.clone()>{p.login_url.clone()}</a> " to keep working on your store."
                </div>
            })}
            {p.renamed.then(|| view! {
                <p class="muted" data-testid="renamed-notice">{format!("Your store is now called “{}”.", p.name)}</p>
            })}
            <div class="live-card__actions">
                <a class="button button--large" href=p.url.clone() target="_blank" rel="noopener">"Visit your store ↗"</a>
                {if p.slug_changed {
                    view! { <a class="button button--ghost button--large" href=p.login_url.clone()>"Log in at the new address"</a> }.into_any()
                } else {
                    view! {
                        <a class="button button--ghost button--large" href="/console/catalog">"Review catalog overrides"</a>
                        <a class="button button--ghost button--large" href="/console/store">"Edit again"</a>
                    }.into_any()
                }}
            </div>
        </div>
    }
}
