//! Catalog routes that are files rather than pages: uploaded images (content-addressed, so
//! cached for a year) and the hub admin's CSV export.

use app::context::RequestCtx;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use tenants::access::{Caller, Denied};

use super::ServerState;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");

/// `GET /media/{name}`: an uploaded image. Names are digests of the content, so a name never
/// changes meaning. Unknown or malformed names are 404.
pub async fn media(State(state): State<ServerState>, Path(name): Path<String>) -> Response {
    match state.app.media.read(&name).await {
        Ok(Some((bytes, kind))) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind.mime())),
                (header::CACHE_CONTROL, IMMUTABLE),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; sandbox"),
                ),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "media read failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(super) fn refused(denied: Denied) -> Response {
    let status = match denied {
        Denied::Unauthenticated => StatusCode::UNAUTHORIZED,
        Denied::Forbidden => StatusCode::FORBIDDEN,
        Denied::NotHere => StatusCode::NOT_FOUND,
    };
    (status, denied.to_string()).into_response()
}

/// A CSV download (`disposition` names the file), or the export's failure with the request's
/// reference.
fn csv_answer<E: std::fmt::Display>(
    ctx: &RequestCtx,
    disposition: &'static str,
    what: &str,
    result: Result<Vec<u8>, E>,
) -> Response {
    match result {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static(disposition),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(request_id = %ctx.request_id, error = %e, "{what} export failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the export failed (reference {})", ctx.request_id),
            )
                .into_response()
        }
    }
}

/// `GET /console/partner/prices.csv`: a distributor's whole price list as CSV (the columns
/// its console imports), for its staff on its own host.
pub async fn price_list_csv(State(state): State<ServerState>, req: Request) -> Response {
    let Some(ctx) = req.extensions().get::<RequestCtx>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The same guard as the partner console's server functions.
    let staff = match Caller::new(&state.app.db, ctx.tenant.clone(), ctx.principal.clone())
        .distributor_staff()
    {
        Ok(staff) => staff,
        Err(denied) => return refused(denied),
    };
    let result = tenants::partners::price_csv::export_all(staff.db())
        .await
        .map(String::into_bytes);
    csv_answer(
        ctx,
        "attachment; filename=\"price-list.csv\"",
        "price list",
        result,
    )
}

/// `GET /admin/catalog/export.csv`: the master catalog as CSV, for a hub admin on the hub.
pub async fn export_csv(State(state): State<ServerState>, req: Request) -> Response {
    let Some(ctx) = req.extensions().get::<RequestCtx>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The same guard as the catalog console's server functions.
    let admin =
        match Caller::new(&state.app.db, ctx.tenant.clone(), ctx.principal.clone()).hub_admin() {
            Ok(admin) => admin,
            Err(denied) => return refused(denied),
        };
    let result = tenants::catalog::csv_io::export(admin.db()).await;
    csv_answer(
        ctx,
        "attachment; filename=\"catalog.csv\"",
        "catalog",
        result,
    )
}
