//! Money: integer minor units plus an ISO 4217 currency. No floats: amounts are parsed from
//! and formatted to decimal strings digit by digit, using the currency's exponent.

use std::fmt;

use iso_currency::Currency as Iso;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A currency the hub can price in: an ISO 4217 code with a minor-unit exponent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(Iso);

impl Currency {
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        let iso = Iso::from_code(&code)?;
        // Funds and special units (XAU, XDR, ...) have no exponent: not a shop currency.
        iso.exponent()?;
        Some(Self(iso))
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(2))
    }

    pub fn symbol(&self) -> String {
        self.0.symbol().to_string()
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown currency '{s}'"))
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

/// An amount in minor units of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// The largest price the hub accepts, in major units (keeps every markup far from overflow).
pub const MAX_MAJOR: i64 = 10_000_000;

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Parses a decimal amount like `12`, `12.5` or `1,299.00` in `currency`. More fraction
    /// digits than the currency has, signs, exponents and anything non-numeric are refused.
    pub fn parse_decimal(raw: &str, currency: Currency) -> std::result::Result<Self, String> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '_')
            .collect();
        if s.is_empty() {
            return Err("enter a price".into());
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        let exp = currency.exponent() as usize;
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{}' is not a price (use digits, e.g. 12.50)",
                raw.trim()
            ));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "'{}' is not a price (use digits, e.g. 12.50)",
                raw.trim()
            ));
        }
        if frac.len() > exp {
            return Err(format!(
                "{} has at most {exp} decimal places",
                currency.code()
            ));
        }
        let whole: i64 = whole
            .parse()
            .ok()
            .filter(|w| *w <= MAX_MAJOR)
            .ok_or_else(|| format!("must be at most {MAX_MAJOR} {}", currency.code()))?;
        let mut frac_minor: i64 = 0;
        for i in 0..exp {
            let d = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            frac_minor = frac_minor * 10 + d;
        }
        // Bounded by MAX_MAJOR above, but checked all the same: no unchecked arithmetic on
        // minor units anywhere.
        let minor = 10_i64
            .checked_pow(exp as u32)
            .and_then(|unit| whole.checked_mul(unit))
            .and_then(|m| m.checked_add(frac_minor))
            .ok_or_else(|| format!("must be at most {MAX_MAJOR} {}", currency.code()))?;
        Ok(Self::new(minor, currency))
    }

    /// `self × quantity`, or `None` if it would not fit.
    pub fn checked_mul(&self, quantity: u32) -> Option<Money> {
        self.minor
            .checked_mul(i64::from(quantity))
            .map(|minor| Money::new(minor, self.currency))
    }

    /// `self + other` in one currency; `None` for another currency or an overflow.
    pub fn checked_add(&self, other: &Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::new(minor, self.currency))
    }

    /// `12.50` (no symbol, no grouping): the form CSV files use.
    pub fn to_decimal(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let unit = 10_u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / unit,
            abs % unit,
            width = exp as usize
        )
    }

    /// What a shopper reads: symbol, grouped thousands and the currency's decimals,
    /// e.g. `€1,299.00`, `¥1,500`, `CHF 12.50`.
    pub fn display(&self) -> String {
        let exp = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        let unit = 10_u64.pow(exp);
        let whole = group(abs / unit);
        let number = if exp == 0 {
            whole
        } else {
            format!("{whole}.{:0width$}", abs % unit, width = exp as usize)
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        let sym = self.currency.symbol();
        if sym.chars().count() == 1 {
            format!("{sign}{sym}{number}")
        } else {
            format!("{sign}{sym}\u{a0}{number}")
        }
    }

    /// `self × pct / 100`, rounded half up (prices are non-negative); saturates at the
    /// ends of `i64` rather than wrapping.
    pub fn percent(&self, pct: i64) -> Money {
        let raw = (i128::from(self.minor) * i128::from(pct) + 50).div_euclid(100);
        Money::new(saturate(raw), self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How a store turns a list price into its own price: a markup in basis points (1 % = 100)
/// and a rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRule {
    pub markup_bp: i32,
    pub rounding: Rounding,
}

impl Default for PricingRule {
    fn default() -> Self {
        Self {
            markup_bp: 0,
            rounding: Rounding::None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// To the minor unit (half up).
    None,
    /// To the nearest whole major unit (half up): 12.49 → 12.00, 12.50 → 13.00.
    Whole,
    /// Up to the next price ending in .99 (12.10 → 12.99; whole-unit currencies: …9).
    Ends99,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Whole => "whole",
            Self::Ends99 => "ends_99",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "whole" => Some(Self::Whole),
            "ends_99" => Some(Self::Ends99),
            _ => None,
        }
    }
}

/// The markup a store may set, in basis points: -50 % to +400 %.
pub const MARKUP_RANGE_BP: (i32, i32) = (-5_000, 40_000);

impl PricingRule {
    pub fn new(markup_bp: i32, rounding: Rounding) -> Result<Self> {
        if !(MARKUP_RANGE_BP.0..=MARKUP_RANGE_BP.1).contains(&markup_bp) {
            return Err(Error::validation(
                "markup",
                "must be between -50 % and +400 %",
            ));
        }
        Ok(Self {
            markup_bp,
            rounding,
        })
    }

    /// The store's price for a list price. Computed in i128 (a list price is at most
    /// MAX_MAJOR, the markup at most +400 %, so nothing comes near overflowing) and brought
    /// back to i64 without wrapping.
    pub fn apply(&self, list: Money) -> Money {
        let raw = i128::from(list.minor) * i128::from(10_000 + self.markup_bp);
        let minor = (raw + 5_000).div_euclid(10_000);
        let exp = list.currency.exponent();
        let unit = 10_i128.pow(exp);
        let minor = match self.rounding {
            Rounding::None => minor,
            Rounding::Whole => ((minor + unit / 2).div_euclid(unit)) * unit,
            Rounding::Ends99 => {
                // The smallest price at or above that ends in .99 (…9 without decimals).
                let step = if exp == 0 { 10 } else { unit };
                (minor + step).div_euclid(step) * step - 1
            }
        };
        Money::new(saturate(minor).max(0), list.currency)
    }
}

/// An i128 result brought back to i64, clamped at its ends.
fn saturate(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_on_minor_units_is_checked() {
        let eur = Currency::parse("eur").expect("EUR");
        let usd = Currency::parse("usd").expect("USD");
        let p = Money::new(1_999, eur);
        assert_eq!(p.checked_mul(3), Some(Money::new(5_997, eur)));
        assert_eq!(Money::new(i64::MAX / 2, eur).checked_mul(3), None);
        assert_eq!(
            p.checked_add(&Money::new(1, eur)),
            Some(Money::new(2_000, eur))
        );
        assert_eq!(
            p.checked_add(&Money::new(1, usd)),
            None,
            "no sum across currencies"
        );
        assert_eq!(
            Money::new(i64::MAX, eur).checked_add(&Money::new(1, eur)),
            None
        );
        assert_eq!(
            Money::new(i64::MAX, eur).percent(200).minor,
            i64::MAX,
            "saturates"
        );
    }

    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }

    #[test]
    fn parses_decimals_without_floats() {
        assert_eq!(Money::parse_decimal("12.5", eur()).unwrap().minor, 1250);
        assert_eq!(
            Money::parse_decimal("1,299.00", eur()).unwrap().minor,
            129_900
        );
        assert_eq!(Money::parse_decimal("0.07", eur()).unwrap().minor, 7);
        // The message is what the price field shows.
        let refused = |raw: &str, currency| Money::parse_decimal(raw, currency).unwrap_err();
        assert_eq!(refused("1.234", eur()), "EUR has at most 2 decimal places");
        assert_eq!(
            refused("-1", eur()),
            "'-1' is not a price (use digits, e.g. 12.50)"
        );
        assert_eq!(
            refused("1e3", eur()),
            "'1e3' is not a price (use digits, e.g. 12.50)"
        );
        assert_eq!(refused(" ", eur()), "enter a price");
        assert_eq!(refused("", eur()), "enter a price");
        assert_eq!(refused("10000001", eur()), "must be at most 10000000 EUR");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse_decimal("1500", jpy).unwrap().minor, 1500);
        assert_eq!(refused("1500.5", jpy), "JPY has at most 0 decimal places");
        assert!(Currency::parse("XAU").is_none());
        assert!(Currency::parse("ZZZ").is_none());
    }

    #[test]
    fn formats_for_people_and_files() {
        let m = Money::new(129_900, eur());
        assert_eq!(m.to_decimal(), "1299.00");
        assert_eq!(m.display(), "€1,299.00");
        let jpy = Money::new(1500, Currency::parse("JPY").unwrap());
        assert_eq!(jpy.to_decimal(), "1500");
        assert_eq!(jpy.display(), "¥1,500");
    }

    #[test]
    fn pricing_rules() {
        let list = Money::new(1000, eur());
        let r = |bp, rounding| PricingRule::new(bp, rounding).unwrap().apply(list).minor;
        assert_eq!(r(0, Rounding::None), 1000);
        assert_eq!(r(1500, Rounding::None), 1150);
        assert_eq!(r(1234, Rounding::None), 1123);
        assert_eq!(r(1250, Rounding::Whole), 1100);
        assert_eq!(r(2500, Rounding::Whole), 1300);
        assert_eq!(r(1500, Rounding::Ends99), 1199);
        assert_eq!(r(990, Rounding::Ends99), 1099);
        assert_eq!(r(900, Rounding::Ends99), 1099);
        for bp in [50_000, -5_001, 40_001] {
            assert!(
                matches!(
                    PricingRule::new(bp, Rounding::None),
                    Err(Error::Validation { field: "markup", ref message })
                        if message == "must be between -50 % and +400 %"
                ),
                "{bp}"
            );
        }
        assert!(PricingRule::new(-5_000, Rounding::None).is_ok());
        assert!(PricingRule::new(40_000, Rounding::None).is_ok());
    }
}
