//! Storefront pages (and their JSON listings) from memory. A page is the same for every visitor
//! but for its header block (who is signed in, the cart count: `app::accounts::me`), so it is
//! kept as an anonymous visitor sees it, and a visitor with a session or a cart gets the kept
//! page with their own block swapped in (one cart query, no render). Its bytes are kept under a key that holds every
//! version it was derived from: the tenant (name, status), the master catalog and the store's
//! catalog. The versions are read on every request (one indexed query, the one a warm
//! storefront makes anyway), so a change shows on the next request in every process; entries
//! of old versions are never hit again and age out.
//!
//! A rendered page carries the CSP nonce of the response it was rendered for (on its scripts
//! and inline style). It is kept cut at those places and served with each response's own
//! nonce, so no two responses share one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::accounts::me::{self, Splice};
use app::context::{CspNonce, RequestCtx};
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use tenants::TenantId;
use tenants::access::Caller;

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
pub struct PageCache {
    cache: Option<moka::future::Cache<Key, Arc<Page>>>,
    /// Requests answered from a kept page (anonymous or personal).
    hits: Arc<AtomicU64>,
    /// Of those, pages made a signed-in visitor's or a cart holder's by swapping the header.
    spliced: Arc<AtomicU64>,
}

impl PageCache {
    /// Up to `max_bytes` of pages (0: every page is rendered); an unused page goes after ten
    /// minutes.
    pub fn new(max_bytes: u64) -> Self {
        let counters = |cache| Self {
            cache,
            hits: Arc::default(),
            spliced: Arc::default(),
        };
        if max_bytes == 0 {
            return counters(None);
        }
        counters(Some(
            moka::future::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|k: &Key, v: &Arc<Page>| {
                    u32::try_from(v.len + k.uri.len() + k.host.len() + 64).unwrap_or(u32::MAX)
                })
                .time_to_idle(Duration::from_secs(600))
                .build(),
        ))
    }

    /// (requests answered from a kept page, of which personalised by the header swap).
    pub fn served(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.spliced.load(Ordering::Relaxed),
        )
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

/// A visitor with a session or a cart sees their own header (name, cart count): a kept page
/// gets their header swapped in.
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
    let Some(pages) = &state.pages.cache else {
        return next.run(req).await;
    };
    if req.method() != Method::GET || !cacheable(req.uri().path()) {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<RequestCtx>().cloned() else {
        return next.run(req).await;
    };
    let tenant = ctx.tenant.clone();
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
        host: ctx.host.clone(),
        uri: req.uri().to_string(),
    };
    let personal = personal(req.headers());
    // The JSON listings are the same for everyone; a page differs only in its header block.
    let splice = if personal && !req.uri().path().starts_with("/api/") {
        let caller = Caller::new(&state.app.db, tenant.clone(), ctx.principal.clone());
        let guest = app::session::read_cart(req.headers());
        match me::of(&state.app, &caller, guest).await {
            Ok(m) => Some(Splice::new(&m)),
            Err(_) => return next.run(req).await,
        }
    } else {
        None
    };
    let page = match pages.get(&key).await {
        Some(page) => {
            state.pages.hits.fetch_add(1, Ordering::Relaxed);
            page
        }
        None => {
            // Rendered as an anonymous visitor sees it, kept, and then made this visitor's.
            let anonymous = if personal {
                anonymous_copy(&req, &ctx)
            } else {
                Request::from_parts(clone_parts(&req), Body::empty())
            };
            let res = next.clone().run(anonymous).await;
            if !matches!(res.status(), StatusCode::OK | StatusCode::NOT_FOUND)
                || res.headers().contains_key(header::SET_COOKIE)
            {
                return if personal { next.run(req).await } else { res };
            }
            let (parts, body) = res.into_parts();
            let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
                tracing::error!("a storefront page was too large to buffer");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            let page = Arc::new(Page::new(
                parts.status,
                parts.headers.get(header::CONTENT_TYPE).cloned(),
                &bytes,
                &nonce,
            ));
            pages.insert(key, page.clone()).await;
            if !personal {
                return Response::from_parts(parts, Body::from(bytes));
            }
            page
        }
    };
    let mut body = page.body(&nonce);
    if let Some(splice) = splice {
        match splice.apply(&body) {
            Some(theirs) => {
                state.pages.spliced.fetch_add(1, Ordering::Relaxed);
                body = Bytes::from(theirs);
            }
            None => return next.run(req).await,
        }
    }
    let mut res = (page.status, body).into_response();
    if let Some(ct) = &page.content_type {
        res.headers_mut().insert(header::CONTENT_TYPE, ct.clone());
    }
    res
}

fn clone_parts(req: &Request) -> http::request::Parts {
    let (mut parts, ()) = http::Request::new(()).into_parts();
    parts.method = req.method().clone();
    parts.uri = req.uri().clone();
    parts.version = req.version();
    parts.headers = req.headers().clone();
    parts.extensions = req.extensions().clone();
    parts
}

/// The request as an anonymous visitor would make it: no cookies, no principal.
fn anonymous_copy(req: &Request, ctx: &RequestCtx) -> Request {
    let mut parts = clone_parts(req);
    parts.headers.remove(header::COOKIE);
    parts.extensions.insert(RequestCtx {
        principal: None,
        ..ctx.clone()
    });
    Request::from_parts(parts, Body::empty())
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
