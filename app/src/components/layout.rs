use leptos::prelude::*;

use crate::api::auth::{SiteInfo, site_context};

/// The site and session every page frame shows, loaded once per page and shared through
/// context so pages can read it too.
#[derive(Clone, Copy)]
pub struct Site(pub Resource<Option<SiteInfo>>);

/// The frame of every page: the brand bar with the account menu, the page, the footer. The
/// site context is read inside `Transition`s, so the server waits for it and hydration sees
/// the same text.
#[component]
pub fn HubFrame(children: Children) -> impl IntoView {
    let site = Resource::new(|| (), |_| async { site_context().await.ok() });
    provide_context(Site(site));
    let name = move || {
        site.get()
            .flatten()
            .map(|s| s.name)
            .unwrap_or_else(|| "Hub".to_owned())
    };
    let is_hub = move || site.get().flatten().is_some_and(|s| s.kind == "hub");
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="container topbar__inner">
                <Transition fallback=|| view! { <span class="brand"></span> }>
                    <a class="brand" href="/">
                        <span class="brand__mark" aria-hidden="true">
                            {move || name().chars().next().unwrap_or('H').to_string()}
                        </span>
                        <span class="brand__name">{name}</span>
                    </a>
                </Transition>
                <nav class="topbar__nav" aria-label="Main">
                    <Transition fallback=|| ()>
                        {move || is_hub().then(|| view! {
                            <a href="/#how-it-works">"How it works"</a>
                        })}
                        <AccountMenu site/>
                    </Transition>
                </nav>
            </div>
        </header>
        <main id="main">{children()}</main>
        <footer class="footer">
            <div class="container footer__inner">
                <Transition fallback=|| ()>
                    <span>{name}" · Partner commerce hub"</span>
                </Transition>
                <span class="muted">"Each partner store keeps its own customers, orders and data."</span>
            </div>
        </footer>
    }
}

#[component]
fn AccountMenu(site: Resource<Option<SiteInfo>>) -> impl IntoView {
    move || {
        let ctx = site.get().flatten();
        let is_hub = ctx.as_ref().is_some_and(|s| s.kind == "hub");
        match ctx.and_then(|s| s.session) {
            Some(session) => {
                let admin = (session.role == "hub_admin").then(|| {
                    view! { <a href="/admin/resellers">"Resellers"</a> }
                });
                view! {
                    {admin}
                    <a href="/account" class="account-chip" data-testid="account-chip">
                        <span class="account-chip__avatar" aria-hidden="true">
                            {session.name.chars().next().unwrap_or('?').to_string()}
                        </span>
                        <span>{session.name.clone()}</span>
                    </a>
                }
                .into_any()
            }
            None => {
                let join = if is_hub {
                    view! { <a href="/partners/apply" class="button button--small">"Become a partner"</a> }.into_any()
                } else {
                    view! { <a href="/signup" class="button button--small">"Create account"</a> }
                        .into_any()
                };
                view! {
                    <a href="/login" data-testid="login-link">"Log in"</a>
                    {join}
                }
                .into_any()
            }
        }
    }
}
