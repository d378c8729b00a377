//! The regions a partner ships to: ISO 3166-1 countries, each optionally narrowed to an
//! ISO 3166-2 subdivision or a postal-code prefix. Replaced as a whole.

use std::collections::HashSet;
use std::str::FromStr;

use sea_orm::{QueryOrder, Set};
use serde::{Deserialize, Serialize};

use super::entity::territories;
use crate::db::TenantDb;
use crate::error::{Error, Result};
use crate::registry::TenantKind;

/// Regions per partner, at most.
pub const MAX_REGIONS: usize = 500;

/// One region a partner serves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Region {
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub country: String,
    /// ISO 3166-2, e.g. `DE-BY` (it must be of `country`).
    #[serde(default)]
    pub subdivision: Option<String>,
    /// A postal-code prefix, e.g. `80` (letters, digits, spaces and dashes).
    #[serde(default)]
    pub postal_prefix: Option<String>,
}

/// A ship-to address's region, to match against a partner's territories.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShipTo {
    pub country: String,
    pub subdivision: Option<String>,
    pub postal_code: Option<String>,
}

impl Region {
    /// Whether this region covers `to`.
    pub fn covers(&self, to: &ShipTo) -> bool {
        if !self.country.eq_ignore_ascii_case(&to.country) {
            return false;
        }
        if let Some(s) = &self.subdivision
            && !to
                .subdivision
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(s))
        {
            return false;
        }
        if let Some(p) = &self.postal_prefix {
            let norm = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_uppercase()
            };
            return to
                .postal_code
                .as_deref()
                .is_some_and(|code| norm(code).starts_with(&norm(p)));
        }
        true
    }
}

/// Checks and normalises a region; the error names the field and the row.
pub fn parse(index: usize, r: &Region) -> Result<Region> {
    let field = |f: &str| -> &'static str {
        // Field names are from a fixed set; leaked strings are bounded by it.
        match f {
            "country" => "country",
            "subdivision" => "subdivision",
            _ => "postal_prefix",
        }
    };
    let bad =
        |f: &str, m: String| Error::validation(field(f), format!("region {}: {m}", index + 1));
    let country = r.country.trim().to_ascii_uppercase();
    if country.len() != 2 || iso_country::Country::from_str(&country).is_err() {
        return Err(bad(
            "country",
            format!(
                "{:?} is not an ISO 3166-1 country code such as DE or FR",
                r.country.trim()
            ),
        ));
    }
    let subdivision = match r.subdivision.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let s = s.to_ascii_uppercase();
            let ok = s.split_once('-').is_some_and(|(c, code)| {
                c == country
                    && (1..=3).contains(&code.len())
                    && code.chars().all(|ch| ch.is_ascii_alphanumeric())
            });
            if !ok {
                return Err(bad(
                    "subdivision",
                    format!("{s:?} is not an ISO 3166-2 code of {country} (such as {country}-BY)"),
                ));
            }
            Some(s)
        }
    };
    let postal_prefix = match r.postal_prefix.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => {
            if p.len() > 12
                || !p
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            {
                return Err(bad(
                    "postal_prefix",
                    "must be up to 12 letters, digits, spaces or dashes".into(),
                ));
            }
            Some(p.to_ascii_uppercase())
        }
    };
    Ok(Region {
        country,
        subdivision,
        postal_prefix,
    })
}

/// One region as a line of the console's territory editor: `DE`, `DE-BY` (a subdivision),
/// `DE 80` (a postal-code prefix), or `DE-BY 80`.
pub fn to_line(r: &Region) -> String {
    let mut line = r.subdivision.clone().unwrap_or_else(|| r.country.clone());
    if let Some(p) = &r.postal_prefix {
        line.push(' ');
        line.push_str(p);
    }
    line
}

/// Reads the console's editor: one region per line (see [`to_line`]); blank lines are
/// skipped. Every line is checked; the error names the first bad line.
pub fn parse_lines(text: &str) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let (place, prefix) = match line.split_once(char::is_whitespace) {
            Some((p, rest)) => (p, Some(rest.trim().to_owned())),
            None => (line, None),
        };
        let (country, subdivision) = match place.split_once('-') {
            Some((c, _)) => (c.to_owned(), Some(place.to_owned())),
            None => (place.to_owned(), None),
        };
        let region = Region {
            country,
            subdivision,
            postal_prefix: prefix,
        };
        out.push(parse(out.len(), &region).map_err(|e| match e {
            Error::Validation { message, .. } => Error::validation(
                "regions",
                format!(
                    "line {}: {}",
                    i + 1,
                    message.split_once(": ").map_or(message.as_str(), |(_, m)| m)
                ),
            ),
            other => other,
        })?);
    }
    Ok(out)
}

