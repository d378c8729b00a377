//! The browser entry point. Kept apart from `app` so the native builds never link a cdylib
//! and the wasm build pulls in nothing but the hydrating half of the app.

// The shop bundle calls nothing of `app` by name: its islands are `app`'s wasm exports, which
// the island script calls. This keeps `app` linked in.
#[cfg(feature = "shop")]
use app as _;

/// Called by Leptos's loader once the wasm is in. The console bundle hydrates the whole page
/// (the app with its router); the shop bundle only the page's islands (`#[island]` in `app`),
/// the rest of a storefront page stays the server's HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "shop")]
    leptos::mount::hydrate_islands();
    #[cfg(not(feature = "shop"))]
    leptos::mount::hydrate_body(app::App);
}
