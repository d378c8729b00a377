//! E-mail to customers, through an outbox. A change that tells a customer something (each
//! step of a transferred order) calls [`queue`] in its own transaction: the message is a row
//! of the store's tenant (`mail_outbox`), so a committed step cannot lose its e-mail and a
//! rolled-back one sends none. After the commit the sender is woken for that store
//! ([`wake`]); it takes the store's due messages ([`due`]), sends them (the server's
//! transport: SMTP in production, files in development) and records the outcome ([`sent`],
//! [`failed`]: a retry after [`RETRIES`], then `failed` with the reason). A sweep over every
//! store picks up what a crash left pending.
//!
//! Messages are plain text: what a customer or a partner typed (names, addresses, reasons,
//! tracking numbers) is never interpreted as markup. The order's link is written at sending
//! time ([`ORDER_LINK`]), so no access key is stored.

pub mod files;

use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::{Database, TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::registry::{self, TenantKind};

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "mail_outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Option<Uuid>,
        pub kind: String,
        pub to_email: String,
        pub to_name: String,
        pub subject: String,
        pub body: String,
        pub state: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl crate::db::TenantScoped for Entity {
        fn tenant_column() -> Column {
            Column::TenantId
        }
    }
}

use entity as mo;

/// Where the order's page link goes in a body: replaced by the sender with the store's
/// address and the order's access key. Control characters never come from user text (every
/// name, address and reason is refused with one), so this cannot be forged.
pub const ORDER_LINK: &str = "\u{1}order-link\u{1}";

/// The waits before the 2nd, 3rd… attempt; after the last, the message is `failed`.
pub const RETRIES: [Duration; 5] = [
    Duration::minutes(1),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(12),
];

const PENDING: &str = "pending";
const SENT: &str = "sent";
const FAILED: &str = "failed";

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// What it tells, e.g. `order.shipped`.
    pub kind: &'static str,
    pub order: Option<Uuid>,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
}

/// Queues `mail` in `tx` (the store's transaction); the sender is woken after the commit.
pub(crate) fn queue(tx: &TenantTx, mail: Mail, now: DateTime<Utc>) {
    let subject: String = mail
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(400)
        .collect();
    tx.defer_insert(mo::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        order_id: Set(mail.order),
        kind: Set(mail.kind.to_owned()),
        to_email: Set(mail.to_email),
        to_name: Set(mail.to_name.chars().take(200).collect()),
        subject: Set(subject),
        body: Set(mail.body),
        state: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    });
    tx.wake_mail_on_commit();
}

/// The stores with mail to send, told to this process's sender after each commit. One per
/// database (a test process runs several hubs, each with its own sender).
#[derive(Debug, Default)]
pub struct Wakes {
    stores: Mutex<BTreeSet<TenantId>>,
    notify: tokio::sync::Notify,
}

impl Wakes {
    /// Tells the sender that `tenant` has mail (called after the commit).
    pub fn wake(&self, tenant: TenantId) {
        self.stores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(tenant);
        self.notify.notify_one();
    }

    /// Waits until [`wake`](Self::wake) is called (at once if it was since the last
    /// [`take`](Self::take)).
    pub async fn woken(&self) {
        self.notify.notified().await;
    }

    /// The stores woken since the last call.
    pub fn take(&self) -> Vec<TenantId> {
        std::mem::take(
            &mut *self
                .stores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
        .into_iter()
        .collect()
    }
}

/// The wakes of database `db`.
pub fn wakes(db: &Database) -> std::sync::Arc<Wakes> {
    db.mail_wakes()
}

/// Every tenant that can be sent mail (the hub's own store and the resellers for their
/// customers and their quote requests, the distributors for quote requests): what the sweep
/// walks.
pub async fn stores(db: &Database) -> Result<Vec<crate::registry::Tenant>> {
    registry::all_of_kinds(
        db,
        &[
            TenantKind::Hub,
            TenantKind::Reseller,
            TenantKind::Distributor,
        ],
    )
    .await
}

/// A message due to be sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub id: Uuid,
    pub order: Option<Uuid>,
    pub kind: String,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

async fn handle(db: &Database, tenant: TenantId) -> Result<TenantDb> {
    let t = registry::find_by_id(db, tenant)
        .await?
        .ok_or(Error::NotFound("tenant"))?;
    Ok(TenantDb::new(db, &t))
}

/// Up to `limit` of the store's messages due at `now`, oldest first.
pub async fn due(
    db: &Database,
    tenant: TenantId,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Outgoing>> {
    let tdb = handle(db, tenant).await?;
    let tx = tdb.begin().await?;
    let rows = tx
        .find::<mo::Entity>()
        .filter(mo::Column::State.eq(PENDING))
        .filter(mo::Column::NextAttemptAt.lte(now))
        .order_by_asc(mo::Column::NextAttemptAt)
        .limit(limit)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|m| Outgoing {
            id: m.id,
            order: m.order_id,
            kind: m.kind,
            to_email: m.to_email,
            to_name: m.to_name,
            subject: m.subject,
            body: m.body,
            attempts: m.attempts,
        })
        .collect())
}

/// Records that message `id` went out.
pub async fn sent(db: &Database, tenant: TenantId, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let tdb = handle(db, tenant).await?;
    let tx = tdb.begin_write().await?;
    tx.update_many::<mo::Entity>()
        .filter(mo::Column::Id.eq(id))
        .filter(mo::Column::State.eq(PENDING))
        .col_expr(mo::Column::State, Expr::value(SENT))
        .col_expr(mo::Column::SentAt, Expr::value(Some(now)))
        .col_expr(mo::Column::Attempts, Expr::col(mo::Column::Attempts).add(1))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that sending message `id` failed with `error`: a retry later, or after the last
/// one, `failed`. Returns whether it will be tried again.
pub async fn failed(
    db: &Database,
    tenant: TenantId,
    id: Uuid,
    attempts_before: i32,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let tdb = handle(db, tenant).await?;
    let next = usize::try_from(attempts_before)
        .ok()
        .and_then(|a| RETRIES.get(a))
        .map(|wait| now + *wait);
    let tx = tdb.begin_write().await?;
    let mut upd = tx
        .update_many::<mo::Entity>()
        .filter(mo::Column::Id.eq(id))
        .filter(mo::Column::State.eq(PENDING))
        .col_expr(mo::Column::Attempts, Expr::col(mo::Column::Attempts).add(1))
        .col_expr(
            mo::Column::LastError,
            Expr::value(Some(error.chars().take(500).collect::<String>())),
        );
    upd = match next {
        Some(at) => upd.col_expr(mo::Column::NextAttemptAt, Expr::value(at)),
        None => upd.col_expr(mo::Column::State, Expr::value(FAILED)),
    };
    upd.exec(tx.conn()).await?;
    tx.commit().await?;
    Ok(next.is_some())
}

/// A message as the store's records show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: Uuid,
    pub order: Option<Uuid>,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The store's messages about `order`, oldest first (ids are time-ordered).
pub async fn of_order(db: &TenantDb, order: Uuid) -> Result<Vec<Record>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<mo::Entity>()
        .filter(mo::Column::OrderId.eq(order))
        .order_by_asc(mo::Column::CreatedAt)
        .order_by_asc(mo::Column::Id)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|m| Record {
            id: m.id,
            order: m.order_id,
            kind: m.kind,
            to_email: m.to_email,
            subject: m.subject,
            body: m.body,
            state: m.state,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at,
        })
        .collect())
}
