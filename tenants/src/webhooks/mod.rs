//! Webhooks to partner systems, after the Standard Webhooks specification
//! (<https://www.standardwebhooks.com>): every request carries `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
//! `id.timestamp.body` under the endpoint's `whsec_` secret; during a rotation, a signature
//! under each secret, space-separated).
//!
//! - [`emit`] is the transactional outbox: it writes the event and one delivery per subscribed
//!   endpoint in the caller's transaction, so an event exists exactly when its change does.
//! - [`endpoints`]: where a partner wants its events, its secret and its rotation.
//! - [`deliveries`]: the delivery log, the dead-letter list, replays and the test event.
//! - [`worker`]: what the delivery workers call: find what is due, claim it, record the answer,
//!   schedule the retry ([`SCHEDULE`], with jitter) or dead-letter it, and disable an endpoint
//!   that failed for [`DISABLE_AFTER`].

pub mod deliveries;
pub mod endpoints;
pub(crate) mod entity;
pub mod worker;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ColumnTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use entity::{deliveries as dl, endpoints as ep, events as ev};

/// The endpoint `id` of the transaction's tenant; `NotFound` for any other id.
pub(crate) async fn endpoint_row(tx: &TenantTx, id: Uuid) -> Result<ep::Model> {
    tx.find::<ep::Entity>()
        .filter(ep::Column::Id.eq(id))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("webhook endpoint"))
}

/// What checks a webhook URL before an endpoint is saved: the outbound client's guard (the
/// scheme, then every address the host resolves to). The server provides it; the consoles and
/// the API call it through this, so both refuse the same URLs.
pub trait UrlCheck: Send + Sync + std::fmt::Debug {
    /// `Err` says why the URL is refused, in words for the partner.
    fn check<'a>(
        &'a self,
        url: &'a url::Url,
    ) -> std::pin::Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send + 'a>>;
}

/// The waits between attempts: attempt 1 is at once, attempt `n + 1` follows attempt `n` by
/// `SCHEDULE[n - 1]` (plus up to [`JITTER_PERCENT`]). They add up to 73 h 35 min, so a
/// receiver that is down for less than three days gets everything.
pub const SCHEDULE: [Duration; 9] = [
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(12),
    Duration::hours(20),
    Duration::hours(24),
];

/// Each wait is lengthened by a random share of itself up to this, so that many deliveries
/// that failed together do not retry together.
pub const JITTER_PERCENT: u32 = 5;

/// Attempts per delivery, at most: then it is dead-lettered.
pub const MAX_ATTEMPTS: i32 = SCHEDULE.len() as i32 + 1;

/// An endpoint that has failed every attempt for this long is disabled (its console says
/// why); its pending deliveries go to the dead-letter list, to be replayed once it is fixed.
pub const DISABLE_AFTER: Duration = Duration::hours(72);

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// An event type the hub sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventType {
    pub name: &'static str,
    pub description: &'static str,
    /// An example of the event's `data`, as JSON.
    pub example: &'static str,
}

