//! The mail sender: takes a store's due messages from its outbox (`tenants::mail`) and sends
//! them through lettre: SMTP in production (`mail.transport = "smtp"`, `mail.smtp_url`), or
//! `.eml` files in a directory in development (`mail.transport = "file"`), which the hub
//! admin reads at `/admin/mail`. Woken for a store as soon as a transaction that queued mail
//! for it commits; every minute (and at start) it sweeps every store for what a crash or a
//! failed attempt left pending.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tenants::Database;
use tenants::clock::SharedClock;
use tenants::ids::TenantId;
use tenants::mail::{self, ORDER_LINK, Outgoing};
use tenants::orders::token::PriceKey;
use tenants::registry::{self, TenantKind};

/// How often every store is swept for mail that is due.
pub const SWEEP: Duration = Duration::from_secs(60);

/// Messages sent per store per visit, at most.
const BATCH: u64 = 50;

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// What the sender needs besides the database.
#[derive(Clone)]
pub struct Sender {
    pub transport: Transport,
    pub from: Mailbox,
    /// Signs the guest's link to the order page.
    pub key: PriceKey,
    /// `http(s)://{host}` of the hub and of a store, for the order link.
    pub hub_url: String,
    pub store_url: Arc<dyn Fn(&str) -> String + Send + Sync>,
}

impl Sender {
    fn link(&self, tenant: &registry::Tenant, order: Option<uuid::Uuid>) -> String {
        let base = match tenant.kind() {
            TenantKind::Hub => self.hub_url.clone(),
            _ => (self.store_url)(tenant.slug()),
        };
        match order {
            Some(id) => format!("{base}/orders/{id}?key={}", self.key.access_key(id)),
            None => base,
        }
    }

    async fn send(&self, tenant: &registry::Tenant, m: &Outgoing) -> Result<(), String> {
        let to: Mailbox = format!(
            "{} <{}>",
            m.to_name.replace(['<', '>', '"'], ""),
            m.to_email
        )
        .parse()
        .or_else(|_| m.to_email.parse())
        .map_err(|e| format!("not an address: {e}"))?;
        let body = m.body.replace(ORDER_LINK, &self.link(tenant, m.order));
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        match &self.transport {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(t, _) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Sends what is due at store `tenant`. Returns how many went out.
pub async fn deliver(
    db: &Database,
    sender: &Sender,
    clock: &SharedClock,
    tenant: TenantId,
) -> usize {
    let Ok(Some(t)) = registry::find_by_id(db, tenant).await else {
        return 0;
    };
    let mut sent = 0;
    loop {
        let due = match mail::due(db, tenant, clock.now(), BATCH).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(tenant = %tenant, error = %e, "could not read the mail outbox");
                return sent;
            }
        };
        let n = due.len();
        for m in due {
            match sender.send(&t, &m).await {
                Ok(()) => {
                    sent += 1;
                    if let Err(e) = mail::sent(db, tenant, m.id, clock.now()).await {
                        tracing::warn!(mail = %m.id, error = %e, "sent, but not recorded");
                    }
                }
                Err(why) => {
                    tracing::warn!(mail = %m.id, to = %m.to_email, "mail not sent: {why}");
                    if let Err(e) =
                        mail::failed(db, tenant, m.id, m.attempts, &why, clock.now()).await
                    {
                        tracing::warn!(mail = %m.id, error = %e, "failure not recorded");
                    }
                }
            }
        }
        if (n as u64) < BATCH {
            return sent;
        }
    }
}

/// Runs until `stopping` turns true.
pub async fn run(
    db: Database,
    sender: Sender,
    clock: SharedClock,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    let mut sweep = tokio::time::interval(SWEEP);
    let wakes = mail::wakes(&db);
    enum Next {
        Stop,
        Woken,
        Sweep,
    }
    loop {
        let next = tokio::select! {
            _ = stopping.wait_for(|s| *s) => Next::Stop,
            () = wakes.woken() => Next::Woken,
            _ = sweep.tick() => Next::Sweep,
        };
        let tenants: Vec<TenantId> = match next {
            Next::Stop => return,
            Next::Woken => wakes.take(),
            Next::Sweep => match mail::stores(&db).await {
                Ok(all) => all.iter().map(registry::Tenant::id).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "could not list the stores for the mail sweep");
                    Vec::new()
                }
            },
        };
        for t in tenants {
            deliver(&db, &sender, &clock, t).await;
        }
    }
}
