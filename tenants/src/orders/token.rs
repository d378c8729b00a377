//! Held prices: a partner's exact price for a basket, signed by the hub so the customer can
//! confirm it later without the hub keeping anything. A token names the store, the partner,
//! the basket (a digest of its SKUs and quantities), the ship-to, every line's unit price, the
//! total and an expiry; it is `base64url(JSON) "." base64url(HMAC-SHA256)`, under a key
//! derived from the hub's signing secret. [`PriceKey::open`] says what no longer matches.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::partners::territories::ShipTo;

/// How long a price is held.
pub const HOLD: chrono::Duration = chrono::Duration::minutes(15);

/// The key price tokens and guests' order links are signed with.
#[derive(Clone)]
pub struct PriceKey {
    current: [u8; 32],
    previous: Option<[u8; 32]>,
}

impl std::fmt::Debug for PriceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PriceKey { .. }")
    }
}

fn derive(secret: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| {
        <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("any key length")
    });
    mac.update(b"demand-chain-hub price tokens v1");
    mac.finalize().into_bytes().into()
}

/// One line of a held price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldLine {
    pub sku: String,
    pub partner_sku: Option<String>,
    pub quantity: u32,
    pub unit_minor: i64,
}

/// What a token holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPrice {
    pub store: Uuid,
    pub partner: Uuid,
    /// [`basket_digest`] of what was priced.
    pub basket: String,
    pub country: String,
    pub subdivision: Option<String>,
    pub postal_code: Option<String>,
    pub currency: String,
    pub lines: Vec<HeldLine>,
    pub delivery_minor: i64,
    pub total_minor: i64,
    pub lead_days: u32,
    /// Unix seconds.
    pub expires: i64,
    /// The order this one replaces (a reroute).
    pub reroute_of: Option<Uuid>,
}

impl HeldPrice {
    pub fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.expires, 0).unwrap_or_default()
    }

    fn ship_to_matches(&self, to: &ShipTo) -> bool {
        let norm = |s: &Option<String>| {
            s.as_deref()
                .map(|v| v.trim().to_ascii_uppercase().replace(' ', ""))
                .filter(|v| !v.is_empty())
        };
        self.country.eq_ignore_ascii_case(&to.country)
            && norm(&self.subdivision) == norm(&to.subdivision)
            && norm(&self.postal_code) == norm(&to.postal_code)
    }
}

/// The digest of a basket: its SKUs and quantities, order-independent.
pub fn basket_digest(lines: &[(String, u32)]) -> String {
    let mut l: Vec<String> = lines
        .iter()
        .map(|(sku, q)| format!("{}:{q}", sku.trim().to_ascii_uppercase()))
        .collect();
    l.sort();
    hex::encode(Sha256::digest(l.join("\n").as_bytes()))
}

/// Why a token was refused. Each message says what changed and that fresh prices fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("this price could not be read (it was altered or cut short); refresh the prices")]
    Tampered,
    #[error("the price was held until {0} and has expired; refresh the prices")]
    Expired(String),
    #[error("this price was given for another store; refresh the prices")]
    OtherStore,
    #[error("this price was given for another partner; refresh the prices")]
    OtherPartner,
    #[error("your cart changed after this price was given; refresh the prices")]
    BasketChanged,
    #[error("this price was given for another delivery address ({0}); refresh the prices")]
    ShipToChanged(String),
}

impl PriceKey {
    /// From the hub's signing secret (and the previous one during a rotation).
    pub fn new(secret: &[u8], previous: Option<&[u8]>) -> Self {
        Self {
            current: derive(secret),
            previous: previous.map(derive),
        }
    }

