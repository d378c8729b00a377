//! What every answer carries and what every request must be, before anything else runs:
//! a Content-Security-Policy with a fresh nonce per response (the page's scripts and its one
//! inline style carry it), no framing, no sniffing, a referrer policy, HSTS behind https; a
//! request with two `Host` headers is refused, a body over the limit is refused with 413
//! whether it declared its length or came chunked, and a request id the client made up is
//! kept only if it is a plain token (it is echoed into pages and logs).

use std::sync::Arc;

use app::context::CspNonce;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use super::REQUEST_ID;

/// What the headers depend on: the limits, and whether people reach the hub over https.
#[derive(Clone, Debug)]
pub struct Policy {
    pub body_limit: usize,
    /// Paths allowed a larger body (the catalog import's upload), with their limit.
    pub large_bodies: Vec<(&'static str, usize)>,
    pub https: bool,
}

impl Policy {
    fn limit_for(&self, path: &str) -> usize {
        self.large_bodies
            .iter()
            .find(|(p, _)| *p == path)
            .map_or(self.body_limit, |(_, limit)| *limit)
    }
}

pub async fn guard(State(policy): State<Arc<Policy>>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    if req.headers().get_all(header::HOST).iter().count() > 1 {
        tracing::warn!(
            path = req.uri().path(),
            "request with two Host headers refused"
        );
        return finish(
            plain(StatusCode::BAD_REQUEST, "A request must name one host.\n"),
            &nonce,
            &policy,
        );
    }
    drop_invented_request_id(req.headers_mut());
    let limit = policy.limit_for(req.uri().path());
    let req = match limit_body(req, limit).await {
        Ok(req) => req,
        Err(res) => return finish(res, &nonce, &policy),
    };
    let mut req = req;
    req.extensions_mut().insert(nonce.clone());
    let res = next.run(req).await;
    finish(res, &nonce, &policy)
}

/// A declared length over the limit is refused before reading; a chunked body is read up to
/// the limit here, so the handlers behind never see a body cut off half way (which they would
/// report as a server error).
async fn limit_body(req: Request, limit: usize) -> Result<Request, Response> {
    let too_large = || {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than this hub accepts ({limit} bytes).\n"),
        )
    };
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH) {
        return match len.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()) {
            Some(n) if n > limit as u64 => Err(too_large()),
            Some(_) => Ok(req),
            None => Err(plain(
                StatusCode::BAD_REQUEST,
                "The Content-Length header is not a number.\n",
            )),
        };
    }
    if !req.headers().contains_key(header::TRANSFER_ENCODING) {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return Err(too_large());
    };
    parts.headers.remove(header::TRANSFER_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A client may send its own request id (a proxy's, say) if it is a plain token; anything
/// else is dropped and the hub makes one.
fn drop_invented_request_id(headers: &mut HeaderMap) {
    let plain = headers.get_all(REQUEST_ID).iter().count() == 1
        && headers.get(REQUEST_ID).is_some_and(|v| {
            let b = v.as_bytes();
            (1..=64).contains(&b.len())
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        });
    if !plain {
        headers.remove(REQUEST_ID);
    }
}

fn plain(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// The policy for pages: scripts and the inline style only with this response's nonce (and
/// the hub's own files), wasm allowed to compile, no plugins, no `<base>`, forms only to this
/// host, never inside a frame. Style attributes stay allowed: they carry layout computed from
/// checked values and cannot run code.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn finish(mut res: Response, nonce: &CspNonce, policy: &Policy) -> Response {
    let h = res.headers_mut();
    // A route with a stricter policy of its own (uploaded media) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&content_security_policy(nonce.as_str()))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if policy.https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_request_ids_are_dropped() {
        let mut h = HeaderMap::new();
        h.insert(
            REQUEST_ID,
            HeaderValue::from_static("<script>alert(1)</script>"),
        );
        drop_invented_request_id(&mut h);
        assert!(h.get(REQUEST_ID).is_none());
        h.insert(REQUEST_ID, HeaderValue::from_static("lb-7f3a.2_x"));
        drop_invented_request_id(&mut h);
        assert_eq!(
            h.get(REQUEST_ID).map(HeaderValue::as_bytes),
            Some(&b"lb-7f3a.2_x"[..])
        );
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let p = content_security_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123'"), "{p}");
        assert!(p.contains("frame-ancestors 'none'"), "{p}");
        let script = p
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src "))
            .expect("a script-src directive");
        assert!(
            !script
                .split_whitespace()
                .any(|t| t == "'unsafe-inline'" || t == "'unsafe-eval'"),
            "{script}"
        );
    }
}
