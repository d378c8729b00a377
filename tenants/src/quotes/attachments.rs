//! Attachments of a quote request: PDFs and images the buyer adds to its draft (a drawing, a
//! specification), checked by their bytes (never by their name or declared type) and limited
//! in size and number. The file is stored once, under a name derived from its content that
//! the public media route never serves; each tenant that may read it (the buyer, and every
//! distributor the request went to) holds a row pointing at it, copied when the request is
//! sent. Downloads go through those rows only.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::entity::attachments;
use super::{BUYER, RfqState, SELLER};
use crate::catalog::media::{ImageKind, Media};
use crate::db::{TenantDb, TenantTx};
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// The largest file, in bytes.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Files per request, at most.
pub const MAX_FILES: usize = 5;

/// What an attachment's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Image(ImageKind),
}

impl FileKind {
    /// What the file's first bytes say it is: a PDF, or a PNG, JPEG or WebP image.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else {
            ImageKind::sniff(bytes).map(Self::Image)
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Image(i) => i.ext(),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Image(i) => i.mime(),
        }
    }

    fn from_ext(ext: &str) -> Option<Self> {
        match ext {
            "pdf" => Some(Self::Pdf),
            other => ImageKind::from_ext(other).map(Self::Image),
        }
    }
}

/// An attachment as a page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: Uuid,
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub created_at: DateTime<Utc>,
}

fn to_attachment(m: &attachments::Model) -> Attachment {
    Attachment {
        id: m.id,
        name: m.name.clone(),
        mime: FileKind::from_ext(&m.kind)
            .map_or("application/octet-stream", FileKind::mime)
            .to_owned(),
        size: u64::try_from(m.size).unwrap_or(0),
        created_at: m.created_at,
    }
}

pub(crate) async fn rows(tx: &TenantTx, side: &str, rfq: Uuid) -> Result<Vec<attachments::Model>> {
    Ok(tx
        .find::<attachments::Entity>()
        .filter(attachments::Column::Side.eq(side))
        .filter(attachments::Column::RfqId.eq(rfq))
        .order_by_asc(attachments::Column::CreatedAt)
        .order_by_asc(attachments::Column::Id)
        .all(tx.conn())
        .await?)
}

pub(crate) async fn list_in(tx: &TenantTx, side: &str, rfq: Uuid) -> Result<Vec<Attachment>> {
    Ok(rows(tx, side, rfq)
        .await?
        .iter()
        .map(to_attachment)
        .collect())
}

/// Copies of the buyer's rows for a distributor's side (written when the request is sent).
pub(crate) fn copies(rows: &[attachments::Model]) -> Vec<attachments::ActiveModel> {
    rows.iter()
        .map(|r| attachments::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(SELLER.to_owned()),
            rfq_id: Set(r.rfq_id),
            id: Set(r.id),
            name: Set(r.name.clone()),
            kind: Set(r.kind.clone()),
            size: Set(r.size),
            blob: Set(r.blob.clone()),
            created_at: Set(r.created_at),
        })
        .collect()
}

fn clean_name(raw: &str) -> Result<String> {
    // Only the last part of a path a browser may send, trimmed, without control characters.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        return Err(Error::validation("file", "the file has no name"));
    }
    Ok(name)
}