fn partner(db: &TenantDb) -> Result<()> {
    match db.tenant().kind() {
        TenantKind::Distributor | TenantKind::Reseller => Ok(()),
        TenantKind::Hub => Err(Error::NotFound("territories")),
    }
}

pub async fn list(db: &TenantDb) -> Result<Vec<Region>> {
    partner(db)?;
    let tx = db.begin().await?;
    let out = list_in(&tx).await?;
    tx.commit().await?;
    Ok(out)
}

/// The regions of the partner `tx` is bound to.
pub(crate) async fn list_in(tx: &crate::db::TenantTx) -> Result<Vec<Region>> {
    let rows = tx
        .find::<territories::Entity>()
        .order_by_asc(territories::Column::Country)
        .order_by_asc(territories::Column::Subdivision)
        .order_by_asc(territories::Column::PostalPrefix)
        .all(tx.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Region {
            country: r.country,
            subdivision: r.subdivision,
            postal_prefix: r.postal_prefix,
        })
        .collect())
}

/// Replaces every region with `regions` (checked first; duplicates are kept once).
pub async fn replace(db: &TenantDb, regions: &[Region]) -> Result<Vec<Region>> {
    partner(db)?;
    if regions.len() > MAX_REGIONS {
        return Err(Error::validation(
            "regions",
            format!("at most {MAX_REGIONS} regions"),
        ));
    }
    let mut seen = HashSet::new();
    let mut clean = Vec::new();
    for (i, r) in regions.iter().enumerate() {
        let r = parse(i, r)?;
        if seen.insert(r.clone()) {
            clean.push(r);
        }
    }
    let tx = db.begin_write().await?;
    tx.delete_many::<territories::Entity>()
        .exec(tx.conn())
        .await?;
    for r in &clean {
        tx.insert(territories::ActiveModel {
            tenant_id: Set(tx.tenant_id().as_uuid()),
            id: Set(uuid::Uuid::new_v4()),
            country: Set(r.country.clone()),
            subdivision: Set(r.subdivision.clone()),
            postal_prefix: Set(r.postal_prefix.clone()),
        })
        .await?;
    }
    tx.commit().await?;
    list(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(c: &str, s: Option<&str>, p: Option<&str>) -> Region {
        Region {
            country: c.into(),
            subdivision: s.map(Into::into),
            postal_prefix: p.map(Into::into),
        }
    }

    #[test]
    fn the_console_lines_read_back_what_they_show() {
        let regions = parse_lines("de\n\n  AT-9 \nFR 75\nDE-BY 80").expect("good lines");
        assert_eq!(
            regions,
            vec![
                region("DE", None, None),
                region("AT", Some("AT-9"), None),
                region("FR", None, Some("75")),
                region("DE", Some("DE-BY"), Some("80")),
            ]
        );
        let lines: Vec<String> = regions.iter().map(to_line).collect();
        assert_eq!(lines, ["DE", "AT-9", "FR 75", "DE-BY 80"]);
        assert_eq!(parse_lines(&lines.join("\n")).expect("round trip"), regions);
        match parse_lines("DE\nXX") {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field, "regions");
                assert!(message.starts_with("line 2: "), "{message}");
                assert!(message.contains("\"XX\""), "{message}");
            }
            other => panic!("a bad country is refused: {other:?}"),
        }
        assert!(parse_lines("DE 80/1").is_err(), "a prefix with a slash");
    }

    #[test]
    fn regions_are_iso_codes_and_cover_what_they_name() {
        let de = parse(0, &region(" de ", None, None)).expect("DE");
        assert_eq!(de.country, "DE");
        for bad in [
            region("XX", None, None),
            region("DEU", None, None),
            region("DE", Some("FR-75"), None),
            region("DE", None, Some("80<1")),
        ] {
            assert!(parse(0, &bad).is_err(), "{bad:?}");
        }
        let bavaria = parse(0, &region("DE", Some("de-by"), None)).expect("DE-BY");
        let munich = parse(0, &region("DE", None, Some("80"))).expect("80");
        let to = ShipTo {
            country: "de".into(),
            subdivision: Some("DE-BY".into()),
            postal_code: Some("80 331".into()),
        };
        assert!(de.covers(&to) && bavaria.covers(&to) && munich.covers(&to));
        let berlin = ShipTo {
            country: "DE".into(),
            subdivision: Some("DE-BE".into()),
            postal_code: Some("10115".into()),
        };
        assert!(de.covers(&berlin));
        assert!(!bavaria.covers(&berlin));
        assert!(!munich.covers(&berlin));
        assert!(!de.covers(&ShipTo {
            country: "FR".into(),
            ..Default::default()
        }));
    }
}
