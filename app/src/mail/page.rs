//! `/admin/mail`: the development file outbox, newest first. Every text is shown as text.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::layout::HubFrame;
use crate::mail::api::mail_outbox;

#[component]
pub fn MailPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| mail_outbox());
    view! {
        <Title text="Mail · Hub admin"/>
        <Meta name="robots" content="noindex"/>
        <HubFrame>
            <section class="section">
                <div class="container">
                    <p class="eyebrow">"Hub admin"</p>
                    <h1>"Mail"</h1>
                    <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match data.await {
                                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                                Ok(o) => match o.dir {
                                    None => view! {
                                        <div class="card empty"><p class="muted">"This hub sends e-mail by SMTP: your mail provider keeps the log."</p></div>
                                    }.into_any(),
                                    Some(dir) => view! {
                                        <p class="muted">{format!("In development every e-mail the hub sends is written to {dir} instead; the newest are below.")}</p>
                                        {if o.messages.is_empty() {
                                            view! { <div class="card empty"><p class="muted">"No e-mail yet."</p></div> }.into_any()
                                        } else {
                                            view! {
                                                <ol class="mail-list" data-testid="mail-list">
                                                    {o.messages.into_iter().map(|m| view! {
                                                        <li class="card mail" data-testid="mail">
                                                            <details>
                                                                <summary>
                                                                    <strong data-testid="mail-subject">{m.subject.clone()}</strong>
                                                                    <span class="muted small">{format!(" · to {} · {}", m.to, m.date)}</span>
                                                                </summary>
                                                                <p class="muted small">{format!("From {}", m.from)}</p>
                                                                <pre class="mail__body" data-testid="mail-body">{m.body.clone()}</pre>
                                                            </details>
                                                        </li>
                                                    }).collect_view()}
                                                </ol>
                                            }.into_any()
                                        }}
                                    }.into_any(),
                                },
                            }
                        })}
                    </Transition>
                    <crate::HydrationMark/>
                </div>
            </section>
        </HubFrame>
    }
}
