//! Hub admin catalog console pages.

use leptos::prelude::*;

use crate::components::layout::HubFrame;

#[component]
pub fn CatalogPage() -> impl IntoView {
    view! { <HubFrame><section class="section"><div class="container"><h1>"Catalog"</h1></div></section></HubFrame> }
}
