//! The reference partner: a partner's order system in miniature, playing against a hub.
//!
//! It registers a webhook endpoint pointing at itself through the partner API (with an
//! `Idempotency-Key`, so a restart does not register twice), receives the hub's events,
//! verifies each signature (Standard Webhooks, written here from the specification and not
//! shared with the hub), refuses replays older than five minutes, pulls what an event names
//! through the API, and answers as configured:
//!
//! - `accept`: 200 to every valid event;
//! - `reject-some`: 422 to every third event (to watch the hub retry it);
//! - `slow`: waits `--delay-ms` before answering;
//! - `down`: 503 to everything.
//!
//! It also prices carts live: a second endpoint (`/quotes`, subscribed to `quote.requested`
//! only) answers each signed request at once with its price-list prices less
//! `--quote-discount-pct` and a delivery charge of `--delivery-minor`.
//!
//! ```text
//! reference-partner --hub http://localhost:3000 --key hub_live_… --listen 127.0.0.1:4000
//! ```

mod signature;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Behaviour {
    Accept,
    RejectSome,
    Slow,
    Down,
}

#[derive(Clone, Debug, Parser)]
#[command(
    version,
    about = "A partner's system in miniature, against a hub's partner API"
)]
struct Args {
    /// The hub's base URL.
    #[arg(long, env = "HUB_URL", default_value = "http://localhost:3000")]
    hub: String,
    /// A live API key of the partner (`hub_live_…`) with webhooks and prices scopes.
    #[arg(long, env = "HUB_API_KEY")]
    key: String,
    /// Where to listen for webhooks.
    #[arg(long, default_value = "127.0.0.1:4000")]
    listen: SocketAddr,
    /// The URL the hub should call (default: http://{listen}/webhooks).
    #[arg(long)]
    public_url: Option<String>,
    #[arg(long, value_enum, default_value_t = Behaviour::Accept)]
    behaviour: Behaviour,
    /// For `slow`: how long to wait before answering.
    #[arg(long, default_value_t = 3000)]
    delay_ms: u64,
    /// Register no endpoint: use this `whsec_` secret for one registered elsewhere.
    #[arg(long, env = "HUB_WEBHOOK_SECRET")]
    secret: Option<String>,
    /// Live prices: the discount on its price-list prices, in percent (keep the result
    /// inside the hub's price range, or the hub refuses the answer).
    #[arg(long, default_value_t = 1)]
    quote_discount_pct: i64,
    /// Live prices: the delivery charge it states, in minor units.
    #[arg(long, default_value_t = 490)]
    delivery_minor: i64,
    /// Do not price carts live (register no quote endpoint).
    #[arg(long)]
    no_live_prices: bool,
}

struct Partner {
    args: Args,
    api: reqwest::Client,
    /// The secrets accepted (more than one during a rotation).
    secrets: Mutex<Vec<String>>,
    /// The quote endpoint's secrets.
    quote_secrets: Mutex<Vec<String>>,
    /// Event ids already handled: a redelivery is answered 200 and not handled twice.
    seen: Mutex<HashSet<String>>,
    received: AtomicU64,
}

impl Partner {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}/partner/v1{path}", self.args.hub.trim_end_matches('/'));
        let mut req = self
            .api
            .request(method.clone(), &url)
            .bearer_auth(&self.args.key);
        if method == reqwest::Method::POST {
            // Deterministic per request (its path, this listener and its body), so a retry
            // after a crash is answered, not repeated.
            use std::hash::{Hash as _, Hasher as _};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            body.as_ref().map(Value::to_string).hash(&mut h);
            let key = format!(
                "reference-partner:{path}:{}:{:016x}",
                self.args.listen,
                h.finish()
            );
            req = req.header("idempotency-key", key);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = res.status();
        let value: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            // Problem details: the `type` to branch on, the `detail` for a person.
            Err(format!(
                "{url}: {status}: {} ({})",
                value["detail"].as_str().unwrap_or("no detail"),
                value["type"].as_str().unwrap_or("no type")
            ))
        }
    }

    /// Registers (or finds) the endpoint at `url` taking `events` (every event: empty), and
    /// returns its secrets.
    async fn register_one(&self, url: &str, events: &[&str]) -> Result<Vec<String>, String> {
        let list = self
            .call(reqwest::Method::GET, "/webhooks/endpoints", None)
            .await?;
        let existing = list
            .as_array()
            .and_then(|a| a.iter().find(|e| e["url"] == url))
            .and_then(|e| e["id"].as_str().map(str::to_owned));
        let id = match existing {
            Some(id) => id,
            None => {
                let made = self
                    .call(
                        reqwest::Method::POST,
                        "/webhooks/endpoints",
                        Some(json!({"url": url, "description": "reference partner", "events": events})),
                    )
                    .await?;
                made["endpoint"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }
        };
        let secrets = self
            .call(
                reqwest::Method::GET,
                &format!("/webhooks/endpoints/{id}/secret"),
                None,
            )
            .await?;
        let mut s = vec![secrets["secret"].as_str().unwrap_or_default().to_owned()];
        if let Some(prev) = secrets["previous_secret"].as_str() {
            s.push(prev.to_owned());
        }
        tracing::info!(endpoint = %id, %url, "endpoint ready");
        Ok(s)
    }

    /// Registers (or finds) the endpoints for this listener and learns their secrets: one for
    /// every event, and one for live prices unless told not to price live.
    async fn register(&self) -> Result<(), String> {
        let base = self
            .args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}/webhooks", self.args.listen));
        let s = self.register_one(&base, &[]).await?;
        *self
            .secrets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = s;
        if !self.args.no_live_prices {
            let quotes = match base.strip_suffix("/webhooks") {
                Some(root) => format!("{root}/quotes"),
                None => format!("{base}/quotes"),
            };
            let s = self.register_one(&quotes, &["quote.requested"]).await?;
            *self
                .quote_secrets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = s;
        }
        tracing::info!("registered; waiting for events");
        Ok(())
    }

    /// Acknowledges, accepts and ships order `id` through the API.
    async fn fulfil(&self, id: &str) -> Result<(), String> {
        let order = self
            .call(reqwest::Method::GET, &format!("/orders/{id}"), None)
            .await?;
        let number = order["number"].as_str().unwrap_or_default().to_owned();
        tracing::info!(order = %number, total_minor = %order["total_minor"], "order received");
        for (step, body) in [
            ("acknowledge", None),
            ("accept", None),
            (
                "ship",
                Some(
                    json!({"carrier": "DHL", "tracking": format!("RP{}", number.replace('-', ""))}),
                ),
            ),
        ] {
            let done = self
                .call(reqwest::Method::POST, &format!("/orders/{id}/{step}"), body)
                .await?;
            tracing::info!(order = %number, state = %done["state"], "order step {step} done");
        }
        Ok(())
    }

    /// What the partner does with a verified event.
    async fn handle(&self, event: &Value) {
        match event["type"].as_str() {
            Some("price_list.updated") => {
                // Pull the current prices the event names, as an ERP would to reconcile.
                for sku in event["data"]["skus"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .take(5)
                {
                    let Some(sku) = sku.as_str() else { continue };
                    match self
                        .call(reqwest::Method::GET, &format!("/prices/{sku}"), None)
                        .await
                    {
                        Ok(p) => tracing::info!(
                            sku,
                            price_minor = %p["price_minor"],
                            partner_sku = %p["partner_sku"],
                            "price confirmed"
                        ),
                        Err(e) => tracing::info!(sku, "price gone or unreadable: {e}"),
                    }
                }
            }
            Some("order.created") => {
                // A new order: read it, then acknowledge, accept and ship it, one step after the
                // other, as an order system that fulfils from stock at once would.
                let Some(id) = event["data"]["order"]["id"].as_str() else {
                    tracing::warn!("order.created without an order id");
                    return;
                };
                if let Err(e) = self.fulfil(id).await {
                    tracing::warn!(order = id, "could not fulfil: {e}");
                }
            }
            Some(other) => tracing::info!(event_type = other, "event received"),
            None => tracing::warn!("an event without a type"),
        }
    }
}

