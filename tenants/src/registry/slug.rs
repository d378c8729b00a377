//! A store's slug: the DNS label its store answers at (`{slug}.{hub domain}`).

use crate::error::{Error, Result};

/// Labels no tenant may take: they name the hub's own services or would confuse customers.
pub const RESERVED: [&str; 24] = [
    "admin", "api", "app", "assets", "auth", "billing", "blog", "cdn", "docs", "ftp", "help",
    "hub", "imap", "login", "mail", "ns1", "ns2", "partners", "pop", "smtp", "static", "status",
    "support", "www",
];

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// 3 to 63 characters of a–z, 0–9 and '-', no leading or trailing '-', not reserved.
    /// Upper case is folded to lower case; surrounding spaces are ignored.
    pub fn parse(raw: &str) -> Result<Self> {
        let slug = raw.trim().to_ascii_lowercase();
        let invalid = |message: String| Err(Error::validation("slug", message));
        if slug.len() < 3 || slug.len() > 63 {
            return invalid("must be 3 to 63 characters long".to_owned());
        }
        if let Some(bad) = slug
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return invalid(format!(
                "may only contain letters a–z, digits and '-' (found '{bad}')"
            ));
        }
        if slug.starts_with('-') || slug.ends_with('-') {
            return invalid("must not start or end with '-'".to_owned());
        }
        if RESERVED.contains(&slug.as_str()) {
            return invalid(format!("'{slug}' is reserved; choose another name"));
        }
        Ok(Self(slug))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dns_labels() {
        for ok in ["acme", "bolt-tools", "a1b", &"x".repeat(63)] {
            assert_eq!(Slug::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(Slug::parse("  ACME ").unwrap().as_str(), "acme");
    }

    #[test]
    fn refuses_bad_labels_with_a_reason() {
        let cases = [
            ("ab", "3 to 63"),
            (&"x".repeat(64), "3 to 63"),
            ("-acme", "start or end"),
            ("acme-", "start or end"),
            ("ac_me", "found '_'"),
            ("acmé", "found 'é'"),
            ("www", "reserved"),
            ("Admin", "reserved"),
        ];
        for (raw, reason) in cases {
            let err = Slug::parse(raw).unwrap_err().to_string();
            assert!(err.contains(reason), "{raw:?}: {err}");
        }
    }
}
