//! CSV import and export of the master catalog. An import checks every row first and writes
//! nothing if any row is bad, reporting each bad row with its line and reasons; a clean file is
//! upserted by SKU in one transaction. Export writes what import reads, with spreadsheet
//! formulas neutralised.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{QuerySelect, Set};
use serde::{Deserialize, Serialize};

use super::entity::products;
use super::master::{
    Category, ProductDraft, ProductInput, all_categories, all_products, category_resolver,
    format_attributes, to_product, write_draft,
};
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::ids::ProductId;
use crate::registry::{TenantKind, bump_catalog_version};

/// The columns, in export order. `sku`, `name`, `price` and `currency` are required in a file.
pub const COLUMNS: [&str; 9] = [
    "sku",
    "name",
    "description",
    "price",
    "currency",
    "category",
    "status",
    "attributes",
    "image",
];
const REQUIRED: [&str; 4] = ["sku", "name", "price", "currency"];
/// Rows written per statement.
const CHUNK: usize = 500;
/// Bad rows kept in a report (all are counted).
pub const MAX_REPORTED: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Reading,
    Checking,
    Writing,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub sku: String,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (encoding, header).
    #[error("{0}")]
    File(String),
    /// Some rows are bad; nothing was imported.
    #[error("{total} rows have problems; nothing was imported")]
    Rows { errors: Vec<RowError>, total: u64 },
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Other(Error::Db(e))
    }
}

/// Spreadsheets run cells starting with these as formulas.
fn risky(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Export side: a leading apostrophe makes a spreadsheet show the text as text.
pub fn neutralise(s: &str) -> String {
    if risky(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Import side: undoes [`neutralise`] so export → import round-trips.
pub fn restore(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if risky(rest) => rest,
        _ => s,
    }
}

struct Checked {
    drafts: Vec<ProductDraft>,
    errors: Vec<RowError>,
    total_bad: u64,
}

fn check_rows(
    bytes: &[u8],
    categories: &[Category],
    progress: &ProgressFn,
) -> std::result::Result<Checked, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| ImportError::File(format!("cannot read the header line: {e}")))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        let Some(col) = COLUMNS.iter().find(|c| **c == h) else {
            return Err(ImportError::File(format!(
                "unknown column '{h}' (the columns are {})",
                COLUMNS.join(", ")
            )));
        };
        if index.insert(col, i).is_some() {
            return Err(ImportError::File(format!("the column '{h}' appears twice")));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|c| !index.contains_key(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::File(format!(
            "the header lacks the column(s) {}",
            missing.join(", ")
        )));
    }
    let total_estimate = bytecount_lines(bytes);
    let resolve = category_resolver(categories);
    let mut out = Checked {
        drafts: Vec::new(),
        errors: Vec::new(),
        total_bad: 0,
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut n: u64 = 0;
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 text".to_owned(),
                    _ => format!("cannot be read: {e}"),
                };
                push_error(
                    &mut out,
                    RowError {
                        line,
                        sku: String::new(),
                        reasons: vec![reason],
                    },
                );
                // A broken quote swallows the rest of the file: nothing more can be trusted.
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
                continue;
            }
        }
        n += 1;
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: &str| {
            index
                .get(c)
                .and_then(|i| record.get(*i))
                .map(restore)
                .unwrap_or("")
                .to_owned()
        };
        let input = ProductInput {
            sku: cell("sku"),
            name: cell("name"),
            description: cell("description"),
            price: cell("price"),
            currency: cell("currency"),
            category: cell("category"),
            status: cell("status"),
            attributes: cell("attributes"),
            image: cell("image"),
        };
        let mut reasons = Vec::new();
        if record.len() != headers.len() {
            reasons.push(format!(
                "has {} cells, the header has {}",
                record.len(),
                headers.len()
            ));
        }
        match ProductDraft::parse(&input, &resolve) {
            Ok(d) => {
                if let Some(first) = seen.insert(d.sku.clone(), line) {
                    reasons.push(format!("SKU {} is also on line {first}", d.sku));
                }
                if reasons.is_empty() {
                    out.drafts.push(d);
                }
            }
            Err(errs) => reasons.extend(errs.into_iter().map(|(f, m)| format!("{f}: {m}"))),
        }
        if !reasons.is_empty() {
            push_error(
                &mut out,
                RowError {
                    line,
                    sku: input.sku.trim().to_owned(),
                    reasons,
                },
            );
        }
        if n.is_multiple_of(2_000) {
            progress(Progress {
                phase: Phase::Checking,
                done: n,
                total: total_estimate.max(n),
            });
        }
    }
    progress(Progress {
        phase: Phase::Checking,
        done: n,
        total: n,
    });
    Ok(out)
}

fn push_error(out: &mut Checked, e: RowError) {
    out.total_bad += 1;
    if out.errors.len() < MAX_REPORTED {
        out.errors.push(e);
    }
}

fn bytecount_lines(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        .saturating_sub(1) as u64
}