async fn webhook(
    State(p): State<Arc<Partner>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let n = p.received.fetch_add(1, Ordering::Relaxed) + 1;
    if p.args.behaviour == Behaviour::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let secrets = p
        .secrets
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let verdict = signature::verify(
        &secrets,
        h("webhook-id"),
        h("webhook-timestamp"),
        &body,
        h("webhook-signature"),
        now,
    );
    if let Err(why) = verdict {
        tracing::warn!(id = h("webhook-id"), "refused: {why}");
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    let id = h("webhook-id").to_owned();
    if !p
        .seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(id.clone())
    {
        tracing::info!(%id, "already handled; acknowledged again");
        return (StatusCode::OK, "already handled").into_response();
    }
    if p.args.behaviour == Behaviour::RejectSome && n % 3 == 0 {
        p.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&id);
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "rejected (every third event, as configured)",
        )
            .into_response();
    }
    if p.args.behaviour == Behaviour::Slow {
        tokio::time::sleep(Duration::from_millis(p.args.delay_ms)).await;
    }
    let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    tracing::info!(%id, event_type = %event["type"], "verified");
    let partner = p.clone();
    tokio::spawn(async move { partner.handle(&event).await });
    (StatusCode::OK, "ok").into_response()
}

/// A live-price request: verified like an event, answered at once with this partner's prices.
async fn quote(
    State(p): State<Arc<Partner>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    if p.args.behaviour == Behaviour::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let secrets = p
        .quote_secrets
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if let Err(why) = signature::verify(
        &secrets,
        h("webhook-id"),
        h("webhook-timestamp"),
        &body,
        h("webhook-signature"),
        now,
    ) {
        tracing::warn!(id = h("webhook-id"), "quote request refused: {why}");
        return (StatusCode::UNAUTHORIZED, why).into_response();
    }
    let req: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let data = &req["data"];
    let lines: Vec<Value> = data["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let unit = l["price_list_unit_minor"].as_i64().unwrap_or(0);
            json!({
                "sku": l["sku"],
                "unit_minor": unit - unit * p.args.quote_discount_pct / 100,
            })
        })
        .collect();
    tracing::info!(quote = %data["quote_id"], lines = lines.len(), "priced live");
    axum::Json(json!({
        "currency": data["currency"],
        "lines": lines,
        "delivery_minor": p.args.delivery_minor,
    }))
    .into_response()
}

#[tokio::main]
async fn main() -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let api = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let partner = Arc::new(Partner {
        secrets: Mutex::new(args.secret.clone().into_iter().collect()),
        quote_secrets: Mutex::new(Vec::new()),
        args: args.clone(),
        api,
        seen: Mutex::new(HashSet::new()),
        received: AtomicU64::new(0),
    });
    let app = axum::Router::new()
        .route("/webhooks", axum::routing::post(webhook))
        .route("/quotes", axum::routing::post(quote))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .with_state(partner.clone());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", args.listen))?;
    tracing::info!(listen = %args.listen, behaviour = ?args.behaviour, "reference partner up");
    if args.secret.is_none() {
        // Register once the listener is up, so the hub's first delivery finds it.
        let p = partner.clone();
        tokio::spawn(async move {
            if let Err(e) = p.register().await {
                tracing::error!("could not register the endpoint: {e}");
                std::process::exit(2);
            }
        });
    }
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
