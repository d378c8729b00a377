//! The partner console's server functions, on a distributor's own host: its profile and
//! territories, its price list (CSV import and the first page of rows), its API keys and its
//! webhook endpoints with their delivery log. Each is a guard, one domain call and the error
//! mapping; the admin-only ones (keys, endpoints, imports) take a `DistributorAdmin`.

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, MultipartData};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// What the console's overview shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub name: String,
    pub slug: String,
    pub status: String,
    pub contact_name: String,
    pub contact_email: String,
    pub currency: String,
    /// Hours to acknowledge a new order before its customer may pick another partner.
    pub ack_window_hours: u32,
    /// One line per region, e.g. `DE`, `AT-9` (a subdivision), `FR 75` (a postal prefix).
    pub territories: Vec<String>,
    /// The stores it is linked to.
    pub resellers: Vec<String>,
    /// Whether the caller is the partner's admin (keys, endpoints and imports are theirs).
    pub admin: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRow {
    pub sku: String,
    pub partner_sku: String,
    pub price: String,
    pub min_quantity: u32,
    /// e.g. `10+: €11.50`
    pub breaks: Vec<String>,
    /// A number, or "made to order".
    pub stock: String,
    pub lead_days: u32,
    pub valid: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRows {
    pub items: Vec<PriceRow>,
    /// The SKU to list from next, when there are more.
    pub next: Option<String>,
}

/// One refused row of an import: the file's line, the SKU, the field, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    pub line: usize,
    pub sku: String,
    pub field: String,
    pub message: String,
}

/// An import either writes every row or none; `problems` says why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub written: usize,
    pub problems: Vec<ImportProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub mode: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

/// A key just made: the secret is here once and never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub secret: String,
    pub key: KeyRow,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Empty: every event type.
    pub events: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<String>,
}

/// An endpoint just made, with its signing secret (shown once here; the API can read it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedEndpoint {
    pub secret: String,
    pub endpoint: EndpointRow,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub state: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub updated_at: String,
    pub next_attempt_at: Option<String>,
}

#[cfg(feature = "ssr")]
mod convert {
    use chrono::{DateTime, Utc};
    use tenants::catalog::money::{Currency, Money};
    use tenants::partners::api_keys::KeyInfo;
    use tenants::partners::price_list::Price;
    use tenants::webhooks::deliveries::Delivery;
    use tenants::webhooks::endpoints::Endpoint;

    use super::{DeliveryRow, EndpointRow, KeyRow, PriceRow};

    pub fn time(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }

    fn money(minor: i64, currency: &str) -> String {
        match Currency::parse(currency) {
            Some(c) => Money::new(minor, c).display(),
            None => format!("{minor} {currency}"),
        }
    }

    pub fn price(p: &Price) -> PriceRow {
        let valid = match (p.valid_from, p.valid_to) {
            (None, None) => "always".to_owned(),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("until {t}"),
            (Some(f), Some(t)) => format!("{f} to {t}"),
        };
        PriceRow {
            sku: p.sku.clone(),
            partner_sku: p.partner_sku.clone().unwrap_or_default(),
            price: money(p.price_minor, &p.currency),
            min_quantity: p.min_quantity,
            breaks: p
                .breaks
                .iter()
                .map(|b| format!("{}+: {}", b.min_quantity, money(b.price_minor, &p.currency)))
                .collect(),
            stock: p
                .stock
                .map_or_else(|| "made to order".to_owned(), |s| s.to_string()),
            lead_days: p.lead_days,
            valid,
        }
    }

    pub fn key(k: &KeyInfo) -> KeyRow {
        KeyRow {
            id: k.id.to_string(),
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            mode: k.mode.as_str().to_owned(),
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: time(k.created_at),
            last_used_at: k.last_used_at.map(time),
            revoked: k.revoked_at.is_some(),
        }
    }

    pub fn endpoint(e: &Endpoint) -> EndpointRow {
        EndpointRow {
            id: e.id.to_string(),
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since.map(time),
        }
    }

