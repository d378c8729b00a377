//! Storefront pages (and their JSON listings) for anonymous visitors, from memory. A page without a session or a cart
//! is the same for every visitor, so its rendered bytes are kept under a key that holds every
//! version it was derived from: the tenant (name, status), the master catalog and the store's
//! catalog. The versions are read on every request (one indexed query, the one a warm
//! storefront makes anyway), so a change shows on the next request in every process; entries
//! of old versions are never hit again and age out.
//!
//! A rendered page carries the CSP nonce of the response it was rendered for (on its scripts
//! and inline style). It is kept cut at those places and served with each response's own
//! nonce, so no two responses share one.

use std::sync::Arc;
use std::time::Duration;

use app::context::{CspNonce, RequestCtx};
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
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
    /// The body cut where the nonce was: served as the pieces joined by the current nonce.
    pieces: Vec<Bytes>,
    len: usize,
}

impl Page {
    fn new(
        status: StatusCode,
        content_type: Option<HeaderValue>,
        body: &Bytes,
        nonce: &str,
    ) -> Self {
        let mut pieces = Vec::new();
        let mut rest = body.clone();
        if !nonce.is_empty() {
            while let Some(at) = find(&rest, nonce.as_bytes()) {
                pieces.push(rest.slice(..at));
                rest = rest.slice(at + nonce.len()..);
            }
        }
        pieces.push(rest);
        Self {
            status,
            content_type,
            pieces,
            len: body.len(),
        }
    }

    fn body(&self, nonce: &str) -> Bytes {
        if let [only] = self.pieces.as_slice() {
            return only.clone();
        }
        let mut out = BytesMut::with_capacity(self.len + nonce.len() * self.pieces.len());
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(nonce.as_bytes());
            }
            out.extend_from_slice(piece);
        }
        out.freeze()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
                    u32::try_from(v.len + k.uri.len() + k.host.len() + 64).unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(600))
                .build(),
        ))
    }
}

/// Storefront pages (home, categories, products, search) and the GET server functions that
/// answer the same listings as JSON (what the shop's browser bundle asks for as a shopper
/// moves between pages): the same for every anonymous visitor of a store at given versions.
fn cacheable(path: &str) -> bool {
    path == "/"
        || path.starts_with("/c/")
        || path.starts_with("/p/")
        || path == "/search"
        || matches!(
            path,
            "/api/store/home" | "/api/store/category" | "/api/store/product" | "/api/store/search"
        )
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
    let nonce = req
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
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
        let mut res = (page.status, page.body(&nonce)).into_response();
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
            Arc::new(Page::new(
                parts.status,
                parts.headers.get(header::CONTENT_TYPE).cloned(),
                &bytes,
                &nonce,
            )),
        )
        .await;
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_is_served_with_each_responses_nonce() {
        let body = Bytes::from_static(
            b"<script nonce=\"n1n1\">a</script><style nonce=\"n1n1\"></style>end",
        );
        let page = Page::new(StatusCode::OK, None, &body, "n1n1");
        assert_eq!(page.body("n1n1"), body);
        assert_eq!(
            page.body("z9z9"),
            Bytes::from_static(
                b"<script nonce=\"z9z9\">a</script><style nonce=\"z9z9\"></style>end"
            )
        );
        let bare = Page::new(
            StatusCode::OK,
            None,
            &Bytes::from_static(b"no scripts"),
            "n1n1",
        );
        assert_eq!(bare.body("z9z9"), Bytes::from_static(b"no scripts"));
    }
}
