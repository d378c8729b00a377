//! In-console notices: what happened to a tenant's quote requests while nobody was looking
//! (a new RFQ, an answer, a counter-offer, a decision, a close). Written in the transaction
//! of the change they tell of, with the e-mail to the tenant's contact beside them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::notices;
use crate::db::{TenantDb, TenantTx};
use crate::error::Result;
use crate::mail::Mail;

/// Notices a list shows, at most.
pub const MAX_LIST: u64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: Uuid,
    /// `rfq.created`, `rfq.answered`, `rfq.countered`, `rfq.revised`, `rfq.withdrawn`,
    /// `rfq.closed`, `rfq.accepted`, `rfq.not_selected`
    pub kind: String,
    pub text: String,
    pub rfq: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// What to tell a tenant: a notice, and the same news by e-mail to `to` (name, e-mail).
pub(crate) struct News<'a> {
    pub kind: &'static str,
    pub rfq: Uuid,
    pub text: String,
    pub to: Option<(&'a str, &'a str)>,
    pub subject: String,
    pub body: String,
}

/// Holds back a notice and an e-mail to the tenant `tx` is bound to.
pub(crate) fn tell(tx: &TenantTx, news: News<'_>, now: DateTime<Utc>) {
    tx.defer_insert(notices::ActiveModel {
        tenant_id: Set(Uuid::nil()),
        id: Set(Uuid::now_v7()),
        kind: Set(news.kind.to_owned()),
        text: Set(news.text.chars().take(500).collect()),
        rfq_id: Set(Some(news.rfq)),
        at: Set(now),
        read_at: Set(None),
    });
    if let Some((name, email)) = news.to
        && !email.is_empty()
    {
        crate::mail::queue(
            tx,
            Mail {
                kind: news.kind,
                order: None,
                to_email: email.to_owned(),
                to_name: name.to_owned(),
                subject: news.subject,
                body: news.body,
            },
            now,
        );
    }
}

/// The newest notices, newest first.
pub async fn list(db: &TenantDb) -> Result<Vec<Notice>> {
    let tx = db.begin().await?;
    let rows = tx
        .find::<notices::Entity>()
        .order_by_desc(notices::Column::At)
        .order_by_desc(notices::Column::Id)
        .limit(MAX_LIST)
        .all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|n| Notice {
            id: n.id,
            kind: n.kind,
            text: n.text,
            rfq: n.rfq_id,
            at: n.at,
            read: n.read_at.is_some(),
        })
        .collect())
}

/// How many are unread.
pub async fn unread(db: &TenantDb) -> Result<u64> {
    let tx = db.begin().await?;
    let n = tx
        .find::<notices::Entity>()
        .filter(notices::Column::ReadAt.is_null())
        .count(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// Marks every notice read.
pub async fn mark_read(db: &TenantDb, now: DateTime<Utc>) -> Result<()> {
    let tx = db.begin_write().await?;
    tx.update_many::<notices::Entity>()
        .filter(notices::Column::ReadAt.is_null())
        .col_expr(notices::Column::ReadAt, Expr::value(Some(now)))
        .exec(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}
