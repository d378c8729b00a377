//! The product editor: fields, Markdown description with preview, image upload.

use super::*;

const STATUSES: [(&str, &str); 3] = [
    ("draft", "Draft — not in any store"),
    ("active", "Active — in the stores' catalogs"),
    ("discontinued", "Discontinued — withdrawn from the stores"),
];

/// `/admin/catalog/new` and `/admin/catalog/products/:id`.
#[component]
pub fn ProductEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let editor = Resource::new(move || params.with(|p| p.get("id")), catalog_product);
    view! {
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <Transition fallback=|| view! { <p class="muted">"Loading the product…"</p> }>
                        {move || Suspend::new(async move {
                            let created = query.with(|q| q.get("created").is_some());
                            match editor.await {
                                Ok(e) => view! { <ProductEditorView editor=e created/> }.into_any(),
                                Err(e) => view! {
                                    <Title text="Product · Catalog · Hub admin"/>
                                    <ConsoleHeader section=Section::Products title="Product"/>
                                    {error_box(&e)}
                                    <p><a href="/admin/catalog">"← Back to the products"</a></p>
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
fn ProductEditorView(editor: ProductEditor, created: bool) -> impl IntoView {
    let p = editor.product;
    let id = p.id.clone();
    let is_new = id.is_none();
    let sku = RwSignal::new(p.sku.clone());
    let name = RwSignal::new(p.name.clone());
    let description = RwSignal::new(p.description.clone());
    let price = RwSignal::new(p.price.clone());
    let currency = RwSignal::new(p.currency.clone());
    let category = RwSignal::new(p.category.clone());
    let status = RwSignal::new(p.status.clone());
    let attributes = RwSignal::new(p.attributes.clone());
    let image = RwSignal::new(p.image.clone());
    let updated = RwSignal::new(p.updated_at.clone());
    let saved_name = RwSignal::new(p.name.clone());
    let saved_status = RwSignal::new(p.status.clone());

    let save = ServerAction::<SaveCatalogProduct>::new();
    let result = save.value();
    let navigate = use_navigate();

    // Required fields left empty are flagged in the browser, all at once, before anything is
    // sent; the server checks everything else (and these again).
    let required = [
        ("sku", sku, "Enter a SKU."),
        ("name", name, "Enter a name."),
        ("price", price, "Enter a price, e.g. 12.50."),
        ("currency", currency, "Enter a currency code, e.g. EUR."),
    ];
    let refs: [NodeRef<leptos::html::Input>; 4] = Default::default();
    let missing = RwSignal::new(Vec::<&'static str>::new());
    let error_for = move |field: &'static str| -> Signal<Option<String>> {
        let server = field_error(result, field);
        Signal::derive(move || {
            let local = required
                .iter()
                .find(|(f, value, _)| *f == field && value.with(|v| v.trim().is_empty()))
                .filter(|_| missing.with(|m| m.contains(&field)))
                .map(|(_, _, message)| (*message).to_owned());
            local.or_else(|| server.get())
        })
    };
    let check_required = move |ev: leptos::ev::MouseEvent| {
        let empty: Vec<usize> = (0..required.len())
            .filter(|i| required[*i].1.with_untracked(|v| v.trim().is_empty()))
            .collect();
        missing.set(empty.iter().map(|i| required[*i].0).collect());
        if let Some(first) = empty.first() {
            ev.prevent_default();
            if let Some(input) = refs[*first].get_untracked() {
                let _ = input.focus();
            }
        }
    };
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get() {
            match &saved.id {
                Some(new_id) if is_new => {
                    navigate(
                        &format!("/admin/catalog/products/{new_id}?created=1"),
                        NavigateOptions::default(),
                    );
                }
                _ => {
                    // Show what was stored (SKU in upper case, price with its decimals...).
                    sku.set(saved.sku.clone());
                    name.set(saved.name.clone());
                    price.set(saved.price.clone());
                    currency.set(saved.currency.clone());
                    attributes.set(saved.attributes.clone());
                    updated.set(saved.updated_at.clone());
                    saved_name.set(saved.name.clone());
                    saved_status.set(saved.status.clone());
                }
            }
        }
    });

    let title = if is_new {
        "New product".to_owned()
    } else {
        p.name.clone()
    };
    let crumb = if is_new {
        "New product".to_owned()
    } else {
        p.sku.clone()
    };
    let mut status_options: Vec<(String, String)> = STATUSES
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect();
    if !STATUSES.iter().any(|(v, _)| *v == p.status) {
        status_options.insert(0, (p.status.clone(), capitalise(&p.status)));
    }
    let categories = category_options(&editor.categories, "No category");
    let no_categories = editor.categories.is_empty();
    let hidden_id = id.clone().unwrap_or_default();
    let image_id = id.clone();
    view! {
        <Title text=format!("{title} · Catalog · Hub admin")/>
        <nav class="catalog-crumbs" aria-label="Breadcrumb">
            <a href="/admin/catalog">"Products"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{crumb}</span>
        </nav>
        <header class="catalog-head">
            <div>
                <p class="eyebrow">"Hub admin · Catalog"</p>
                <h1 data-testid="editor-title">
                    {move || if is_new { "New product".to_owned() } else { saved_name.get() }}
                </h1>
            </div>
            {(!is_new).then(|| view! {
                <div class="catalog-head__actions">
                    <span class=move || format!("pill catalog-pill catalog-pill--{}", saved_status.get())>{move || saved_status.get()}</span>
                </div>
            })}
        </header>
        {move || (created && result.with(Option::is_none)).then(|| view! {
            <p class="success catalog-flash" role="status" data-testid="product-created">
                "Product created. You can add an image now."
            </p>
        })}
        <div class="catalog-editor">
            <ActionForm action=save attr:class="catalog-editor__form" attr:novalidate=true attr:data-testid="product-form">
                <input type="hidden" name="id" value=hidden_id/>
                <div class="card catalog-panel">
                    <h2 class="catalog-panel__title">"Product"</h2>
                    <div class="catalog-row">
                        <TextField id="sku" label="SKU" value=sku error=error_for("sku") required=true maxlength=64 node_ref=refs[0]
                            class="catalog-row__narrow" hint="Letters, digits and - _ . / — stored in upper case."/>
                        <TextField id="name" label="Name" value=name error=error_for("name") required=true maxlength=200 node_ref=refs[1]/>
                    </div>
                    <DescriptionField value=description error=field_error(result, "description")/>
                    <TextField id="attributes" label="Attributes" value=attributes error=field_error(result, "attributes")
                        placeholder="Colour=Red; Weight=2 kg"
                        hint="Name=Value pairs separated by semicolons, up to 30."/>
                </div>
                <div class="card catalog-panel">
                    <h2 class="catalog-panel__title">"Price and availability"</h2>
                    <div class="catalog-row">
                        <TextField id="price" label="List price" value=price error=error_for("price") required=true node_ref=refs[2]
                            inputmode="decimal" placeholder="12.50" hint="Stores price from this within your price policy."/>
                        <TextField id="currency" label="Currency" value=currency error=error_for("currency") required=true node_ref=refs[3]
                            maxlength=3 class="catalog-row__narrow" placeholder="EUR" hint="ISO code, e.g. EUR, USD, GBP."/>
                    </div>
                    <div class="catalog-row">
                        <SelectField id="status" label="Status" value=status options=status_options error=field_error(result, "status")/>
                        <SelectField id="category" label="Category" value=category options=categories error=field_error(result, "category")
                            hint=if no_categories { "No categories yet: create them under Categories." } else { "Where the product appears in the stores." }/>
                    </div>
                </div>
                <div class="catalog-savebar">
                    <p class="form__error" role="alert">{move || form_error(result).get()}</p>
                    <p class="catalog-savebar__status" role="status">
                        {move || matches!(result.get(), Some(Ok(_))).then(|| if is_new { "Created." } else { "Saved." })}
                    </p>
                    <a class="button button--ghost" href="/admin/catalog">"Cancel"</a>
                    <button class="button" type="submit" disabled=move || save.pending().get() on:click=check_required data-testid="save-product">
                        {move || match (save.pending().get(), is_new) {
                            (true, _) => "Saving…",
                            (false, true) => "Create product",
                            (false, false) => "Save changes",
                        }}
                    </button>
                </div>
            </ActionForm>
            <aside class="catalog-editor__side">
                <ImageCard id=image_id image max_bytes=editor.max_image_bytes/>
                {id.map(|id| view! {
                    <div class="card catalog-panel catalog-meta">
                        <h2 class="catalog-panel__title">"Details"</h2>
                        <dl>
                            <div><dt>"ID"</dt><dd><code>{id}</code></dd></div>
                            <div><dt>"Last updated"</dt><dd>{move || updated.get()}</dd></div>
                        </dl>
                    </div>
                })}
            </aside>
        </div>
    }
}

/// The description: Markdown, with a preview rendered exactly as the storefront will.
#[component]
fn DescriptionField(
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let previewing = RwSignal::new(false);
    let html = RwSignal::new(None::<Result<String, ApiError>>);
    let show_preview = move |_| {
        previewing.set(true);
        html.set(None);
        let text = value.get_untracked();
        leptos::task::spawn_local(async move {
            let result = preview_description(text).await;
            let _ = html.try_set(Some(result));
        });
    };
    view! {
        <div class="field catalog-description">
            <div class="catalog-description__head">
                <label for="description">"Description"</label>
                <div class="tabs catalog-description__tabs" role="tablist" aria-label="Description view">
                    <button type="button" role="tab" class="tab" aria-selected=move || (!previewing.get()).to_string()
                        aria-controls="description" on:click=move |_| previewing.set(false)>"Write"</button>
                    <button type="button" role="tab" class="tab" aria-selected=move || previewing.get().to_string()
                        aria-controls="description-preview" on:click=show_preview>"Preview"</button>
                </div>
            </div>
            <textarea
                id="description"
                name="description"
                rows="10"
                class="catalog-textarea"
                hidden=move || previewing.get()
                prop:value=value
                aria-describedby="description-hint description-error"
                aria-invalid=move || error.get().is_some().to_string()
                on:input=move |ev| value.set(event_target_value(&ev))
            >{value.get_untracked()}</textarea>
            <div id="description-preview" class="catalog-preview" role="tabpanel" hidden=move || !previewing.get()>
                {move || match html.get() {
                    None => view! { <p class="muted">"Rendering…"</p> }.into_any(),
                    Some(Ok(h)) if h.trim().is_empty() => view! { <p class="muted">"Nothing to preview yet."</p> }.into_any(),
                    Some(Ok(h)) => view! { <div class="catalog-preview__body" inner_html=h></div> }.into_any(),
                    Some(Err(e)) => view! { <p class="field__error">{capitalise(&e.to_string())}</p> }.into_any(),
                }}
            </div>
            <p class="field__hint" id="description-hint">
                "Markdown: **bold**, *italic*, lists, links and tables. Up to 20,000 characters."
            </p>
            <p class="field__error" id="description-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
        </div>
    }
}

/// The product's image: shown, replaced by an upload, or removed.
#[component]
fn ImageCard(id: Option<String>, image: RwSignal<Option<String>>, max_bytes: u64) -> impl IntoView {
    let Some(id) = id else {
        return view! {
            <div class="card catalog-panel catalog-image">
                <h2 class="catalog-panel__title">"Image"</h2>
                <div class="catalog-image__frame catalog-image__frame--empty" aria-hidden="true"></div>
                <p class="muted small">"Create the product first; then you can add its image here."</p>
            </div>
        }
        .into_any();
    };
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let uploading = RwSignal::new(false);
    let removing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<&'static str>);
    let upload = move |ev: SubmitEvent| {
        ev.prevent_default();
        if uploading.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let data = match multipart(&form) {
            Ok(d) => d,
            Err(e) => {
                error.set(Some(capitalise(&e.to_string())));
                return;
            }
        };
        uploading.set(true);
        error.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            let result = upload_product_image(data).await;
            let _ = uploading.try_set(false);
            match result {
                Ok(name) => {
                    let _ = image.try_set(Some(name));
                    let _ = notice.try_set(Some("Image uploaded."));
                    form.reset();
                }
                Err(e) => {
                    let _ = error.try_set(Some(upload_message(&e, "Try a smaller image.")));
                }
            }
        });
    };
    let remove = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            removing.set(true);
            error.set(None);
            notice.set(None);
            leptos::task::spawn_local(async move {
                let result = remove_product_image(id).await;
                let _ = removing.try_set(false);
                match result {
                    Ok(()) => {
                        let _ = image.try_set(None);
                        let _ = notice.try_set(Some("Image removed."));
                    }
                    Err(e) => {
                        let _ = error.try_set(Some(capitalise(&e.to_string())));
                    }
                }
            });
        }
    };
    let limit = format!("PNG, JPEG or WebP, up to {}.", human_bytes(max_bytes));
    view! {
        <div class="card catalog-panel catalog-image">
            <h2 class="catalog-panel__title">"Image"</h2>
            {move || match image.get() {
                Some(name) => view! {
                    <div class="catalog-image__frame">
                        <img src=format!("/media/{name}") alt="Current product image" data-testid="product-image"/>
                    </div>
                }.into_any(),
                None => view! {
                    <div class="catalog-image__frame catalog-image__frame--empty">
                        <span class="muted small">"No image yet"</span>
                    </div>
                }.into_any(),
            }}
            <form
                node_ref=form_ref
                class="catalog-image__form"
                method="post"
                enctype="multipart/form-data"
                action=UploadProductImage::PATH
                novalidate
                on:submit=upload
            >
                <input type="hidden" name="id" value=id.clone()/>
                <div class="field">
                    <label for="image">{move || if image.get().is_some() { "Replace the image" } else { "Add an image" }}</label>
                    <input id="image" name="image" type="file" accept="image/png,image/jpeg,image/webp"
                        aria-describedby="image-hint image-error"
                        aria-invalid=move || error.get().is_some().to_string()
                        data-testid="image-input"/>
                    <p class="field__hint" id="image-hint">{limit}</p>
                    <p class="field__error" id="image-error" role="alert">{move || error.get().map(|e| capitalise(&e))}</p>
                </div>
                <div class="catalog-image__actions">
                    <button class="button button--small" type="submit" disabled=move || uploading.get() data-testid="upload-image">
                        {move || if uploading.get() { "Uploading…" } else { "Upload" }}
                    </button>
                    {move || image.get().is_some().then(|| view! {
                        <button class="button button--ghost button--small" type="button" on:click=remove.clone() disabled=move || removing.get()>
                            {move || if removing.get() { "Removing…" } else { "Remove image" }}
                        </button>
                    })}
                </div>
                <p class="catalog-image__notice" role="status">{move || notice.get()}</p>
            </form>
        </div>
    }
    .into_any()
}
