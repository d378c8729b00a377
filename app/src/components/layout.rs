use leptos::prelude::*;

/// The frame of every hub page: the brand bar, the page, the footer. `brand` may come from a
/// resource; it is read inside a `Transition`, so the server waits for it and hydration sees
/// the same text.
#[component]
pub fn HubFrame(#[prop(into)] brand: Signal<Option<String>>, children: Children) -> impl IntoView {
    let name = move || brand.get().unwrap_or_else(|| "Hub".to_owned());
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
                    <a href="/#how-it-works">"How it works"</a>
                    <a href="/#partner" class="button button--small">"Become a partner"</a>
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
