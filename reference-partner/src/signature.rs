//! Standard Webhooks signature verification, written from the specification: the signed
//! content is `{webhook-id}.{webhook-timestamp}.{body}`, the signature HMAC-SHA256 under the
//! base64 bytes after `whsec_`, sent as `v1,{base64}`; several may be sent, space-separated.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Timestamps further than this from now are refused (replays, clock trouble).
pub const TOLERANCE_SECS: i64 = 300;

/// Accepts when one of the signatures in `header` matches one of `secrets`.
pub fn verify(
    secrets: &[String],
    id: &str,
    timestamp: &str,
    body: &str,
    header: &str,
    now: i64,
) -> Result<(), &'static str> {
    if id.is_empty() || timestamp.is_empty() || header.is_empty() {
        return Err("missing webhook-id, webhook-timestamp or webhook-signature");
    }
    let ts: i64 = timestamp
        .parse()
        .map_err(|_| "webhook-timestamp is not a number")?;
    if (now - ts).abs() > TOLERANCE_SECS {
        return Err("webhook-timestamp too far from now");
    }
    for secret in secrets {
        let Ok(key) = STANDARD.decode(secret.trim_start_matches("whsec_")) else {
            continue;
        };
        for sig in header.split(' ') {
            let Some(given) = sig
                .strip_prefix("v1,")
                .and_then(|b| STANDARD.decode(b).ok())
            else {
                continue;
            };
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
                continue;
            };
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body.as_bytes());
            if mac.verify_slice(&given).is_ok() {
                return Ok(());
            }
        }
    }
    Err("no signature matches")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_verifies() {
        let secrets = vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()];
        let ok = verify(
            &secrets,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            r#"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            1614265330,
        );
        assert_eq!(ok, Ok(()));
        let late = verify(
            &secrets,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            r#"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            1614265330 + 301,
        );
        assert!(late.is_err());
        let tampered = verify(
            &secrets,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            r#"{"test": 2432232315}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            1614265330,
        );
        assert!(tampered.is_err());
    }
}
