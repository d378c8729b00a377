//! `/profile`: who the partner is to the hub.

use axum::response::Response;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use tenants::partners::api_keys::Scope;
use tenants::partners::profile::{self, Profile, ProfileInput};
use utoipa::ToSchema;

use super::problem::{Problem, ProblemDetails};
use super::{Body, Partner, if_match, versioned};

/// The partner's profile.
#[derive(Serialize, ToSchema)]
pub struct ProfileDoc {
    pub name: String,
    pub slug: String,
    /// `distributor` or `reseller`
    pub kind: String,
    /// `approved` (active), `pending` or `suspended`
    pub status: String,
    pub contact_name: String,
    pub contact_email: String,
    /// ISO 4217
    pub currency: String,
    pub fulfils: bool,
    /// Hours you have to acknowledge a new order before its customer may send it to
    /// another partner (1 to 72).
    pub ack_window_hours: u32,
    /// Also the ETag (`"v{version}"`).
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Profile> for ProfileDoc {
    fn from(p: Profile) -> Self {
        Self {
            name: p.name,
            slug: p.slug,
            kind: p.kind,
            status: p.status,
            contact_name: p.contact_name,
            contact_email: p.contact_email,
            currency: p.currency,
            fulfils: p.fulfils,
            ack_window_hours: p.ack_window_hours,
            version: p.version,
            updated_at: p.updated_at,
        }
    }
}

/// What a partner may change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub contact_name: String,
    pub contact_email: String,
    /// ISO 4217, e.g. `EUR`
    pub currency: String,
    /// Resellers only: fulfil orders from your own stock.
    #[serde(default)]
    pub fulfils: Option<bool>,
    /// Hours to acknowledge a new order (1 to 72); omitted: unchanged (4 at first).
    #[serde(default)]
    pub ack_window_hours: Option<u32>,
}

/// Read your profile.
#[utoipa::path(get, path = "/profile", tag = "profile",
    responses(
        (status = 200, description = "Your profile", body = ProfileDoc, headers(("ETag" = String, description = "Send it back in If-Match to update"))),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks profile:read", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No profile yet", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_profile(partner: Partner) -> Result<Response, Problem> {
    let db = partner.read(Scope::ProfileRead)?;
    let p = profile::get(db).await?;
    Ok(versioned(p.version, ProfileDoc::from(p)))
}

/// Replace your profile's contact and currency. Send `If-Match` with the ETag you read: a
/// stale one is refused (412) instead of overwriting a newer change.
#[utoipa::path(put, path = "/profile", tag = "profile",
    request_body = ProfileUpdate,
    params(("If-Match" = Option<String>, Header, description = "The ETag you read, e.g. \"v3\"")),
    responses(
        (status = 200, description = "The updated profile", body = ProfileDoc),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks profile:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 412, description = "If-Match names an older version", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A field is not acceptable", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn put_profile(
    partner: Partner,
    headers: HeaderMap,
    Body(update): Body<ProfileUpdate>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::ProfileWrite)?;
    let expected = if_match(&headers)?;
    let input = ProfileInput {
        contact_name: update.contact_name,
        contact_email: update.contact_email,
        currency: update.currency,
        fulfils: if partner.kind() == tenants::TenantKind::Reseller {
            update.fulfils
        } else {
            None
        },
        ack_window_hours: update.ack_window_hours,
    };
    let p = profile::put(db, &input, expected).await?;
    Ok(versioned(p.version, ProfileDoc::from(p)))
}
