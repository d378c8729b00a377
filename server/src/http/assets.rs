//! Static files: the build's `/pkg` (wasm, js, css) and the public assets copied into the
//! site root. Files keep their names across builds, so browsers revalidate `/pkg` on each
//! use (a cheap 304) and keep public assets for a day.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use leptos::prelude::provide_context;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use super::ServerState;

const PKG_CACHE: HeaderValue = HeaderValue::from_static("public, no-cache");
const PUBLIC_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=86400");

pub fn build_assets(state: &ServerState) -> SetResponseHeader<ServeDir, HeaderValue> {
    let dir = state.config.site_root.join(&state.config.site_pkg_dir);
    SetResponseHeader::overriding(
        ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        header::CACHE_CONTROL,
        PKG_CACHE,
    )
}

/// A public file from the site root if there is one, else the app's own 404 page.
pub async fn public_file_or_not_found(State(state): State<ServerState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if matches!(parts.method, Method::GET | Method::HEAD) && parts.uri.path() != "/" {
        let probe = Request::from_parts(parts.clone(), Body::empty());
        let served = ServeDir::new(&state.config.site_root)
            .append_index_html_on_directories(false)
            .oneshot(probe)
            .await;
        if let Ok(mut res) = served
            && res.status() != StatusCode::NOT_FOUND
        {
            res.headers_mut()
                .insert(header::CACHE_CONTROL, PUBLIC_CACHE);
            return res.into_response();
        }
    }
    let app_state = state.app.clone();
    let leptos = state.leptos.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(app_state.clone()),
        move || app::shell(leptos.clone()),
    );
    render(Request::from_parts(parts, body))
        .await
        .into_response()
}