    pub fn delivery(d: &Delivery) -> DeliveryRow {
        DeliveryRow {
            id: d.id.to_string(),
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            endpoint_id: d.endpoint_id.to_string(),
            state: d.state.as_str().to_owned(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            updated_at: time(d.updated_at),
            next_attempt_at: d.next_attempt_at.map(time),
        }
    }
}

#[cfg(feature = "ssr")]
fn id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| ApiError::NotFound)
}

#[cfg(feature = "ssr")]
fn now() -> Result<chrono::DateTime<chrono::Utc>, ApiError> {
    Ok(crate::context::app_state()?.clock.now())
}

/// Partner staff: the console's overview.
#[server(prefix = "/api", endpoint = "partner/overview", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_overview() -> Result<Overview, ApiError> {
    use tenants::access::DistributorStaff;
    use tenants::auth::Role;

    use crate::context::run;
    run(|staff: DistributorStaff| async move {
        let profile = tenants::partners::profile::get(staff.db()).await?;
        let territories = tenants::partners::territories::list(staff.db()).await?;
        let links =
            tenants::partners::linked(staff.db(), tenants::partners::SUPPLIES_RELATION).await?;
        Ok(Overview {
            name: profile.name,
            slug: profile.slug,
            status: profile.status,
            contact_name: profile.contact_name,
            contact_email: profile.contact_email,
            currency: profile.currency,
            ack_window_hours: profile.ack_window_hours,
            territories: territories
                .iter()
                .map(tenants::partners::territories::to_line)
                .collect(),
            resellers: links.into_iter().map(|l| l.name).collect(),
            admin: staff.principal().role == Role::DistributorAdmin,
        })
    })
    .await
}

/// Partner staff: the price list by SKU, 50 rows from `after`.
#[server(prefix = "/api", endpoint = "partner/prices", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_prices(after: Option<String>) -> Result<PriceRows, ApiError> {
    use tenants::access::DistributorStaff;

    use crate::context::run;
    run(|staff: DistributorStaff| async move {
        let after = after.filter(|a| !a.trim().is_empty());
        let page = tenants::partners::price_list::list(staff.db(), after.as_deref(), 50).await?;
        Ok(PriceRows {
            items: page.items.iter().map(convert::price).collect(),
            next: page.next,
        })
    })
    .await
}

/// Where the console posts a price list CSV.
pub const PRICE_IMPORT_PATH: &str = "/api/partner/prices-import";

/// Partner admin: imports a price list CSV (the form's `file`): every row is written, or none
/// (the report names each refused line, its SKU and field).
#[server(prefix = "/api", endpoint = "partner/prices-import", input = crate::upload::Upload, input_derive = (), output = crate::codec::Answer)]
pub async fn import_prices(data: MultipartData) -> Result<ImportReport, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::partners::price_list::WriteError;

    use crate::context::{app_state, run};
    run(|admin: DistributorAdmin| async move {
        let state = app_state()?;
        let file = crate::upload::read_file(
            data,
            state.max_import_bytes,
            "send it through the partner API in parts",
        )
        .await?;
        let text = match file {
            Some((_, bytes)) if !bytes.is_empty() => String::from_utf8(bytes).map_err(|_| {
                ApiError::validation("file", "the file is not UTF-8 text; save it as CSV (UTF-8)")
            })?,
            _ => return Err(ApiError::validation("file", "choose a CSV file to import")),
        };
        let master = state.catalog.master(&state.db).await?;
        match tenants::partners::price_csv::write(admin.db(), &master, &text).await {
            Ok(written) => Ok(ImportReport {
                written,
                problems: vec![],
            }),
            Err(WriteError::Rows(errors)) => Ok(ImportReport {
                written: 0,
                problems: errors
                    .into_iter()
                    .map(|e| ImportProblem {
                        line: e.index,
                        sku: e.sku,
                        field: e.field,
                        message: e.message,
                    })
                    .collect(),
            }),
            Err(WriteError::Other(e)) => Err(e.into()),
        }
    })
    .await
}

crate::upload::upload_codec!(ImportPrices);

/// Partner admin: the API keys, newest first (never their secrets).
#[server(prefix = "/api", endpoint = "partner/keys", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_keys() -> Result<Vec<KeyRow>, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let keys = tenants::partners::api_keys::list(admin.db()).await?;
        Ok(keys.iter().map(convert::key).collect())
    })
    .await
}

