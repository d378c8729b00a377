//! Storefront pages for anonymous visitors, from memory. A page without a session or a cart
//! is the same for every visitor, so its rendered bytes are kept under a key that holds every
//! version it was derived from: the tenant (name, status), the master catalog and the store's
//! catalog. The versions are read on every request (one indexed query, the one a warm
//! storefront makes anyway), so a change shows on the next request in every process; entries
//! of old versions are never hit again and age out.

use std::sync::Arc;
use std::time::Duration;

use app::context::RequestCtx;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use tenants::TenantId;

use super::ServerState;

/// The largest page kept.
const MAX_PAGE: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Key {
    tenant: TenantId,
    tenant_version: i64,
    master: i64,
    store: i64,
    host: String,
    uri: String,
}

#[derive(Debug)]
struct Page {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

#[derive(Clone, Debug)]
pub struct PageCache(Option<moka::future::Cache<Key, Arc<Page>>>);

impl PageCache {
    /// Up to `max_bytes` of pages (0: every page is rendered); an unused page goes after ten
    /// minutes.
    pub fn new(max_bytes: u64) -> Self {
        if max_bytes == 0 {
            return Self(None);
        }
        Self(Some(
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &Key, v: &Arc<Page>| {
                    u32::try_from(v.body.len() + k.uri.len() + k.host.len() + 64)
                        .unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(600))
                .build(),
        ))
    }
}

/// Storefront pages only: home, categories, products, search.
fn cacheable(path: &str) -> bool {
    path == "/" || path.starts_with("/c/") || path.starts_with("/p/") || path == "/search"
}

/// A visitor with a session or a cart sees their own header (name, cart count).
fn personal(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|t| t.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| {
            let name = name.trim();
            !value.trim().is_empty()
                && (name == app::session::ACCESS_COOKIE
                    || name == app::session::REFRESH_COOKIE
                    || name == app::session::CART_COOKIE)
        })
}

pub async fn serve(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    let Some(pages) = &state.pages.0 else {
        return next.run(req).await;
    };
    if req.method() != Method::GET || !cacheable(req.uri().path()) || personal(req.headers()) {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<RequestCtx>() else {
        return next.run(req).await;
    };
    let tenant = ctx.tenant.clone();
    let host = ctx.host.clone();
    // The hub's front page shows live partner-programme counters: always rendered.
    if tenant.kind() == tenants::TenantKind::Hub && req.uri().path() == "/" {
        return next.run(req).await;
    }
    // Distributors have no storefront; their pages are rendered as they come.
    let Ok((master, store)) = state.app.catalog.versions(&state.app.db, &tenant).await else {
        return next.run(req).await;
    };
    let key = Key {
        tenant: tenant.id(),
        tenant_version: tenant.version(),
        master,
        store,
        host,
        uri: req.uri().to_string(),
    };
    if let Some(page) = pages.get(&key).await {
        let mut res = (page.status, page.body.clone()).into_response();
        if let Some(ct) = &page.content_type {
            res.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
        }
        return res;
    }
    let res = next.run(req).await;
    if !matches!(res.status(), StatusCode::OK | StatusCode::NOT_FOUND)
        || res.headers().contains_key(header::SET_COOKIE)
    {
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        tracing::error!("a storefront page was too large to buffer");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    pages
        .insert(
            key,
            Arc::new(Page {
                status: parts.status,
                content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
                body: bytes.clone(),
            }),
        )
        .await;
    Response::from_parts(parts, Body::from(bytes))
}
