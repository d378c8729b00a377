//! The pages of cart transfer: `/cart/transfer` (the ship-to, every partner's exact price,
//! the confirmation), `/orders/:id` (the customer's order and its timeline), `/orders` (a
//! signed-in customer's orders) and `/console/partner/orders` (the partner's inbox).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::components::form::{field_error, form_error};
use crate::components::layout::HubFrame;
use crate::error::ApiError;
use crate::orders::api::{
    ConfirmTransfer, OfferView, OrderRow, OrderView, PartnerOrderStep, TransferView, load_order,
    my_orders, partner_order, partner_orders, store_transfer, store_transfers, transfer_offers,
};

fn problem(e: &ApiError) -> AnyView {
    let text = match e {
        ApiError::NotFound => {
            "Not found: this order does not exist here, or its link is incomplete.".to_owned()
        }
        ApiError::Unauthenticated => "Log in first.".to_owned(),
        other => other.to_string(),
    };
    view! { <div class="card empty"><p class="error" role="alert">{text}</p></div> }.into_any()
}

fn state_label(state: &str) -> &'static str {
    match state {
        "transferred" => "Sent to the partner",
        "acknowledged" => "Acknowledged",
        "accepted" => "Accepted",
        "shipped" => "Shipped",
        "delivered" => "Delivered",
        "rejected" => "Rejected",
        "cancelled" => "Cancelled",
        "rerouted" => "Sent to another partner",
        _ => "Updated",
    }
}

fn pill(state: &str) -> AnyView {
    let class = match state {
        "delivered" | "accepted" | "shipped" => "pill pill--approved",
        "rejected" | "cancelled" => "pill pill--suspended",
        _ => "pill pill--pending",
    };
    view! { <span class=class data-testid="order-state">{state_label(state)}</span> }.into_any()
}

#[component]
pub fn TransferPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.get();
        (
            q.get("country"),
            q.get("region"),
            q.get("postal"),
            q.get("reroute"),
            q.get("key"),
        )
    };
    let data = Resource::new(args, |(c, r, p, rr, k)| transfer_offers(c, r, p, rr, k));
    view! {
        <HubFrame>
            <Title text="Transfer your cart"/>
            <Meta name="robots" content="noindex"/>
            <section class="section">
                <div class="container">
                    <Transition fallback=|| view! { <p class="muted">"Asking the partners…"</p> }>
                        {move || Suspend::new(async move {
                            match data.await {
                                Err(e) => problem(&e),
                                Ok(v) => transfer_view(v, args()),
                            }
                        })}
                    </Transition>
                    <crate::HydrationMark/>
                </div>
            </section>
        </HubFrame>
    }
}

type Args = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Asks [`transfer_live`] for the ship-to in `form` and fills `state` as the lines arrive
/// (the browser's way to the list: each partner's price shows the moment it comes).
#[cfg(feature = "hydrate")]
fn stream_offers(
    form: web_sys::HtmlFormElement,
    state: RwSignal<TransferView>,
    error: RwSignal<Option<String>>,
    asking: RwSignal<bool>,
) {
    use futures::StreamExt as _;

    use crate::orders::api::{LiveLine, transfer_live};
    let Ok(data) = web_sys::FormData::new_with_form(&form) else {
        return;
    };
    let get = |k: &str| data.get(k).as_string().filter(|v| !v.trim().is_empty());
    let (country, region, postal) = (
        get("country").unwrap_or_default(),
        get("region"),
        get("postal"),
    );
    let (reroute, key) = (get("reroute"), get("key"));
    // The address bar says what the list is for, so a reload shows it again.
    let mut query = vec![
        ("country", Some(country.clone())),
        ("region", region.clone()),
        ("postal", postal.clone()),
        ("reroute", reroute.clone()),
        ("key", key.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k}={}", js_sys_encode(&v))))
    .collect::<Vec<_>>()
    .join("&");
    query.insert_str(0, "/cart/transfer?");
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&web_sys::wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
    asking.set(true);
    error.set(None);
    leptos::task::spawn_local(async move {
        let mut stream = match transfer_live(country, region, postal, reroute, key).await {
            Ok(s) => s.into_inner(),
            Err(e) => {
                error.set(Some(e.to_string()));
                asking.set(false);
                return;
            }
        };
        let mut buf = String::new();
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else { break };
            buf.push_str(&chunk);
            while let Some(at) = buf.find('\n') {
                let line: String = buf.drain(..=at).collect();
                match serde_json::from_str::<LiveLine>(line.trim()) {
                    Ok(LiveLine::View(v)) => state.set(*v),
                    Ok(LiveLine::Offer(o)) => state.update(|v| {
                        v.pending.retain(|p| *p != o.partner);
                        v.offers.push(o);
                    }),
                    Ok(LiveLine::Unanswered(u)) => state.update(|v| {
                        v.pending.retain(|p| *p != u.partner);
                        v.unanswered.push(u);
                    }),
                    Ok(LiveLine::Done) => state.update(|v| v.pending.clear()),
                    Err(_) => {
                        // An error answer is one JSON problem, not a line of the list.
                        let e: ApiError = serde_json::from_str(line.trim()).unwrap_or_else(|_| {
                            ApiError::Conflict("the list was cut short; try again".into())
                        });
                        error.set(Some(e.to_string()));
                    }
                }
            }
        }
        asking.set(false);
    });
}

