//! Cross-site request refusal. Store subdomains are same-site to each other, so SameSite
//! cookies alone would let `evil.hub.example` post to `acme.hub.example`: every
//! state-changing request must prove it comes from its own origin.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, StatusCode, header};

pub async fn check(req: Request, next: Next) -> Response {
    if is_safe(req.method()) || same_origin(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), path = req.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "This request did not come from this site's own pages, so it was refused.\n",
        )
            .into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// `Sec-Fetch-Site: same-origin` when the browser sends it (it cannot be forged by a page);
/// otherwise an `Origin` whose host and port equal the request's `Host`.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origin_must_equal_host() {
        assert!(same_origin(&headers(&[
            ("host", "acme.localhost:3000"),
            ("origin", "http://acme.localhost:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "acme.localhost:3000"),
            ("origin", "http://bolt.localhost:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "acme.localhost:3000"),
            ("origin", "http://acme.localhost:3000.evil.com")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "acme.localhost:3000"),
            ("origin", "null")
        ])));
        assert!(!same_origin(&headers(&[("host", "acme.localhost:3000")])));
    }

    #[test]
    fn fetch_metadata_wins_over_origin() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[
            ("sec-fetch-site", "same-site"),
            ("host", "acme.localhost:3000"),
            ("origin", "http://acme.localhost:3000"),
        ])));
    }
}
