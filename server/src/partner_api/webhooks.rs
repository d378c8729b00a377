//! `/events` (the event catalogue) and `/webhooks/…`: the partner's endpoints, their
//! secrets, the delivery log, replays and the test event.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use tenants::partners::api_keys::Scope;
use tenants::webhooks::deliveries::{self, Delivery, DeliveryDetail, Filter, State as DState};
use tenants::webhooks::endpoints::{self, Endpoint, EndpointInput};
use tenants::webhooks::{EVENT_TYPES, SCHEDULE};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::problem::{Kind, Problem, ProblemDetails};
use super::{Body, Partner};
use crate::http::ServerState;

/// An event type the hub sends.
#[derive(Serialize, ToSchema)]
pub struct EventTypeDoc {
    /// e.g. `price_list.updated`
    pub name: String,
    pub description: String,
    /// An example of the event's `data`.
    pub example: serde_json::Value,
}

/// The event catalogue and how events are sent.
#[derive(Serialize, ToSchema)]
pub struct EventCatalogue {
    pub types: Vec<EventTypeDoc>,
    /// The waits between attempts after a failure, in seconds (plus up to 5 % jitter).
    pub retry_schedule_seconds: Vec<i64>,
    /// How the body looks: `{"type", "timestamp", "data"}`; the headers follow Standard
    /// Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    pub envelope: String,
}

