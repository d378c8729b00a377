//! A webhook receiver for tests: an HTTP server on loopback that keeps every request it
//! accepted, and that can be told to be down (503), to redirect, or to be up again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// How the receiver answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Up,
    /// 503 to everything.
    Down,
    /// 302 to this URL.
    Redirect(String),
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// Whether it was answered 2xx (accepted).
    pub accepted: bool,
}

#[derive(Default)]
struct Inner {
    mode: Option<Mode>,
    got: Vec<Received>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

async fn hook(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> Response {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut g = inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mode = g.mode.clone().unwrap_or(Mode::Up);
    g.got.push(Received {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        accepted: mode == Mode::Up,
    });
    match mode {
        Mode::Up => (StatusCode::OK, "thanks").into_response(),
        Mode::Down => (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance").into_response(),
        Mode::Redirect(to) => {
            (StatusCode::FOUND, [(axum::http::header::LOCATION, to)], "").into_response()
        }
    }
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(hook))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the receiver");
        let addr = listener.local_addr().expect("its address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, inner }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .mode = Some(mode);
    }

    /// Every request so far.
    pub fn got(&self) -> Vec<Received> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .got
            .clone()
    }

    /// The requests it accepted.
    pub fn accepted(&self) -> Vec<Received> {
        self.got().into_iter().filter(|r| r.accepted).collect()
    }

    /// Waits (up to 15 s) until it has accepted `n` requests.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let got = self.accepted();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
