//! Host → tenant. `{domain}` is the hub's own store, `{slug}.{domain}` a tenant's; anything
//! else is an unknown host and gets a 404 page before any app code runs.

use std::time::Duration;

use app::context::RequestCtx;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::{StatusCode, header};
use moka::future::Cache;
use tenants::{Database, Tenant, TenantKind, TenantStatus, registry};

use super::{REQUEST_ID, ServerState};

/// What a Host header names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HostMatch {
    Hub,
    Slug(String),
    Unknown,
}

/// How long a resolved tenant is trusted without asking the database again. Changes made in
/// this process invalidate at once; another process's changes show within this time.
const FOUND_TTL: Duration = Duration::from_secs(30);
/// Unknown slugs are remembered briefly, so a flood of made-up hosts cannot hammer the
/// database, while a store created a moment ago still appears quickly.
const MISSING_TTL: Duration = Duration::from_secs(3);
const CAPACITY: u64 = 100_000;

/// Host → tenant, with a bounded cache in front of the registry.
#[derive(Clone, Debug)]
pub struct HostResolver {
    db: Database,
    domain: String,
    found: Cache<HostMatch, Tenant>,
    missing: Cache<HostMatch, ()>,
}

impl HostResolver {
    pub fn new(db: Database, domain: String) -> Self {
        Self {
            db,
            domain,
            found: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(FOUND_TTL)
                .build(),
            missing: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(MISSING_TTL)
                .build(),
        }
    }

    pub async fn resolve(&self, host: &str) -> tenants::Result<Option<Tenant>> {
        let key = classify(host, &self.domain);
        if key == HostMatch::Unknown || self.missing.contains_key(&key) {
            return Ok(None);
        }
        if let Some(tenant) = self.found.get(&key).await {
            return Ok(Some(tenant));
        }
        let tenant = match &key {
            HostMatch::Hub => registry::hub(&self.db).await?,
            HostMatch::Slug(slug) => registry::find_by_slug(&self.db, slug).await?,
            HostMatch::Unknown => None,
        };
        match &tenant {
            Some(t) => self.found.insert(key, t.clone()).await,
            None => self.missing.insert(key, ()).await,
        }
        Ok(tenant)
    }

    /// Forgets what the cache knows about `tenant`, after it changed.
    pub async fn invalidate(&self, tenant: &Tenant) {
        let key = match tenant.kind() {
            TenantKind::Hub => HostMatch::Hub,
            _ => HostMatch::Slug(tenant.slug().to_owned()),
        };
        self.found.invalidate(&key).await;
        self.missing.invalidate(&key).await;
    }
}

/// Classifies a Host header value against the hub's domain: case-insensitive, port and
/// trailing dot ignored.
pub fn classify(host: &str, domain: &str) -> HostMatch {
    let host = strip_port(host.trim())
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host == domain {
        return HostMatch::Hub;
    }
    match host.strip_suffix(domain).and_then(|s| s.strip_suffix('.')) {
        Some(label) if !label.is_empty() && !label.contains('.') && label != registry::HUB_SLUG => {
            HostMatch::Slug(label.to_owned())
        }
        _ => HostMatch::Unknown,
    }
}

fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Puts the request's tenant into its [`RequestCtx`], or answers 404 for an unknown host.
pub async fn resolve(State(state): State<ServerState>, mut req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or_default()
        .to_owned();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    match state.resolver.resolve(&host).await {
        Ok(Some(tenant)) if tenant.status() == TenantStatus::Suspended => store_unavailable(),
        Ok(Some(tenant)) => {
            req.extensions_mut()
                .insert(RequestCtx { tenant, request_id });
            next.run(req).await
        }
        Ok(None) => unknown_host(),
        Err(e) => {
            tracing::error!(error = %e, "tenant lookup failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(page(
                    "Temporarily unavailable",
                    &format!("We could not load this store just now. Please try again in a moment. (reference {request_id})"),
                )),
            )
                .into_response()
        }
    }
}

/// A suspended tenant's host: nothing of the store is shown, not even its name.
fn store_unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page(
            "Store unavailable",
            "This store is not available at the moment. Please come back later.",
        )),
    )
        .into_response()
}

fn unknown_host() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "No store here",
            "There is no store at this address. Check the spelling of the link you followed.",
        )),
    )
        .into_response()
}

/// A self-contained page for answers given before the app runs (no tenant to brand it with).
fn page(title: &str, message: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>body{{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1d2433;display:grid;place-items:center;min-height:100vh;margin:0}}main{{max-width:32rem;padding:2.5rem;background:#fff;border-radius:14px;box-shadow:0 10px 30px rgba(16,24,40,.08)}}h1{{margin:0 0 .5rem;font-size:1.5rem}}p{{color:#525f7a;line-height:1.55}}</style></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(host: &str) -> HostMatch {
        super::classify(host, "hub.test")
    }

    #[test]
    fn hosts_map_to_tenants() {
        assert_eq!(classify("hub.test"), HostMatch::Hub);
        assert_eq!(classify("HUB.Test:8080"), HostMatch::Hub);
        assert_eq!(classify("hub.test."), HostMatch::Hub);
        assert_eq!(
            classify("Acme.hub.test:3000"),
            HostMatch::Slug("acme".into())
        );
        assert_eq!(classify("a.b.hub.test"), HostMatch::Unknown);
        assert_eq!(classify("hub.hub.test"), HostMatch::Unknown);
        assert_eq!(classify("evilhub.test"), HostMatch::Unknown);
        assert_eq!(classify("127.0.0.1:3000"), HostMatch::Unknown);
        assert_eq!(classify(""), HostMatch::Unknown);
    }
}