/// Partner admin: creates an API key (`mode` live or test; `scopes` comma-separated, empty:
/// every scope). The answer holds the secret, shown this once.
#[server(prefix = "/api", endpoint = "partner/key-create", output = crate::codec::Answer)]
pub async fn create_key(
    name: String,
    mode: String,
    scopes: Option<String>,
) -> Result<CreatedKey, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::partners::api_keys::{self, Mode, Scope};

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let mode = Mode::parse(&mode)
            .ok_or_else(|| ApiError::validation("mode", "choose live or test"))?;
        let mut chosen = vec![];
        for s in scopes
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            chosen.push(Scope::parse(s).ok_or_else(|| {
                ApiError::validation("scopes", format!("'{s}' is not a scope of the partner API"))
            })?);
        }
        if chosen.is_empty() {
            chosen = Scope::ALL.to_vec();
        }
        let made = api_keys::create(admin.db(), &name, mode, &chosen).await?;
        Ok(CreatedKey {
            secret: made.key.clone(),
            key: convert::key(&made.info),
        })
    })
    .await
}

/// Partner admin: revokes an API key; it stops working at once.
#[server(prefix = "/api", endpoint = "partner/key-revoke", output = crate::codec::Answer)]
pub async fn revoke_key(id: String) -> Result<KeyRow, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let key = tenants::partners::api_keys::revoke(admin.db(), self::id(&id)?).await?;
        Ok(convert::key(&key))
    })
    .await
}

/// Partner admin: the webhook endpoints.
#[server(prefix = "/api", endpoint = "partner/endpoints", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_endpoints() -> Result<Vec<EndpointRow>, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let list = tenants::webhooks::endpoints::list(admin.db(), now()?).await?;
        Ok(list.iter().map(convert::endpoint).collect())
    })
    .await
}

/// Partner admin: adds a webhook endpoint (every event type unless `events`, comma-separated,
/// names some). The URL passes the outbound guard first. The answer holds its signing secret.
#[server(prefix = "/api", endpoint = "partner/endpoint-create", output = crate::codec::Answer)]
pub async fn create_endpoint(
    url: String,
    description: Option<String>,
    events: Option<String>,
) -> Result<CreatedEndpoint, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::webhooks::endpoints::{self, EndpointInput};

    use crate::context::{app_state, run};
    run(|admin: DistributorAdmin| async move {
        let state = app_state()?;
        let input = EndpointInput {
            url: url.trim().to_owned(),
            description: description.unwrap_or_default(),
            events: events
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
            enabled: true,
        };
        let parsed = endpoints::url_of(&input)?;
        state
            .url_check
            .check(&parsed)
            .await
            .map_err(|why| ApiError::validation("url", why))?;
        let (endpoint, secret) = endpoints::create(admin.db(), &input, now()?).await?;
        Ok(CreatedEndpoint {
            secret,
            endpoint: convert::endpoint(&endpoint),
        })
    })
    .await
}

/// Partner admin: removes a webhook endpoint and its pending deliveries.
#[server(prefix = "/api", endpoint = "partner/endpoint-delete", output = crate::codec::Answer)]
pub async fn delete_endpoint(id: String) -> Result<(), ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        tenants::webhooks::endpoints::delete(admin.db(), self::id(&id)?).await?;
        Ok(())
    })
    .await
}

/// Partner admin: sends an `endpoint.test` event to one endpoint now.
#[server(prefix = "/api", endpoint = "partner/endpoint-test", output = crate::codec::Answer)]
pub async fn send_test_event(id: String) -> Result<DeliveryRow, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let d =
            tenants::webhooks::deliveries::send_test(admin.db(), self::id(&id)?, now()?).await?;
        Ok(convert::delivery(&d))
    })
    .await
}

