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
