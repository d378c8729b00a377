//! Per-key rate limits: each API key may make [`PER_MINUTE`] requests a minute, in bursts of
//! up to [`BURST`]. Over it, the answer is 429 problem details with `Retry-After`; every
//! answer to a known key names the policy in `RateLimit-Policy`. Kept in memory per server
//! process (several processes each allow the quota).

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use uuid::Uuid;

use super::problem::{Kind, Problem};

/// Requests per key per minute.
pub const PER_MINUTE: u32 = 600;
/// Requests a key may make at once before the per-minute pace applies.
pub const BURST: u32 = 100;

/// The value of the `RateLimit-Policy` header.
pub const POLICY: &str = "600;w=60;burst=100";

/// The value of the `RateLimit` header after a request that left `remaining` requests of the
/// burst: the burst size, what is left of it, and the seconds until it is full again.
pub fn header(remaining: u32) -> String {
    let used = BURST.saturating_sub(remaining);
    // One request comes back every 60 / PER_MINUTE seconds.
    let reset = (u64::from(used) * 60).div_ceil(u64::from(PER_MINUTE));
    format!("limit={BURST}, remaining={remaining}, reset={reset}")
}

type Limiter =
    RateLimiter<Uuid, DefaultKeyedStateStore<Uuid>, DefaultClock, StateInformationMiddleware>;

#[derive(Clone)]
pub struct Limits(Arc<Limiter>);

impl Default for Limits {
    fn default() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(PER_MINUTE).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN));
        Self(Arc::new(
            RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
        ))
    }
}

impl Limits {
    /// Counts one request of `key`: the requests it may still make at once, or refused with
    /// the seconds to wait when over the quota.
    pub fn check(&self, key: Uuid) -> Result<u32, Problem> {
        self.0.check_key(&key).map(|s| s.remaining_burst_capacity()).map_err(|not_until| {
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
