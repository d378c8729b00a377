//! Session cookies → principal. Runs after host → tenant, so tokens are only ever checked
//! against the request's own tenant: another tenant's token is no token. Renewed access tokens
//! go back as cookies on the response; a dead session's cookies are cleared.

use app::context::RequestCtx;
use app::session;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::SET_COOKIE;
use tenants::access::Caller;
use tenants::auth::sessions;

use super::ServerState;

pub async fn authenticate(
    State(state): State<ServerState>,
    mut req: Request,
    next: Next,
) -> Response {
    let (access, refresh) = session::read(req.headers());
    if access.is_none() && refresh.is_none() {
        return next.run(req).await;
    }
    let Some(ctx) = req.extensions().get::<RequestCtx>().cloned() else {
        return next.run(req).await;
    };
    // Before the session is known the request is a visitor's; the session rows are read
    // through the visitor's handle of this host's tenant.
    let visitor = match Caller::new(&state.app.db, ctx.tenant.clone(), None).visitor() {
        Ok(v) => v,
        Err(_) => return next.run(req).await,
    };
    let outcome = sessions::authenticate(
        visitor.db(),
        &state.app.keys,
        access.as_deref(),
        refresh.as_deref(),
    )
    .await;
    let mut set_cookies = Vec::new();
    match outcome {
        Ok(Some(auth)) => {
            if let Some(renewed) = &auth.renewed {
                set_cookies = session::set_cookies(renewed);
            }
            req.extensions_mut().insert(RequestCtx {
                principal: Some(auth.principal),
                ..ctx
            });
        }
        // Cookies of this host that name no live session (logged out elsewhere, expired,
        // revoked by a password change): drop them.
        Ok(None) => set_cookies = session::clear_cookies(),
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed; treating the request as anonymous");
        }
    }
    let mut res = next.run(req).await;
    // A response that set its own cookies (log-in, log-out) knows better.
    if !res.headers().contains_key(SET_COOKIE) {
        for c in set_cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(SET_COOKIE, v);
            }
        }
    }
    res
}