/// Partner admin: the delivery log, newest first, optionally only one state
/// (`pending`, `delivered`, `dead`).
#[server(prefix = "/api", endpoint = "partner/deliveries", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_deliveries(state: Option<String>) -> Result<Vec<DeliveryRow>, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::webhooks::deliveries::{self, Filter, State};

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let state = match state
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "all")
        {
            None => None,
            Some(s) => Some(State::parse(s).ok_or_else(|| {
                ApiError::validation("state", "must be pending, delivered, dead or all")
            })?),
        };
        let filter = Filter {
            state,
            ..Filter::default()
        };
        let page = deliveries::list(admin.db(), &filter, None, 50).await?;
        Ok(page.items.iter().map(convert::delivery).collect())
    })
    .await
}

/// Partner admin: sends one delivery again now (from the dead-letter list or the log).
#[server(prefix = "/api", endpoint = "partner/delivery-replay", output = crate::codec::Answer)]
pub async fn replay_delivery(id: String) -> Result<DeliveryRow, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let d = tenants::webhooks::deliveries::replay(admin.db(), self::id(&id)?, now()?).await?;
        Ok(convert::delivery(&d))
    })
    .await
}

/// Partner admin: sends every dead-lettered delivery again. Answers how many.
#[server(prefix = "/api", endpoint = "partner/deliveries-replay-dead", output = crate::codec::Answer)]
pub async fn replay_dead() -> Result<u64, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        Ok(tenants::webhooks::deliveries::replay_dead(admin.db(), None, now()?).await?)
    })
    .await
}

/// One account of the partner, as its admin's staff list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `admin` or `staff`
    pub role: String,
    /// The account of the person looking.
    pub you: bool,
}

#[cfg(feature = "ssr")]
fn staff_row(u: &tenants::auth::User, me: tenants::UserId) -> StaffRow {
    StaffRow {
        id: u.id.to_string(),
        name: u.name.clone(),
        email: u.email.clone(),
        role: if u.role == tenants::auth::Role::DistributorAdmin {
            "admin".into()
        } else {
            "staff".into()
        },
        you: u.id == me,
    }
}

/// Partner admin: the partner's accounts.
#[server(prefix = "/api", endpoint = "partner/staff", input = GetUrl, output = crate::codec::Answer)]
pub async fn partner_staff() -> Result<Vec<StaffRow>, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let me = admin.principal().user_id;
        let list = tenants::partners::staff::list(admin.db()).await?;
        Ok(list.iter().map(|u| staff_row(u, me)).collect())
    })
    .await
}

/// Partner admin: adds an account (`role` admin or staff) with the password given.
#[server(prefix = "/api", endpoint = "partner/staff-add", output = crate::codec::Answer)]
pub async fn add_staff(
    name: String,
    email: String,
    password: String,
    role: String,
) -> Result<StaffRow, ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let is_admin = match role.as_str() {
            "admin" => true,
            "staff" => false,
            _ => return Err(ApiError::validation("role", "choose admin or staff")),
        };
        let user =
            tenants::partners::staff::add(admin.db(), &email, &name, &password, is_admin).await?;
        Ok(staff_row(&user, admin.principal().user_id))
    })
    .await
}

/// Partner admin: removes another account of the partner (never their own, never the last
/// admin); its sessions end at once.
#[server(prefix = "/api", endpoint = "partner/staff-remove", output = crate::codec::Answer)]
pub async fn remove_staff(id: String) -> Result<(), ApiError> {
    use tenants::access::DistributorAdmin;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let id = tenants::UserId::parse(id.trim()).ok_or(ApiError::NotFound)?;
        tenants::partners::staff::remove(admin.db(), admin.principal().user_id, id).await?;
        Ok(())
    })
    .await
}

/// Partner admin: replaces the ship-to regions with the editor's lines (`DE`, `DE-BY`,
/// `FR 75`). Answers them as saved.
#[server(prefix = "/api", endpoint = "partner/territories-save", output = crate::codec::Answer)]
pub async fn save_territories(regions: String) -> Result<Vec<String>, ApiError> {
    use tenants::access::DistributorAdmin;
    use tenants::partners::territories;

    use crate::context::run;
    run(|admin: DistributorAdmin| async move {
        let parsed = territories::parse_lines(&regions)?;
        let saved = territories::replace(admin.db(), &parsed).await?;
        Ok(saved.iter().map(territories::to_line).collect())
    })
    .await
}
