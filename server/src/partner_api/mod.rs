//! The partner API, v1: what a partner's own systems (an ERP, an order system) call, with an
//! API key the partner's admin created (`Authorization: Bearer hub_live_…`). The key names
//! the tenant, so the API answers on any host and nothing it does reaches another tenant.
//!
//! Conventions: JSON in and out; every error is RFC 9457 problem details
//! ([`problem::Problem`], `application/problem+json`, a stable `type` per kind); lists are
//! paged with an opaque cursor; versioned resources carry an `ETag` and take `If-Match`
//! (412 on a stale version); every answer carries the request's `x-request-id`. Test keys
//! (`hub_test_…`) read but never change live data.
//!
//! The OpenAPI 3.1 document is generated from the handlers themselves (utoipa-axum registers
//! each route and its description together) and served at `/partner/v1/openapi.json`, with
//! a reference page at `/partner/v1/docs`.

mod docs;
pub mod limits;
mod orders;
mod prices;
pub mod problem;
mod profile;
mod rfqs;
mod territories;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::request::Parts;
use http::{HeaderMap, header};
use tenants::access::PartnerSystem;
use tenants::partners::api_keys::{KeyRefused, Mode, Scope};
use tenants::partners::idempotency::{self, Claim};
use tenants::{TenantDb, TenantKind};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::ServerState;
use problem::{Kind, Problem};

/// Where the API is mounted.
pub const BASE: &str = "/partner/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Partner API",
        version = "1",
        description = "What a partner's own systems call: its profile, its price list (with its own SKU codes), its territories, the orders customers send it, the quote requests resellers send it and its webhooks. Authenticate with an API key from your console: `Authorization: Bearer hub_live_…`. Every error is RFC 9457 problem details with a stable `type`. Send an `Idempotency-Key` header with every POST: a retry with the same key and body gets the first answer again (`Idempotent-Replayed: true`), the same key with another body gets 422. Every answer to a known key carries `RateLimit-Policy` and `RateLimit` (`limit`, `remaining`, `reset` seconds); over the limit, 429 with `Retry-After`. Webhooks follow Standard Webhooks: verify `webhook-signature` (HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under your endpoint's `whsec_` secret)."
    ),
    servers((url = "/partner/v1")),
    modifiers(&BearerKey),
    tags(
        (name = "profile", description = "Who you are to the hub"),
        (name = "prices", description = "Your price list, per hub SKU"),
        (name = "territories", description = "Where you ship"),
        (name = "orders", description = "Carts customers transferred to you, and each step you take with them (acknowledge, accept, reject, ship, deliver, cancel)"),
        (name = "rfqs", description = "Quote requests the resellers you supply send you (`rfq.created`), your offers and revisions, and withdrawals"),
        (name = "webhooks", description = "Events the hub sends to your systems, signed, retried for three days, replayable"),
    )
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "api_key",
            Vec::<String>::new(),
        )]);
    }
}

/// The routes and the document they make, together.
fn split() -> (Router<ServerState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(profile::get_profile, profile::put_profile))
        .routes(routes!(prices::list_prices, prices::put_prices))
        .routes(routes!(prices::get_price, prices::delete_price))
        .routes(routes!(
            territories::get_territories,
            territories::put_territories
        ))
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::acknowledge_order))
        .routes(routes!(orders::accept_order))
        .routes(routes!(orders::reject_order))
        .routes(routes!(orders::ship_order))
        .routes(routes!(orders::deliver_order))
        .routes(routes!(orders::cancel_order))
        .routes(routes!(rfqs::list_rfqs))
        .routes(routes!(rfqs::get_rfq))
        .routes(routes!(rfqs::offer_rfq))
        .routes(routes!(rfqs::withdraw_rfq))
        .routes(routes!(webhooks::list_event_types))
        .routes(routes!(webhooks::list_endpoints, webhooks::create_endpoint))
        .routes(routes!(
            webhooks::get_endpoint,
            webhooks::put_endpoint,
            webhooks::delete_endpoint
        ))
        .routes(routes!(webhooks::get_secret))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::send_test))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::get_delivery))
        .routes(routes!(webhooks::replay_delivery))
        .routes(routes!(webhooks::replay_dead))
        .split_for_parts();
    let mut doc = doc;
    common_responses(&mut doc);
    (router, doc)
}

