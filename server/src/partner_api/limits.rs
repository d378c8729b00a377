//! Per-key rate limits: each API key may make [`PER_MINUTE`] requests a minute, in bursts of
//! up to [`BURST`]. Over it, the answer is 429 problem details with `Retry-After`; every
//! answer to a known key names the policy in `RateLimit-Policy`. Kept in memory per server
//! process (several processes each allow the quota).

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use super::problem::{Kind, Problem};

/// Requests per key per minute.
pub const PER_MINUTE: u32 = 600;
/// Requests a key may make at once before the per-minute pace applies.
pub const BURST: u32 = 100;

/// The value of the `RateLimit-Policy` header.
pub const POLICY: &str = "600;w=60;burst=100";

#[derive(Clone)]
pub struct Limits(Arc<DefaultKeyedRateLimiter<Uuid>>);

impl Default for Limits {
    fn default() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(PER_MINUTE).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN));
        Self(Arc::new(RateLimiter::keyed(quota)))
    }
}

impl Limits {
    /// Counts one request of `key`; refused with the seconds to wait when over the quota.
    pub fn check(&self, key: Uuid) -> Result<(), Problem> {
        self.0.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut p = Problem::new(
                Kind::RateLimited,
                format!("this key may make {PER_MINUTE} requests a minute (bursts of {BURST}); try again in {secs} s"),
            );
            p.retry_after = Some(secs.max(1));
            p
        })
    }
}
