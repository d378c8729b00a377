//! Host → tenant. `{domain}` is the hub's own store, `{slug}.{domain}` a tenant's; anything
//! else is an unknown host and gets a 404 page before any app code runs.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use app::context::{CspNonce, RequestCtx};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::{StatusCode, header};
use tenants::registry::{self, Domain, HostKey, RegistryCache};
use tenants::{Tenant, TenantStatus};

use super::{REQUEST_ID, ServerState};

/// Host → tenant: classification against the hub's domain, then the registry cache.
#[derive(Clone, Debug)]
pub struct HostResolver {
    domain: String,
    cache: RegistryCache,
}

impl HostResolver {
    pub fn new(cache: RegistryCache, domain: String) -> Self {
        Self { domain, cache }
    }

    pub async fn resolve(&self, host: &str) -> tenants::Result<Option<Tenant>> {
        match classify(host, &self.domain) {
            Some(key) => self.cache.lookup(key).await,
            None => Ok(None),
        }
    }

    /// Forgets what the cache knows about `tenant`, after it changed.
    pub async fn invalidate(&self, tenant: &Tenant) {
        self.cache.invalidate(tenant).await;
    }
}

/// Classifies a Host header value against the hub's domain: case-insensitive, port and
/// trailing dot ignored. `{domain}` is the hub, `{slug}.{domain}` a store, any other valid
/// domain name may be a store's custom domain; anything else names nothing.
pub fn classify(host: &str, domain: &str) -> Option<HostKey> {
    let host = strip_port(host.trim())
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host == domain {
        return Some(HostKey::Hub);
    }
    if let Some(rest) = host.strip_suffix(domain) {
        return match rest.strip_suffix('.') {
            Some(label)
                if !label.is_empty() && !label.contains('.') && label != registry::HUB_SLUG =>
            {
                Some(HostKey::Slug(label.to_owned()))
            }
            Some(_) => None,
            // e.g. "evilhub.test" for "hub.test": not ours; maybe someone's custom domain.
            None => Domain::parse(&host)
                .ok()
                .map(|d| HostKey::Domain(d.as_str().to_owned())),
        };
    }
    // Bare IP addresses are not custom domains.
    if host.parse::<IpAddr>().is_ok() {
        return None;
    }
    Domain::parse(&host)
        .ok()
        .map(|d| HostKey::Domain(d.as_str().to_owned()))
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
    // The pages below carry their style inline, under this response's CSP nonce.
    let nonce = req
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    match state.resolver.resolve(&host).await {
        Ok(Some(tenant)) if tenant.status() == TenantStatus::Suspended => store_unavailable(&nonce),
        Ok(Some(tenant)) => {
            let client_ip = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
            req.extensions_mut().insert(RequestCtx {
                tenant,
                principal: None,
                request_id,
                client_ip,
                host,
            });
            next.run(req).await
        }
        Ok(None) => unknown_host(&nonce),
        Err(e) => {
            tracing::error!(error = %e, "tenant lookup failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(page(
                    "Temporarily unavailable",
                    &format!("We could not load this store just now. Please try again in a moment. (reference {request_id})"),
                    &nonce,
                )),
            )
                .into_response()
        }
    }
}

/// A suspended tenant's host: nothing of the store is shown, not even its name.
fn store_unavailable(nonce: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(page(
            "Store unavailable",
            "This store is not available at the moment. Please come back later.",
            nonce,
        )),
    )
        .into_response()
}

fn unknown_host(nonce: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "No store here",
            "There is no store at this address. Check the spelling of the link you followed.",
            nonce,
        )),
    )
        .into_response()
}

/// A self-contained page for answers given before the app runs (no tenant to brand it with).
/// Both texts are escaped: the message may carry a request id.
fn page(title: &str, message: &str, nonce: &str) -> String {
    let title = html_escape::encode_text(title);
    let message = html_escape::encode_text(message);
    let nonce = html_escape::encode_double_quoted_attribute(nonce);
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style nonce="{nonce}">body{{font-family:system-ui,sans-serif;background:#f6f7f9;color:#1d2433;display:grid;place-items:center;min-height:100vh;margin:0}}main{{max-width:32rem;padding:2.5rem;background:#fff;border-radius:14px;box-shadow:0 10px 30px rgba(16,24,40,.08)}}h1{{margin:0 0 .5rem;font-size:1.5rem}}p{{color:#525f7a;line-height:1.55}}</style></head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(host: &str) -> Option<HostKey> {
        super::classify(host, "hub.test")
    }

    #[test]
    fn hosts_map_to_tenants() {
        assert_eq!(classify("hub.test"), Some(HostKey::Hub));
        assert_eq!(classify("HUB.Test:8080"), Some(HostKey::Hub));
        assert_eq!(classify("hub.test."), Some(HostKey::Hub));
        assert_eq!(
            classify("Acme.hub.test:3000"),
            Some(HostKey::Slug("acme".into()))
        );
        assert_eq!(classify("a.b.hub.test"), None);
        assert_eq!(classify("hub.hub.test"), None);
        assert_eq!(
            classify("Shop.Example.com:443"),
            Some(HostKey::Domain("shop.example.com".into()))
        );
        assert_eq!(
            classify("evilhub.test"),
            Some(HostKey::Domain("evilhub.test".into()))
        );
        assert_eq!(classify("127.0.0.1:3000"), None);
        assert_eq!(classify(""), None);
    }
}
