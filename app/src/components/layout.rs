use leptos::prelude::*;

use crate::accounts::api::{SiteInfo, site_context};
use crate::accounts::me::{self, Me};

/// The site (the same for every visitor) and the visitor's own header (session, cart count)
/// every page frame shows, each loaded once per page and shared through context so pages can
/// read them too.
#[derive(Clone, Copy)]
// Read by the consoles' and accounts' pages; the shop bundle has none of them.
#[cfg_attr(
    feature = "shop",
    expect(dead_code, reason = "no page of the shop bundle reads the context")
)]
pub struct Site(pub Resource<Option<SiteInfo>>, pub Resource<Me>);

/// The frame of every page: the brand bar with the account menu, the page, the footer. The
/// site context is read inside `Transition`s, so the server waits for it and hydration sees
/// the same text.
#[component]
pub fn HubFrame(children: Children) -> impl IntoView {
    let site = Resource::new(|| (), |_| async { site_context().await.ok() });
    let me = Resource::new(
        || (),
        |_| async { me::visitor_header().await.unwrap_or_default() },
    );
    provide_context(Site(site, me));
    let name = move || {
        site.get()
            .flatten()
            .map(|s| s.name)
            .unwrap_or_else(|| "Hub".to_owned())
    };
    let is_hub = move || site.get().flatten().is_some_and(|s| s.kind == "hub");
    let is_store = move || {
        site.get()
            .flatten()
            .is_some_and(|s| s.theme.as_ref().is_some_and(|t| t.live))
    };
    // Branding as custom properties. Only validated values reach here (#rrggbb colours and
    // font stacks from a fixed list), so the CSS is written as is.
    let branding = move || {
        site.get()
            .flatten()
            .filter(|s| s.kind == "reseller")
            .and_then(|s| s.theme)
            .map(|t| {
                format!(
                    ":root{{--brand:{p};--brand-soft:color-mix(in srgb,{p} 10%,white);--accent:{a};--font:{f};}}",
                    p = t.primary,
                    a = t.accent,
                    f = t.font_stack
                )
            })
            .unwrap_or_default()
    };
    let logo = move || {
        site.get()
            .flatten()
            .and_then(|s| s.theme)
            .and_then(|t| t.logo)
    };
    // The visitor's block is one piece of HTML (see `accounts::me`): the page cache swaps
    // it in a kept page; in the browser it is left as the server wrote it until it changes.
    let mine = move || me.get().map(|m| me::html(&m)).unwrap_or_default();
    view! {
        <Transition fallback=|| ()>
            <style id="store-branding" nonce=leptos::nonce::use_nonce() inner_html=branding></style>
        </Transition>
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="container topbar__inner">
                <Transition fallback=|| view! { <span class="brand"></span> }>
                    <a class="brand" href="/">
                        {move || match logo() {
                            Some(l) => view! { <img class="brand__logo" src=format!("/media/{l}") alt="" width="36" height="36"/> }.into_any(),
                            None => view! {
                                <span class="brand__mark" aria-hidden="true">
                                    {name().chars().next().unwrap_or('H').to_string()}
                                </span>
                            }.into_any(),
                        }}
                        <span class="brand__name">{name}</span>
                    </a>
                </Transition>
                <Transition fallback=|| ()>
                    {move || is_store().then(|| view! {
                        <form class="topbar__search" action="/search" method="get" role="search">
                            <label for="top-q" class="visually-hidden">"Search products"</label>
                            <input id="top-q" name="q" type="search" placeholder="Search products"/>
                        </form>
                    })}
                </Transition>
                <nav class="topbar__nav" aria-label="Main">
                    <Transition fallback=|| ()>
                        {move || is_hub().then(|| view! {
                            <a href="/#how-it-works">"How it works"</a>
                        })}
                        <span class="topbar__me" inner_html=mine></span>
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
