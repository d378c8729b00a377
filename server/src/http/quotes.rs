//! Downloads of a quote request's attachments: the buyer's staff at
//! `/console/rfqs/{rfq}/files/{file}` on the reseller's host, a distributor's staff at
//! `/console/partner/rfqs/{rfq}/files/{file}` on its own, each through the guard of the
//! consoles' server functions and the tenant's own row of the file.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tenants::access::Caller;
use tenants::{TenantDb, quotes};

use app::context::RequestCtx;

use super::ServerState;
use super::catalog::refused;

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII stand-in and the exact name.
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn serve(state: &ServerState, db: &TenantDb, rfq: &str, file: &str) -> Response {
    let (Ok(rfq), Ok(file)) = (uuid::Uuid::parse_str(rfq), uuid::Uuid::parse_str(file)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match quotes::attachments::open(db, &state.app.media, rfq, file).await {
        Ok((name, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CONTENT_DISPOSITION, disposition(&name)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(tenants::Error::NotFound(_)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "attachment read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The buyer's staff.
pub async fn buyer_file(
    State(state): State<ServerState>,
    Path((rfq, file)): Path<(String, String)>,
    req: Request,
) -> Response {
    let Some(ctx) = req.extensions().get::<RequestCtx>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match Caller::new(&state.app.db, ctx.tenant.clone(), ctx.principal.clone()).store_staff() {
        Ok(staff) => serve(&state, staff.db(), &rfq, &file).await,
        Err(denied) => refused(denied),
    }
}

/// A distributor's staff.
pub async fn seller_file(
    State(state): State<ServerState>,
    Path((rfq, file)): Path<(String, String)>,
    req: Request,
) -> Response {
    let Some(ctx) = req.extensions().get::<RequestCtx>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match Caller::new(&state.app.db, ctx.tenant.clone(), ctx.principal.clone()).distributor_staff()
    {
        Ok(staff) => serve(&state, staff.db(), &rfq, &file).await,
        Err(denied) => refused(denied),
    }
}