/// The event types the hub sends, with examples, and the retry schedule.
#[utoipa::path(get, path = "/events", tag = "webhooks",
    responses(
        (status = 200, description = "The catalogue", body = EventCatalogue),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_event_types(partner: Partner) -> Result<Response, Problem> {
    partner.read(Scope::WebhooksRead)?;
    let types = EVENT_TYPES
        .iter()
        .map(|t| EventTypeDoc {
            name: t.name.into(),
            description: t.description.into(),
            example: serde_json::from_str(t.example).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(axum::Json(EventCatalogue {
        types,
        retry_schedule_seconds: SCHEDULE.iter().map(|d| d.num_seconds()).collect(),
        envelope: r#"{"type": "<event type>", "timestamp": "<RFC 3339>", "data": {…}}"#.into(),
    })
    .into_response())
}

/// A webhook endpoint.
#[derive(Serialize, ToSchema)]
pub struct EndpointDoc {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    /// The event types it takes; empty: every type.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why the hub disabled it (after 72 h of failures), if it did.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed, while that lasts.
    pub failing_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Until when the previous secret also signs, after a rotation.
    pub rotating_until: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Endpoint> for EndpointDoc {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            rotating_until: e.rotating_until,
            version: e.version,
            created_at: e.created_at,
        }
    }
}

/// An endpoint with its signing secret: answered when it is created or its secret rotated.
#[derive(Serialize, ToSchema)]
pub struct EndpointWithSecret {
    pub endpoint: EndpointDoc,
    /// `whsec_…`: verify signatures with it. Shown here; read it again with `/secret`.
    pub secret: String,
}

/// What to create or change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointWrite {
    /// An https:// URL on the public internet.
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event types to send; empty or omitted: every queued type (`quote.requested`, the
    /// live-price request, goes only to an endpoint that names it).
    #[serde(default)]
    pub events: Vec<String>,
    /// Default true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The endpoint's secrets.
#[derive(Serialize, ToSchema)]
pub struct SecretDoc {
    pub secret: String,
    /// The previous secret, while it still signs after a rotation.
    pub previous_secret: Option<String>,
}

async fn vetted(state: &ServerState, w: &EndpointWrite) -> Result<EndpointInput, Problem> {
    let input = EndpointInput {
        url: w.url.clone(),
        description: w.description.clone(),
        events: w.events.clone(),
        enabled: w.enabled.unwrap_or(true),
    };
    let url = endpoints::url_of(&input)?;
    state
        .outbound
        .vet(&url)
        .await
        .map_err(|r| Problem::new(Kind::UnsafeUrl, format!("url: {r}")))?;
    Ok(input)
}

fn endpoint_id(id: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::new(Kind::NotFound, "webhook endpoint not found"))
}

/// Your webhook endpoints.
#[utoipa::path(get, path = "/webhooks/endpoints", tag = "webhooks",
    responses(
        (status = 200, description = "Your endpoints", body = Vec<EndpointDoc>),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_endpoints(
    State(state): State<ServerState>,
    partner: Partner,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::WebhooksRead)?;
    let list = endpoints::list(db, state.clock.now()).await?;
    Ok(axum::Json(list.into_iter().map(EndpointDoc::from).collect::<Vec<_>>()).into_response())
}

/// Register an endpoint. Send an `Idempotency-Key` to retry safely.
#[utoipa::path(post, path = "/webhooks/endpoints", tag = "webhooks", request_body = EndpointWrite,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first answer again")),
    responses(
        (status = 201, description = "Created, with its secret", body = EndpointWithSecret),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Too many endpoints, or the same Idempotency-Key in flight", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad or unsafe URL, an unknown event type, or an Idempotency-Key reused with another body", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn create_endpoint(
    State(state): State<ServerState>,
    partner: Partner,
    Body(w): Body<EndpointWrite>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    let input = vetted(&state, &w).await?;
    let (e, secret) = endpoints::create(db, &input, state.clock.now()).await?;
    let version = e.version;
    let mut res = super::versioned(
        version,
        EndpointWithSecret {
            endpoint: e.into(),
            secret,
        },
    );
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One endpoint.
#[utoipa::path(get, path = "/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint, with its ETag", body = EndpointDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "Not yours, or no such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_endpoint(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::WebhooksRead)?;
    let e = endpoints::get(db, endpoint_id(&id)?, state.clock.now()).await?;
    Ok(super::versioned(e.version, EndpointDoc::from(e)))
}

/// Change an endpoint (send `If-Match` with its ETag). Enabling it again clears its
/// failure record; replay its dead letters afterwards.
#[utoipa::path(put, path = "/webhooks/endpoints/{id}", tag = "webhooks", request_body = EndpointWrite,
    params(("id" = Uuid, Path, description = "The endpoint's id"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read")),
    responses(
        (status = 200, description = "The endpoint now", body = EndpointDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A bad or unsafe URL, or an unknown event type", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn put_endpoint(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
    headers: http::HeaderMap,
    Body(w): Body<EndpointWrite>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    let id = endpoint_id(&id)?;
    let expected = super::if_match(&headers)?;
    let input = vetted(&state, &w).await?;
    let e = endpoints::update(db, id, &input, expected, state.clock.now()).await?;
    Ok(super::versioned(e.version, EndpointDoc::from(e)))
}

/// Delete an endpoint and its delivery log.
#[utoipa::path(delete, path = "/webhooks/endpoints/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn delete_endpoint(
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    endpoints::delete(db, endpoint_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The endpoint's signing secret (and the previous one during a rotation).
#[utoipa::path(get, path = "/webhooks/endpoints/{id}/secret", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The secrets", body = SecretDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write (secrets are for keys that may change endpoints)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_secret(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::WebhooksWrite)?;
    let (secret, previous_secret) =
        endpoints::secret(db, endpoint_id(&id)?, state.clock.now()).await?;
    Ok(axum::Json(SecretDoc {
        secret,
        previous_secret,
    })
    .into_response())
}

/// Rotate the signing secret. For 24 hours both secrets sign (two signatures in
/// `webhook-signature`), so your receiver can switch without missing an event.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/rotate-secret", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first answer again")),
    responses(
        (status = 200, description = "The endpoint and its new secret", body = EndpointWithSecret),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "An Idempotency-Key reused with another request", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn rotate_secret(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    let (e, secret) = endpoints::rotate(db, endpoint_id(&id)?, state.clock.now()).await?;
    Ok(super::versioned(
        e.version,
        EndpointWithSecret {
            endpoint: e.into(),
            secret,
        },
    ))
}

/// A delivery: one event to one endpoint.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDoc {
    pub id: Uuid,
    /// The `webhook-id` header it is sent with.
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: Uuid,
    /// pending, delivered or dead (the dead-letter list)
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Delivery> for DeliveryDoc {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            endpoint_id: d.endpoint_id,
            state: d.state.as_str().into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// One attempt of a delivery.
#[derive(Serialize, ToSchema)]
pub struct AttemptDoc {
    pub attempt: u32,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub duration_ms: u32,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The first KiB of your answer.
    pub response_body: Option<String>,
}

/// A delivery with what was sent and every attempt.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDetailDoc {
    pub delivery: DeliveryDoc,
    /// The body sent.
    pub payload: String,
    pub attempts: Vec<AttemptDoc>,
}

impl From<DeliveryDetail> for DeliveryDetailDoc {
    fn from(d: DeliveryDetail) -> Self {
        Self {
            delivery: d.delivery.into(),
            payload: d.payload,
            attempts: d
                .attempts
                .into_iter()
                .map(|a| AttemptDoc {
                    attempt: a.attempt,
                    started_at: a.started_at,
                    duration_ms: a.duration_ms,
                    status: a.status,
                    error: a.error,
                    response_body: a.response_body,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryPageDoc {
    pub items: Vec<DeliveryDoc>,
    /// Pass as `cursor` for the next (older) page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only this endpoint's.
    pub endpoint_id: Option<Uuid>,
    /// pending, delivered or dead.
    pub state: Option<String>,
    /// Only this event type's.
    pub event_type: Option<String>,
    /// From a previous page's `next_cursor`.
    pub cursor: Option<Uuid>,
    /// 1 to 200 (default 50).
    pub limit: Option<u64>,
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/webhooks/deliveries", tag = "webhooks", params(DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPageDoc),
        (status = 400, description = "A bad filter, cursor or limit", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn list_deliveries(
    partner: Partner,
    query: Result<Query<DeliveryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    let db = partner.read(Scope::WebhooksRead)?;
    let Query(q) = query.map_err(|e| Problem::new(Kind::MalformedRequest, e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=deliveries::MAX_PAGE).contains(&limit) {
        return Err(Problem::new(Kind::MalformedRequest, "limit: from 1 to 200"));
    }
    let state = match q.state.as_deref() {
        None => None,
        Some(s) => Some(DState::parse(s).ok_or_else(|| {
            Problem::new(Kind::MalformedRequest, "state: pending, delivered or dead")
        })?),
    };
    let filter = Filter {
        endpoint: q.endpoint_id,
        state,
        event_type: q.event_type,
    };
    let page = deliveries::list(db, &filter, q.cursor, limit).await?;
    Ok(axum::Json(DeliveryPageDoc {
        items: page.items.into_iter().map(DeliveryDoc::from).collect(),
        next_cursor: page.next,
    })
    .into_response())
}

fn delivery_id(id: &str) -> Result<Uuid, Problem> {
    Uuid::parse_str(id).map_err(|_| Problem::new(Kind::NotFound, "webhook delivery not found"))
}

/// One delivery, with the body sent and every attempt.
#[utoipa::path(get, path = "/webhooks/deliveries/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The delivery's id")),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetailDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_delivery(partner: Partner, Path(id): Path<String>) -> Result<Response, Problem> {
    let db = partner.read(Scope::WebhooksRead)?;
    let d = deliveries::get(db, delivery_id(&id)?).await?;
    Ok(axum::Json(DeliveryDetailDoc::from(d)).into_response())
}

/// Send a delivery again (same `webhook-id`), whatever its state.
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/replay", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The delivery's id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first answer again")),
    responses(
        (status = 202, description = "Queued", body = DeliveryDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such delivery", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Its endpoint is disabled, or it has not been tried yet", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "An Idempotency-Key reused with another request", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn replay_delivery(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    let d = deliveries::replay(db, delivery_id(&id)?, state.clock.now()).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(DeliveryDoc::from(d))).into_response())
}

/// Which dead letters to replay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayDead {
    /// Only this endpoint's; omitted: every enabled endpoint's.
    #[serde(default)]
    pub endpoint_id: Option<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct Replayed {
    /// How many dead deliveries were queued again.
    pub replayed: u64,
}

/// Replay every dead delivery (of one endpoint, or of all enabled ones).
#[utoipa::path(post, path = "/webhooks/deliveries/replay-dead", tag = "webhooks", request_body = ReplayDead,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first answer again")),
    responses(
        (status = 202, description = "Queued", body = Replayed),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "An Idempotency-Key reused with another body", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn replay_dead(
    State(state): State<ServerState>,
    partner: Partner,
    Body(b): Body<ReplayDead>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::WebhooksWrite)?;
    let n = deliveries::replay_dead(db, b.endpoint_id, state.clock.now()).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(Replayed { replayed: n })).into_response())
}

/// Send an `endpoint.test` event to one endpoint.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/test", tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the first answer again")),
    responses(
        (status = 202, description = "Queued: follow it in the delivery log", body = DeliveryDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks webhooks:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "An Idempotency-Key reused with another request", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn send_test(
    State(state): State<ServerState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    // Test keys may send the test event: it touches no live data.
    let db = partner.read(Scope::WebhooksWrite)?;
    let d = deliveries::send_test(db, endpoint_id(&id)?, state.clock.now()).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(DeliveryDoc::from(d))).into_response())
}
