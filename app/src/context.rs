//! The request context that page rendering and server functions share. The server's
//! middleware resolves the tenant from the Host header and the principal from the session
//! cookies, and puts a [`RequestCtx`] into the request's extensions; leptos_axum hands the
//! request parts to every render and server function.
//!
//! Every server function is one call to [`run`]: the guard named by its closure's argument type
//! checks the caller first (401/403/404 if not let in), then the closure makes its one domain
//! call with the handle the guard holds, then the error is mapped to a status. A server
//! function cannot get a tenant handle any other way: `tenants` builds them only inside its
//! guards, and `operator` (the CLI's door) is forbidden here by `app/clippy.toml`.

use std::net::IpAddr;
use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tenants::access::{
    Caller, Customer, Denied, DistributorAdmin, DistributorStaff, HubAdmin, HubVisitor, Member,
    Shopper, StoreAdmin, StoreStaff, Visitor,
};
use tenants::auth::{LoginThrottle, Principal, TokenKeys};
use tenants::registry::RegistryCache;
use tenants::{Database, Tenant};

use crate::error::ApiError;

/// Process-wide state, provided to every render and server function. Cloned into every
/// request's context, so a clone is one reference count ([`AppStateInner`] behind an `Arc`;
/// its fields read as `state.db`, `state.catalog`, …).
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    pub fn new(inner: AppStateInner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

#[derive(Debug)]
pub struct AppStateInner {
    pub db: Database,
    /// The registry cache host resolution reads; invalidated here when a tenant changes.
    pub registry: RegistryCache,
    pub keys: Arc<TokenKeys>,
    pub throttle: LoginThrottle,
    /// `http` or `https`: how people reach the hub (for links to other hosts).
    pub public_scheme: String,
    /// The hub's domain; stores answer at `{slug}.{domain}`.
    pub domain: String,
    /// The stores' effective catalogs, built on demand and held in memory.
    pub catalog: tenants::catalog::CatalogCache,
    /// Uploaded images.
    pub media: tenants::catalog::media::Media,
    /// The largest catalog CSV file the console imports.
    pub max_import_bytes: usize,
    /// The time the consoles read (expiries, "now" of a delivery log); tests move it.
    pub clock: tenants::clock::SharedClock,
    /// The outbound client's guard, for webhook URLs a console saves.
    pub url_check: Arc<dyn tenants::webhooks::UrlCheck>,
    /// The outbound client, for the live prices of partners whose systems price carts.
    pub quotes: Arc<dyn tenants::orders::live::QuoteCaller>,
    /// How long the cart transfer list waits for them (`transfer.quote_deadline_ms`).
    pub quote_deadline: std::time::Duration,
    /// The development mail outbox's directory (`None`: mail goes out by SMTP).
    pub mail_dir: Option<std::path::PathBuf>,
}

/// What the middleware learnt about this request.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub tenant: Tenant,
    pub principal: Option<Principal>,
    pub request_id: String,
    /// The peer address (the client, or the proxy in front of the hub).
    pub client_ip: IpAddr,
    /// The Host header as the browser sent it, port included.
    pub host: String,
}

/// This response's Content-Security-Policy nonce: made by the server's outermost layer (which
/// also writes the header), put on the page's scripts and its inline style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(Arc<str>);

