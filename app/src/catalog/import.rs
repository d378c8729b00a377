//! CSV import with live progress and every bad row listed.

use super::*;

fn phase_label(phase: &str) -> &'static str {
    match phase {
        "queued" => "Waiting to start",
        "reading" => "Reading the file",
        "checking" => "Checking the rows",
        "writing" => "Writing the products",
        "done" => "Finishing",
        _ => "Working",
    }
}

/// Follows an import job: fetches its state now and again every half second while it runs.
/// Without `job`, the hub's latest import (if any) is shown. Stops once the page is gone.
fn poll(
    job: Option<String>,
    status: RwSignal<Option<ImportStatus>>,
    failure: RwSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        match catalog_import_status(job.clone()).await {
            Ok(Some(s)) => {
                let next = s.running().then(|| s.job.clone());
                if status.try_set(Some(s)).is_some() {
                    return;
                }
                let _ = failure.try_set(None);
                if let Some(job) = next {
                    set_timeout(
                        move || poll(Some(job), status, failure),
                        Duration::from_millis(500),
                    );
                }
            }
            Ok(None) => {}
            // A passing network problem: try again a little later.
            Err(ApiError::Transport(_)) if job.is_some() => {
                if failure
                    .try_set(Some("Lost contact with the server; retrying…".into()))
                    .is_none()
                {
                    set_timeout(move || poll(job, status, failure), Duration::from_secs(2));
                }
            }
            Err(ApiError::NotFound) => {
                let _ = failure.try_set(Some(
                    "This import's progress is no longer available (the server may have restarted). \
                     Check the products list to see what was imported."
                        .into(),
                ));
            }
            Err(e) => {
                let _ = failure.try_set(Some(capitalise(&e.to_string())));
            }
        }
    });
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let status = RwSignal::new(None::<ImportStatus>);
    let failure = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let upload_result = RwSignal::new(None::<Result<(), ApiError>>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // In the browser: pick up the latest import (one may be running from before a reload).
    Effect::new(move |_| poll(None, status, failure));
    let running = move || status.with(|s| s.as_ref().is_some_and(ImportStatus::running));

    let submit = move |ev: SubmitEvent| {
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
                upload_result.set(Some(Err(e)));
                return;
            }
        };
        uploading.set(true);
        upload_result.set(None);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = start_catalog_import(data).await;
            let _ = uploading.try_set(false);
            match result {
                Ok(s) => {
                    let job = s.job.clone();
                    if status.try_set(Some(s)).is_none() {
                        let _ = upload_result.try_set(Some(Ok(())));
                        form.reset();
                        poll(Some(job), status, failure);
                    }
                }
                Err(e) => {
                    let _ = upload_result.try_set(Some(Err(e)));
                }
            }
        });
    };
    let file_error = move || match upload_result.get() {
        Some(Err(e)) if e.field() == Some("file") => Some(capitalise(&e.to_string())),
        _ => None,
    };
    let other_error = move || match upload_result.get() {
        Some(Err(e)) if e.field().is_none() => Some(upload_message(
            &e,
            "Import big files on the server with `hub catalog import FILE`.",
        )),
        _ => None,
    };

    view! {
        <Title text="Import · Catalog · Hub admin"/>
        <HubFrame>
            <section class="section catalog">
                <div class="container">
                    <ConsoleHeader section=Section::Import title="Import products">
                        <a class="button button--ghost button--small" href="/admin/catalog/export.csv" rel="external" download="catalog.csv">"Export CSV"</a>
                    </ConsoleHeader>
                    <div class="catalog-split">
                        <div class="catalog-split__main">
                            <form
                                node_ref=form_ref
                                class="card catalog-panel catalog-upload"
                                method="post"
                                enctype="multipart/form-data"
                                action=StartCatalogImport::PATH
                                novalidate
                                on:submit=submit
                                data-testid="import-form"
                            >
                                <h2 class="catalog-panel__title">"Upload a CSV file"</h2>
                                <div class="field">
                                    <label for="file">"CSV file"</label>
                                    <input id="file" name="file" type="file" accept=".csv,text/csv"
                                        aria-describedby="file-hint file-error"
                                        aria-invalid=move || file_error().is_some().to_string()
                                        data-testid="import-file"/>
                                    <p class="field__hint" id="file-hint">
                                        "Uploads here are limited by the server's request size (2 MB unless configured otherwise). "
                                        "Import bigger files on the server with " <code>"hub catalog import FILE"</code> "."
                                    </p>
                                    <p class="field__error" id="file-error" role="alert">{file_error}</p>
                                </div>
                                <p class="form__error" role="alert">{other_error}</p>
                                <div class="catalog-form__actions">
                                    <button class="button" type="submit" disabled=move || uploading.get() || running() data-testid="start-import">
                                        {move || if uploading.get() { "Uploading…" } else if running() { "Import running…" } else { "Import" }}
                                    </button>
                                </div>
                            </form>
                            <p class="error" role="alert" hidden=move || failure.with(Option::is_none)>{move || failure.get()}</p>
                            {move || status.get().map(|s| view! { <ImportView status=s/> })}
                        </div>
                        <aside class="catalog-split__side">
                            <div class="card catalog-panel catalog-help">
                                <h2 class="catalog-panel__title">"File format"</h2>
                                <p class="small">"The first line names the columns, in any order:"</p>
                                <ul class="catalog-columns">
                                    <li><code>"sku"</code><span class="catalog-required">" required"</span></li>
                                    <li><code>"name"</code><span class="catalog-required">" required"</span></li>
                                    <li><code>"price"</code><span class="catalog-required">" required"</span>" — e.g. 12.50"</li>
                                    <li><code>"currency"</code><span class="catalog-required">" required"</span>" — e.g. EUR"</li>
                                    <li><code>"description"</code>" — Markdown"</li>
                                    <li><code>"category"</code>" — a category address or id"</li>
                                    <li><code>"status"</code>" — draft, active or discontinued"</li>
                                    <li><code>"attributes"</code>" — Name=Value; Name=Value"</li>
                                    <li><code>"image"</code>" — a stored image name"</li>
                                </ul>
                                <p class="small">
                                    "Rows are matched by SKU: known SKUs are updated, new ones are created. "
                                    "If any row has a problem, nothing is imported and every bad row is listed."
                                </p>
                                <p class="small muted">"Tip: export the catalog to get a file in exactly this format."</p>
                            </div>
                        </aside>
                    </div>
                </div>
            </section>
            <crate::HydrationMark/>
        </HubFrame>
    }
}

