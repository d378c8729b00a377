//! Log-in throttling, per account and per client address. The first few failures are free;
//! after that each attempt waits a little longer; past a limit the account (or the address) is
//! refused for a while with a time to retry. Counts live in this process's memory: a restart
//! forgets them, and several processes would each count on their own.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use crate::ids::TenantId;

/// Failures are counted over this window.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Failures per account in the window before each attempt is slowed down.
pub const FREE_FAILURES: usize = 3;
/// Failures per account in the window before the account is refused for [`LOCKOUT`].
pub const ACCOUNT_LIMIT: usize = 10;
/// Failures per client address in the window before the address is refused for [`LOCKOUT`]:
/// higher than the account limit, as offices share an address.
pub const ADDRESS_LIMIT: usize = 30;
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);
const BASE_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(4);

type Failures = Arc<Mutex<VecDeque<Instant>>>;

/// What to do with a log-in attempt before checking the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Go ahead after waiting this long (zero while under the free allowance).
    Delay(Duration),
    /// Refuse without checking; come back after `retry_after`.
    Refuse { retry_after: Duration },
}

#[derive(Clone)]
pub struct LoginThrottle {
    accounts: Cache<(TenantId, String), Failures>,
    addresses: Cache<IpAddr, Failures>,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("accounts", &self.accounts.entry_count())
            .field("addresses", &self.addresses.entry_count())
            .finish()
    }
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new()
    }
}

impl LoginThrottle {
    pub fn new() -> Self {
        Self {
            accounts: Cache::builder()
                .max_capacity(200_000)
                .time_to_idle(WINDOW)
                .build(),
            addresses: Cache::builder()
                .max_capacity(200_000)
                .time_to_idle(WINDOW)
                .build(),
        }
    }

    pub fn check(&self, tenant: TenantId, email: &str, client: IpAddr) -> Check {
        let now = Instant::now();
        let account = self
            .accounts
            .get(&(tenant, email.to_owned()))
            .map(|f| recent(&f, now))
            .unwrap_or_default();
        let address = self
            .addresses
            .get(&client)
            .map(|f| recent(&f, now))
            .unwrap_or_default();
        let refuse = [(account, ACCOUNT_LIMIT), (address, ADDRESS_LIMIT)]
            .into_iter()
            .filter_map(|((count, last), limit)| {
                let last = last?;
                let until = last + LOCKOUT;
                (count >= limit && until > now).then(|| until - now)
            })
            .max();
        if let Some(retry_after) = refuse {
            // Round up so a client that waits exactly Retry-After seconds gets in.
            let retry_after = Duration::from_secs(retry_after.as_secs() + 1);
            return Check::Refuse { retry_after };
        }
        let over = account.0.saturating_sub(FREE_FAILURES);
        if over == 0 {
            return Check::Delay(Duration::ZERO);
        }
        let factor = 1u32 << over.min(8);
        Check::Delay((BASE_DELAY * factor / 2).min(MAX_DELAY))
    }

    pub fn record_failure(&self, tenant: TenantId, email: &str, client: IpAddr) {
        let now = Instant::now();
        for failures in [
            self.accounts
                .get_with((tenant, email.to_owned()), Failures::default),
            self.addresses.get_with(client, Failures::default),
        ] {
            if let Ok(mut f) = failures.lock() {
                prune(&mut f, now);
                f.push_back(now);
            }
        }
    }

    /// A successful log-in clears the account's failures (not the address's).
    pub fn record_success(&self, tenant: TenantId, email: &str) {
        self.accounts.invalidate(&(tenant, email.to_owned()));
    }

    /// Lifts a lock on an account (the hub admin's unlock). Returns whether it had failures.
    pub fn unlock(&self, tenant: TenantId, email: &str) -> bool {
        self.accounts.remove(&(tenant, email.to_owned())).is_some()
    }
}

fn prune(f: &mut VecDeque<Instant>, now: Instant) {
    while f.front().is_some_and(|t| now.duration_since(*t) > WINDOW) {
        f.pop_front();
    }
}

/// Failures within the window, and the latest one.
fn recent(f: &Failures, now: Instant) -> (usize, Option<Instant>) {
    match f.lock() {
        Ok(mut f) => {
            prune(&mut f, now);
            (f.len(), f.back().copied())
        }
        Err(_) => (0, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn free_then_slower_then_refused() {
        let t = LoginThrottle::new();
        let tenant = TenantId::generate();
        let mut delays = vec![];
        for _ in 0..ACCOUNT_LIMIT {
            match t.check(tenant, "a@b.co", ip(1)) {
                Check::Delay(d) => delays.push(d),
                Check::Refuse { .. } => panic!("refused too early"),
            }
            t.record_failure(tenant, "a@b.co", ip(1));
        }
        // The delay before each attempt, given the failures before it: none while under the
        // free allowance, then doubling from 250 ms, up to 4 s.
        let ms = |n: u64| Duration::from_millis(n);
        assert_eq!(
            delays,
            [
                ms(0),
                ms(0),
                ms(0),
                ms(0),
                ms(250),
                ms(500),
                ms(1_000),
                ms(2_000),
                ms(4_000),
                ms(4_000),
            ],
            "after {FREE_FAILURES} free failures"
        );
        match t.check(tenant, "a@b.co", ip(1)) {
            // The lock runs from the last failure, a moment ago: 15 minutes, rounded up.
            Check::Refuse { retry_after } => assert!(
                (900..=901).contains(&retry_after.as_secs()) && retry_after.subsec_nanos() == 0,
                "{retry_after:?}"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Another account from another address is unaffected.
        assert_eq!(
            t.check(tenant, "c@b.co", ip(2)),
            Check::Delay(Duration::ZERO)
        );
        // The same account in another tenant is another account.
        assert_eq!(
            t.check(TenantId::generate(), "a@b.co", ip(2)),
            Check::Delay(Duration::ZERO)
        );
        assert!(t.unlock(tenant, "a@b.co"));
        assert_eq!(
            t.check(tenant, "a@b.co", ip(2)),
            Check::Delay(Duration::ZERO)
        );
    }

    #[test]
    fn an_address_spraying_many_accounts_is_refused() {
        let t = LoginThrottle::new();
        let tenant = TenantId::generate();
        for n in 0..ADDRESS_LIMIT {
            t.record_failure(tenant, &format!("user{n}@b.co"), ip(9));
        }
        assert!(matches!(
            t.check(tenant, "fresh@b.co", ip(9)),
            Check::Refuse { .. }
        ));
        assert_eq!(
            t.check(tenant, "fresh@b.co", ip(8)),
            Check::Delay(Duration::ZERO)
        );
    }

    #[test]
    fn success_clears_the_account() {
        let t = LoginThrottle::new();
        let tenant = TenantId::generate();
        for _ in 0..5 {
            t.record_failure(tenant, "a@b.co", ip(1));
        }
        t.record_success(tenant, "a@b.co");
        assert_eq!(
            t.check(tenant, "a@b.co", ip(3)),
            Check::Delay(Duration::ZERO)
        );
    }
}