#[cfg(feature = "hydrate")]
fn js_sys_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn transfer_view(v: TransferView, args: Args) -> AnyView {
    let (_, _, _, reroute, key) = args;
    let (country, region, postal) = v.ship_to.clone().unwrap_or_else(|| {
        (
            v.prefill.country.clone(),
            v.prefill.region.clone(),
            v.prefill.postal.clone(),
        )
    });
    let heading = match &v.reroute_of {
        Some((number, partner)) => {
            format!("Send order {number} to another partner instead of {partner}")
        }
        None => "Transfer your cart to a partner".to_owned(),
    };
    let state = RwSignal::new(v.clone());
    let stream_error: RwSignal<Option<String>> = RwSignal::new(None);
    let asking = RwSignal::new(false);
    let sort = RwSignal::new("total".to_owned());
    // The chosen offer, by its token (the list re-ranks as live prices arrive).
    let chosen = RwSignal::new(None::<String>);
    let chosen_offer = Memo::new(move |_| {
        let token = chosen.get()?;
        state.with(|v| v.offers.iter().find(|o| o.token == token).cloned())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            chosen.set(None);
            stream_offers(
                event_target::<web_sys::HtmlFormElement>(&ev),
                state,
                stream_error,
                asking,
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <h1>{heading}</h1>
        <p class="muted">"The store's prices are approximate. Partners near you fulfil the order: each one below gives you its exact price, held for 15 minutes."</p>
        <div class="transfer">
            <div class="transfer__main">
                <form class="card form form--inline transfer__shipto" method="get" action="/cart/transfer" on:submit=on_submit>
                    <h2 class="h">"Where should it go?"</h2>
                    {reroute.clone().map(|r| view! { <input type="hidden" name="reroute" value=r/> })}
                    {key.clone().map(|k| view! { <input type="hidden" name="key" value=k/> })}
                    <div class="field"><label for="country">"Country (ISO code)"</label>
                        <input id="country" name="country" required maxlength="2" placeholder="DE" value=country.clone() autocomplete="country"/></div>
                    <div class="field"><label for="region">"Region (optional)"</label>
                        <input id="region" name="region" maxlength="6" placeholder="DE-BY" value=region.clone()/></div>
                    <div class="field"><label for="postal">"Postal code"</label>
                        <input id="postal" name="postal" maxlength="12" placeholder="80331" value=postal.clone() autocomplete="postal-code"/></div>
                    <button class="button" type="submit" data-testid="find-partners" disabled=move || asking.get()>"Find partners"</button>
                </form>
                {move || stream_error.get().map(|m| view! { <p class="error" role="alert" data-testid="transfer-error">{m}</p> })}
                {move || state.with(|v| v.ship_to.is_some()).then(|| {
                    let v = state.get();
                    let count = v.offers.len();
                    view! {
                        <div class="transfer__head">
                            <h2 class="h" data-testid="offers-count">{format!("{count} partner(s) can fulfil all of it")}</h2>
                            <label class="muted small">"Sort by "
                                <select on:change=move |ev| sort.set(event_target_value(&ev)) prop:value=move || sort.get()>
                                    <option value="total">"Total price"</option>
                                    <option value="lead">"Delivery time"</option>
                                    <option value="name">"Partner"</option>
                                </select>
                            </label>
                        </div>
                        {(!v.pending.is_empty()).then(|| view! {
                            <p class="muted small pending" data-testid="pending-offers" aria-live="polite">
                                {format!("Asking {} for a live price…", v.pending.join(", "))}
                            </p>
                        })}
                        {(count == 0 && v.pending.is_empty()).then(|| view! { <div class="card empty"><p>"No partner can fulfil the whole cart for this address. Try another address, or change the cart."</p></div> })}
                        <ol class="offers" data-testid="offers">
                            {move || {
                                let mut list: Vec<OfferView> = state.with(|v| v.offers.clone());
                                match sort.get().as_str() {
                                    "lead" => list.sort_by(|a, b| a.lead_days.cmp(&b.lead_days).then(a.total_minor.cmp(&b.total_minor))),
                                    "name" => list.sort_by(|a, b| a.partner.cmp(&b.partner)),
                                    _ => list.sort_by(|a, b| a.total_minor.cmp(&b.total_minor).then(a.lead_days.cmp(&b.lead_days))),
                                }
                                list.into_iter().map(|o| offer_card(o, chosen)).collect_view()
                            }}
                        </ol>
                        {(!v.partial.is_empty()).then(|| view! {
                            <h3 class="h">"Partners that can fulfil only part of it"</h3>
                            <ul class="card partials" data-testid="partial-offers">
                                {v.partial.iter().map(|p| view! {
                                    <li><strong>{p.partner.clone()}</strong>" — "<span class="muted">{p.lacks.join("; ")}</span></li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(!v.unanswered.is_empty()).then(|| view! {
                            <h3 class="h">"Partners that could not give a price in time"</h3>
                            <ul class="card partials" data-testid="unanswered-offers">
                                {v.unanswered.iter().map(|p| view! {
                                    <li><strong>{p.partner.clone()}</strong>" — "<span class="muted">{p.lacks.join("; ")}</span></li>
                                }).collect_view()}
                            </ul>
                        })}
                    }
                })}
                {move || {
                    // Only a change of the chosen offer renders the form again (not a live
                    // price arriving while the customer types).
                    let o = chosen_offer.get()?;
                    let v = state.get_untracked();
                    let ship = v.ship_to.clone().unwrap_or_default();
                    Some(confirm_form(o, &v, ship, reroute.clone(), key.clone()))
                }}
            </div>
            <aside class="card transfer__basket">
                <h2 class="h">"Your cart"</h2>
                <ul class="basket">
                    {v.lines.iter().map(|l| view! {
                        <li><span>{l.quantity}" × "{l.name.clone()}</span><span class="muted small">{l.approx_unit.clone().unwrap_or_default()}</span></li>
                    }).collect_view()}
                </ul>
                <p class="cart__total">"Approximate total " <strong>{v.approx_total.clone()}</strong></p>
            </aside>
        </div>
    }
    .into_any()
}

fn offer_card(o: OfferView, chosen: RwSignal<Option<String>>) -> AnyView {
    let token = o.token.clone();
    view! {
        <li class="card offer" data-testid="offer" data-partner=o.partner_slug.clone()>
            <div class="offer__head">
                <h3 class="h">{o.partner.clone()}</h3>
                <p class="price price--large" data-testid="offer-total">{o.total.clone()}</p>
            </div>
            <p class="muted small">
                {format!("Ships in {} day(s)", o.lead_days)}
                {o.compared.clone().map(|c| format!(" · {c}"))}
                {format!(" · held until {}", o.held_until)}
            </p>
            <table class="table offer__lines">
                <thead><tr><th scope="col">"Product"</th><th scope="col">"Their code"</th><th scope="col" class="num">"Unit"</th><th scope="col" class="num">"Total"</th></tr></thead>
                <tbody>
                    {o.lines.iter().map(|l| view! {
                        <tr><td>{l.quantity}" × "{l.name.clone()}</td><td class="muted">{l.partner_sku.clone().unwrap_or_default()}</td><td class="num">{l.unit.clone()}</td><td class="num">{l.total.clone()}</td></tr>
                    }).collect_view()}
                    <tr><td colspan="3">"Delivery"</td><td class="num" data-testid="offer-delivery">{o.delivery.clone()}</td></tr>
                </tbody>
            </table>
            <button class="button" type="button" data-testid="choose-offer" on:click=move |_| chosen.set(Some(token.clone()))>
                {format!("Choose {}", o.partner)}
            </button>
        </li>
    }
    .into_any()
}

fn confirm_form(
    o: OfferView,
    v: &TransferView,
    ship: (String, String, String),
    reroute: Option<String>,
    key: Option<String>,
) -> AnyView {
    let confirm = ServerAction::<ConfirmTransfer>::new();
    let result = confirm.value();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(done)) = result.get() {
            navigate(&done.url, Default::default());
        }
    });
    let referrer = use_query_map()
        .get_untracked()
        .get("ref")
        .or_else(|| use_query_map().get_untracked().get("utm_campaign"));
    let (confirm_key, name, email, address) = (
        v.confirm_key.clone(),
        v.prefill.name.clone(),
        v.prefill.email.clone(),
        v.prefill.address.clone(),
    );
    view! {
        <div class="card form-card confirm" data-testid="confirm">
            <h2 class="h">{format!("Order from {} for {}", o.partner, o.total)}</h2>
            <ActionForm action=confirm attr:class="form">
                <input type="hidden" name="token" value=o.token.clone()/>
                <input type="hidden" name="confirm_key" value=confirm_key/>
                <input type="hidden" name="country" value=ship.0/>
                <input type="hidden" name="region" value=ship.1/>
                <input type="hidden" name="postal" value=ship.2/>
                {reroute.map(|r| view! { <input type="hidden" name="reroute" value=r/> })}
                {key.map(|k| view! { <input type="hidden" name="key" value=k/> })}
                {referrer.map(|r| view! { <input type="hidden" name="referrer" value=r/> })}
                <div class="field"><label for="name">"Your name"</label>
                    <input id="name" name="name" required maxlength="200" autocomplete="name" value=name/>
                    <p class="field__error" role="alert">{move || field_error(result, "name").get()}</p></div>
                <div class="field"><label for="email">"E-mail"</label>
                    <input id="email" name="email" type="email" required autocomplete="email" value=email/>
                    <p class="field__error" role="alert">{move || field_error(result, "email").get()}</p></div>
                <div class="field"><label for="address">"Delivery address"</label>
                    <textarea id="address" name="address" required rows="3" maxlength="1000" autocomplete="street-address">{address}</textarea>
                    <p class="field__error" role="alert">{move || field_error(result, "address").get()}</p></div>
                {move || form_error(result).get().map(|m| view! { <p class="error" role="alert" data-testid="confirm-error">{m}</p> })}
                {move || form_error(result).get().filter(|m| m.contains("refresh")).map(|_| view! {
                    <a class="button button--ghost" href="" data-testid="refresh-prices">"Refresh the prices"</a>
                })}
                <button class="button button--large" type="submit" data-testid="confirm-order" disabled=move || confirm.pending().get()>
                    {move || if confirm.pending().get() { "Sending the order…" } else { "Confirm the order" }}
                </button>
            </ActionForm>
        </div>
    }
    .into_any()
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.get().get("id").unwrap_or_default(),
                query.get().get("key"),
            )
        },
        |(id, key)| load_order(id, key),
    );
    view! {
        <HubFrame>
            <Meta name="robots" content="noindex"/>
            <section class="section">
                <div class="container narrow-wide">
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match data.await {
                                Err(e) => view! { <Title text="Order"/> {problem(&e)} }.into_any(),
                                Ok(o) => order_view(o, query.get_untracked().get("key"), None),
                            }
                        })}
                    </Transition>
                    <crate::HydrationMark/>
                </div>
            </section>
        </HubFrame>
    }
}

