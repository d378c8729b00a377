//! The quote-request sweep: every minute (and at start), each reseller's open requests whose
//! deadline has passed are closed, so their buyers and distributors are told (notices,
//! e-mails, `rfq.closed`) without waiting for someone to open them. Reads show such a request
//! closed already; the sweep writes it down and tells.

use std::time::Duration;

use tenants::access::operator;
use tenants::clock::SharedClock;
use tenants::registry::{self, TenantKind};
use tenants::{Database, quotes};

/// How often the sweep runs.
pub const SWEEP: Duration = Duration::from_secs(60);

/// One pass over every reseller; returns how many requests it closed.
pub async fn sweep(db: &Database, clock: &SharedClock) -> usize {
    let resellers = match registry::all_of_kinds(db, &[TenantKind::Reseller]).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "could not list the resellers for the quote sweep");
            return 0;
        }
    };
    let mut closed = 0;
    for t in resellers {
        match quotes::rfq::close_due(&operator(db, &t), clock.now()).await {
            Ok(n) => closed += n,
            Err(e) => tracing::warn!(tenant = %t.id(), error = %e, "quote sweep failed"),
        }
    }
    closed
}

/// Runs until `stopping` turns true.
pub async fn run(
    db: Database,
    clock: SharedClock,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(SWEEP);
    loop {
        let stop = tokio::select! {
            _ = stopping.wait_for(|s| *s) => true,
            _ = tick.tick() => false,
        };
        if stop {
            return;
        }
        let n = sweep(&db, &clock).await;
        if n > 0 {
            tracing::info!(closed = n, "quote requests closed at their deadline");
        }
    }
}
