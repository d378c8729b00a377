//! The quote-request pages: the reseller's requests (`/console/rfqs`, the editor and the
//! comparison at `/console/rfqs/:id`), the distributor's inbox (`/console/partner/rfqs`,
//! answering at `/console/partner/rfqs/:id`) and the hub admin's activity (`/admin/rfqs`).
//! Every text a reseller or distributor typed is rendered as text (Leptos escapes it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::components::layout::HubFrame;
use crate::error::ApiError;
use crate::quotes::api::*;

fn problem(e: &ApiError, login_next: &str) -> AnyView {
    let text = match e {
        ApiError::NotFound => "Not found: this request does not exist here.".to_owned(),
        ApiError::Unauthenticated => "Log in with your account to see quote requests.".to_owned(),
        ApiError::Forbidden => "Your role cannot do that.".to_owned(),
        other => other.to_string(),
    };
    let login = matches!(e, ApiError::Unauthenticated).then(|| {
        view! { <p><a class="button" href=format!("/login?next={login_next}")>"Log in"</a></p> }
    });
    view! { <div class="card empty"><p class="error" role="alert">{text}</p>{login}</div> }
        .into_any()
}

fn state_pill(state: &str) -> AnyView {
    let class = match state {
        "accepted" | "offered" => "pill pill--approved",
        "closed" | "countered" | "requested" | "awaiting answer" => "pill pill--pending",
        "withdrawn" | "expired" | "not selected" | "not_selected" => "pill pill--suspended",
        _ => "pill pill--paused",
    };
    view! { <span class=class data-testid="rfq-state">{state.replace('_', " ")}</span> }.into_any()
}

fn result_error<T, S>(value: S, testid: &'static str) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, ApiError>>> + Copy + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(e)) => {
            Some(view! { <p class="error" role="alert" data-testid=testid>{e.to_string()}</p> })
        }
        _ => None,
    }
}