/// Imports a CSV file into the hub's master catalog.
pub async fn import(
    db: &TenantDb,
    bytes: Vec<u8>,
    progress: ProgressFn,
) -> std::result::Result<ImportReport, ImportError> {
    if db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden.into());
    }
    progress(Progress {
        phase: Phase::Reading,
        done: 0,
        total: 0,
    });
    let tx = db.begin_write().await?;
    let categories = all_categories(&tx).await?;
    let existing: Vec<(String, uuid::Uuid)> = tx
        .find::<products::Entity>()
        .select_only()
        .column(products::Column::Sku)
        .column(products::Column::Id)
        .into_tuple()
        .all(tx.conn())
        .await?;
    let p2 = progress.clone();
    let checked = tokio::task::spawn_blocking(move || check_rows(&bytes, &categories, &p2))
        .await
        .map_err(|e| ImportError::File(format!("the import stopped: {e}")))??;
    if checked.total_bad > 0 {
        return Err(ImportError::Rows {
            errors: checked.errors,
            total: checked.total_bad,
        });
    }
    if checked.drafts.is_empty() {
        return Err(ImportError::File("the file has no product rows".into()));
    }
    let existing: HashMap<String, uuid::Uuid> = existing.into_iter().collect();
    let total = checked.drafts.len() as u64;
    let now = Utc::now();
    let mut created = 0;
    let mut done = 0;
    for chunk in checked.drafts.chunks(CHUNK) {
        let models: Vec<products::ActiveModel> = chunk
            .iter()
            .map(|d| {
                let id = existing.get(&d.sku).copied().unwrap_or_else(|| {
                    created += 1;
                    ProductId::generate().as_uuid()
                });
                let mut am = products::ActiveModel {
                    tenant_id: Set(db.tenant_id().as_uuid()),
                    id: Set(id),
                    created_at: Set(now),
                    ..Default::default()
                };
                write_draft(&mut am, d, now);
                am
            })
            .collect();
        tx.upsert_many(
            models,
            OnConflict::columns([products::Column::TenantId, products::Column::Sku])
                .update_columns([
                    products::Column::Name,
                    products::Column::Description,
                    products::Column::PriceMinor,
                    products::Column::Currency,
                    products::Column::CategoryId,
                    products::Column::Status,
                    products::Column::Attributes,
                    products::Column::Image,
                    products::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .await?;
        done += chunk.len() as u64;
        progress(Progress {
            phase: Phase::Writing,
            done,
            total,
        });
    }
    bump_catalog_version(&tx).await?;
    tx.commit().await?;
    progress(Progress {
        phase: Phase::Done,
        done: total,
        total,
    });
    Ok(ImportReport {
        rows: total,
        created,
        updated: total - created,
    })
}

/// The whole master catalog as CSV (every status), in SKU order.
pub async fn export(db: &TenantDb) -> Result<Vec<u8>> {
    if db.tenant().kind() != TenantKind::Hub {
        return Err(Error::Forbidden);
    }
    let tx = db.begin().await?;
    let categories = all_categories(&tx).await?;
    let rows = all_products(&tx).await?;
    tx.commit().await?;
    let slug: HashMap<_, _> = categories.iter().map(|c| (c.id, c.slug.as_str())).collect();
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 160));
    let io = |e: csv::Error| Error::Db(sea_orm::DbErr::Custom(format!("csv: {e}")));
    w.write_record(COLUMNS).map_err(io)?;
    for row in rows {
        let p = to_product(row)?;
        let cells = [
            p.sku.clone(),
            p.name.clone(),
            p.description.clone(),
            p.price.to_decimal(),
            p.price.currency.code().to_owned(),
            p.category
                .and_then(|c| slug.get(&c))
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            p.status.as_str().to_owned(),
            format_attributes(&p.attributes),
            p.image.clone().unwrap_or_default(),
        ];
        w.write_record(cells.iter().map(|c| neutralise(c)))
            .map_err(io)?;
    }
    w.into_inner()
        .map_err(|e| Error::Db(sea_orm::DbErr::Custom(format!("csv: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for s in ["=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx"] {
            let n = neutralise(s);
            assert!(n.starts_with('\''), "{s}");
            assert_eq!(restore(&n), s);
        }
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(restore("'quoted"), "'quoted");
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "sku,name,price,currency,category\n\
                   A-1,Good,10.00,EUR,\n\
                   A 2,,abc,EUR,\n\
                   A-1,Again,5,EUR,\n\
                   A-4,Cat,5,EUR,nowhere\n\
                   A-5,\"Multi\nline\",1,XXX,\n";
        let progress: ProgressFn = Arc::new(|_| {});
        let out = check_rows(csv.as_bytes(), &[], &progress).unwrap();
        let lines: Vec<u64> = out.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(out.errors[0].reasons.iter().any(|r| r.starts_with("sku:")));
        assert!(out.errors[0].reasons.iter().any(|r| r.starts_with("name:")));
        assert!(
            out.errors[0]
                .reasons
                .iter()
                .any(|r| r.starts_with("price:"))
        );
        assert!(out.errors[1].reasons[0].contains("also on line 2"));
        assert!(out.errors[2].reasons[0].contains("nowhere"));
        assert!(out.errors[3].reasons[0].contains("currency"));
    }

    #[test]
    fn header_problems_are_file_errors() {
        let progress: ProgressFn = Arc::new(|_| {});
        let e = check_rows(b"sku,name,price\n", &[], &progress)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("currency"), "{e}");
        let e = check_rows(b"sku,name,price,currency,colour\n", &[], &progress)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("colour"), "{e}");
    }
}
