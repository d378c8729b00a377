//! The session cookies. Host-only by construction: the `__Host-` prefix makes browsers refuse
//! them unless they are Secure, Path=/ and carry no Domain, so a cookie set by one store is
//! never sent to a sibling store on the same hub domain.

use http::HeaderMap;
use http::header::COOKIE;
use tenants::auth::Issued;
use tenants::auth::sessions::{ACCESS_TTL, SESSION_TTL};

pub const ACCESS_COOKIE: &str = "__Host-hub_session";
pub const REFRESH_COOKIE: &str = "__Host-hub_refresh";
/// A guest's cart id at this store (a customer's cart hangs off the account instead).
pub const CART_COOKIE: &str = "__Host-hub_cart";
/// How long a guest cart is remembered.
pub const CART_TTL_SECS: u64 = 30 * 24 * 3600;

fn cookie(name: &str, value: &str, max_age_secs: u64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax")
}

/// `Set-Cookie` values for newly issued tokens.
pub fn set_cookies(issued: &Issued) -> Vec<String> {
    let mut out = vec![cookie(ACCESS_COOKIE, &issued.access, ACCESS_TTL.as_secs())];
    if let Some(refresh) = &issued.refresh {
        out.push(cookie(REFRESH_COOKIE, refresh, SESSION_TTL.as_secs()));
    }
    out
}

/// `Set-Cookie` values that delete both cookies.
pub fn clear_cookies() -> Vec<String> {
    vec![cookie(ACCESS_COOKIE, "", 0), cookie(REFRESH_COOKIE, "", 0)]
}

/// `Set-Cookie` for a guest cart.
pub fn cart_cookie(id: &tenants::CartId) -> String {
    cookie(CART_COOKIE, &id.to_string(), CART_TTL_SECS)
}

/// `Set-Cookie` that forgets the guest cart (after it was merged at log-in).
pub fn clear_cart_cookie() -> String {
    cookie(CART_COOKIE, "", 0)
}

/// The guest cart id a request carries, if well-formed.
pub fn read_cart(headers: &HeaderMap) -> Option<tenants::CartId> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|t| t.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| name.trim() == CART_COOKIE)
        .and_then(|(_, v)| tenants::CartId::parse(v.trim()))
}

/// The access and refresh tokens a request carries.
pub fn read(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let mut access = None;
    let mut refresh = None;
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for pair in text.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.trim() {
                ACCESS_COOKIE => access = Some(value.to_owned()),
                REFRESH_COOKIE => refresh = Some(value.to_owned()),
                _ => {}
            }
        }
    }
    (access, refresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_host_only() {
        let issued = Issued {
            access: "a.b.c".into(),
            refresh: Some("r".into()),
        };
        for c in set_cookies(&issued).into_iter().chain(clear_cookies()) {
            assert!(c.starts_with("__Host-"), "{c}");
            assert!(c.contains("; Secure"), "{c}");
            assert!(c.contains("; HttpOnly"), "{c}");
            assert!(c.contains("; Path=/;"), "{c}");
            assert!(c.contains("SameSite=Lax"), "{c}");
            assert!(!c.to_ascii_lowercase().contains("domain"), "{c}");
        }
    }

    #[test]
    fn reads_both_cookies_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            COOKIE,
            "theme=dark; __Host-hub_session=tok; __Host-hub_refresh=ref"
                .parse()
                .unwrap(),
        );
        assert_eq!(read(&h), (Some("tok".into()), Some("ref".into())));
        assert_eq!(read(&HeaderMap::new()), (None, None));
    }
}
