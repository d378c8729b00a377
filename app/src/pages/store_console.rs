//! Reseller console pages: the store wizard and the overrides / drift view.

use leptos::prelude::*;

use crate::components::layout::HubFrame;

#[component]
pub fn StoreWizardPage() -> impl IntoView {
    view! { <HubFrame><section class="section"><div class="container"><h1>"Your store"</h1></div></section></HubFrame> }
}
