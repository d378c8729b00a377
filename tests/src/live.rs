//! Partner systems that price carts live, simulated: one HTTP server on loopback answers
//! `quote.requested` for any number of partners (`/p/{i}`), each as told: a price after a
//! delay, no answer at all, or garbage. It checks every request's signature with the
//! endpoint's secret, as a partner must. With [`network`], a store linked to that many
//! distributors, each with a price list, a territory and an endpoint subscribed to
//! `quote.requested`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tenants::access::operator;
use tenants::partners::profile::ProfileInput;
use tenants::partners::territories::{self, Region, ShipTo};
use tenants::partners::{self, NewDistributor, price_list};
use tenants::registry::{self, Tenant};
use tenants::webhooks::endpoints::{self, EndpointInput};

use crate::TestApp;

/// How one simulated partner answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Its price-list prices less `discount_pct` %, plus `delivery_minor`, after `delay`.
    Answer {
        delay: Duration,
        discount_pct: i64,
        delivery_minor: i64,
        lead_days: u32,
    },
    /// Keeps the request open and never answers.
    Hang,
    /// 200 with a body that is not the contract's JSON.
    Garbage,
    /// A refusal in the partner's own words.
    Decline(String),
}

#[derive(Default)]
struct Inner {
    behaviours: Vec<Behaviour>,
    secrets: Vec<String>,
}

/// The simulated partner systems.
#[derive(Clone)]
pub struct Systems {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    /// Requests whose signature did not verify (must stay 0).
    pub bad_signatures: Arc<AtomicUsize>,
    /// Requests received.
    pub requests: Arc<AtomicUsize>,
}

async fn quote(
    State(sys): State<Systems>,
    Path(i): Path<usize>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sys.requests.fetch_add(1, Ordering::Relaxed);
    let (behaviour, secret) = {
        let inner = sys.inner.lock().expect("lock");
        (
            inner.behaviours.get(i).cloned(),
            inner.secrets.get(i).cloned().unwrap_or_default(),
        )
    };
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let ts: i64 = h("webhook-timestamp").parse().unwrap_or_default();
    if !tenants::webhooks::verify(
        &secret,
        &h("webhook-id"),
        ts,
        &body,
        &h("webhook-signature"),
    ) {
        sys.bad_signatures.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(behaviour) = behaviour else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let req: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    match behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Behaviour::Garbage => (StatusCode::OK, "<html>{\"currency\": oops").into_response(),
        Behaviour::Decline(why) => Json(json!({ "declined": why })).into_response(),
        Behaviour::Answer {
            delay,
            discount_pct,
            delivery_minor,
            lead_days,
        } => {
            tokio::time::sleep(delay).await;
            let data = &req["data"];
            let lines: Vec<Value> = data["lines"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|l| {
                    let unit = l["price_list_unit_minor"].as_i64().unwrap_or(0);
                    json!({
                        "sku": l["sku"],
                        "unit_minor": unit - unit * discount_pct / 100,
                        "lead_days": lead_days,
                    })
                })
                .collect();
            Json(json!({
                "currency": data["currency"],
                "lines": lines,
                "delivery_minor": delivery_minor,
            }))
            .into_response()
        }
    }
}

impl Systems {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let sys = Systems {
            addr: listener.local_addr().expect("addr"),
            inner: Arc::default(),
            bad_signatures: Arc::default(),
            requests: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/p/{i}", axum::routing::post(quote))
            .with_state(sys.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        sys
    }

    fn add(&self, behaviour: Behaviour, secret: String) -> usize {
        let mut inner = self.inner.lock().expect("lock");
        inner.behaviours.push(behaviour);
        inner.secrets.push(secret);
        inner.behaviours.len() - 1
    }

    pub fn url(&self, i: usize) -> String {
        format!("http://{}/p/{i}", self.addr)
    }
}

/// The store, its partners and their systems.
pub struct LiveNet {
    pub store: Tenant,
    pub partners: Vec<Tenant>,
    pub systems: Systems,
    pub to: ShipTo,
}

/// Makes one distributor per behaviour (`{prefix}0`, `{prefix}1`…): a price list over the
/// master's first `lines` products at list price, Germany as its territory, a link to
/// `store`, and an endpoint subscribed to `quote.requested` at the simulated systems.
pub async fn network(
    app: &TestApp,
    store: &Tenant,
    prefix: &str,
    behaviours: &[Behaviour],
    lines: usize,
) -> LiveNet {
    let hub = registry::hub(&app.db).await.expect("db").expect("hub");
    let hdb = operator(&app.db, &hub);
    let master = app.state.catalog.master(&app.db).await.expect("master");
    let systems = Systems::start().await;
    let mut partners = Vec::new();
    for (i, b) in behaviours.iter().enumerate() {
        let slug = format!("{prefix}{i}");
        let (t, _) = partners::create_distributor(
            &app.db,
            &hdb,
            NewDistributor {
                name: &format!("Live {prefix} {i}"),
                slug: &slug,
                profile: ProfileInput {
                    contact_name: "Live desk".into(),
                    contact_email: format!("desk@{slug}.example"),
                    currency: "EUR".into(),
                    fulfils: None,
                    ack_window_hours: None,
                },
                admin_name: "Admin",
                admin_email: &format!("admin@{slug}.example"),
                admin_password: crate::scenario::PASSWORD,
            },
        )
        .await
        .expect("distributor");
        let db = operator(&app.db, &t);
        let rows = crate::scenario::list_prices(&master, lines, &format!("L{i}"));
        price_list::upsert(&db, &master, &rows)
            .await
            .expect("prices");
        territories::replace(
            &db,
            &[Region {
                country: "DE".into(),
                subdivision: None,
                postal_prefix: None,
            }],
        )
        .await
        .expect("territory");
        if store.kind() == tenants::registry::TenantKind::Reseller {
            partners::link_supplier(&hdb, t.id(), store.id())
                .await
                .expect("link");
        }
        // Registered with the partner's own secret, then told to the simulated system.
        let index = systems.add(b.clone(), String::new());
        let (_, secret) = endpoints::create(
            &db,
            &EndpointInput {
                url: systems.url(index),
                description: "live prices".into(),
                events: vec![tenants::orders::live::QUOTE_EVENT.into()],
                enabled: true,
            },
            app.clock.now(),
        )
        .await
        .expect("endpoint");
        systems.inner.lock().expect("lock").secrets[index] = secret;
        partners.push(t);
    }
    LiveNet {
        store: store.clone(),
        partners,
        systems,
        to: ShipTo {
            country: "DE".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80331".into()),
        },
    }
}