/// The event catalogue.
pub const EVENT_TYPES: [EventType; 13] = [
    EventType {
        name: "price_list.updated",
        description: "Your price list changed (through the API, your console or an import). `skus` names up to 100 of the SKUs that changed; `count` says how many did.",
        example: r#"{"action":"upsert","count":2,"skus":["ACME-DRILL-18V","ACME-SAW-7"]}"#,
    },
    EventType {
        name: "endpoint.test",
        description: "Sent when you press \"Send test event\" in your console or call the endpoint's test route: only to that endpoint.",
        example: r#"{"endpoint_id":"0193a1b2-…","message":"This is a test event from the hub."}"#,
    },
    EventType {
        name: "order.created",
        description: "A customer transferred a cart to you: a new order in your inbox, at the exact prices the customer was shown (price list or your live answer). Acknowledge it by its `acknowledge_by` (your acknowledgement window: 4 hours unless your profile sets another).",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.acknowledged",
        description: "The order was acknowledged (by your console or your system).",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.accepted",
        description: "The order was accepted.",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.rejected",
        description: "The order was rejected; `reason` says why. The customer is asked to pick another partner.",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.shipped",
        description: "The order was shipped; `carrier` and `tracking` name the parcel.",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.delivered",
        description: "The order was delivered.",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "order.cancelled",
        description: "The order was cancelled (by you, or by the hub when the customer sent an order you had not acknowledged in time to another partner); `reason` says why.",
        example: ORDER_EXAMPLE,
    },
    EventType {
        name: "quote.requested",
        description: "Not queued like the others: sent while a customer waits for the exact prices of a cart, to an endpoint subscribed to this type by name, and only if your price list carries every line. Answer within `deadline_ms` (1.5 s by default) with HTTP 200 and `{\"currency\", \"lines\":[{\"sku\", \"unit_minor\", \"lead_days\"?}], \"delivery_minor\"?}` (one price per line, inside the hub's price range), or `{\"declined\": \"reason\"}`. No answer in time, an error status or anything else lists you as unable to price the cart, this time only.",
        example: r#"{"quote_id":"quo_0193a1b2…","deadline_ms":1500,"store":{"id":"…","name":"Acme Tools","slug":"acme"},"ship_to":{"country":"DE","subdivision":"DE-BY","postal_code":"80331"},"currency":"EUR","lines":[{"sku":"ACME-DRILL-18V","partner_sku":"N-4411","quantity":2,"price_list_unit_minor":12900}]}"#,
    },
    EventType {
        name: "rfq.created",
        description: "A reseller you supply asks you for a quote: the request with its lines (a product by `sku`, a `category`, or a free-text `description`), quantities, optional target prices, ship-to and deadline. Answer with `POST /partner/v1/rfqs/{id}/offers` before the deadline; lines your price list prices may already be answered automatically (your auto-quote rules).",
        example: RFQ_EXAMPLE,
    },
    EventType {
        name: "rfq.countered",
        description: "The reseller countered your standing offer: `counter` gives the unit price it asks per line and its message. Revise with a new offer, or let it stand.",
        example: r#"{"rfq":{"id":"0193a1b2-…","number":"RFQ-1001","title":"Site fit-out","state":"open","buyer":{"id":"…","name":"Acme Tools"},"currency":"EUR","lines":[]},"counter":{"offer_no":1,"total_minor":480000,"message":"Can you meet 24.00 a unit?","lines":[{"line_no":1,"unit_minor":2400,"quantity":200}]}}"#,
    },
    EventType {
        name: "rfq.closed",
        description: "The request closed: answers can no longer change. `outcome.selected` says whether your offer was accepted (then `order_id` and `order_number` name the purchase order, also sent as `order.created`); without `outcome` it closed by its rules or by hand and the reseller may still accept a standing offer.",
        example: r#"{"rfq":{"id":"0193a1b2-…","number":"RFQ-1001","state":"accepted"},"outcome":{"selected":true,"order_id":"0193a1c3-…","order_number":"NORTH-1002"}}"#,
    },
];

/// The `data` of `rfq.created`: the request as the distributor sees it.
const RFQ_EXAMPLE: &str = r#"{"rfq":{"id":"0193a1b2-…","number":"RFQ-1001","title":"Site fit-out","state":"open","buyer":{"id":"…","name":"Acme Tools"},"needed_by":"2027-01-15","ship_to":{"country":"DE","subdivision":"DE-BY","postal_code":"80331"},"currency":"EUR","deadline":"2026-12-10T17:00:00Z","notes":"Deliver to the loading bay.","lines":[{"line_no":1,"kind":"product","sku":"ACME-DRILL-18V","category":null,"description":"Cordless drill 18 V","quantity":200,"target_minor":2500},{"line_no":2,"kind":"text","sku":null,"category":null,"description":"200 mid-range laptops, 16 GB","quantity":200,"target_minor":null}]}}"#;

/// The `data` of every `order.*` event: the order as it is after the change.
const ORDER_EXAMPLE: &str = r#"{"order":{"id":"0193a1b2-…","number":"NORTH-1001","state":"transferred","version":1,"store":"Acme Tools","customer":{"name":"Ada","email":"ada@example.com"},"ship_to":{"country":"DE","subdivision":"DE-BY","postal_code":"80331","address":"Marienplatz 1\n80331 München"},"currency":"EUR","subtotal_minor":25800,"delivery_minor":0,"total_minor":25800,"reason":null,"carrier":null,"tracking":null,"acknowledge_by":"2026-12-03T18:00:00Z","lines":[{"sku":"ACME-DRILL-18V","partner_sku":"N-4411","name":"Cordless drill 18 V","quantity":2,"unit_minor":12900,"total_minor":25800}]}}"#;

pub fn event_type(name: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|t| t.name == name)
}

/// A webhook message id: `msg_` and a time-ordered UUID.
fn message_id() -> String {
    format!("msg_{}", Uuid::now_v7().simple())
}

