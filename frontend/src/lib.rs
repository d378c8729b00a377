//! The browser entry point. Kept apart from `app` so the native builds never link a cdylib
//! and the wasm build pulls in nothing but the hydrating half of the app.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
