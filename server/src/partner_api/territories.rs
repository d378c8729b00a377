//! `/territories`: the regions the partner ships to.

use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tenants::partners::api_keys::Scope;
use tenants::partners::territories::{self, Region};
use utoipa::ToSchema;

use super::problem::{Problem, ProblemDetails};
use super::{Body, Partner};

/// A region: an ISO 3166-1 country, optionally narrowed.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionDoc {
    /// ISO 3166-1 alpha-2, e.g. `DE`
    pub country: String,
    /// ISO 3166-2 of that country, e.g. `DE-BY`
    #[serde(default)]
    pub subdivision: Option<String>,
    /// A postal-code prefix, e.g. `80`
    #[serde(default)]
    pub postal_prefix: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Territories {
    pub regions: Vec<RegionDoc>,
}

fn doc(regions: Vec<Region>) -> Territories {
    Territories {
        regions: regions
            .into_iter()
            .map(|r| RegionDoc {
                country: r.country,
                subdivision: r.subdivision,
                postal_prefix: r.postal_prefix,
            })
            .collect(),
    }
}

/// Where you ship.
#[utoipa::path(get, path = "/territories", tag = "territories",
    responses(
        (status = 200, description = "Your regions", body = Territories),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks territories:read", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn get_territories(partner: Partner) -> Result<Response, Problem> {
    let db = partner.read(Scope::TerritoriesRead)?;
    Ok(axum::Json(doc(territories::list(db).await?)).into_response())
}

/// Replace every region you ship to (up to 500).
#[utoipa::path(put, path = "/territories", tag = "territories", request_body = Territories,
    responses(
        (status = 200, description = "Your regions now", body = Territories),
        (status = 401, description = "No key, or a bad one", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks territories:write, or is a test key", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A region is not an ISO code", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
pub async fn put_territories(
    partner: Partner,
    Body(body): Body<Territories>,
) -> Result<Response, Problem> {
    let db = partner.write(Scope::TerritoriesWrite)?;
    let regions: Vec<Region> = body
        .regions
        .into_iter()
        .map(|r| Region {
            country: r.country,
            subdivision: r.subdivision,
            postal_prefix: r.postal_prefix,
        })
        .collect();
    Ok(axum::Json(doc(territories::replace(db, &regions).await?)).into_response())
}
