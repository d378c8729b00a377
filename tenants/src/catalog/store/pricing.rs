//! Markups and the hub's price range.

use super::*;

/// A pricing rule within the hub's policy: the markup alone must keep prices in range.
pub fn check_pricing(rule: &PricingRule, policy: &Policy) -> Result<()> {
    let pct_x100 = 10_000 + rule.markup_bp;
    if pct_x100 < policy.price_min_pct * 100 || pct_x100 > policy.price_max_pct * 100 {
        return Err(Error::validation(
            "markup",
            format!(
                "a markup of {} prices every product at {} of its list price; the hub allows {} % to {} %",
                format_bp(rule.markup_bp),
                format_pct_x100(pct_x100),
                policy.price_min_pct,
                policy.price_max_pct
            ),
        ));
    }
    Ok(())
}

/// Basis points as a percentage without trailing zeros: `1250` → `12.5`, `-500` → `-5`
/// (what a markup field shows, and what [`parse_markup`] reads back).
pub fn markup_text(bp: i32) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    let (whole, frac) = (a / 100, a % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f.is_multiple_of(10) => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// `1250` → `+12.5 %`.
pub fn format_bp(bp: i32) -> String {
    let sign = if bp < 0 { "" } else { "+" };
    format!("{sign}{} %", markup_text(bp))
}

/// `16000` → `160 %`.
pub(super) fn format_pct_x100(x: i32) -> String {
    format!("{} %", markup_text(x))
}

/// A markup typed as a percentage (`15`, `12.5`, `-5`) in basis points.
pub fn parse_markup(raw: &str) -> Result<i32> {
    let s = raw.trim().trim_end_matches('%').trim();
    if s.is_empty() {
        return Ok(0);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    let bad = || {
        Error::validation(
            "markup",
            format!("'{}' is not a percentage like 15 or 12.5", raw.trim()),
        )
    };
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) || w.len() > 4 {
        return Err(bad());
    }
    if f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i32 = w.parse().map_err(|_| bad())?;
    let frac: i32 = format!("{f:0<2}").parse().map_err(|_| bad())?;
    let bp = whole * 100 + frac;
    Ok(if neg { -bp } else { bp })
}
