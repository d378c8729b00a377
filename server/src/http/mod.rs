//! The HTTP surface: middleware, the Leptos app, health checks and static files.

mod assets;
mod auth;
mod catalog;
mod csrf;
mod health;
mod page_cache;
mod quotes;
mod security;
mod tenant;

use std::sync::Arc;

use app::context::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::get;
use http::{HeaderName, Request, StatusCode};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate as _};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
pub use assets::PublicFiles;
pub use page_cache::PageCache;
pub use tenant::HostResolver;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything a handler may need. Every middleware's `State` clones it for each request, so a
/// clone is one reference count ([`ServerStateInner`] behind an `Arc`, read through `Deref`).
#[derive(Clone)]
pub struct ServerState(Arc<ServerStateInner>);

impl ServerState {
    pub fn new(inner: ServerStateInner) -> Self {
        Self(Arc::new(inner))
    }
}

impl std::ops::Deref for ServerState {
    type Target = ServerStateInner;

    fn deref(&self) -> &ServerStateInner {
        &self.0
    }
}

pub struct ServerStateInner {
    pub app: AppState,
    pub leptos: LeptosOptions,
    pub config: Arc<Config>,
    pub resolver: HostResolver,
    /// Anonymous storefront pages, rendered once per catalog version.
    pub pages: page_cache::PageCache,
    /// The site root's public files, read once at start.
    pub public: PublicFiles,
    /// The partner API's per-key rate limits.
    pub partner_limits: crate::partner_api::limits::Limits,
    /// The time handlers read (a test may move it).
    pub clock: tenants::clock::SharedClock,
    /// The guarded client every outbound call goes through.
    pub outbound: crate::outbound::Outbound,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

/// Tenant-free routes, outside host resolution.
const FIXED_ROUTES: [&str; 3] = ["/healthz", "/readyz", "/media/{name}"];

/// Routes of the tenant's app that are files rather than pages.
const TENANT_FILE_ROUTES: [&str; 4] = [
    "/admin/catalog/export.csv",
    "/console/partner/prices.csv",
    "/console/rfqs/{rfq}/files/{file}",
    "/console/partner/rfqs/{rfq}/files/{file}",
];

/// One endpoint the server answers: a method and a path (page paths may hold `:param`
/// segments). Used by the cross-tenant probe harness, so new endpoints are probed without
/// anyone editing a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub kind: EndpointKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    Fixed,
    Page,
    ServerFn,
    /// A partner API route (authenticated by an API key, on any host).
    PartnerApi,
}

/// Every endpoint registered: fixed routes, the app's page routes and its server functions,
/// read from the same sources the router is built from.
pub fn endpoints() -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = FIXED_ROUTES
        .iter()
        .map(|p| Endpoint {
            method: "GET".into(),
            path: (*p).to_owned(),
            kind: EndpointKind::Fixed,
        })
        .collect();
    for p in TENANT_FILE_ROUTES {
        out.push(Endpoint {
            method: "GET".into(),
            path: p.to_owned(),
            kind: EndpointKind::Fixed,
        });
    }
    for route in generate_route_list(app::App) {
        for method in route.methods() {
            out.push(Endpoint {
                method: format!("{method:?}").to_ascii_uppercase(),
                path: route.path().to_owned(),
                kind: EndpointKind::Page,
            });
        }
    }
    for (path, item) in crate::partner_api::openapi().paths.paths {
        for (method, op) in [
            ("GET", item.get.is_some()),
            ("PUT", item.put.is_some()),
            ("POST", item.post.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if op {
                out.push(Endpoint {
                    method: method.into(),
                    path: format!("{}{path}", crate::partner_api::BASE),
                    kind: EndpointKind::PartnerApi,
                });
            }
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        out.push(Endpoint {
            method: method.as_str().to_owned(),
            path: path.to_owned(),
            kind: EndpointKind::ServerFn,
        });
    }
    out.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    out.dedup();
    out
}

/// The whole router: tenant-free endpoints (health, build assets) outside, the tenant's app
/// (pages, server functions, public files) inside the host → tenant and CSRF layers.
pub fn router(state: ServerState) -> Router {
    let app_state = state.app.clone();
    let context = move || app::context::provide_request_context(&app_state);
    let leptos = state.leptos.clone();
    let routes = generate_route_list(app::App);

    let tenant_app = Router::new()
        .route(TENANT_FILE_ROUTES[0], get(catalog::export_csv))
        .route(TENANT_FILE_ROUTES[1], get(catalog::price_list_csv))
        .route(TENANT_FILE_ROUTES[2], get(quotes::buyer_file))
        .route(TENANT_FILE_ROUTES[3], get(quotes::seller_file))
        .leptos_routes_with_context(&state, routes, context, move || app::shell(leptos.clone()))
        .fallback(assets::not_found_page)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    tenant::resolve,
                ))
                .layer(axum::middleware::from_fn(csrf::check))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    auth::authenticate,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    page_cache::serve,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    assets::public_files,
                )),
        )
        .with_state(state.clone());

    let body_limit = state.config.body_limit;
    let timeout = state.config.request_timeout;
    let policy = Arc::new(security::Policy {
        body_limit,
        large_bodies: vec![
            (
                app::catalog::api::IMPORT_PATH,
                state.config.max_import_bytes,
            ),
            // A quote request's attachment, and the form around it.
            (
                app::quotes::api::ATTACH_PATH,
                tenants::quotes::attachments::MAX_BYTES + 64 * 1024,
            ),
        ],
        https: state.app.public_scheme == "https",
    });
    Router::new()
        .route(FIXED_ROUTES[0], get(health::healthz))
        .route(FIXED_ROUTES[1], get(health::readyz))
        .route(FIXED_ROUTES[2], get(catalog::media))
        .nest_service("/pkg", assets::build_assets(&state))
        // The partner API answers on any host: the API key names the tenant.
        .merge(crate::partner_api::router(state.clone()))
        .with_state(state)
        .fallback_service(tenant_app)
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(policy, security::guard))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // A streamed answer (server_fn's `StreamingText`, text/plain: the cart
                // transfer's live list) must reach the browser line by line, not when a
                // compressor's buffer fills.
                .layer(CompressionLayer::new().compress_when(
                    DefaultPredicate::new().and(NotForContentType::const_new("text/plain")),
                ))
                .layer(DefaultBodyLimit::max(body_limit))
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout)),
        )
}
