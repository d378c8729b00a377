use leptos::prelude::*;

/// The frame of every hub page: the brand bar, the page, the footer.
#[component]
pub fn HubFrame(#[prop(into)] brand: Signal<String>, children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="container topbar__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">
                        {move || brand.get().chars().next().unwrap_or('H').to_string()}
                    </span>
                    <span class="brand__name">{move || brand.get()}</span>
                </a>
                <nav class="topbar__nav" aria-label="Main">
                    <a href="/#how-it-works">"How it works"</a>
                    <a href="/#partner" class="button button--small">"Become a partner"</a>
                </nav>
            </div>
        </header>
        <main id="main">{children()}</main>
        <footer class="footer">
            <div class="container footer__inner">
                <span>{move || brand.get()}" · Partner commerce hub"</span>
                <span class="muted">"Prices in integer minor units. Your data stays in your tenant."</span>
            </div>
        </footer>
    }
}
