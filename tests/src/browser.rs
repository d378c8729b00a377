//! Browser tests: the `hub` binary that the Leptos build produced, on a free port with a
//! fresh database, driven by headless Chromium through chromedriver.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::TestDb;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Where screenshots go: `target/screenshots/` under the workspace.
pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = workspace_root().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir.join(format!("{name}.png"))
}

pub fn env_path(var: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or(default)
}

/// `hub {sub}` for a test: the built binary on `port`, with the data directory `data`, the
/// database `db` and the site `site`, none of the caller's `HUB_*` settings, and webhooks and
/// live prices allowed to reach this machine over plain http.
pub(crate) fn hub_command(
    bin: &Path,
    site: &Path,
    port: u16,
    data: &Path,
    db: &TestDb,
    sub: &str,
) -> Command {
    let mut cmd = Command::new(bin);
    for (key, _) in std::env::vars() {
        if key.starts_with("HUB_") {
            cmd.env_remove(key);
        }
    }
    cmd.arg(sub)
        .current_dir(workspace_root())
        .env("HUB_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("HUB_DATA_DIR", data)
        .env("HUB_DATABASE_URL", db.url())
        .env("HUB_SITE_ROOT", site)
        .env("HUB_LOG_FILTER", "warn")
        .env("HUB_OUTBOUND_ALLOW_HTTP", "true")
        .env("HUB_OUTBOUND_ALLOW_LOOPBACK", "true");
    if let Some(owner) = db.owner_url() {
        cmd.env("HUB_DATABASE_MIGRATE_URL", owner);
    }
    cmd
}

/// A child process killed when dropped.
pub(crate) struct Guard(pub(crate) Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The built hub binary, serving on its own port.
pub struct BrowserHub {
    pub port: u16,
    _server: Guard,
    _data: tempfile::TempDir,
    _db: TestDb,
}

impl BrowserHub {
    /// Starts `TEST_HUB_BIN` (default `target/debug/hub`) with the site from `TEST_SITE_ROOT`
    /// (default `target/site`). Returns `None` if the database backend is unavailable.
    pub async fn start() -> Option<Self> {
        let root = workspace_root();
        let bin = env_path("TEST_HUB_BIN", root.join("target/debug/hub"));
        let site = env_path("TEST_SITE_ROOT", root.join("target/site"));
        assert!(
            bin.exists() && site.join("pkg").exists(),
            "browser tests need the Leptos build: run `make build` (looked for {} and {}/pkg)",
            bin.display(),
            site.display()
        );
        let db = TestDb::create().await?;
        let data = tempfile::tempdir().expect("a temp dir");
        let port = free_port();
        let command = |sub: &str| hub_command(&bin, &site, port, data.path(), &db, sub);
        // The demo data `make run` starts with: a hub admin, stores acme and bolt with a
        // customer each, a pending store.
        let seeded = command("seed").output().expect("run hub seed");
        assert!(
            seeded.status.success(),
            "hub seed failed: {}",
            String::from_utf8_lossy(&seeded.stderr)
        );
        let child = command("serve")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the hub binary");
        let hub = Self {
            port,
            _server: Guard(child),
            _data: data,
            _db: db,
        };
        wait_for_http(&format!("http://127.0.0.1:{port}/healthz")).await;
        Some(hub)
    }

    /// A SKU every tenant in `slugs` prices (the demo's distributors, and acme for its own
    /// stock, which acme's store also sells).
    pub async fn sku_priced_by(&self, slugs: &[&str]) -> String {
        use tenants::access::operator;
        use tenants::partners::price_list;
        let db = self.database().await;
        let mut sets = Vec::new();
        for slug in slugs {
            let t = tenants::registry::find_by_slug(&db, slug)
                .await
                .expect("db")
                .unwrap_or_else(|| panic!("the demo has {slug}"));
            let page = price_list::list(&operator(&db, &t), None, 500)
                .await
                .expect("prices");
            sets.push(
                page.items
                    .into_iter()
                    .map(|p| p.sku)
                    .collect::<std::collections::BTreeSet<_>>(),
            );
        }
        sets[0]
            .iter()
            .find(|s| sets[1..].iter().all(|o| o.contains(*s)))
            .cloned()
            .expect("a SKU they all price")
    }

    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// The served database, for tests that plant data the way another process would.
    pub async fn database(&self) -> tenants::Database {
        tenants::Database::open(
            self._db.owner_url().unwrap_or(self._db.url()),
            &tenants::DbOptions::default(),
        )
        .await
        .expect("open the served database")
    }
}

pub(crate) async fn wait_for_http(url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(url).send().await
            && res.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{url} did not answer within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Headless Chromium behind its own chromedriver. Dropping it ends Chromium's processes (found
/// by their profile directory: killing chromedriver alone leaves them running), then the
/// driver, then the profile.
pub struct Browser {
    pub client: Client,
    driver_port: u16,
    _driver: Guard,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let marker = format!("--user-data-dir={}", self._profile.path().display());
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--", &marker])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Browser {
    pub async fn start() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect(
                    "start chromedriver (install chromium-driver, or run `make test`, which does)",
                );
        let driver = Guard(driver);
        wait_for_http(&format!("http://127.0.0.1:{port}/status")).await;
        let profile = tempfile::tempdir().expect("a temp dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({"browser": "ALL"}),
        );
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::rustls()
            .expect("rustls client")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("connect to chromedriver");
        Self {
            client,
            driver_port: port,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens `url` and waits until the page has hydrated.
    pub async fn open_hydrated(&self, url: &str) {
        self.client.goto(url).await.expect("open the page");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .client
                .execute("return document.body.dataset.hydrated || null", vec![])
                .await
                .expect("read the hydration mark");
            if state.as_str() == Some("true") {
                return;
            }
            if Instant::now() > deadline {
                let shot = self.screenshot("hydration-timeout").await;
                eprintln!("browser console:\n{}", self.console_log().await);
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                panic!(
                    "{url} did not hydrate within 30 s (screenshot {})",
                    shot.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The browser's console messages so far (chromedriver's log endpoint), for diagnosing.
    pub async fn console_log(&self) -> String {
        let Ok(Some(session)) = self.client.session_id().await else {
            return String::new();
        };
        let url = format!(
            "http://127.0.0.1:{}/session/{session}/se/log",
            self.driver_port
        );
        let res = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"type": "browser"}))
            .send()
            .await;
        match res {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => format!("(no log: {e})"),
        }
    }

    /// Scrolls the element to the middle of the viewport (clear of the sticky header), then
    /// clicks it as a person would.
    /// Types `text` into the input with id `id`.
    /// Opens the log-in page at `login_url`, signs in and waits for the account chip.
    pub async fn log_in(&self, login_url: &str, email: &str, password: &str) {
        self.open_hydrated(login_url).await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click("form button[type=submit]").await;
        self.wait_text("[data-testid=account-chip]").await;
    }

    pub async fn fill(&self, id: &str, text: &str) {
        self.client
            .find(fantoccini::Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"))
            .send_keys(text)
            .await
            .expect("type into the field");
    }

    /// Waits up to 15 s for an element matching `css` and returns its text; on a timeout,
    /// takes a screenshot and fails with the page's address.
    pub async fn wait_text(&self, css: &str) -> String {
        match self
            .client
            .wait()
            .at_most(std::time::Duration::from_secs(15))
            .for_element(fantoccini::Locator::Css(css))
            .await
        {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(e) => {
                let shot = self.screenshot("wait-failure").await;
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let log = self.console_log().await;
                panic!(
                    "no {css} ({e}) at {url}; screenshot {}; console: {log}",
                    shot.display()
                );
            }
        }
    }

    /// Waits up to 15 s until an element matching `css` shows text containing `needle`
    /// (for answers that replace earlier ones, such as checks run as the user types).
    pub async fn wait_text_containing(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..150 {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                last = el.text().await.unwrap_or_default();
                if last.contains(needle) {
                    return last;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let shot = self.screenshot("wait-failure").await;
        panic!(
            "{css} never showed {needle:?} (last: {last:?}); screenshot {}; console: {}",
            shot.display(),
            self.console_log().await
        );
    }

    pub async fn click(&self, css: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .expect("element to click");
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});",
                vec![serde_json::to_value(&el).expect("element reference")],
            )
            .await
            .expect("scroll into view");
        el.click().await.expect("click");
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = screenshot_path(name);
        std::fs::write(&path, png).expect("save the screenshot");
        path
    }
}

/// The reference partner, running (killed when dropped).
pub struct Partner {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Partner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Partner {
    /// Whether the reference partner printed a line containing `needle` within `secs`.
    pub fn saw(&self, needle: &str, secs: u64) -> Result<(), Vec<String>> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut seen = vec![];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Ok(()),
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        Err(seen)
    }
}

/// Starts the reference partner against the hub at `hub_url` with API key `key`, listening on
/// `port` for webhooks (`TEST_REFERENCE_PARTNER_BIN`, or `target/debug/reference-partner`).
pub fn start_partner(hub_url: &str, key: &str, port: u16) -> Partner {
    let bin = std::env::var_os("TEST_REFERENCE_PARTNER_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/reference-partner"));
    assert!(
        bin.exists(),
        "the browser tests need the reference partner: `cargo build -p reference-partner` (looked for {})",
        bin.display()
    );
    let mut child = Command::new(bin)
        .args([
            "--hub",
            hub_url,
            "--key",
            key,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the reference partner");
    let out = child.stdout.take().expect("its output");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Partner { child, lines: rx }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