/// The answers every operation can give whatever it does, added to each operation where it
/// does not describe them itself: 400 (a body that is not JSON, an unreadable query), 415 (a
/// body that is not `application/json`), 429 (over the key's rate), and for a POST the
/// `Idempotency-Key` answers: 409 (the first request with that key is still running) and 422
/// (the key was used with another body).
fn common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ProblemDetails")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (item.get.as_mut(), false, false),
            (item.put.as_mut(), true, false),
            (item.post.as_mut(), true, true),
            (item.delete.as_mut(), false, false),
        ];
        for (op, takes_body, post) in ops {
            let Some(op) = op else { continue };
            let responses = &mut op.responses.responses;
            let mut add = |code: &str, description: &str| {
                responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem(description).into());
            };
            add(
                "400",
                "The request could not be read (a malformed body or query)",
            );
            add(
                "429",
                "Over the key's rate limit: retry after `Retry-After` seconds",
            );
            if takes_body {
                add("415", "The body is not `application/json`");
            }
            if post {
                add(
                    "409",
                    "A request with this Idempotency-Key is still being processed",
                );
                add(
                    "422",
                    "This Idempotency-Key was used with another body, or a field is not acceptable",
                );
            }
        }
    }
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    split().1
}

/// `/partner/v1/…`: the API, its document and its reference page. Unknown paths and methods
/// answer problem details too.
pub fn router(state: ServerState) -> Router<ServerState> {
    let (api, doc) = split();
    let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let page = docs::page(&doc);
    let api = api
        .route(
            "/openapi.json",
            get(
                move || async move { ([(header::CONTENT_TYPE, "application/json")], json.clone()) },
            ),
        )
        .route(
            "/docs",
            get(move || async move { axum::response::Html(page.clone()) }),
        )
        .route(
            "/problems",
            get(|| async { axum::response::Html(docs::problems()) }),
        )
        .method_not_allowed_fallback(|| async {
            Problem::new(
                Kind::MethodNotAllowed,
                "this resource does not take that method",
            )
        })
        .fallback(|| async {
            Problem::new(
                Kind::NotFound,
                "no such resource; see /partner/v1/openapi.json",
            )
        })
        .layer(axum::middleware::from_fn_with_state(state, conventions));
    Router::new().nest(BASE, api)
}

/// Where the key's check leaves what is left of its burst, for the `RateLimit` header.
#[derive(Clone)]
struct RateSlot(Arc<AtomicU32>);

const UNCHECKED: u32 = u32::MAX;

/// What every answer of the API goes through: `Idempotency-Key` on POSTs, and the rate-limit
/// headers.
async fn conventions(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    let slot = RateSlot(Arc::new(AtomicU32::new(UNCHECKED)));
    req.extensions_mut().insert(slot.clone());
    let mut res =
        if req.method() == http::Method::POST && req.headers().contains_key(IDEMPOTENCY_KEY) {
            idempotent(&state, req, next).await
        } else {
            next.run(req).await
        };
    let h = res.headers_mut();
    h.insert(
        http::HeaderName::from_static("ratelimit-policy"),
        http::HeaderValue::from_static(limits::POLICY),
    );
    let remaining = slot.0.load(Ordering::Relaxed);
    if remaining != UNCHECKED
        && let Ok(v) = http::HeaderValue::from_str(&limits::header(remaining))
    {
        h.insert(http::HeaderName::from_static("ratelimit"), v);
    }
    res
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Runs a POST that carries an `Idempotency-Key` at most once per key and body: a retry gets
/// the first answer again; the same key with another body, or while the first still runs, is
/// refused. Answers that say nothing happened (401, 429, 5xx) are not kept.
async fn idempotent(state: &ServerState, req: Request, next: Next) -> Response {
    let Some(key) = req
        .headers()
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Problem::new(
            Kind::Validation,
            "Idempotency-Key: 1 to 255 visible ASCII characters, e.g. a UUID",
        )
        .into_response();
    };
    // Without a valid key the handler answers 401 itself; nothing to keep.
    let Some(raw) = bearer(req.headers()).map(str::to_owned) else {
        return next.run(req).await;
    };
    let Ok(partner) = PartnerSystem::authenticate(&state.app.db, &raw).await else {
        return next.run(req).await;
    };
    let route = format!("{} {}", req.method(), req.uri().path());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Problem::new(Kind::PayloadTooLarge, "a POST body is at most 1 MiB").into_response();
    };
    let db = partner.bookkeeping();
    match idempotency::claim(db, &key, &route, &bytes, state.clock.now()).await {
        Err(e) => Problem::from(e).into_response(),
        Ok(Claim::Mismatch) => Problem::new(
            Kind::IdempotencyMismatch,
            "this Idempotency-Key was used with another request; use a new key for a new request",
        )
        .into_response(),
        Ok(Claim::InFlight) => Problem::new(
            Kind::IdempotencyInFlight,
            "the first request with this Idempotency-Key is still running; retry in a moment",
        )
        .into_response(),
        Ok(Claim::Replay { status, body }) => {
            let status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
            let ctype = if status.is_success() {
                "application/json"
            } else {
                "application/problem+json"
            };
            (
                status,
                [
                    (header::CONTENT_TYPE, ctype),
                    (http::HeaderName::from_static("idempotent-replayed"), "true"),
                ],
                body,
            )
                .into_response()
        }
        Ok(Claim::Run) => {
            let mut req = Request::from_parts(parts, axum::body::Body::from(bytes));
            req.extensions_mut().insert(partner.clone());
            let res = next.run(req).await;
            let (rparts, rbody) = res.into_parts();
            let rbytes = axum::body::to_bytes(rbody, 8 << 20)
                .await
                .unwrap_or_default();
            let status = rparts.status.as_u16();
            let kept = if status >= 500 || status == 401 || status == 429 {
                idempotency::abandon(db, &key).await
            } else {
                idempotency::finish(db, &key, status, &String::from_utf8_lossy(&rbytes)).await
            };
            if let Err(e) = kept {
                tracing::error!(error = %e, "partner API: could not keep an idempotent answer");
            }
            Response::from_parts(rparts, axum::body::Body::from(rbytes))
        }
    }
}