/// The body sent for an event: `{"type", "timestamp", "data"}`.
pub fn body(event_type: &str, at: DateTime<Utc>, data: &serde_json::Value) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// Writes an event to the outbox in `tx`, with a delivery to every enabled endpoint of the
/// tenant that takes its type (or only to `only`, for a test event). Returns its id.
pub(crate) async fn emit(
    tx: &TenantTx,
    event_type: &'static str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
    only: Option<Uuid>,
) -> Result<String> {
    let targets = match only {
        None => targets(tx, event_type).await?,
        Some(id) => tx
            .find::<ep::Entity>()
            .filter(ep::Column::Enabled.eq(true))
            .filter(ep::Column::Id.eq(id))
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect(),
    };
    let id = defer_event(tx, event_type, data, now, &targets);
    tx.flush().await?;
    Ok(id)
}

/// The enabled endpoints of `tx`'s tenant that take `event_type`.
pub(crate) async fn targets(tx: &TenantTx, event_type: &'static str) -> Result<Vec<Uuid>> {
    Ok(tx
        .find::<ep::Entity>()
        .filter(ep::Column::Enabled.eq(true))
        .all(tx.conn())
        .await?
        .into_iter()
        .filter(|e| endpoints::takes(&e.events, event_type))
        .map(|e| e.id)
        .collect())
}

/// Writes an event to the outbox with a delivery to each of `targets` (found by
/// [`targets`], possibly before `tx` began: an endpoint disabled since is dead-lettered when
/// its delivery is claimed), held back with `tx`'s other writes. Returns its id.
pub(crate) fn defer_event(
    tx: &TenantTx,
    event_type: &'static str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
    targets: &[Uuid],
) -> String {
    debug_assert!(self::event_type(event_type).is_some(), "unknown event type");
    let id = message_id();
    tx.defer_insert(ev::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(id.clone()),
        event_type: Set(event_type.to_owned()),
        payload: Set(body(event_type, now, data)),
        created_at: Set(now),
    });
    tx.defer_insert_many(
        targets
            .iter()
            .map(|endpoint| dl::ActiveModel {
                tenant_id: Set(Uuid::nil()),
                id: Set(Uuid::now_v7()),
                event_id: Set(id.clone()),
                endpoint_id: Set(*endpoint),
                state: Set(deliveries::State::Pending.as_str().to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(Some(now)),
                last_status: Set(None),
                last_error: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                // Null until it is delivered.
                ..Default::default()
            })
            .collect(),
    );
    if !targets.is_empty() {
        tx.wake_webhooks_on_commit();
    }
    id
}

/// A new `whsec_` secret: 32 random bytes, base64.
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Conflict(format!("no randomness: {e}")))?;
    Ok(format!("whsec_{}", B64.encode(bytes)))
}

/// The key bytes of a `whsec_` secret.
fn secret_bytes(secret: &str) -> Result<Vec<u8>> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    B64.decode(b64)
        .map_err(|_| Error::validation("secret", "a secret is whsec_ followed by base64"))
}

/// `v1,<base64 HMAC-SHA256(id.timestamp.body)>` under `secret`.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Result<String> {
    let key = secret_bytes(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| Error::validation("secret", "unusable secret"))?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// Checks a `webhook-signature` header value against `secret` (constant-time per signature).
/// For receivers written in Rust (the reference partner) and for tests.
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let Ok(key) = secret_bytes(secret) else {
        return false;
    };
    header.split(' ').any(|sig| {
        let Some(b64) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(given) = B64.decode(b64) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
            return false;
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        mac.verify_slice(&given).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spans_more_than_the_disable_window_and_less_than_eighty_hours() {
        let total = SCHEDULE.iter().fold(Duration::zero(), |a, d| a + *d);
        assert!(total >= DISABLE_AFTER, "{total}");
        let worst = total + total * JITTER_PERCENT as i32 / 100;
        assert!(worst < Duration::hours(80), "{worst}");
    }

    #[test]
    fn signatures_follow_the_standard_webhooks_test_vector() {
        // The specification's own example (standard-webhooks/spec, "Signature scheme").
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).expect("sign");
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            body,
            &format!("v1,AAAA {sig}")
        ));
        assert!(!verify(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265331,
            body,
            &sig
        ));
    }

    #[test]
    fn every_catalogued_example_is_json() {
        for t in EVENT_TYPES {
            let _: serde_json::Value = serde_json::from_str(t.example)
                .or_else(|_| serde_json::from_str(&t.example.replace('…', "")))
                .expect(t.name);
        }
    }
}