    fn mac(key: &[u8; 32], data: &[u8]) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }

    /// Signs `held`.
    pub fn seal(&self, held: &HeldPrice) -> String {
        let body = B64.encode(serde_json::to_vec(held).unwrap_or_default());
        let sig = B64.encode(Self::mac(&self.current, body.as_bytes()));
        format!("{body}.{sig}")
    }

    /// Checks `token`'s signature and expiry, and that it was given to `store` for `partner`,
    /// this `basket` and this ship-to.
    pub fn open(
        &self,
        token: &str,
        now: DateTime<Utc>,
        store: Uuid,
        basket: &str,
        to: &ShipTo,
    ) -> Result<HeldPrice, Refused> {
        let held = self.read(token)?;
        if held.store != store {
            return Err(Refused::OtherStore);
        }
        if held.basket != basket {
            return Err(Refused::BasketChanged);
        }
        if !held.ship_to_matches(to) {
            return Err(Refused::ShipToChanged(format!(
                "{}{}{}",
                held.country,
                held.subdivision
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default(),
                held.postal_code
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default()
            )));
        }
        if now.timestamp() >= held.expires {
            return Err(Refused::Expired(
                held.expires_at().format("%H:%M UTC").to_string(),
            ));
        }
        Ok(held)
    }

    /// The token's content once its signature checks out (no other check).
    pub fn read(&self, token: &str) -> Result<HeldPrice, Refused> {
        let (body, sig) = token.trim().split_once('.').ok_or(Refused::Tampered)?;
        let sig = B64.decode(sig).map_err(|_| Refused::Tampered)?;
        let ok = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .any(|k| {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(k).expect("any key length");
                mac.update(body.as_bytes());
                mac.verify_slice(&sig).is_ok()
            });
        if !ok {
            return Err(Refused::Tampered);
        }
        let json = B64.decode(body).map_err(|_| Refused::Tampered)?;
        serde_json::from_slice(&json).map_err(|_| Refused::Tampered)
    }

    /// The key a guest's link to order `order` carries (derived, so every answer to the same
    /// confirmation gives the same link and the hub stores only its hash).
    pub fn access_key(&self, order: Uuid) -> String {
        let mut data = b"order access ".to_vec();
        data.extend_from_slice(order.as_bytes());
        B64.encode(Self::mac(&self.current, &data))
    }
}

/// SHA-256, hex: how access keys and confirmation requests are stored.
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(now: DateTime<Utc>) -> HeldPrice {
        HeldPrice {
            store: Uuid::nil(),
            partner: Uuid::max(),
            basket: basket_digest(&[("A-1".into(), 2)]),
            country: "DE".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80331".into()),
            currency: "EUR".into(),
            lines: vec![HeldLine {
                sku: "A-1".into(),
                partner_sku: None,
                quantity: 2,
                unit_minor: 1000,
            }],
            delivery_minor: 0,
            total_minor: 2000,
            lead_days: 3,
            expires: (now + HOLD).timestamp(),
            reroute_of: None,
        }
    }

    fn to() -> ShipTo {
        ShipTo {
            country: "de".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80 331".into()),
        }
    }

    #[test]
    fn a_sealed_price_opens_until_it_expires() {
        let key = PriceKey::new(&[7u8; 32], None);
        let now = Utc::now();
        let h = held(now);
        let t = key.seal(&h);
        assert_eq!(
            key.open(&t, now, Uuid::nil(), &h.basket, &to()),
            Ok(h.clone())
        );
        assert!(matches!(
            key.open(&t, now + HOLD, Uuid::nil(), &h.basket, &to()),
            Err(Refused::Expired(_))
        ));
    }

    #[test]
    fn every_mismatch_is_named() {
        let key = PriceKey::new(&[7u8; 32], None);
        let now = Utc::now();
        let h = held(now);
        let t = key.seal(&h);
        assert_eq!(
            key.open(&t, now, Uuid::max(), &h.basket, &to()),
            Err(Refused::OtherStore)
        );
        let other = basket_digest(&[("A-1".into(), 3)]);
        assert_eq!(
            key.open(&t, now, Uuid::nil(), &other, &to()),
            Err(Refused::BasketChanged)
        );
        let mut far = to();
        far.postal_code = Some("10115".into());
        assert!(matches!(
            key.open(&t, now, Uuid::nil(), &h.basket, &far),
            Err(Refused::ShipToChanged(_))
        ));
        // One character of the body changed: the signature no longer matches.
        let mut bytes = t.clone().into_bytes();
        bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(bytes).expect("ascii");
        assert_eq!(
            key.open(&forged, now, Uuid::nil(), &h.basket, &to()),
            Err(Refused::Tampered)
        );
        // Another hub's key.
        let other_key = PriceKey::new(&[8u8; 32], None);
        assert_eq!(
            other_key.open(&t, now, Uuid::nil(), &h.basket, &to()),
            Err(Refused::Tampered)
        );
        assert_eq!(key.read("no-dot"), Err(Refused::Tampered));
    }

    #[test]
    fn the_previous_key_still_opens_during_a_rotation() {
        let old = PriceKey::new(&[7u8; 32], None);
        let new = PriceKey::new(&[9u8; 32], Some(&[7u8; 32]));
        let now = Utc::now();
        let h = held(now);
        assert!(new.read(&old.seal(&h)).is_ok());
    }

    #[test]
    fn baskets_digest_independently_of_order() {
        assert_eq!(
            basket_digest(&[("a".into(), 1), ("B".into(), 2)]),
            basket_digest(&[("B".into(), 2), ("A".into(), 1)])
        );
        assert_ne!(
            basket_digest(&[("A".into(), 1)]),
            basket_digest(&[("A".into(), 2)])
        );
    }
}