/// The caller of a partner API route: a partner's system, by its key.
pub struct Partner(PartnerSystem);

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

impl FromRequestParts<ServerState> for Partner {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Problem> {
        let slot = parts.extensions.get::<RateSlot>().cloned();
        let counted = |p: PartnerSystem| -> Result<Self, Problem> {
            let remaining = state.partner_limits.check(p.key().id)?;
            if let Some(slot) = &slot {
                slot.0.store(remaining, Ordering::Relaxed);
            }
            Ok(Self(p))
        };
        // Already authenticated by the idempotency step.
        if let Some(p) = parts.extensions.get::<PartnerSystem>() {
            return counted(p.clone());
        }
        let Some(key) = bearer(&parts.headers) else {
            return Err(Problem::new(
                Kind::MissingKey,
                "send your API key as Authorization: Bearer hub_live_…",
            ));
        };
        match PartnerSystem::authenticate(&state.app.db, key).await {
            Ok(p) => counted(p),
            Err(KeyRefused::Invalid) => Err(Problem::new(
                Kind::InvalidKey,
                KeyRefused::Invalid.to_string(),
            )),
            Err(KeyRefused::Inactive) => Err(Problem::new(
                Kind::PartnerInactive,
                KeyRefused::Inactive.to_string(),
            )),
        }
    }
}

impl OptionalFromRequestParts<ServerState> for Partner {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Option<Self>, Problem> {
        <Self as FromRequestParts<ServerState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

impl Partner {
    /// The key's tenant handle for reading with `scope`.
    fn read(&self, scope: Scope) -> Result<&TenantDb, Problem> {
        self.0.with(scope).map_err(|_| {
            Problem::new(
                Kind::InsufficientScope,
                format!("this key lacks the scope {}", scope.as_str()),
            )
        })
    }

    /// The key's tenant handle for changing data with `scope`: live keys only.
    fn write(&self, scope: Scope) -> Result<&TenantDb, Problem> {
        let db = self.read(scope)?;
        if self.0.key().mode == Mode::Test {
            return Err(Problem::new(
                Kind::TestKey,
                "this is a test key (hub_test_…): it reads your live data but changes nothing; use a live key",
            ));
        }
        Ok(db)
    }

    fn kind(&self) -> TenantKind {
        self.0.tenant().kind()
    }
}

/// `If-Match: "v7"` (or `W/"v7"`) → 7; `*` or absent → `None`; anything else is refused.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or_default().trim();
    if v == "*" {
        return Ok(None);
    }
    v.trim_start_matches("W/")
        .trim_matches('"')
        .strip_prefix('v')
        .and_then(|n| n.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            Problem::new(
                Kind::MalformedRequest,
                "If-Match must be the ETag the resource was read with, e.g. \"v3\"",
            )
        })
}