fn order_view(
    o: OrderView,
    key: Option<String>,
    step: Option<ServerAction<PartnerOrderStep>>,
) -> AnyView {
    let reroute_href = format!(
        "/cart/transfer?reroute={}{}",
        o.id,
        key.map(|k| format!("&key={k}")).unwrap_or_default()
    );
    view! {
        <Title text=format!("Order {}", o.number)/>
        <div class="order-head">
            <h1>{format!("Order {}", o.number)}</h1>
            {pill(&o.state)}
        </div>
        <p class="muted">{format!("Placed {} at {} · fulfilled by {}", o.placed, o.store, o.partner)}</p>
        {o.reroutable.then(|| view! {
            <div class="banner banner--info" data-testid="reroute">
                <p>{if o.state == "rejected" { "The partner could not take this order." } else { "The partner has not acknowledged this order in time." }}
                " You can send it to another partner, at their exact price."</p>
                <a class="button" href=reroute_href.clone()>"Choose another partner"</a>
            </div>
        })}
        {o.reason.clone().map(|r| view! { <p class="order-note" data-testid="order-reason">"Reason: " {r}</p> })}
        {o.tracking.clone().map(|t| view! {
            <p class="order-note" data-testid="order-tracking">"Shipped with " {o.carrier.clone().unwrap_or_default()} " · tracking number "
                {match o.tracking_url.clone() {
                    Some(u) => view! { <a href=u rel="noopener noreferrer" target="_blank">{t.clone()}</a> }.into_any(),
                    None => view! { <strong>{t.clone()}</strong> }.into_any(),
                }}
            </p>
        })}
        <div class="order-grid">
            <div class="card">
                <table class="table">
                    <caption class="visually-hidden">"Lines"</caption>
                    <thead><tr><th scope="col">"Product"</th><th scope="col">"SKU"</th><th scope="col" class="num">"Unit"</th><th scope="col" class="num">"Total"</th></tr></thead>
                    <tbody>
                        {o.lines.iter().map(|l| view! {
                            <tr data-testid="order-line"><td>{l.quantity}" × "{l.name.clone()}</td>
                                <td class="muted small">{l.sku.clone()}{l.partner_sku.clone().map(|p| format!(" / {p}"))}</td>
                                <td class="num">{l.unit.clone()}</td><td class="num">{l.total.clone()}</td></tr>
                        }).collect_view()}
                        <tr><td colspan="3">"Delivery"</td><td class="num">{o.delivery.clone()}</td></tr>
                        <tr><th scope="row" colspan="3">"Total"</th><td class="num"><strong data-testid="order-total">{o.total.clone()}</strong></td></tr>
                    </tbody>
                </table>
                {o.approx_total.clone().map(|a| view! { <p class="muted small">"The store showed " {a} " as an approximate price."</p> })}
            </div>
            <div class="card">
                <h2 class="h">"Delivery"</h2>
                <p><strong>{o.customer_name.clone()}</strong><br/>{o.customer_email.clone()}</p>
                <p class="address">{o.address.clone()}</p>
                <p class="muted small">{o.ship_to.clone()}{format!(" · ships in {} day(s)", o.lead_days)}</p>
            </div>
        </div>
        <div class="card">
            <h2 class="h">"History"</h2>
            <ol class="timeline" data-testid="timeline">
                {o.history.iter().map(|h| view! {
                    <li class="timeline__item"><strong>{state_label(&h.state)}</strong>
                        <span class="muted small">{format!(" · {} · by the {}", h.at, h.actor)}</span>
                        {h.note.clone().map(|n| view! { <br/><span>{n}</span> })}</li>
                }).collect_view()}
            </ol>
        </div>
        {step.map(|step| partner_actions(&o, step))}
    }
    .into_any()
}

