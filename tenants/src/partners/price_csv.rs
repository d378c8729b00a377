//! The price list as CSV, for the console's import and export: the same rules as the API
//! (all or nothing, every bad cell named with its line, its SKU and its field).
//!
//! Columns (a header line names them, in any order; `sku`, `price` and `currency` are
//! required): `sku`, `partner_sku`, `price` (a decimal in the currency, e.g. `12.50`),
//! `currency`, `min_quantity`, `breaks` (`10:11.50;50:10.90`: from a quantity on, a unit
//! price), `stock` (empty: made to order), `lead_days`, `valid_from`, `valid_to`
//! (`YYYY-MM-DD`).

use chrono::NaiveDate;

use super::price_list::{Break, Price, PriceInput, RowError, WriteError};
use crate::catalog::money::{Currency, Money};

pub const COLUMNS: [&str; 10] = [
    "sku",
    "partner_sku",
    "price",
    "currency",
    "min_quantity",
    "breaks",
    "stock",
    "lead_days",
    "valid_from",
    "valid_to",
];
const REQUIRED: [&str; 3] = ["sku", "price", "currency"];
/// Rows in one file, at most.
pub const MAX_ROWS: usize = 100_000;

/// Writes `prices` as CSV (the export the import reads back unchanged).
pub fn export(prices: &[Price]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    for p in prices {
        let currency = Currency::parse(&p.currency);
        let dec = |minor: i64| match currency {
            Some(c) => Money::new(minor, c).to_decimal(),
            None => minor.to_string(),
        };
        let breaks: Vec<String> = p
            .breaks
            .iter()
            .map(|b| format!("{}:{}", b.min_quantity, dec(b.price_minor)))
            .collect();
        let _ = w.write_record([
            p.sku.clone(),
            p.partner_sku.clone().unwrap_or_default(),
            dec(p.price_minor),
            p.currency.clone(),
            p.min_quantity.to_string(),
            breaks.join(";"),
            p.stock.map(|s| s.to_string()).unwrap_or_default(),
            p.lead_days.to_string(),
            p.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            p.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The whole price list of the partner of `db` as CSV, page by page in SKU order.
pub async fn export_all(db: &crate::db::TenantDb) -> crate::error::Result<String> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = super::price_list::list(db, after.as_deref(), 1000).await?;
        all.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(export(&all))
}

/// The console's import: reads a CSV file and writes every row, or none. Each refused row is
/// named by its line in the file (the header being line 1), whether the file could not be
/// read or the hub refused the price. Answers how many prices were written.
pub async fn write(
    db: &crate::db::TenantDb,
    master: &crate::catalog::snapshot::Master,
    text: &str,
) -> std::result::Result<usize, WriteError> {
    let rows = import(text).map_err(WriteError::Rows)?;
    match super::price_list::upsert(db, master, &rows).await {
        Ok(written) => Ok(written.len()),
        // A batch names its rows by position; the first row is line 2.
        Err(WriteError::Rows(errors)) => Err(WriteError::Rows(
            errors
                .into_iter()
                .map(|e| RowError {
                    index: e.index + 2,
                    ..e
                })
                .collect(),
        )),
        Err(other) => Err(other),
    }
}

fn err(index: usize, sku: &str, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        index,
        sku: sku.to_owned(),
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Reads a CSV file into rows for [`super::price_list::upsert`]. Every bad cell is reported
/// (`index` is the line number in the file, the header being line 1); any error refuses the
/// whole file.
pub fn import(text: &str) -> Result<Vec<PriceInput>, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![err(1, "", "file", format!("not CSV: {e}"))]),
    };
    let mut errors = Vec::new();
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(err(
                1,
                "",
                h,
                format!("unknown column; the columns are {}", COLUMNS.join(", ")),
            ));
        }
    }
    for r in REQUIRED {
        if !headers.iter().any(|h| h == r) {
            errors.push(err(1, "", r, "this column is required"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for (i, record) in rdr.records().enumerate() {
        let line = i + 2;
        if rows.len() >= MAX_ROWS {
            errors.push(err(
                line,
                "",
                "file",
                format!("at most {MAX_ROWS} rows in one file"),
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(line, "", "line", format!("unreadable: {e}")));
                continue;
            }
        };
        if record.len() != headers.len() {
            errors.push(err(
                line,
                "",
                "line",
                format!("{} cells, the header has {}", record.len(), headers.len()),
            ));
            continue;
        }
        let cell = |name: &str| col(name).and_then(|c| record.get(c)).unwrap_or_default();
        let sku = cell("sku").to_owned();
        let mut bad = |field: &str, message: String| errors.push(err(line, &sku, field, message));
        let Some(currency) = Currency::parse(cell("currency")) else {
            bad(
                "currency",
                format!("{:?} is not an ISO 4217 currency", cell("currency")),
            );
            continue;
        };
        let price = match Money::parse_decimal(cell("price"), currency) {
            Ok(m) => m.minor,
            Err(e) => {
                bad("price", e);
                continue;
            }
        };
        let number =
            |field: &str, default: u32, bad: &mut dyn FnMut(&str, String)| -> Option<u32> {
                let v = cell(field);
                if v.is_empty() {
                    return Some(default);
                }
                v.parse::<u32>()
                    .map_err(|_| bad(field, format!("{v:?} is not a whole number")))
                    .ok()
            };
        let Some(min_quantity) = number("min_quantity", 1, &mut bad) else {
            continue;
        };
        let Some(lead_days) = number("lead_days", 0, &mut bad) else {
            continue;
        };
        let stock = match cell("stock") {
            "" => None,
            v => match v.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad(
                        "stock",
                        format!("{v:?} is not a whole number (leave it empty for made to order)"),
                    );
                    continue;
                }
            },
        };
        let date =
            |field: &str, bad: &mut dyn FnMut(&str, String)| -> Result<Option<NaiveDate>, ()> {
                match cell(field) {
                    "" => Ok(None),
                    v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map(Some)
                        .map_err(|_| bad(field, format!("{v:?} is not a date (YYYY-MM-DD)"))),
                }
            };
        let Ok(valid_from) = date("valid_from", &mut bad) else {
            continue;
        };
        let Ok(valid_to) = date("valid_to", &mut bad) else {
            continue;
        };
        let mut breaks = Vec::new();
        let mut broken = false;
        for part in cell("breaks")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let parsed = part.split_once(':').and_then(|(q, p)| {
                let q = q.trim().parse::<u32>().ok()?;
                let p = Money::parse_decimal(p, currency).ok()?;
                Some(Break {
                    min_quantity: q,
                    price_minor: p.minor,
                })
            });
            match parsed {
                Some(b) => breaks.push(b),
                None => {
                    bad(
                        "breaks",
                        format!("{part:?}: write quantity:price, e.g. 10:11.50"),
                    );
                    broken = true;
                    break;
                }
            }
        }
        if broken {
            continue;
        }
        let partner_sku = Some(cell("partner_sku").to_owned()).filter(|s| !s.is_empty());
        rows.push(PriceInput {
            sku,
            partner_sku,
            price_minor: price,
            currency: currency.code().to_owned(),
            min_quantity,
            breaks,
            stock,
            lead_days,
            valid_from,
            valid_to,
        });
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(err(2, "", "file", "the file has no rows"));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_into_rows_and_back() {
        let text = "sku,price,currency,partner_sku,breaks,stock,lead_days,valid_to\n\
                    ACME-1,12.50,EUR,N-1,10:11.50;50:10.90,,3,2027-01-31\n\
                    ACME-2,7,EUR,,,40,0,\n";
        let rows = import(text).expect("good file");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].price_minor, 1250);
        assert_eq!(rows[0].breaks[1].price_minor, 1090);
        assert_eq!(rows[0].stock, None);
        assert_eq!(rows[1].stock, Some(40));
        assert_eq!(rows[0].valid_to, NaiveDate::from_ymd_opt(2027, 1, 31));
    }

    #[test]
    fn every_bad_cell_is_named_with_its_line() {
        let text = "sku,price,currency,stock,breaks\n\
                    A,12.505,EUR,,\n\
                    B,3,XXX,,\n\
                    C,3,EUR,-1,\n\
                    D,3,EUR,,10-2\n";
        let errors = import(text).expect_err("bad file");
        let got: Vec<(usize, &str, &str)> = errors
            .iter()
            .map(|e| (e.index, e.sku.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "A", "price"),
                (3, "B", "currency"),
                (4, "C", "stock"),
                (5, "D", "breaks")
            ]
        );
        let missing = import("sku,currency\nA,EUR\n").expect_err("no price column");
        assert_eq!(missing[0].field, "price");
        assert!(
            import("sku,price,currency\n").is_err(),
            "an empty file is refused"
        );
    }
}