#[component]
fn Notices(notices: Vec<NoticeRow>, base: &'static str, partner: bool) -> impl IntoView {
    let read = ServerAction::<RfqNoticesRead>::new();
    let pread = ServerAction::<PartnerRfqNoticesRead>::new();
    let unread = notices.iter().filter(|n| !n.read).count();
    let done = move || read.version().get() + pread.version().get() > 0;
    view! {
        <div class="card partner-panel rfq-notices" data-testid="notices">
            <div class="partner-panel__head">
                <h2>"Notices" {(unread > 0).then(|| view! { <span class="count-badge">{unread}</span> })}</h2>
                {(unread > 0).then(|| if partner {
                    view! { <ActionForm action=pread><button class="button button--ghost button--small" type="submit">"Mark all read"</button></ActionForm> }.into_any()
                } else {
                    view! { <ActionForm action=read><button class="button button--ghost button--small" type="submit">"Mark all read"</button></ActionForm> }.into_any()
                })}
            </div>
            {if notices.is_empty() {
                view! { <p class="muted">"Nothing yet. Answers, counter-offers and decisions show up here, and by e-mail."</p> }.into_any()
            } else {
                view! {
                    <ul class="notice-list">
                        {notices.into_iter().map(|n| {
                            let class = move || if n.read || done() { "rfq-notice" } else { "rfq-notice rfq-notice--unread" };
                            let link = n.rfq.clone().map(|r| format!("{base}/{r}"));
                            view! {
                                <li class=class>
                                    <span class="rfq-notice__text">{n.text.clone()}</span>
                                    <span class="muted small">{n.at.clone()}</span>
                                    {link.map(|l| view! { <a class="small" href=l>"Open"</a> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

fn rfq_table(rows: Vec<RfqRow>, base: &'static str, seller: bool) -> AnyView {
    view! {
        <div class="table-wrap card"><table class="table" data-testid="rfq-list">
            <thead><tr>
                <th>"Request"</th><th>"Title"</th>
                {if seller { view! { <th>"From"</th> }.into_any() } else { view! { <th class="num">"Answers"</th> }.into_any() }}
                <th>"State"</th>
                {seller.then(|| view! { <th>"Your quote"</th> })}
                <th class="num">"Lines"</th><th>"Closes"</th><th>"Updated"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="rfq-row" data-number=r.number.clone()>
                        <td><a href=format!("{base}/{}", r.id)>{r.number.clone()}</a></td>
                        <td>{r.title.clone()}</td>
                        {if seller { view! { <td>{r.buyer.clone()}</td> }.into_any() } else { view! { <td class="num">{format!("{} of {}", r.answered, r.asked)}</td> }.into_any() }}
                        <td>{state_pill(&r.state)}</td>
                        {seller.then(|| view! { <td>{r.quote.clone().map(|q| state_pill(&q))}</td> })}
                        <td class="num">{r.lines}</td>
                        <td class="muted small">{r.deadline.clone().unwrap_or_else(|| "—".into())}</td>
                        <td class="muted small">{r.updated.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

// ---------------------------------------------------------------- the reseller's pages

/// `/console/rfqs` on a reseller's host.
#[component]
pub fn BuyerRfqsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| rfq_list());
    view! {
        <HubFrame>
            <Title text="Quote requests"/>
            <section class="section"><div class="container">
                <div class="order-head">
                    <div>
                        <p class="eyebrow">"Buying"</p>
                        <h1>"Quote requests"</h1>
                    </div>
                    <a class="button" href="/console/rfqs/new" data-testid="new-rfq">"New request"</a>
                </div>
                <p class="muted">"Ask the distributors that supply you for live quotes on products or groups of products, compare their answers side by side, negotiate, and turn the best one into a purchase order."</p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e, "/console/rfqs"),
                            Ok(l) => view! {
                                <Notices notices=l.notices base="/console/rfqs" partner=false/>
                                {if l.rows.is_empty() {
                                    view! { <div class="card empty" data-testid="rfqs-empty"><p>"No requests yet."</p><p><a class="button" href="/console/rfqs/new">"Write your first request"</a></p></div> }.into_any()
                                } else {
                                    rfq_table(l.rows, "/console/rfqs", false)
                                }}
                            }.into_any(),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

/// `/console/rfqs/:id` (`new` for a new one): the draft editor, or the request with its
/// answers side by side.
#[component]
pub fn BuyerRfqPage() -> impl IntoView {
    let params = use_params_map();
    let send = ServerAction::<RfqSend>::new();
    let counter = ServerAction::<RfqCounter>::new();
    let accept = ServerAction::<RfqAccept>::new();
    let close = ServerAction::<RfqClose>::new();
    let saved = RwSignal::new(0_u32);
    let data = Resource::new(
        move || {
            (
                params.get().get("id"),
                send.version().get()
                    + counter.version().get()
                    + accept.version().get()
                    + close.version().get(),
                saved.get(),
            )
        },
        |(id, _, _)| rfq_get(id.filter(|i| i != "new")),
    );
    view! {
        <HubFrame>
            <Title text="Quote request"/>
            <section class="section"><div class="container">
                <p><a href="/console/rfqs">"← All quote requests"</a></p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e, "/console/rfqs"),
                            Ok(p) if p.editable => view! {
                                <DraftEditor page=p.clone() saved/>
                                {(!p.rfq.id.is_empty()).then(|| view! { <FilesPanel rfq=p.rfq.clone() saved/> })}
                                {(!p.rfq.id.is_empty()).then(|| view! { <SendPanel page=p send/> })}
                            }.into_any(),
                            Ok(p) => view! { <BuyerView page=p counter accept close/> }.into_any(),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

#[derive(Clone, Copy)]
struct Row {
    key: u64,
    line: RwSignal<LineForm>,
}

#[component]
fn DraftEditor(page: BuyerPage, saved: RwSignal<u32>) -> impl IntoView {
    let r = page.rfq.clone();
    let is_new = r.id.is_empty();
    let title = RwSignal::new(r.title.clone());
    let needed_by = RwSignal::new(r.needed_by.clone());
    let country = RwSignal::new(if is_new {
        "DE".to_owned()
    } else {
        r.country.clone()
    });
    let region = RwSignal::new(r.region.clone());
    let postal = RwSignal::new(r.postal.clone());
    let address = RwSignal::new(r.address.clone());
    let notes = RwSignal::new(r.notes.clone());
    let next_key = StoredValue::new(0_u64);
    let new_row = move |l: LineForm| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        Row {
            key,
            line: RwSignal::new(l),
        }
    };
    let initial: Vec<Row> = r
        .lines
        .iter()
        .map(|l| {
            new_row(LineForm {
                kind: l.kind.clone(),
                sku: l.sku.clone().unwrap_or_default(),
                category: page
                    .categories
                    .iter()
                    .find(|(_, name)| Some(name) == l.category.as_ref())
                    .map(|(slug, _)| slug.clone())
                    .unwrap_or_default(),
                description: if l.kind == "product" {
                    String::new()
                } else {
                    l.description.clone()
                },
                quantity: l.quantity,
                target: l.target_decimal.clone(),
            })
        })
        .collect();
    let rows = RwSignal::new(initial);
    let add = move |kind: &str| {
        let row = new_row(LineForm {
            kind: kind.to_owned(),
            quantity: 1,
            ..Default::default()
        });
        rows.update(|r| r.push(row));
    };
    let paste_text = RwSignal::new(String::new());
    let paste = ServerAction::<RfqPaste>::new();
    Effect::new(move |_| {
        if let Some(Ok(lines)) = paste.value().get() {
            let fresh: Vec<Row> = lines.into_iter().map(new_row).collect();
            rows.update(|r| r.extend(fresh));
            paste_text.set(String::new());
            paste.value().set(None);
        }
    });
    let save = ServerAction::<RfqSave>::new();
    let navigate = use_navigate();
    let id = r.id.clone();
    let version = r.version;
    Effect::new(move |_| {
        if let Some(Ok(new_id)) = save.value().get() {
            if is_new {
                navigate(&format!("/console/rfqs/{new_id}"), Default::default());
            } else {
                saved.update(|n| *n += 1);
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = DraftForm {
            title: title.get_untracked(),
            needed_by: needed_by.get_untracked(),
            country: country.get_untracked(),
            region: region.get_untracked(),
            postal: postal.get_untracked(),
            address: address.get_untracked(),
            notes: notes.get_untracked(),
            lines: rows
                .get_untracked()
                .iter()
                .map(|r| r.line.get_untracked())
                .collect(),
        };
        save.dispatch(RfqSave {
            id: (!id.is_empty()).then(|| id.clone()),
            version: (version > 0).then_some(version),
            draft,
        });
    };
    let categories = StoredValue::new(page.categories.clone());
    let text_field = move |label: &'static str,
                           name: &'static str,
                           sig: RwSignal<String>,
                           kind: &'static str| {
        view! {
            <div class="field">
                <label for=name>{label}</label>
                <input id=name name=name type=kind prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <Title text=if is_new { "New quote request".to_owned() } else { format!("{} · draft", r.number) }/>
        <p class="eyebrow">{if is_new { "New quote request".to_owned() } else { format!("{} · draft", r.number) }}</p>
        <h1>{if is_new { "What do you need?".to_owned() } else { r.title.clone() }}</h1>
        <form class="card partner-panel form rfq-editor" on:submit=submit data-testid="rfq-editor">
            <div class="form-grid">
                {text_field("Title", "title", title, "text")}
                {text_field("Needed by", "needed_by", needed_by, "date")}
                {text_field("Ship to: country (ISO code)", "country", country, "text")}
                {text_field("Region (ISO 3166-2, optional)", "region", region, "text")}
                {text_field("Postal code", "postal", postal, "text")}
            </div>
            <div class="field">
                <label for="address">"Delivery address"</label>
                <textarea id="address" name="address" rows="3" prop:value=move || address.get() on:input=move |ev| address.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label for="notes">"Notes for the distributors (optional)"</label>
                <textarea id="notes" name="notes" rows="3" prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            </div>
            <h2>"Lines"</h2>
            <div class="table-wrap"><table class="table rfq-lines" data-testid="draft-lines">
                <thead><tr><th>"Kind"</th><th>"What"</th><th class="num">"Quantity"</th><th class="num">"Target / unit"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.key let:row>
                        <DraftLine row rows categories/>
                    </For>
                </tbody>
            </table></div>
            <div class="button-row">
                <button class="button button--ghost button--small" type="button" data-testid="add-product" on:click=move |_| add("product")>"+ Product"</button>
                <button class="button button--ghost button--small" type="button" data-testid="add-category" on:click=move |_| add("category")>"+ Category"</button>
                <button class="button button--ghost button--small" type="button" data-testid="add-text" on:click=move |_| add("text")>"+ Description"</button>
            </div>
            <details class="rfq-paste">
                <summary>"Paste a list of SKUs and quantities"</summary>
                <div class="field">
                    <label for="paste">"One per row: SKU and quantity (tab, comma or space between)"</label>
                    <textarea id="paste" rows="4" prop:value=move || paste_text.get() on:input=move |ev| paste_text.set(event_target_value(&ev))></textarea>
                </div>
                <button class="button button--ghost button--small" type="button" data-testid="paste-add" on:click=move |_| { paste.dispatch(RfqPaste { text: paste_text.get_untracked() }); }>"Add these lines"</button>
                {result_error(paste.value(), "paste-error")}
            </details>
            <div class="button-row">
                <button class="button" type="submit" data-testid="save-draft" disabled=move || save.pending().get()>{if is_new { "Save draft" } else { "Save changes" }}</button>
                {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <span class="muted" data-testid="draft-saved">"Saved."</span> })}
            </div>
            {result_error(save.value(), "draft-error")}
        </form>
    }
}

#[component]
fn DraftLine(
    row: Row,
    rows: RwSignal<Vec<Row>>,
    categories: StoredValue<Vec<Choice>>,
) -> impl IntoView {
    let l = row.line;
    let options = RwSignal::new(Vec::<Choice>::new());
    let kind = move || l.with(|l| l.kind.clone());
    let set = move |f: fn(&mut LineForm, String)| {
        move |ev: leptos::ev::Event| l.update(|x| f(x, event_target_value(&ev)))
    };
    view! {
        <tr data-testid="draft-line">
            <td>
                <select aria-label="Kind" prop:value=kind on:change=set(|x, v| x.kind = v)>
                    <option value="product">"Product"</option>
                    <option value="category">"Category"</option>
                    <option value="text">"Description"</option>
                </select>
            </td>
            <td>
                {move || match kind().as_str() {
                    "product" => {
                        // Suggestions from the store's catalog as the buyer types (a SKU or a name).
                        let list = format!("sku-options-{}", row.key);
                        let find = move |ev: leptos::ev::Event| {
                            let typed = event_target_value(&ev);
                            l.update(|x| x.sku = typed.clone());
                            if typed.trim().chars().count() < 2 {
                                options.set(Vec::new());
                                return;
                            }
                            // Answers can come back out of order while the buyer types; only the
                            // answer for what the field holds now may fill the list.
                            leptos::task::spawn_local(async move {
                                if let Ok(found) = rfq_find_products(typed.clone()).await
                                    && l.try_with_untracked(|x| x.sku == typed) == Some(true)
                                {
                                    let _ = options.try_set(found);
                                }
                            });
                        };
                        view! {
                            <input aria-label="SKU or product name" placeholder="SKU or product name" data-testid="line-sku" list=list.clone() autocomplete="off" prop:value=move || l.with(|x| x.sku.clone()) on:input=find/>
                            <datalist id=list>
                                {move || options.get().into_iter().map(|(sku, label)| view! { <option value=sku>{label}</option> }).collect_view()}
                            </datalist>
                        }.into_any()
                    }
                    "category" => view! {
                        <div class="stack">
                            <select aria-label="Category" data-testid="line-category" prop:value=move || l.with(|x| x.category.clone()) on:change=set(|x, v| x.category = v)>
                                <option value="">"Choose a category"</option>
                                {categories.get_value().into_iter().map(|(slug, name)| view! { <option value=slug>{name}</option> }).collect_view()}
                            </select>
                            <input aria-label="Specification (optional)" placeholder="Specification (optional)" prop:value=move || l.with(|x| x.description.clone()) on:input=set(|x, v| x.description = v)/>
                        </div>
                    }.into_any(),
                    _ => view! { <textarea aria-label="Description" rows="2" placeholder="e.g. 200 mid-range laptops, 16 GB" data-testid="line-description" prop:value=move || l.with(|x| x.description.clone()) on:input=set(|x, v| x.description = v)></textarea> }.into_any(),
                }}
            </td>
            <td class="num"><input class="input--narrow" aria-label="Quantity" type="number" min="1" data-testid="line-quantity" prop:value=move || l.with(|x| x.quantity.to_string()) on:input=set(|x, v| x.quantity = v.trim().parse().unwrap_or(0))/></td>
            <td class="num"><input class="input--narrow" aria-label="Target price per unit" placeholder="optional" data-testid="line-target" prop:value=move || l.with(|x| x.target.clone()) on:input=set(|x, v| x.target = v)/></td>
            <td><button class="button button--ghost button--small" type="button" aria-label="Remove line" on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))>"Remove"</button></td>
        </tr>
    }
}

/// The draft's files: the list with remove buttons, and the upload form (multipart, posted
/// by the page; the bytes decide what a file is).
#[component]
fn FilesPanel(rfq: RfqHead, saved: RwSignal<u32>) -> impl IntoView {
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<FileView, ApiError>>);
    let detach = ServerAction::<RfqDetach>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = detach.value().get() {
            saved.update(|n| *n += 1);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        let data = match crate::catalog::multipart(&form) {
            Ok(d) => d,
            Err(e) => {
                result.set(Some(Err(e)));
                return;
            }
        };
        busy.set(true);
        result.set(None);
        leptos::task::spawn_local(async move {
            let r = rfq_attach(data).await;
            let _ = busy.try_set(false);
            if r.is_ok() {
                form.reset();
                saved.update(|n| *n += 1);
            }
            let _ = result.try_set(Some(r));
        });
    };
    let id = rfq.id.clone();
    view! {
        <div class="card partner-panel" data-testid="files-panel">
            <h2>"Files"</h2>
            <p class="muted">"Drawings, specifications or photos for the distributors: PDF, PNG, JPEG or WebP, up to 8 MB each, 5 at most."</p>
            {(!rfq.files.is_empty()).then(|| view! {
                <ul class="rfq-files">
                    {rfq.files.iter().map(|f| { let (rid, fid) = (id.clone(), f.id.clone()); view! {
                        <li>
                            <a href=f.url.clone() rel="external" download="">{f.name.clone()}</a>
                            <span class="muted small">{format!(" · {}", f.about)}</span>
                            <ActionForm action=detach attr:class="inline-form">
                                <input type="hidden" name="id" value=rid/>
                                <input type="hidden" name="file" value=fid/>
                                <button class="button button--ghost button--small" type="submit">"Remove"</button>
                            </ActionForm>
                        </li>
                    }}).collect_view()}
                </ul>
            })}
            <form node_ref=form_ref class="form form--inline" method="post" enctype="multipart/form-data" action=ATTACH_PATH novalidate on:submit=submit data-testid="attach-form">
                <input type="hidden" name="rfq" value=id.clone()/>
                <div class="field"><label for="attach-file">"Attach a file"</label><input id="attach-file" name="file" type="file" accept=".pdf,application/pdf,image/png,image/jpeg,image/webp"/></div>
                <button class="button button--ghost" type="submit" disabled=move || busy.get() data-testid="attach">{move || if busy.get() { "Uploading…" } else { "Attach" }}</button>
            </form>
            {move || match result.get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert" data-testid="attach-error">{crate::catalog::upload_message(&e, "Attach a smaller file.")}</p> }),
                _ => None,
            }}
            {result_error(detach.value(), "detach-error")}
        </div>
    }
}

#[component]
fn SendPanel(page: BuyerPage, send: ServerAction<RfqSend>) -> impl IntoView {
    let delete = ServerAction::<RfqDelete>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/console/rfqs", Default::default());
        }
    });
    let deadline = page.default_deadline.clone();
    let id = page.rfq.id.clone();
    let delete_id = page.rfq.id.clone();
    view! {
        <div class="card partner-panel" data-testid="send-panel">
            <h2>"Send to distributors"</h2>
            {if page.suppliers.is_empty() {
                view! { <p class="muted">"No distributor supplies your store yet: the hub links distributors to stores."</p> }.into_any()
            } else {
                view! {
                    <ActionForm action=send attr:class="form">
                        <input type="hidden" name="id" value=id.clone()/>
                        <input type="hidden" name="version" value=page.rfq.version/>
                        <fieldset class="field">
                            <legend>"Ask these distributors"</legend>
                            {page.suppliers.iter().enumerate().map(|(i, (sid, name))| view! {
                                <label class="check"><input type="checkbox" name=format!("distributors[{i}]") value=sid.clone() checked=true data-testid="send-to"/>" "{name.clone()}</label>
                            }).collect_view()}
                        </fieldset>
                        <div class="form-grid">
                            <div class="field"><label for="deadline">"Answers close (UTC)"</label><input id="deadline" name="deadline" type="datetime-local" value=deadline required/></div>
                            <div class="field"><label for="close_after">"…or once this many have answered (optional)"</label><input id="close_after" name="close_after" type="number" min="1" placeholder="—"/></div>
                        </div>
                        <label class="check"><input type="checkbox" name="close_on_targets" value="true"/>" …or once an answer meets every target price"</label>
                        <p class="muted small">"You can also close it by hand at any time. After it closes, nobody can answer or revise; you can still accept a standing offer."</p>
                        <button class="button" type="submit" data-testid="send-rfq">"Send request"</button>
                        {result_error(send.value(), "send-error")}
                    </ActionForm>
                }.into_any()
            }}
            <ActionForm action=delete attr:class="inline-form">
                <input type="hidden" name="id" value=delete_id/>
                <button class="button button--ghost button--small" type="submit">"Delete draft"</button>
            </ActionForm>
        </div>
    }
}

fn head_card(r: &RfqHead, who: AnyView) -> AnyView {
    let ship = [r.country.as_str(), r.region.as_str(), r.postal.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <div class="order-head">
            <div>
                <p class="eyebrow">{r.number.clone()}</p>
                <h1 data-testid="rfq-title">{r.title.clone()}</h1>
            </div>
            {state_pill(&r.state)}
        </div>
        <div class="card partner-panel">
            <dl class="facts rfq-facts">
                {who}
                <div><dt>"Ship to"</dt><dd>{ship}</dd></div>
                <div><dt>"Needed by"</dt><dd>{if r.needed_by.is_empty() { "—".to_owned() } else { r.needed_by.clone() }}</dd></div>
                <div><dt>"Closing"</dt><dd>{if r.rules.is_empty() { "—".to_owned() } else { r.rules.join(", ") }}</dd></div>
                {r.closed_reason.clone().map(|c| view! { <div><dt>"Closed"</dt><dd data-testid="closed-reason">{c}</dd></div> })}
            </dl>
            {(!r.notes.is_empty()).then(|| view! { <p class="rfq-notes" data-testid="rfq-notes">{r.notes.clone()}</p> })}
            {(!r.files.is_empty()).then(|| view! {
                <ul class="rfq-files" data-testid="rfq-files">
                    {r.files.iter().map(|f| view! {
                        <li><a href=f.url.clone() rel="external" download="">{f.name.clone()}</a><span class="muted small">{format!(" · {}", f.about)}</span></li>
                    }).collect_view()}
                </ul>
            })}
            <p class="muted small rfq-address">{r.address.clone()}</p>
        </div>
    }
    .into_any()
}

fn line_label(l: &LineView) -> AnyView {
    view! {
        <span class="rfq-line">
            <strong>{l.description.clone()}</strong>
            {l.sku.clone().map(|s| view! { <code class="small">{s}</code> })}
            {l.category.clone().map(|c| view! { <span class="muted small">{format!("category {c}")}</span> })}
        </span>
    }
    .into_any()
}

#[component]
fn BuyerView(
    page: BuyerPage,
    counter: ServerAction<RfqCounter>,
    accept: ServerAction<RfqAccept>,
    close: ServerAction<RfqClose>,
) -> impl IntoView {
    let r = page.rfq.clone();
    let open = r.state == "open";
    let decidable = r.state == "open" || r.state == "closed";
    let lines = r.lines.clone();
    let id = r.id.clone();
    let admin = page.admin;
    view! {
        <Title text=format!("{} · {}", r.number, r.title)/>
        {head_card(&r, view! { <div><dt>"Written by"</dt><dd>{r.contact.clone()}</dd></div> }.into_any())}
        {r.order_id.clone().map(|o| view! {
            <div class="card partner-panel rfq-highlight" data-testid="po-created">
                <p>"Accepted: the purchase order is with the distributor. "<a href=format!("/console/orders?order={o}")>"Follow the order"</a></p>
            </div>
        })}
        {move || accept.value().get().and_then(|v| v.ok()).map(|a| view! {
            <div class="card partner-panel rfq-highlight" data-testid="accepted">
                <p>{format!("Purchase order {} sent to {}.", a.number, a.seller)}" "<a href=format!("/console/orders?order={}", a.order_id)>"Follow the order"</a></p>
            </div>
        })}
        {result_error(accept.value(), "accept-error")}
        <div class="card partner-panel">
            <div class="partner-panel__head">
                <h2>"Compare the answers"</h2>
                {open.then(|| { let id = id.clone(); view! {
                    <ActionForm action=close attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <button class="button button--ghost button--small" type="submit" data-testid="close-rfq">"Close answers now"</button>
                    </ActionForm>
                }})}
            </div>
            {result_error(close.value(), "close-error")}
            <div class="table-wrap"><table class="table rfq-matrix" data-testid="matrix">
                <thead><tr>
                    <th>"Line"</th><th class="num">"Qty"</th><th class="num">"Target"</th>
                    {page.matrix.iter().map(|c| view! { <th data-seller=c.seller.clone()>{c.seller.clone()}<br/><span class="muted small">{c.state_label.clone()}{(c.offer_no > 0).then(|| format!(" · offer {}", c.offer_no))}</span></th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {lines.iter().enumerate().map(|(i, l)| view! {
                        <tr>
                            <td>{line_label(l)}</td>
                            <td class="num">{l.quantity}</td>
                            <td class="num">{l.target.clone().unwrap_or_else(|| "—".into())}</td>
                            {page.matrix.iter().map(|c| match c.cells.get(i).cloned().flatten() {
                                Some(cell) if cell.price.is_some() => view! {
                                    <td class=if cell.best { "num cell cell--best" } else { "num cell" } data-testid="cell">
                                        <strong>{cell.price.clone()}</strong>
                                        {cell.best.then(|| view! { <span class="tag tag--best">"best"</span> })}
                                        {cell.meets_target.then(|| view! { <span class="tag">"meets target"</span> })}
                                        <br/><span class="muted small">{format!("{} · {}", cell.total.clone().unwrap_or_default(), cell.stock)}{cell.lead_days.map(|d| format!(" · {d} d"))}</span>
                                        {cell.substitute.clone().map(|s| view! { <br/><span class="small">"substitute "<code>{s}</code></span> })}
                                    </td>
                                }.into_any(),
                                _ => view! { <td class="num muted cell cell--lacks" data-testid="cell-lacks">"not priced"</td> }.into_any(),
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr><th colspan="3">"Total"</th>{page.matrix.iter().map(|c| view! { <td class="num" data-testid="column-total"><strong>{c.total.clone().unwrap_or_else(|| "—".into())}</strong></td> }).collect_view()}</tr>
                    <tr><th colspan="3">"Lead time"</th>{page.matrix.iter().map(|c| view! { <td class="num">{c.lead_days.map(|d| format!("{d} days")).unwrap_or_else(|| "—".into())}</td> }).collect_view()}</tr>
                    <tr><th colspan="3">"Valid until"</th>{page.matrix.iter().map(|c| view! { <td class="num small">{c.valid_until.clone().unwrap_or_else(|| "—".into())}</td> }).collect_view()}</tr>
                    <tr><th colspan="3"></th>{page.matrix.iter().map(|c| {
                        let (id, seller, offer, name) = (id.clone(), c.seller_id.clone(), c.offer_no, c.seller.clone());
                        if c.acceptable && admin && decidable {
                            view! { <td>
                                <ActionForm action=accept attr:class="inline-form">
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="seller" value=seller/>
                                    <input type="hidden" name="offer" value=offer/>
                                    <button class="button button--small" type="submit" data-testid="accept" data-seller=name>{format!("Accept offer {offer}")}</button>
                                </ActionForm>
                            </td> }.into_any()
                        } else if !c.lacks.is_empty() && c.offer_no > 0 {
                            view! { <td class="muted small">{format!("lacks line {}", c.lacks.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))}</td> }.into_any()
                        } else {
                            view! { <td></td> }.into_any()
                        }
                    }).collect_view()}</tr>
                </tfoot>
            </table></div>
        </div>
        {page.quotes.iter().map(|q| view! { <QuoteCard quote=q.clone() lines=lines.clone() id=id.clone() open counter/> }).collect_view()}
    }
}

fn version_table(v: &VersionView, lines: &[LineView]) -> AnyView {
    view! {
        <table class="table table--compact">
            <thead><tr><th>"Line"</th><th class="num">"Qty"</th><th class="num">"Unit"</th><th class="num">"Total"</th><th>"Availability"</th><th>"Note"</th></tr></thead>
            <tbody>
                {v.lines.iter().map(|ql| {
                    let label = lines.iter().find(|l| l.line_no == ql.line_no).map(|l| l.description.clone()).unwrap_or_default();
                    view! {
                        <tr>
                            <td>{label}{ql.substitute.clone().map(|s| view! { <br/><span class="small">"substitute "<code>{s}</code></span> })}</td>
                            <td class="num">{ql.quantity}</td>
                            <td class="num">{ql.price.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{ql.total.clone().unwrap_or_else(|| "—".into())}</td>
                            <td class="small">{if ql.price.is_some() { format!("{}{}", ql.stock, ql.lead_days.map(|d| format!(", {d} days")).unwrap_or_default()) } else { String::new() }}</td>
                            <td class="small">{ql.note.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn versions_view(q: &QuoteView, lines: &[LineView]) -> AnyView {
    view! {
        {(!q.changes.is_empty()).then(|| view! {
            <div class="rfq-changes" data-testid="changes">
                <h3>{q.changes_between.map(|(a, b)| format!("What changed from offer {a} to offer {b}")).unwrap_or_default()}</h3>
                <ul>
                    {q.changes.iter().map(|c| view! {
                        <li><strong>{format!("Line {}: ", c.line_no)}</strong>{c.description.clone()}" — "{c.fields.join(", ")}": "<s>{c.before.clone()}</s>" → "<strong>{c.after.clone()}</strong></li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        <ol class="rfq-versions">
            {q.versions.iter().rev().map(|v| view! {
                <li class=format!("rfq-version rfq-version--{}", v.author) data-testid="version">
                    <p>
                        <strong>{if v.author == "offer" { format!("Offer {}", v.no) } else { format!("Your counter to offer {}", v.no) }}</strong>
                        <span class="muted small">{format!(" · {} · by {}", v.created_at, v.actor)}</span>
                        {v.total.clone().map(|t| view! { <span class="rfq-version__total">{t}</span> })}
                    </p>
                    {v.valid_until.clone().map(|u| view! { <p class="muted small">{format!("Valid until {u}")}</p> })}
                    {(!v.terms.is_empty()).then(|| view! { <p class="rfq-terms">{v.terms.clone()}</p> })}
                    {version_table(v, lines)}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn QuoteCard(
    quote: QuoteView,
    lines: Vec<LineView>,
    id: String,
    open: bool,
    counter: ServerAction<RfqCounter>,
) -> impl IntoView {
    let q = quote;
    let can_counter = open && q.state == "offered";
    let current = q
        .versions
        .iter()
        .rev()
        .find(|v| v.author == "offer")
        .cloned();
    view! {
        <div class="card partner-panel rfq-quote" data-testid="quote" data-seller=q.seller.clone()>
            <div class="partner-panel__head">
                <h2>{q.seller.clone()}</h2>
                {state_pill(&q.state_label)}
            </div>
            {q.versions.is_empty().then(|| view! { <p class="muted">"No answer yet."</p> })}
            {versions_view(&q, &lines)}
            {(can_counter && current.is_some()).then(|| {
                let cur = current.clone().unwrap_or_else(|| VersionView { no: 0, author: String::new(), actor: String::new(), total: None, valid_until: None, terms: String::new(), created_at: String::new(), lines: Vec::new() });
                view! {
                    <details class="rfq-counter">
                        <summary data-testid="counter-open">{format!("Counter offer {}", cur.no)}</summary>
                        <ActionForm action=counter attr:class="form">
                            <input type="hidden" name="id" value=id.clone()/>
                            <input type="hidden" name="seller" value=q.seller_id.clone()/>
                            <input type="hidden" name="version" value=q.version/>
                            {cur.lines.iter().enumerate().filter(|(_, l)| l.price.is_some()).map(|(i, l)| {
                                let label = lines.iter().find(|x| x.line_no == l.line_no).map(|x| x.description.clone()).unwrap_or_default();
                                let field = format!("counter-{}-{}", q.seller_id, l.line_no);
                                view! {
                                    <div class="field field--row">
                                        <input type="hidden" name=format!("lines[{i}][line_no]") value=l.line_no/>
                                        <label for=field.clone()>{format!("{label} (offered {})", l.price.clone().unwrap_or_default())}</label>
                                        <input id=field name=format!("lines[{i}][price]") placeholder="your price per unit" data-testid="counter-price"/>
                                    </div>
                                }
                            }).collect_view()}
                            <div class="field"><label for=format!("message-{}", q.seller_id)>"Message"</label><textarea id=format!("message-{}", q.seller_id) name="message" rows="2"></textarea></div>
                            <button class="button button--small" type="submit" data-testid="send-counter">"Send counter-offer"</button>
                            {result_error(counter.value(), "counter-error")}
                        </ActionForm>
                    </details>
                }
            })}
        </div>
    }
}

// ---------------------------------------------------------------- the distributor's pages

/// `/console/partner/rfqs` on a distributor's host.
#[component]
pub fn SellerRfqsPage() -> impl IntoView {
    let rules = ServerAction::<PartnerRfqRules>::new();
    let data = Resource::new(move || rules.version().get(), |_| partner_rfqs());
    view! {
        <HubFrame>
            <Title text="Quote requests · partner console"/>
            <section class="section partner-console"><div class="container">
                <div class="order-head">
                    <div>
                        <p class="eyebrow">"Partner console"</p>
                        <h1>"Quote requests"</h1>
                    </div>
                    <a class="button button--ghost" href="/console/partner">"Back to the console"</a>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e, "/console/partner/rfqs"),
                            Ok(l) => view! {
                                <Notices notices=l.notices base="/console/partner/rfqs" partner=true/>
                                {if l.rows.is_empty() {
                                    view! { <div class="card empty" data-testid="rfqs-empty"><p>"No quote requests yet. The stores you supply send them here."</p></div> }.into_any()
                                } else {
                                    rfq_table(l.rows, "/console/partner/rfqs", true)
                                }}
                                {l.rules.map(|r| view! { <RulesForm rules=r action=rules/> })}
                            }.into_any(),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

#[component]
fn RulesForm(rules: RulesView, action: ServerAction<PartnerRfqRules>) -> impl IntoView {
    view! {
        <div class="card partner-panel" data-testid="auto-quote">
            <h2>"Answer at once from your price list"</h2>
            <p class="muted">"When on, the product lines your price list prices are answered the moment a request arrives (its price for the quantity, your stock and lead time). Categories and descriptions always wait for you or your system."</p>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="version" value=rules.version/>
                <input type="hidden" name="currency" value=rules.currency.clone()/>
                <label class="check"><input type="checkbox" name="enabled" value="true" checked=rules.enabled data-testid="auto-enabled"/>" Answer automatically"</label>
                <div class="form-grid">
                    <div class="field"><label for="validity_days">"Automatic answers are valid for (days)"</label><input id="validity_days" name="validity_days" type="number" min="1" max="365" value=rules.validity_days/></div>
                    <div class="field"><label for="cap">{format!("Only up to this order value ({}, optional)", rules.currency)}</label><input id="cap" name="cap" value=rules.cap.clone() placeholder="no limit"/></div>
                </div>
                <button class="button" type="submit" data-testid="save-rules">"Save rules"</button>
                {move || matches!(action.value().get(), Some(Ok(_))).then(|| view! { <span class="muted">" Saved."</span> })}
                {result_error(action.value(), "rules-error")}
            </ActionForm>
        </div>
    }
}

/// `/console/partner/rfqs/:id`: the request and this distributor's own quote.
#[component]
pub fn SellerRfqPage() -> impl IntoView {
    let params = use_params_map();
    let offer = ServerAction::<PartnerRfqOffer>::new();
    let withdraw = ServerAction::<PartnerRfqWithdraw>::new();
    let data = Resource::new(
        move || {
            (
                params.get().get("id").unwrap_or_default(),
                offer.version().get() + withdraw.version().get(),
            )
        },
        |(id, _)| partner_rfq(id),
    );
    view! {
        <HubFrame>
            <Title text="Quote request · partner console"/>
            <section class="section partner-console"><div class="container">
                <p><a href="/console/partner/rfqs">"← All quote requests"</a></p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e, "/console/partner/rfqs"),
                            Ok(p) => view! { <SellerView page=p offer withdraw/> }.into_any(),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

#[component]
fn SellerView(
    page: SellerPage,
    offer: ServerAction<PartnerRfqOffer>,
    withdraw: ServerAction<PartnerRfqWithdraw>,
) -> impl IntoView {
    let r = page.rfq.clone();
    let q = page.quote.clone();
    let latest = q
        .versions
        .iter()
        .rev()
        .find(|v| v.author == "offer")
        .cloned();
    let counter = q
        .versions
        .iter()
        .rev()
        .find(|v| v.author == "counter" && Some(v.no) == latest.as_ref().map(|l| l.no))
        .cloned();
    let id = r.id.clone();
    view! {
        <Title text=format!("{} · {}", r.number, r.title)/>
        {head_card(&r, view! { <div><dt>"From"</dt><dd data-testid="rfq-buyer">{r.buyer.clone()}</dd></div> }.into_any())}
        {r.order_id.clone().map(|o| view! {
            <div class="card partner-panel rfq-highlight" data-testid="po-received">
                <p>"Your offer was accepted: the purchase order is in your inbox. "<a href=format!("/console/partner/orders?order={o}")>"Open the order"</a></p>
            </div>
        })}
        <div class="card partner-panel">
            <div class="partner-panel__head"><h2>"Your quote"</h2>{state_pill(&q.state_label)}</div>
            {counter.clone().map(|c| view! {
                <div class="rfq-highlight rfq-countered" data-testid="countered">
                    <p><strong>{format!("{} countered your offer {}", r.buyer, c.no)}</strong>{c.total.clone().map(|t| format!(": {t} in total asked"))}</p>
                    {(!c.terms.is_empty()).then(|| view! { <p class="rfq-terms">{c.terms.clone()}</p> })}
                </div>
            })}
            {versions_view(&q, &r.lines)}
        </div>
        {page.open.then(|| { let latest = latest.clone(); let counter = counter.clone(); let (id1, id2) = (id.clone(), id.clone()); view! {
            <div class="card partner-panel" data-testid="offer-form">
                <h2>{if q.offer_no == 0 { "Answer".to_owned() } else { format!("Revise (offer {})", q.offer_no + 1) }}</h2>
                <ActionForm action=offer attr:class="form">
                    <input type="hidden" name="id" value=id1/>
                    <input type="hidden" name="version" value=q.version/>
                    <div class="table-wrap"><table class="table rfq-offer">
                        <thead><tr><th>"Line"</th><th class="num">"Qty"</th><th class="num">"Unit price"</th><th class="num">"On hand"</th><th class="num">"Lead (days)"</th><th>"Substitute SKU"</th><th>"Note"</th></tr></thead>
                        <tbody>
                            {r.lines.iter().enumerate().map(|(i, l)| {
                                let prev = latest.as_ref().and_then(|v| v.lines.iter().find(|x| x.line_no == l.line_no).cloned());
                                let asked = counter.as_ref().and_then(|v| v.lines.iter().find(|x| x.line_no == l.line_no)).and_then(|x| x.price.clone());
                                view! {
                                    <tr data-testid="offer-line">
                                        <td>
                                            <input type="hidden" name=format!("lines[{i}][line_no]") value=l.line_no/>
                                            {line_label(l)}
                                            {l.target.clone().map(|t| view! { <br/><span class="muted small">{format!("target {t}")}</span> })}
                                            {asked.map(|a| view! { <br/><span class="small tag">{format!("asked {a}")}</span> })}
                                        </td>
                                        <td class="num"><input class="input--narrow" type="number" min="1" aria-label="Quantity" name=format!("lines[{i}][quantity]") value=prev.as_ref().map_or(l.quantity, |p| p.quantity)/></td>
                                        <td class="num"><input class="input--narrow" aria-label="Unit price" data-testid="offer-price" name=format!("lines[{i}][price]") value=prev.as_ref().map(|p| p.price_decimal.clone()).unwrap_or_default() placeholder="not priced"/></td>
                                        <td class="num"><input class="input--narrow" aria-label="On hand" name=format!("lines[{i}][stock]") value=prev.as_ref().and_then(|p| p.stock_number).map(|n| n.to_string()).unwrap_or_default() placeholder="to order"/></td>
                                        <td class="num"><input class="input--narrow" aria-label="Lead time in days" name=format!("lines[{i}][lead_days]") value=prev.as_ref().and_then(|p| p.lead_days).map(|n| n.to_string()).unwrap_or_default()/></td>
                                        <td><input aria-label="Substitute SKU" name=format!("lines[{i}][substitute]") value=prev.as_ref().and_then(|p| p.substitute.clone()).unwrap_or_default()/></td>
                                        <td><input aria-label="Note" name=format!("lines[{i}][note]") value=prev.as_ref().and_then(|p| p.note.clone()).unwrap_or_default()/></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    <div class="form-grid">
                        <div class="field"><label for="valid_until">"Valid until"</label><input id="valid_until" name="valid_until" type="date"/><p class="field__hint">"Leave empty for 14 days."</p></div>
                    </div>
                    <div class="field"><label for="terms">"Terms"</label><textarea id="terms" name="terms" rows="2" placeholder="Payment, delivery, warranty…">{latest.as_ref().map(|l| l.terms.clone()).unwrap_or_default()}</textarea></div>
                    <button class="button" type="submit" data-testid="send-offer">{if q.offer_no == 0 { "Send quote" } else { "Send revision" }}</button>
                    {result_error(offer.value(), "offer-error")}
                </ActionForm>
                <ActionForm action=withdraw attr:class="form form--inline rfq-withdraw">
                    <input type="hidden" name="id" value=id2/>
                    <input type="hidden" name="version" value=q.version/>
                    <div class="field"><label for="reason">{if q.offer_no == 0 { "Decline (optional reason)" } else { "Withdraw your quote (optional reason)" }}</label><input id="reason" name="reason" maxlength="500"/></div>
                    <button class="button button--ghost" type="submit" data-testid="withdraw">{if q.offer_no == 0 { "Decline" } else { "Withdraw" }}</button>
                    {result_error(withdraw.value(), "withdraw-error")}
                </ActionForm>
            </div>
        }})}
        {(!page.open).then(|| view! { <p class="muted" data-testid="answers-closed">"Answers can no longer change on this request."</p> })}
    }
}

// ---------------------------------------------------------------- the hub's view

/// `/admin/rfqs` on the hub: requests and answers over time, response times and win rates
/// per distributor. Activity only: the negotiating texts stay between the two partners.
#[component]
pub fn RfqActivityPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.get().get("days").and_then(|d| d.parse::<u32>().ok()),
        rfq_activity,
    );
    view! {
        <HubFrame>
            <Title text="RFQ activity"/>
            <section class="section"><div class="container">
                <div class="order-head">
                    <div>
                        <p class="eyebrow">"Network"</p>
                        <h1>"Quote request activity"</h1>
                    </div>
                    <nav class="chips" aria-label="Period">
                        {[7, 30, 90].into_iter().map(|d| view! { <a class="chip" href=format!("/admin/rfqs?days={d}")>{format!("{d} days")}</a> }).collect_view()}
                    </nav>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e, "/admin/rfqs"),
                            Ok(a) => activity_view(a),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

fn activity_view(a: ActivityView) -> AnyView {
    let max = a
        .days
        .iter()
        .map(|d| d.requests.max(d.answers))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = a.days.len().max(1);
    let (w, h) = (720.0_f64, 180.0_f64);
    let slot = w / n as f64;
    let bar = (slot / 2.0 - 2.0).max(1.0);
    let y = |v: u32| h - (f64::from(v) / f64::from(max)) * (h - 20.0);
    view! {
        <dl class="stats stats--row" data-testid="activity-totals">
            <div class="stat card"><dt>"Requests"</dt><dd>{a.requests}</dd></div>
            <div class="stat card"><dt>"Answers"</dt><dd>{a.answers}</dd></div>
            <div class="stat card"><dt>"Accepted"</dt><dd>{a.accepted}</dd></div>
            <div class="stat card"><dt>"Nobody answered"</dt><dd>{a.unanswered}</dd></div>
            <div class="stat card" data-testid="unpriced"><dt>{format!("Lines nobody priced ({} requests)", a.unpriced_requests)}</dt><dd>{a.unpriced_lines}</dd></div>
        </dl>
        <div class="card partner-panel">
            <h2>{format!("Requests and answers per day, {} to {}", a.from, a.to)}</h2>
            <svg class="rfq-chart" viewBox=format!("0 0 {w} {}", h + 24.0) role="img" aria-label="Requests and answers per day" data-testid="activity-chart">
                {a.days.iter().enumerate().map(|(i, d)| {
                    let x = i as f64 * slot + 1.0;
                    view! {
                        <g>
                            <title>{format!("{}: {} requests, {} answers", d.day, d.requests, d.answers)}</title>
                            <rect class="rfq-chart__req" x=x y=y(d.requests) width=bar height=h - y(d.requests)/>
                            <rect class="rfq-chart__ans" x=x + bar + 1.0 y=y(d.answers) width=bar height=h - y(d.answers)/>
                            {(i % (n / 10).max(1) == 0).then(|| view! { <text x=x y=h + 16.0 class="rfq-chart__label">{d.day.clone()}</text> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <p class="muted small"><span class="legend legend--req"></span>" requests "<span class="legend legend--ans"></span>" first answers"</p>
        </div>
        <div class="table-wrap card"><table class="table" data-testid="activity-table">
            <thead><tr><th>"Distributor"</th><th class="num">"Asked"</th><th class="num">"Answered"</th><th class="num">"Median response"</th><th class="num">"Won / decided"</th><th class="num">"Win rate"</th></tr></thead>
            <tbody>
                {a.distributors.into_iter().map(|d| view! {
                    <tr data-testid="activity-row">
                        <td>{d.name}</td><td class="num">{d.asked}</td><td class="num">{d.answered}</td>
                        <td class="num">{d.response}</td><td class="num">{format!("{} / {}", d.won, d.decided)}</td><td class="num">{d.win_rate}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