/// Adds a file to the buyer's draft `rfq`.
pub async fn add(
    db: &TenantDb,
    media: &Media,
    rfq: Uuid,
    name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<Attachment> {
    if db.tenant().kind() != TenantKind::Reseller {
        return Err(Error::NotFound("quote request"));
    }
    let name = clean_name(name)?;
    if bytes.is_empty() {
        return Err(Error::validation("file", "choose a file to attach"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::validation(
            "file",
            format!("{name} is larger than {} MB", MAX_BYTES / (1024 * 1024)),
        ));
    }
    let kind = FileKind::sniff(bytes).ok_or_else(|| {
        Error::validation(
            "file",
            format!("{name} is not a PDF or a PNG, JPEG or WebP image"),
        )
    })?;
    let digest = Sha256::digest(bytes);
    let blob = format!("att-{}.{}", hex::encode(digest), kind.ext());
    // Stored before the row (a file without a row is never served; the same content is
    // stored once whoever attaches it).
    media.put_private(&blob, bytes).await?;
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, rfq).await?;
    if m.state != RfqState::Draft.as_str() {
        return Err(Error::Conflict(format!(
            "{} was sent already; attachments are added to drafts",
            m.number
        )));
    }
    if rows(&tx, BUYER, rfq).await?.len() >= MAX_FILES {
        return Err(Error::validation(
            "file",
            format!("at most {MAX_FILES} files per request"),
        ));
    }
    let row = tx
        .insert(attachments::ActiveModel {
            tenant_id: Set(Uuid::nil()),
            side: Set(BUYER.to_owned()),
            rfq_id: Set(rfq),
            id: Set(Uuid::now_v7()),
            name: Set(name),
            kind: Set(kind.ext().to_owned()),
            size: Set(i64::try_from(bytes.len()).unwrap_or(i64::MAX)),
            blob: Set(blob),
            created_at: Set(now),
        })
        .await?;
    tx.commit().await?;
    Ok(to_attachment(&row))
}

/// Removes a file from the buyer's draft `rfq`.
pub async fn remove(db: &TenantDb, rfq: Uuid, id: Uuid) -> Result<()> {
    if db.tenant().kind() != TenantKind::Reseller {
        return Err(Error::NotFound("quote request"));
    }
    let tx = db.begin_write().await?;
    let m = super::lock_rfq(&tx, rfq).await?;
    if m.state != RfqState::Draft.as_str() {
        return Err(Error::Conflict(format!(
            "{} was sent already; its attachments stay with it",
            m.number
        )));
    }
    let gone = tx
        .delete_many::<attachments::Entity>()
        .filter(attachments::Column::Side.eq(BUYER))
        .filter(attachments::Column::RfqId.eq(rfq))
        .filter(attachments::Column::Id.eq(id))
        .exec(tx.conn())
        .await?;
    if gone.rows_affected == 0 {
        return Err(Error::NotFound("attachment"));
    }
    tx.commit().await?;
    Ok(())
}

/// A file of request `rfq` as the tenant of `db` holds it (the buyer's row for a reseller, its
/// own copy for a distributor it was sent to): its name, type and bytes.
pub async fn open(
    db: &TenantDb,
    media: &Media,
    rfq: Uuid,
    id: Uuid,
) -> Result<(String, &'static str, Vec<u8>)> {
    let side = match db.tenant().kind() {
        TenantKind::Reseller => BUYER,
        TenantKind::Distributor => SELLER,
        TenantKind::Hub => return Err(Error::NotFound("attachment")),
    };
    let tx = db.begin().await?;
    let row = tx
        .find::<attachments::Entity>()
        .filter(attachments::Column::Side.eq(side))
        .filter(attachments::Column::RfqId.eq(rfq))
        .filter(attachments::Column::Id.eq(id))
        .one(tx.conn())
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    tx.commit().await?;
    let kind = FileKind::from_ext(&row.kind).ok_or(Error::NotFound("attachment"))?;
    let bytes = media
        .get_private(&row.blob)
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    Ok((row.name, kind.mime(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileKind::Image(ImageKind::Png))
        );
        assert_eq!(FileKind::sniff(b"MZ\x90\0 an executable"), None);
        assert_eq!(FileKind::sniff(b"<html>%PDF-"), None);
    }

    #[test]
    fn names_lose_their_path_and_control_characters() {
        assert_eq!(
            clean_name("C:\\Users\\me\\spec\u{7}.pdf").ok().as_deref(),
            Some("spec.pdf")
        );
        assert_eq!(
            clean_name("../../etc/passwd").ok().as_deref(),
            Some("passwd")
        );
        assert!(clean_name("  ").is_err());
    }
}
