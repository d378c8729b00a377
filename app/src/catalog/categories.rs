//! The category tree: add, rename, move, delete.

use super::*;

#[component]
pub fn CategoriesPage() -> impl IntoView {
    let save = ServerAction::<SaveCatalogCategory>::new();
    let delete = ServerAction::<DeleteCatalogCategory>::new();
    let rows = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| catalog_categories(),
    );
    // The form's state lives here, outside the parts that re-render with the list.
    let editing = RwSignal::new(None::<CategoryRow>);
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let parent = RwSignal::new(String::new());
    let position = RwSignal::new("0".to_owned());
    let confirming = RwSignal::new(None::<String>);
    // The category a deletion was asked for: (id, name).
    let deleting = RwSignal::new((String::new(), String::new()));
    let saved = RwSignal::new(None::<String>);
    let name_ref = NodeRef::<leptos::html::Input>::new();

    let reset = move || {
        editing.set(None);
        name.set(String::new());
        slug.set(String::new());
        parent.set(String::new());
        position.set("0".to_owned());
    };
    let edit = Callback::new(move |row: CategoryRow| {
        name.set(row.name.clone());
        slug.set(row.slug.clone());
        parent.set(row.parent.clone().unwrap_or_default());
        position.set(row.position.to_string());
        editing.set(Some(row));
        saved.set(None);
        if let Some(input) = name_ref.get_untracked() {
            let _ = input.focus();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(row)) = save.value().get() {
            saved.set(Some(row.name.clone()));
            reset();
        }
    });
    Effect::new(move |_| {
        let outcome = delete.value().get();
        if outcome.is_some() {
            confirming.set(None);
        }
        if let Some(Ok(())) = outcome {
            // A deleted category being edited is gone: back to a new one.
            let gone = deleting.with_untracked(|(id, _)| id.clone());
            if editing.with_untracked(|e| e.as_ref().is_some_and(|e| e.id == gone)) {
                reset();
            }
        }
    });

    view! {
        <Title text="Categories · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Categories title="Categories"/>
                    <div class="catalog-split">
                        <div class="catalog-split__main">
                            {move || match delete.value().get() {
                                Some(Err(e)) => Some(view! {
                                    <p class="error" role="alert" data-testid="delete-error">
                                        {format!("“{}” was not deleted: {e}", deleting.with(|(_, name)| name.clone()))}
                                    </p>
                                }),
                                _ => None,
                            }}
                            <Transition fallback=|| view! { <p class="muted">"Loading categories…"</p> }>
                                {move || Suspend::new(async move {
                                    match rows.await {
                                        Err(e) => error_box(&e),
                                        Ok(rows) if rows.is_empty() => view! {
                                            <div class="card empty catalog-empty">
                                                <h2>"No categories yet"</h2>
                                                <p class="muted">"Categories organise the stores' navigation. Create the first one with the form."</p>
                                            </div>
                                        }.into_any(),
                                        Ok(rows) => view! {
                                            <div class="card catalog-tablewrap">
                                                <table class="table catalog-table" data-testid="categories">
                                                    <thead>
                                                        <tr>
                                                            <th>"Name"</th>
                                                            <th>"Address"</th>
                                                            <th class="catalog-num">"Position"</th>
                                                            <th><span class="visually-hidden">"Actions"</span></th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {rows.into_iter().map(|row| view! {
                                                            <CategoryLine row edit confirming deleting delete/>
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }.into_any(),
                                    }
                                })}
                            </Transition>
                        </div>
                        <aside class="catalog-split__side">
                            <div class="card catalog-panel">
                                <h2 class="catalog-panel__title">
                                    {move || match editing.get() {
                                        Some(row) => format!("Edit “{}”", row.name),
                                        None => "New category".to_owned(),
                                    }}
                                </h2>
                                <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="category-form">
                                    <input type="hidden" name="id" prop:value=move || editing.with(|e| e.as_ref().map(|e| e.id.clone()).unwrap_or_default()) value=""/>
                                    <TextField id="name" label="Name" value=name error=field_error(save.value(), "name") required=true maxlength=80 node_ref=name_ref/>
                                    <TextField id="slug" label="Address" value=slug error=field_error(save.value(), "slug")
                                        placeholder="derived from the name" hint="The store shows the category at /c/address."/>
                                    <Transition fallback=|| view! { <p class="muted small">"Loading…"</p> }>
                                        {move || Suspend::new(async move {
                                            let rows = rows.await.unwrap_or_default();
                                            // Built afresh for each category edited: its options
                                            // leave out the category and what it holds.
                                            move || {
                                                let exclude = editing.with(|e| e.as_ref().map(|e| e.id.clone()));
                                                view! { <ParentSelect rows=rows.clone() value=parent exclude error=field_error(save.value(), "parent")/> }
                                            }
                                        })}
                                    </Transition>
                                    <TextField id="position" label="Position" value=position error=field_error(save.value(), "position")
                                        kind="number" inputmode="numeric" hint="Lower numbers come first among siblings."/>
                                    <p class="form__error" role="alert">{move || form_error(save.value()).get()}</p>
                                    <div class="catalog-form__actions">
                                        <button class="button" type="submit" disabled=move || save.pending().get() data-testid="save-category">
                                            {move || match (save.pending().get(), editing.with(Option::is_some)) {
                                                (true, _) => "Saving…",
                                                (false, true) => "Save changes",
                                                (false, false) => "Create category",
                                            }}
                                        </button>
                                        {move || editing.with(Option::is_some).then(|| view! {
                                            <button class="button button--ghost" type="button" on:click=move |_| reset()>"Cancel"</button>
                                        })}
                                    </div>
                                    <p class="catalog-savebar__status" role="status">
                                        {move || saved.get().map(|n| format!("Saved “{n}”."))}
                                    </p>
                                </ActionForm>
                            </div>
                        </aside>
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

/// The parent choice: every category but the one being edited and those inside it.
#[component]
fn ParentSelect(
    rows: Vec<CategoryRow>,
    value: RwSignal<String>,
    exclude: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let initial = value.get_untracked();
    let mut options = vec![(
        String::new(),
        "None (top level)".to_owned(),
        initial.is_empty(),
    )];
    // Rows are in tree order: a category's descendants follow it, deeper than it.
    let mut skip_below: Option<usize> = None;
    for r in &rows {
        if let Some(d) = skip_below {
            if r.depth > d {
                continue;
            }
            skip_below = None;
        }
        if Some(&r.id) == exclude.as_ref() {
            skip_below = Some(r.depth);
            continue;
        }
        let label = format!("{}{}", "\u{2003}".repeat(r.depth), r.name);
        options.push((r.id.clone(), label, r.id == initial));
    }
    view! {
        <div class="field">
            <label for="parent">"Parent category"</label>
            <select
                id="parent"
                name="parent"
                prop:value=value
                aria-describedby="parent-error"
                aria-invalid=move || error.get().is_some().to_string()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {options.into_iter().map(|(v, l, selected)| view! {
                    <option value=v selected=selected>{l}</option>
                }).collect_view()}
            </select>
            <p class="field__error" id="parent-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

#[component]
fn CategoryLine(
    row: CategoryRow,
    edit: Callback<CategoryRow>,
    confirming: RwSignal<Option<String>>,
    deleting: RwSignal<(String, String)>,
    delete: ServerAction<DeleteCatalogCategory>,
) -> impl IntoView {
    let id = row.id.clone();
    let is_confirming = {
        let id = id.clone();
        move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
    };
    let indent = format!("--depth: {}", row.depth);
    let line = row.clone();
    let name = row.name.clone();
    view! {
        <tr data-slug=row.slug.clone()>
            <td>
                <span class="catalog-tree" style=indent>
                    {(row.depth > 0).then(|| view! { <span class="catalog-tree__branch" aria-hidden="true">"└"</span> })}
                    <strong>{row.name.clone()}</strong>
                </span>
            </td>
            <td><code class="catalog-sku">{format!("/c/{}", row.slug)}</code></td>
            <td class="catalog-num">{row.position}</td>
            <td class="table__actions">
                {move || if is_confirming() {
                    let id = id.clone();
                    let name = name.clone();
                    view! {
                        <span class="catalog-confirm" role="group" aria-label="Confirm deletion">
                            <span class="small">"Delete?"</span>
                            <button type="button" class="button button--small catalog-danger"
                                disabled=move || delete.pending().get()
                                on:click=move |_| {
                                    deleting.set((id.clone(), name.clone()));
                                    delete.dispatch(DeleteCatalogCategory { id: id.clone() });
                                }>"Delete"</button>
                            <button type="button" class="button button--ghost button--small" on:click=move |_| confirming.set(None)>"Keep"</button>
                        </span>
                    }.into_any()
                } else {
                    let line = line.clone();
                    let id = id.clone();
                    let label_edit = format!("Edit {}", line.name);
                    let label_delete = format!("Delete {}", line.name);
                    view! {
                        <button type="button" class="button button--ghost button--small" aria-label=label_edit
                            on:click=move |_| edit.run(line.clone())>"Edit"</button>
                        <button type="button" class="button button--ghost button--small catalog-ghost-danger" aria-label=label_delete
                            on:click=move |_| confirming.set(Some(id.clone()))>"Delete"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