#[component]
fn ImportView(status: ImportStatus) -> impl IntoView {
    let file = format!("{} ({})", status.file_name, human_bytes(status.size_bytes));
    match status.outcome {
        None => {
            let (value, max) = if status.total > 0 {
                (Some(status.done.min(status.total).to_string()), status.total.to_string())
            } else {
                (None, "1".to_owned())
            };
            let count = (status.total > 0).then(|| {
                format!("{} of {} rows", thousands(status.done.min(status.total)), thousands(status.total))
            });
            view! {
                <div class="card catalog-panel catalog-progress" aria-live="polite" data-testid="import-progress">
                    <h2 class="catalog-panel__title">"Importing " {file}</h2>
                    <progress max=max value=value aria-label="Import progress"></progress>
                    <p class="catalog-progress__phase">
                        <strong data-testid="import-phase">{phase_label(&status.phase)}</strong>
                        {count.map(|c| view! { <span class="muted">" · " {c}</span> })}
                    </p>
                </div>
            }
            .into_any()
        }
        Some(ImportOutcome::Imported { rows, created, updated }) => view! {
            <div class="success catalog-result" role="status" data-testid="import-done">
                <h3>"Imported " {file}</h3>
                <p>
                    {thousands(rows)} " products: " {thousands(created)} " new, " {thousands(updated)} " updated. "
                    <a href="/admin/catalog">"See the products"</a>
                </p>
            </div>
        }
        .into_any(),
        Some(ImportOutcome::FileError(message)) => view! {
            <div class="card catalog-panel catalog-result catalog-result--bad" role="alert" data-testid="import-file-error">
                <h2 class="catalog-panel__title">{file} " was not imported"</h2>
                <p class="error">{capitalise(&message)}</p>
            </div>
        }
        .into_any(),
        Some(ImportOutcome::BadRows { rows, total }) => {
            let shown = rows.len() as u64;
            view! {
                <div class="card catalog-panel catalog-result catalog-result--bad" role="alert" data-testid="import-bad-rows">
                    <h2 class="catalog-panel__title">{file} " was not imported"</h2>
                    <p class="error">
                        {thousands(total)} {if total == 1 { " row has a problem" } else { " rows have problems" }}
                        "; nothing was imported. Fix them and upload the file again."
                    </p>
                    {(shown < total).then(|| view! {
                        <p class="muted small">"The first " {thousands(shown)} " are listed."</p>
                    })}
                    <div class="catalog-tablewrap catalog-tablewrap--plain">
                        <table class="table catalog-table catalog-badrows">
                            <thead>
                                <tr><th class="catalog-num">"Line"</th><th>"SKU"</th><th>"Problems"</th></tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! { <BadRowLine row=r/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[component]
fn BadRowLine(row: BadRow) -> impl IntoView {
    view! {
        <tr>
            <td class="catalog-num">{row.line}</td>
            <td>{if row.sku.is_empty() {
                view! { <span class="muted">"—"</span> }.into_any()
            } else {
                view! { <code class="catalog-sku">{row.sku}</code> }.into_any()
            }}</td>
            <td>
                <ul class="catalog-reasons">
                    {row.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}