fn partner_actions(o: &OrderView, step: ServerAction<PartnerOrderStep>) -> AnyView {
    let result = step.value();
    let id = o.id.clone();
    let version = o.version;
    let has = |a: &str| o.actions.iter().any(|x| x == a);
    let simple = |name: &'static str, label: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=step attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="step" value=name/>
                <input type="hidden" name="version" value=version/>
                <button class="button" type="submit" data-testid=format!("step-{name}")>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <div class="card partner-actions" data-testid="order-actions">
            <h2 class="h">"Next step"</h2>
            {o.actions.is_empty().then(|| view! { <p class="muted">"Nothing more to do: this order is closed."</p> })}
            <div class="partner-actions__row">
                {has("acknowledge").then(|| simple("acknowledge", "Acknowledge"))}
                {has("accept").then(|| simple("accept", "Accept"))}
                {has("deliver").then(|| simple("deliver", "Mark delivered"))}
            </div>
            {has("ship").then(|| { let id = id.clone(); view! {
                <ActionForm action=step attr:class="form form--inline">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="step" value="ship"/>
                    <input type="hidden" name="version" value=version/>
                    <div class="field"><label for="carrier">"Carrier"</label><input id="carrier" name="carrier" required maxlength="100" placeholder="DHL"/></div>
                    <div class="field"><label for="tracking">"Tracking number"</label><input id="tracking" name="tracking" required maxlength="100"/></div>
                    <button class="button" type="submit" data-testid="step-ship">"Mark shipped"</button>
                </ActionForm>
            }})}
            {[("reject", "Reject", "Why you cannot take it"), ("cancel", "Cancel the order", "Why it is cancelled")]
                .into_iter()
                .filter(|(name, _, _)| has(name))
                .map(|(name, label, hint)| {
                    let field = format!("reason-{name}");
                    let id = id.clone();
                    view! {
                        <ActionForm action=step attr:class="form form--inline">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="step" value=name/>
                            <input type="hidden" name="version" value=version/>
                            <div class="field"><label for=field.clone()>{hint}</label><input id=field name="reason" required maxlength="500"/></div>
                            <button class="button button--ghost" type="submit" data-testid=format!("step-{name}")>{label}</button>
                        </ActionForm>
                    }
                })
                .collect_view()}
            {move || match result.get() {
                Some(Err(e)) => Some(view! { <p class="error" role="alert" data-testid="step-error">{e.to_string()}</p> }),
                _ => None,
            }}
        </div>
    }
    .into_any()
}

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_orders());
    view! {
        <HubFrame>
            <Title text="My orders"/>
            <Meta name="robots" content="noindex"/>
            <section class="section"><div class="container narrow-wide">
                <h1>"My orders"</h1>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(e) => problem(&e),
                            Ok(rows) if rows.is_empty() => view! { <div class="card empty"><p>"No orders yet."</p><a class="button" href="/">"Shop"</a></div> }.into_any(),
                            Ok(rows) => orders_table(rows, |r| format!("/orders/{}", r.id), "Partner"),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

fn orders_table(rows: Vec<OrderRow>, href: fn(&OrderRow) -> String, who: &'static str) -> AnyView {
    view! {
        <div class="card"><table class="table" data-testid="orders">
            <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">{who}</th><th scope="col">"Customer"</th><th scope="col">"State"</th><th scope="col" class="num">"Total"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr data-testid="order-row">
                        <td><a href=href(&r)>{r.number.clone()}</a></td>
                        <td class="muted small">{r.placed.clone()}</td>
                        <td>{r.counterpart.clone()}</td>
                        <td>{r.customer.clone()}</td>
                        <td>{pill(&r.state)}{r.overdue.then(|| view! { <span class="muted small">" overdue"</span> })}</td>
                        <td class="num">{r.total.clone()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

#[component]
pub fn PartnerOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let step = ServerAction::<PartnerOrderStep>::new();
    let list = Resource::new(
        move || (query.get().get("state"), step.version().get()),
        |(state, _)| partner_orders(state),
    );
    let one = Resource::new(
        move || (query.get().get("order"), step.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => partner_order(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <HubFrame>
            <Title text="Orders · partner console"/>
            <section class="section partner-console"><div class="container">
                <div class="order-head">
                    <h1>"Orders"</h1>
                    <a class="button button--ghost" href="/console/partner">"Back to the console"</a>
                </div>
                <nav class="chips" aria-label="Filter by state">
                    <a class="chip" href="/console/partner/orders">"All"</a>
                    {["transferred", "acknowledged", "accepted", "shipped", "delivered", "rejected", "cancelled"].into_iter().map(|s| view! {
                        <a class="chip" href=format!("/console/partner/orders?state={s}")>{state_label(s)}</a>
                    }).collect_view()}
                </nav>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match one.await {
                            Err(e) => problem(&e),
                            Ok(Some(o)) => order_view(o, None, Some(step)),
                            Ok(None) => ().into_any(),
                        }
                    })}
                </Transition>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => problem(&e),
                            Ok(rows) if rows.is_empty() => view! { <div class="card empty" data-testid="inbox-empty"><p>"No orders here yet. A customer's transferred cart lands here at once."</p></div> }.into_any(),
                            Ok(rows) => orders_table(rows, |r| format!("/console/partner/orders?order={}", r.id), "Store"),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}

/// `/console/orders` on a reseller's host: the carts its store transferred, where each went
/// and how far it got (read-only: the partner fulfils, the customer reroutes).
#[component]
pub fn StoreOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let list = Resource::new(|| (), |_| store_transfers());
    let one = Resource::new(
        move || query.get().get("order"),
        |id| async move {
            match id {
                Some(id) => store_transfer(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <HubFrame>
            <Title text="Transferred orders"/>
            <section class="section"><div class="container">
                <div class="order-head">
                    <h1>"Transferred orders"</h1>
                    <a class="button button--ghost" href="/console/store">"Back to the console"</a>
                </div>
                <p class="muted">"The carts your customers transferred to a partner, and how far each got. The partner fulfils the order; you follow it here."</p>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match one.await {
                            Err(e) => problem(&e),
                            Ok(Some(o)) => order_view(o, None, None),
                            Ok(None) => ().into_any(),
                        }
                    })}
                </Transition>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => problem(&e),
                            Ok(rows) if rows.is_empty() => view! { <div class="card empty" data-testid="transfers-empty"><p>"No cart has been transferred yet."</p></div> }.into_any(),
                            Ok(rows) => orders_table(rows, |r| format!("/console/orders?order={}", r.id), "Partner"),
                        }
                    })}
                </Transition>
                <crate::HydrationMark/>
            </div></section>
        </HubFrame>
    }
}