/// A time as the API writes it: RFC 3339, whole seconds, `Z`.
fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A malformed query parameter (400), naming it.
fn bad(field: &str, message: &str) -> Problem {
    Problem::new(Kind::MalformedRequest, format!("{field}: {message}"))
}

/// A list's paging, read from its query: `limit` (1 to `max`, 50 if absent), `since` (RFC
/// 3339) and `cursor` (a previous page's `next_cursor`).
struct Paging {
    limit: u64,
    since: Option<chrono::DateTime<chrono::Utc>>,
    cursor: Option<uuid::Uuid>,
}

fn paging(
    limit: Option<u64>,
    max: u64,
    since: Option<&str>,
    cursor: Option<&str>,
) -> Result<Paging, Problem> {
    let limit = limit.unwrap_or(50);
    if !(1..=max).contains(&limit) {
        return Err(bad("limit", &format!("from 1 to {max}")));
    }
    let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| bad("since", "an RFC 3339 time, e.g. 2026-12-01T08:00:00Z"))?
                .with_timezone(&chrono::Utc),
        ),
    };
    let cursor = match cursor.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(
            uuid::Uuid::parse_str(c)
                .map_err(|_| bad("cursor", "use a next_cursor from a previous page"))?,
        ),
    };
    Ok(Paging {
        limit,
        since,
        cursor,
    })
}

fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"v{version}\""))
}

/// A JSON body whose rejections are problem details.
pub struct Body<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    axum::Json<T>:
        axum::extract::FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Problem> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| Self(v))
            .map_err(Problem::from)
    }
}

/// Answers with `status`, the JSON of `body` and its ETag.
fn versioned<T: serde::Serialize>(version: i64, body: T) -> axum::response::Response {
    ([etag(version)], axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_takes_an_etag_or_a_star() {
        let mut h = HeaderMap::new();
        assert_eq!(if_match(&h).expect("absent"), None);
        h.insert(header::IF_MATCH, "\"v7\"".parse().expect("value"));
        assert_eq!(if_match(&h).expect("strong"), Some(7));
        h.insert(header::IF_MATCH, "W/\"v8\"".parse().expect("value"));
        assert_eq!(if_match(&h).expect("weak"), Some(8));
        h.insert(header::IF_MATCH, "*".parse().expect("value"));
        assert_eq!(if_match(&h).expect("star"), None);
        h.insert(header::IF_MATCH, "\"abc\"".parse().expect("value"));
        assert!(if_match(&h).is_err());
    }

    #[test]
    fn the_document_names_every_route_and_only_those() {
        let doc = openapi();
        let mut documented: Vec<String> = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                let mut m = Vec::new();
                if item.get.is_some() {
                    m.push(format!("GET {path}"));
                }
                if item.put.is_some() {
                    m.push(format!("PUT {path}"));
                }
                if item.post.is_some() {
                    m.push(format!("POST {path}"));
                }
                if item.delete.is_some() {
                    m.push(format!("DELETE {path}"));
                }
                m
            })
            .collect();
        documented.sort();
        assert_eq!(
            documented,
            vec![
                "DELETE /prices/{sku}",
                "DELETE /webhooks/endpoints/{id}",
                "GET /events",
                "GET /orders",
                "GET /orders/{id}",
                "GET /prices",
                "GET /prices/{sku}",
                "GET /profile",
                "GET /rfqs",
                "GET /rfqs/{id}",
                "GET /territories",
                "GET /webhooks/deliveries",
                "GET /webhooks/deliveries/{id}",
                "GET /webhooks/endpoints",
                "GET /webhooks/endpoints/{id}",
                "GET /webhooks/endpoints/{id}/secret",
                "POST /orders/{id}/accept",
                "POST /orders/{id}/acknowledge",
                "POST /orders/{id}/cancel",
                "POST /orders/{id}/deliver",
                "POST /orders/{id}/reject",
                "POST /orders/{id}/ship",
                "POST /rfqs/{id}/offers",
                "POST /rfqs/{id}/withdraw",
                "POST /webhooks/deliveries/replay-dead",
                "POST /webhooks/deliveries/{id}/replay",
                "POST /webhooks/endpoints",
                "POST /webhooks/endpoints/{id}/rotate-secret",
                "POST /webhooks/endpoints/{id}/test",
                "PUT /prices",
                "PUT /profile",
                "PUT /territories",
                "PUT /webhooks/endpoints/{id}",
            ]
        );
    }
}
