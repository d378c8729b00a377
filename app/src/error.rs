//! The error every server function returns. Only what a user can act on crosses the wire:
//! internal causes are logged on the server with the request id, which is all the user sees.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Validation { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("please log in first")]
    Unauthenticated,
    #[error("the e-mail address or password is not right")]
    BadCredentials,
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("not found")]
    NotFound,
    #[error("you are not allowed to do that")]
    Forbidden,
    #[error("something went wrong on our side (reference {request_id})")]
    Internal { request_id: String },
    /// The request's arguments could not be decoded (a number that is not one, a missing
    /// field, a body in another encoding): the client's mistake, answered with 400.
    #[error("the request could not be read: {0}")]
    BadRequest(String),
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl ApiError {
    /// A problem with one input field, shown next to it.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The field a validation error is about, for showing it next to the input.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these come from decoding the caller's arguments, before the
            // function runs: the caller's error, told briefly (never the decoder's whole text).
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::MissingArg(m) => {
                #[cfg(feature = "ssr")]
                if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    res.set_status(http::StatusCode::BAD_REQUEST);
                }
                Self::BadRequest(brief(&m))
            }
            other => Self::Transport(other.to_string()),
        }
    }
}

/// The first line of a decoder's message, at most 160 characters.
fn brief(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    let mut out: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("malformed arguments");
    }
    out
}

#[cfg(feature = "ssr")]
mod ssr {
    use http::StatusCode;

    use super::ApiError;

    impl ApiError {
        pub fn status(&self) -> StatusCode {
            match self {
                Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Self::Conflict(_) => StatusCode::CONFLICT,
                Self::Unauthenticated | Self::BadCredentials => StatusCode::UNAUTHORIZED,
                Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::Forbidden => StatusCode::FORBIDDEN,
                Self::BadRequest(_) => StatusCode::BAD_REQUEST,
                Self::Internal { .. } | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    impl From<tenants::access::Denied> for ApiError {
        fn from(denied: tenants::access::Denied) -> Self {
            match denied {
                tenants::access::Denied::Unauthenticated => Self::Unauthenticated,
                tenants::access::Denied::Forbidden => Self::Forbidden,
                tenants::access::Denied::NotHere => Self::NotFound,
            }
        }
    }

    impl From<tenants::Error> for ApiError {
        fn from(err: tenants::Error) -> Self {
            match err {
                tenants::Error::NotFound(_) => Self::NotFound,
                tenants::Error::Conflict(message) => Self::Conflict(message),
                tenants::Error::Validation { field, message } => Self::Validation {
                    field: field.to_owned(),
                    message,
                },
                tenants::Error::Forbidden => Self::Forbidden,
                tenants::Error::Stale { .. } => Self::Conflict(
                    "this was changed by someone else since you opened it: reload and try again"
                        .into(),
                ),
                tenants::Error::Throttled { retry_after } => Self::TooManyAttempts {
                    retry_after_secs: retry_after.as_secs().max(1),
                },
                tenants::Error::Db(cause) => {
                    let request_id = crate::context::request_id();
                    tracing::error!(%request_id, error = %cause, "database error");
                    Self::Internal { request_id }
                }
            }
        }
    }
}
