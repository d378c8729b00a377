//! The API reference page, rendered by the hub from its own OpenAPI document: it works with
//! no internet access (no CDN, no script), and every text in it is escaped.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as esc};
use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};

use super::problem::{Kind, TYPE_BASE};

const KINDS: [Kind; 18] = [
    Kind::MissingKey,
    Kind::InvalidKey,
    Kind::PartnerInactive,
    Kind::InsufficientScope,
    Kind::TestKey,
    Kind::NotFound,
    Kind::MethodNotAllowed,
    Kind::MalformedRequest,
    Kind::UnsupportedMediaType,
    Kind::Validation,
    Kind::StaleVersion,
    Kind::Conflict,
    Kind::PayloadTooLarge,
    Kind::RateLimited,
    Kind::IdempotencyMismatch,
    Kind::IdempotencyInFlight,
    Kind::UnsafeUrl,
    Kind::Internal,
];

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"/pkg/hub.css\"></head><body><main id=\"main\"><section class=\"section\"><div class=\"container narrow-wide\">",
        esc(title)
    )
}

const FOOT: &str = "</div></section></main></body></html>";

fn operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let id = format!("{method}-{path}").replace(['/', '{', '}'], "-");
    let _ = write!(
        out,
        "<article class=\"card api-op\" id=\"{}\"><h3><code>{} /partner/v1{}</code></h3>",
        attr(&id),
        esc(&method.to_ascii_uppercase()),
        esc(path)
    );
    if let Some(d) = op.description.as_deref().or(op.summary.as_deref()) {
        let _ = write!(out, "<p>{}</p>", esc(d));
    }
    if let Some(params) = &op.parameters
        && !params.is_empty()
    {
        out.push_str("<h4>Parameters</h4><ul>");
        for p in params {
            let RefOr::T(p) = p else { continue };
            let _ = write!(
                out,
                "<li><code>{}</code> ({}{}){}</li>",
                esc(&p.name),
                match p.parameter_in {
                    utoipa::openapi::path::ParameterIn::Query
                    | utoipa::openapi::path::ParameterIn::QueryString => "query",
                    utoipa::openapi::path::ParameterIn::Path => "path",
                    utoipa::openapi::path::ParameterIn::Header => "header",
                    utoipa::openapi::path::ParameterIn::Cookie => "cookie",
                },
                if matches!(p.required, utoipa::openapi::Required::True) {
                    ", required"
                } else {
                    ""
                },
                p.description
                    .as_deref()
                    .map(|d| format!(": {}", esc(d)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul>");
    }
    if let Some(RefOr::T(body)) = &op.request_body {
        out.push_str("<h4>Body</h4><ul>");
        for (ct, content) in &body.content {
            let RefOr::T(content) = content else { continue };
            let schema = match &content.schema {
                Some(RefOr::Ref(r)) => r
                    .ref_location
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                _ => "inline".into(),
            };
            let _ = write!(
                out,
                "<li><code>{}</code>: <a href=\"#schema-{}\">{}</a></li>",
                esc(ct),
                attr(&schema),
                esc(&schema)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("<h4>Answers</h4><ul>");
    for (status, resp) in &op.responses.responses {
        let desc = match resp {
            RefOr::T(r) => r.description.clone(),
            RefOr::Ref(r) => r.ref_location.clone(),
        };
        let _ = write!(
            out,
            "<li><strong>{}</strong> {}</li>",
            esc(status),
            esc(&desc)
        );
    }
    out.push_str("</ul></article>");
}

/// The reference page for `doc`.
pub fn page(doc: &OpenApi) -> String {
    let mut out = head("Partner API reference");
    let _ = write!(
        out,
        "<h1>{} v{}</h1><p>{}</p><p><a href=\"/partner/v1/openapi.json\">The OpenAPI 3.1 document</a> · <a href=\"/partner/v1/problems\">Error types</a></p>",
        esc(&doc.info.title),
        esc(&doc.info.version),
        esc(doc.info.description.as_deref().unwrap_or_default())
    );
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
        ] {
            if let Some(op) = op {
                operation(&mut out, method, path, op);
            }
        }
    }
    if let Some(components) = &doc.components {
        out.push_str("<h2>Schemas</h2>");
        for (name, schema) in &components.schemas {
            let json = serde_json::to_string_pretty(schema).unwrap_or_default();
            let _ = write!(
                out,
                "<article class=\"card api-schema\" id=\"schema-{}\"><h3>{}</h3><pre>{}</pre></article>",
                attr(name),
                esc(name),
                esc(&json)
            );
        }
    }
    out.push_str(FOOT);
    out
}

/// The page every problem `type` points into.
pub fn problems() -> String {
    let mut out = head("Partner API error types");
    out.push_str("<h1>Error types</h1><p>Every error is RFC 9457 problem details (<code>application/problem+json</code>). Branch on <code>type</code>; show <code>detail</code> to a person.</p><ul>");
    for k in KINDS {
        let _ = write!(
            out,
            "<li id=\"{}\"><code>{}{}</code>: {}</li>",
            attr(k.slug()),
            esc(TYPE_BASE),
            k.slug(),
            k.status()
        );
    }
    out.push_str("</ul>");
    out.push_str(FOOT);
    out
}
