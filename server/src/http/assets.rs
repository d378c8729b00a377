//! Static files: the build's `/pkg` (wasm, js, css) and the public assets copied into the
//! site root. Files under `/pkg` keep their names across builds, so browsers revalidate them
//! on each use (a cheap 304). Public assets (favicon, robots.txt, …) are read into memory once
//! at start ([`PublicFiles`]): they are few and small, and a request for one then costs no file
//! system call. Browsers keep them for a day.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use super::ServerState;

const PKG_CACHE: HeaderValue = HeaderValue::from_static("public, no-cache");
const PUBLIC_CACHE: HeaderValue = HeaderValue::from_static("public, max-age=86400");
/// A public file larger than this is not served (the site root holds icons and small pages).
const MAX_FILE: u64 = 2 * 1024 * 1024;
/// Public files read in all.
const MAX_TOTAL: u64 = 64 * 1024 * 1024;

pub fn build_assets(state: &ServerState) -> SetResponseHeader<ServeDir, HeaderValue> {
    let dir = state.config.site_root.join(&state.config.site_pkg_dir);
    SetResponseHeader::overriding(
        ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        header::CACHE_CONTROL,
        PKG_CACHE,
    )
}

#[derive(Debug)]
struct PublicFile {
    body: Bytes,
    content_type: HeaderValue,
    etag: HeaderValue,
}

/// The site root's public files (everything but the build's `/pkg`), in memory, by URL path.
#[derive(Clone, Debug, Default)]
pub struct PublicFiles(Arc<HashMap<String, PublicFile>>);

impl PublicFiles {
    /// Reads the public files under `root`, skipping `pkg_dir`, hidden files, and files over
    /// 2 MiB (each is logged). An absent root gives an empty set (a server without a Leptos
    /// build still serves its pages).
    pub fn load(root: &Path, pkg_dir: &str) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        let mut total = 0u64;
        if root.is_dir() {
            walk(root, root, pkg_dir, &mut files, &mut total)?;
        }
        tracing::debug!(files = files.len(), bytes = total, "public files loaded");
        Ok(Self(Arc::new(files)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The answer for `path` if it names a public file.
    fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        let file = self.0.get(path)?;
        let fresh = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim() == file.etag || t.trim() == "*")
            });
        let mut res = if fresh {
            Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
        } else if method == Method::HEAD {
            Response::builder()
                .header(header::CONTENT_LENGTH, file.body.len())
                .body(Body::empty())
        } else {
            Response::builder().body(Body::from(file.body.clone()))
        }
        .ok()?;
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, file.content_type.clone());
        h.insert(header::ETAG, file.etag.clone());
        h.insert(header::CACHE_CONTROL, PUBLIC_CACHE);
        Some(res)
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    pkg_dir: &str,
    out: &mut HashMap<String, PublicFile>,
    total: &mut u64,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if dir == root && name == pkg_dir {
                continue;
            }
            walk(root, &path, pkg_dir, out, total)?;
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let len = entry.metadata()?.len();
        if len > MAX_FILE || *total + len > MAX_TOTAL {
            tracing::warn!(file = %path.display(), bytes = len, "public file too large to serve; skipped");
            continue;
        }
        let Some(url) = url_path(rel) else {
            continue;
        };
        let body = Bytes::from(std::fs::read(&path)?);
        *total += body.len() as u64;
        let mime = mime_guess::from_path(&path).first_or_octet_stream();
        let content_type = HeaderValue::from_str(mime.essence_str())
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        let digest = Sha256::digest(&body);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
            .unwrap_or(HeaderValue::from_static("\"0\""));
        out.insert(
            url,
            PublicFile {
                body,
                content_type,
                etag,
            },
        );
    }
    Ok(())
}

/// `a/b.svg` → `/a/b.svg`, for paths made of plain UTF-8 names only.
fn url_path(rel: &Path) -> Option<String> {
    let mut url = String::new();
    for part in rel.components() {
        let std::path::Component::Normal(p) = part else {
            return None;
        };
        url.push('/');
        url.push_str(p.to_str()?);
    }
    Some(url)
}

/// A public file, answered right after the page cache: through the same layers a kept
/// storefront page passes (host → tenant, the CSRF check, the session), and nothing more (no
/// router: a public file is the same for everyone and changes nothing).
pub async fn public_files(State(state): State<ServerState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(res) = state
            .public
            .answer(req.method(), req.uri().path(), req.headers())
    {
        return res;
    }
    next.run(req).await
}

/// The app's own page for a path no route and no file answers (its 404).
pub async fn not_found_page(State(state): State<ServerState>, req: Request) -> Response {
    let app_state = state.app.clone();
    let leptos = state.leptos.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || app::context::provide_request_context(&app_state),
        move || app::shell(leptos.clone()),
    );
    render(req).await.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_public_files_but_not_the_build_or_hidden_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("favicon.svg"), b"<svg/>").expect("write");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("mkdir");
        std::fs::write(dir.path().join("pkg/hub.js"), b"js").expect("write");
        std::fs::create_dir_all(dir.path().join("img")).expect("mkdir");
        std::fs::write(dir.path().join("img/a.png"), b"png").expect("write");
        std::fs::write(dir.path().join(".env"), b"secret").expect("write");
        let files = PublicFiles::load(dir.path(), "pkg").expect("load");
        assert_eq!(files.len(), 2);
        let res = files
            .answer(&Method::GET, "/favicon.svg", &HeaderMap::new())
            .expect("favicon");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/svg+xml");
        let etag = res.headers()[header::ETAG].clone();
        assert!(
            files
                .answer(&Method::GET, "/img/a.png", &HeaderMap::new())
                .is_some()
        );
        assert!(
            files
                .answer(&Method::GET, "/pkg/hub.js", &HeaderMap::new())
                .is_none()
        );
        assert!(
            files
                .answer(&Method::GET, "/.env", &HeaderMap::new())
                .is_none()
        );
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag);
        let res = files.answer(&Method::GET, "/favicon.svg", &h).expect("304");
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    }

    #[test]
    fn an_absent_site_root_serves_nothing() {
        let files = PublicFiles::load(Path::new("/nonexistent/site"), "pkg").expect("load");
        assert!(files.is_empty());
    }
}