impl CspNonce {
    /// 128 random bits, hex.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        // The OS source does not fail on the platforms we serve from; if it ever did, a
        // time-based value still differs per response (a nonce needs to be unguessable in
        // advance, not secret afterwards).
        if getrandom::fill(&mut bytes).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = t.to_le_bytes();
        }
        Self(hex::encode(bytes).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What every render and server function gets in its context: the app state, and for pages
/// this response's nonce (so the hydration scripts and the branding style carry the nonce the
/// CSP header names).
pub fn provide_request_context(state: &AppState) {
    provide_context(state.clone());
    if let Some(nonce) =
        use_context::<Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

pub fn request_ctx() -> Option<RequestCtx> {
    use_context::<Parts>()?
        .extensions
        .get::<RequestCtx>()
        .cloned()
}

/// The id the server gave this request (also in the `x-request-id` response header).
pub fn request_id() -> String {
    request_ctx()
        .map(|c| c.request_id)
        .unwrap_or_else(|| "unknown".to_owned())
}

fn internal() -> ApiError {
    if render_abandoned() {
        // Routine: nobody is waiting for this answer.
        tracing::debug!("a page's data loader ran on after its client went away");
    } else {
        tracing::error!("app code ran without a resolved tenant or app state");
    }
    ApiError::Internal {
        request_id: request_id(),
    }
}

pub fn app_state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(internal)
}

/// Whether the calling code belongs to a server-side render whose request is gone. When a
/// client closes the connection mid-render, Leptos drops the render's root owner (and with it
/// the request's context) while the page's data loaders, which hold only their own child
/// owners, run to their end: such a loader finds an owner with the render's shared context but
/// no parent. A loader of a render still in progress has its parent, and a server function
/// called over HTTP runs under a root owner without a shared context, so neither is mistaken
/// for this. (A render's root owner looks the same, but it holds the request's context, which
/// leptos_axum provides before any app code runs, so code there never asks this.)
fn render_abandoned() -> bool {
    Owner::current()
        .is_some_and(|owner| owner.parent().is_none() && owner.shared_context().is_some())
}

/// Who is calling: the resolved tenant and the verified principal. A request that reached
/// app code without a resolved tenant is a server bug, reported as an internal error.
pub fn caller() -> Result<Caller, ApiError> {
    let (Some(ctx), Some(state)) = (request_ctx(), use_context::<AppState>()) else {
        return Err(internal());
    };
    Ok(Caller::new(&state.db, ctx.tenant, ctx.principal))
}

/// The signed-in user of this request's tenant, if any (for pages that only show a name).
pub fn principal() -> Option<Principal> {
    request_ctx().and_then(|c| c.principal)
}

/// A check on the caller that yields the handle a server function works with. One per kind
/// of caller; the implementations only forward to `tenants::access`.
pub trait Guard: Sized {
    fn check(caller: &Caller) -> Result<Self, Denied>;
}

macro_rules! guards {
    ($($ty:ty => $method:ident),* $(,)?) => {
        $(impl Guard for $ty {
            fn check(caller: &Caller) -> Result<Self, Denied> {
                caller.$method()
            }
        })*
    };
}

guards! {
    Visitor => visitor,
    Shopper => shopper,
    HubVisitor => hub_visitor,
    Member => member,
    Customer => customer,
    StoreStaff => store_staff,
    StoreAdmin => store_admin,
    DistributorStaff => distributor_staff,
    DistributorAdmin => distributor_admin,
    HubAdmin => hub_admin,
}

/// The one way a server function runs: the guard `G` checks the caller before any work; the
/// closure gets the guard (and with it the only tenant handle it can have) and makes its
/// domain call; the error becomes a status and a safe message.
pub async fn run<G, T, F, Fut>(f: F) -> Result<T, ApiError>
where
    G: Guard,
    F: FnOnce(G) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let result = match caller().map(|c| G::check(&c)) {
        Ok(Ok(guard)) => f(guard).await,
        Ok(Err(denied)) => Err(denied.into()),
        Err(e) => Err(e),
    };
    respond(result)
}

/// Sets the HTTP status of a failed server function from its error, so clients and logs see
/// 401/404/409/422/429 rather than a blanket 500.
fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(err) = &result
        && let Some(res) = use_context::<ResponseOptions>()
    {
        res.set_status(err.status());
        if let ApiError::TooManyAttempts { retry_after_secs } = err
            && let Ok(v) = http::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.insert_header(http::header::RETRY_AFTER, v);
        }
    }
    result
}

/// The address of the store `slug` as seen from this request: the request's own host with
/// the hub domain's part kept (so ports survive in development).
pub fn store_url(slug: &str, path: &str) -> String {
    let (scheme, domain) = use_context::<AppState>()
        .map(|s| (s.public_scheme.clone(), s.domain.clone()))
        .unwrap_or_else(|| ("http".into(), "localhost".into()));
    let host = request_ctx().map(|c| c.host).unwrap_or_default();
    let port = host
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map(|(_, p)| format!(":{p}"))
        .unwrap_or_default();
    format!("{scheme}://{slug}.{domain}{port}{path}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hydration_context::SsrSharedContext;
    use leptos::prelude::Owner;

    use super::render_abandoned;

    fn render_root() -> Owner {
        Owner::new_root(Some(Arc::new(SsrSharedContext::new())))
    }

    #[test]
    fn a_loader_outliving_its_render_is_told_apart() {
        let root = render_root();
        let loader = root.with(Owner::new);
        assert!(
            !loader.with(render_abandoned),
            "the render is still under way"
        );
        drop(root);
        assert!(
            loader.with(render_abandoned),
            "the client went away: the loader's parent is gone"
        );
    }

    #[test]
    fn a_server_function_outside_a_render_is_not_an_abandoned_render() {
        // leptos_axum runs a server function called over HTTP under a fresh root owner
        // without a render's shared context: missing context there is a wiring bug.
        let root = Owner::new();
        assert!(!root.with(render_abandoned));
        assert!(!render_abandoned(), "no owner at all");
    }
}
