//! The request context that page rendering and server functions share. The server's
//! middleware resolves the tenant from the Host header and puts a [`RequestCtx`] into the
//! request's extensions; leptos_axum hands the request parts to every render and server
//! function, and [`scope`] turns them into a tenant-scoped database handle.

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tenants::{Database, Tenant, TenantDb};

use crate::error::ApiError;

/// Process-wide state, provided to every render and server function.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Database,
}

/// What the middleware learnt about this request.
#[derive(Clone, Debug)]
pub struct RequestCtx {
    pub tenant: Tenant,
    pub request_id: String,
}

/// The tenant of this request and a database handle bound to it.
pub struct Scope {
    pub tenant: Tenant,
    pub db: TenantDb,
}

fn request_ctx() -> Option<RequestCtx> {
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

/// The resolved tenant and its database handle. A request that reached app code without a
/// resolved tenant is a server bug, reported as an internal error.
pub fn scope() -> Result<Scope, ApiError> {
    let (Some(ctx), Some(state)) = (request_ctx(), use_context::<AppState>()) else {
        tracing::error!("app code ran without a resolved tenant or app state");
        return Err(ApiError::Internal {
            request_id: request_id(),
        });
    };
    Ok(Scope {
        db: TenantDb::new(&state.db, &ctx.tenant),
        tenant: ctx.tenant,
    })
}

/// Sets the HTTP status of a failed server function from its error, so clients and logs see
/// 404/409/422 rather than a blanket 500.
pub fn respond<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(err) = &result
        && let Some(res) = use_context::<ResponseOptions>()
    {
        res.set_status(err.status());
    }
    result
}
