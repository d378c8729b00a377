//! A normalised e-mail address.

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims and lower-cases the address and checks its shape: one '@', a local part of at
    /// most 64 characters, a domain with a dot and no empty labels, 254 characters in all.
    pub fn parse(raw: &str) -> Result<Self> {
        let invalid = |why: &str| Err(Error::validation("email", why));
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return invalid("enter an e-mail address");
        }
        if email.len() > 254 {
            return invalid("must be at most 254 characters");
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid("must not contain spaces");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("is missing an '@'");
        };
        if local.is_empty() || local.len() > 64 || domain.contains('@') {
            return invalid("is not a valid e-mail address");
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return invalid("needs a domain such as example.com");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Sales@Example.COM ").ok().map(|e| e.0),
            Some("sales@example.com".to_owned())
        );
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "a@b",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "a@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
