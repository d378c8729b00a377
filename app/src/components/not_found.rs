use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path no route matches; answers 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <main id="main" class="container notice">
            <p class="eyebrow">"404"</p>
            <h1>"We could not find that page"</h1>
            <p class="muted">"The link may be old, or the page may have moved."</p>
            <a class="button" href="/">"Back to the start"</a>
        </main>
        <crate::HydrationMark/>
    }
}

/// The shop bundle's answer to a page it does not carry (a console, the log-in page): the
/// browser loads that page from the server, which sends it with the bundle that has it.
#[cfg(feature = "shop")]
#[component]
pub fn Elsewhere() -> impl IntoView {
    // The router's location: during a client-side navigation the address bar may still
    // show the page being left.
    let target = leptos_router::hooks::use_location();
    let path = target.pathname.get_untracked();
    if crate::is_shop_page(&path) {
        // The server sent this bundle for this path: it is ours, and it does not exist.
        return view! { <NotFound/> }.into_any();
    }
    let url = format!(
        "{path}{}{}",
        target
            .search
            .get_untracked()
            .strip_prefix('?')
            .map_or(String::new(), |q| format!("?{q}")),
        match target.hash.get_untracked() {
            h if h.is_empty() || h.starts_with('#') => h,
            h => format!("#{h}"),
        }
    );
    Effect::new(move |_| {
        let _ = window().location().replace(&url);
    });
    view! { <main id="main" class="container notice"><p class="muted">"Loading…"</p></main> }
        .into_any()
}
