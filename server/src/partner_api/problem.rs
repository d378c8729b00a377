//! Every error of the partner API as RFC 9457 problem details (`application/problem+json`),
//! with a stable `type` per kind of error: a partner's code can branch on `type` and show
//! `detail` to a person.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;
use tenants::partners::price_list::RowError;
use utoipa::ToSchema;

/// Where the problem types live: each `type` is this plus its kind, and the API reference
/// documents every kind under the same anchor.
pub const TYPE_BASE: &str = "/partner/v1/problems#";

/// The kinds of error, each with its status and `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No `Authorization: Bearer` key (401).
    MissingKey,
    /// A key that is malformed, unknown or revoked (401).
    InvalidKey,
    /// The key's partner is not active (403).
    PartnerInactive,
    /// The key lacks the scope this needs (403).
    InsufficientScope,
    /// A test key tried to change live data (403).
    TestKey,
    /// No such resource (404).
    NotFound,
    /// No such method on this resource (405).
    MethodNotAllowed,
    /// The body is not JSON of the documented shape (400).
    MalformedRequest,
    /// A body that is not `application/json` (415).
    UnsupportedMediaType,
    /// Well-formed, but the values are not acceptable (422).
    Validation,
    /// `If-Match` names another version than the current one (412).
    StaleVersion,
    /// The change conflicts with the data (409).
    Conflict,
    /// Too large a body (413).
    PayloadTooLarge,
    /// Too many requests with this key (429; `Retry-After` says when to come back).
    RateLimited,
    /// The `Idempotency-Key` was used before with another body or route (422).
    IdempotencyMismatch,
    /// The first request with this `Idempotency-Key` is still running (409).
    IdempotencyInFlight,
    /// The webhook URL is one the hub does not call (422): not https, or a private address.
    UnsafeUrl,
    /// Our fault; the request id finds it in our logs (500).
    Internal,
}

impl Kind {
    pub fn slug(self) -> &'static str {
        match self {
            Self::MissingKey => "missing-api-key",
            Self::InvalidKey => "invalid-api-key",
            Self::PartnerInactive => "partner-inactive",
            Self::InsufficientScope => "insufficient-scope",
            Self::TestKey => "test-key-on-live-data",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::MalformedRequest => "malformed-request",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::Validation => "validation",
            Self::StaleVersion => "stale-version",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload-too-large",
            Self::RateLimited => "rate-limited",
            Self::IdempotencyMismatch => "idempotency-key-reused",
            Self::IdempotencyInFlight => "idempotency-key-in-flight",
            Self::UnsafeUrl => "unsafe-url",
            Self::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::MissingKey | Self::InvalidKey => StatusCode::UNAUTHORIZED,
            Self::PartnerInactive | Self::InsufficientScope | Self::TestKey => {
                StatusCode::FORBIDDEN
            }
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation | Self::IdempotencyMismatch | Self::UnsafeUrl => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::IdempotencyInFlight => StatusCode::CONFLICT,
            Self::StaleVersion => StatusCode::PRECONDITION_FAILED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::MissingKey => "API key required",
            Self::InvalidKey => "Invalid API key",
            Self::PartnerInactive => "Partner not active",
            Self::InsufficientScope => "Insufficient scope",
            Self::TestKey => "Test keys cannot change live data",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::MalformedRequest => "Malformed request",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::Validation => "Validation failed",
            Self::StaleVersion => "Stale version",
            Self::Conflict => "Conflict",
            Self::PayloadTooLarge => "Payload too large",
            Self::RateLimited => "Too many requests",
            Self::IdempotencyMismatch => "Idempotency key reused",
            Self::IdempotencyInFlight => "Request with this idempotency key in flight",
            Self::UnsafeUrl => "URL not allowed",
            Self::Internal => "Internal error",
        }
    }
}

/// A field that failed validation (rows of a batch carry their index and SKU).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The row's position in the batch, for batch writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub field: String,
    pub message: String,
}

impl From<RowError> for FieldError {
    fn from(e: RowError) -> Self {
        Self {
            index: Some(e.index),
            sku: (!e.sku.is_empty()).then_some(e.sku),
            field: e.field,
            message: e.message,
        }
    }
}

/// An error answer of the partner API (boxed: errors stay small as they travel).
#[derive(Clone, Debug)]
pub struct Problem(Box<ProblemDetails>);

impl std::ops::Deref for Problem {
    type Target = ProblemDetails;
    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDetails {
        &mut self.0
    }
}

/// RFC 9457 problem details.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDetails {
    /// A URI naming the kind of error; stable, branch on it.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// What went wrong here, for a person.
    pub detail: String,
    /// Every field that failed, for `validation`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The current version, for `stale-version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// Seconds to wait, for `rate-limited` (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemDetails {
            type_: format!("{TYPE_BASE}{}", kind.slug()),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            current_version: None,
            retry_after: None,
        }))
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let retry_after = self.retry_after;
        let mut res = (status, Json(*self.0)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if unauthorized {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"partner-api\""),
            );
        }
        res
    }
}

impl From<tenants::Error> for Problem {
    fn from(e: tenants::Error) -> Self {
        match e {
            tenants::Error::NotFound(what) => {
                Problem::new(Kind::NotFound, format!("{what} not found"))
            }
            tenants::Error::Conflict(m) => Problem::new(Kind::Conflict, m),
            tenants::Error::Validation { field, message } => {
                Problem::new(Kind::Validation, format!("{field}: {message}")).with_errors(vec![
                    FieldError {
                        index: None,
                        sku: None,
                        field: field.to_owned(),
                        message,
                    },
                ])
            }
            tenants::Error::Forbidden => {
                Problem::new(Kind::InsufficientScope, "this key may not do that")
            }
            tenants::Error::Stale { current } => {
                let mut p = Problem::new(
                    Kind::StaleVersion,
                    format!(
                        "the resource is at version {current}: read it again and send its ETag in If-Match"
                    ),
                );
                p.current_version = Some(current);
                p
            }
            tenants::Error::Throttled { retry_after } => {
                let mut p = Problem::new(
                    Kind::RateLimited,
                    format!("try again in {} s", retry_after.as_secs()),
                );
                p.retry_after = Some(retry_after.as_secs().max(1));
                p
            }
            tenants::Error::Db(cause) => {
                tracing::error!(error = %cause, "partner API: database error");
                Problem::new(
                    Kind::Internal,
                    "something went wrong on our side; the x-request-id header names it in our logs",
                )
            }
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => Problem::new(
                Kind::UnsupportedMediaType,
                "send the body as JSON with Content-Type: application/json",
            ),
            JsonRejection::JsonDataError(e) => Problem::new(Kind::Validation, e.body_text()),
            JsonRejection::JsonSyntaxError(e) => {
                Problem::new(Kind::MalformedRequest, e.body_text())
            }
            JsonRejection::BytesRejection(_) => Problem::new(
                Kind::PayloadTooLarge,
                "the body could not be read (too large?)",
            ),
            other => Problem::new(Kind::MalformedRequest, other.body_text()),
        }
    }
}
