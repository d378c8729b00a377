//! Start-up: check the data directory, load secrets, open and migrate the database, bind the
//! port, serve until SIGTERM or Ctrl-C. Every failure is one line naming the key at fault.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use app::context::{AppState, AppStateInner};
use leptos::prelude::LeptosOptions;
use leptos_config::Env;
use tenants::auth::{LoginThrottle, TokenKeys};
use tenants::registry::{self, RegistryCache};
use tenants::{Database, DbOptions};
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError, RunEnv};
use crate::http::{self, HostResolver, ServerState};
use crate::secrets::Secrets;

/// A start-up failure: one line, `key: problem`.
pub type StartupError = ConfigError;

/// Makes sure the data directory exists and the process can write to it.
pub fn check_data_dir(cfg: &Config) -> Result<(), StartupError> {
    let dir = &cfg.data_dir;
    let fail = |e: std::io::Error| {
        ConfigError::new(
            "data.dir",
            format!("{} is not writable: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}

/// The image store the configuration names.
pub fn media(cfg: &Config) -> Result<tenants::catalog::media::Media, StartupError> {
    let storage = tenants::catalog::media::DirStorage::new(&cfg.media_dir).map_err(|e| {
        ConfigError::new(
            "catalog.media_dir",
            format!("{} is not usable: {e}", cfg.media_dir.display()),
        )
    })?;
    Ok(tenants::catalog::media::Media::new(
        Arc::new(storage),
        cfg.max_image_bytes,
    ))
}

/// Opens the database the configuration names.
pub async fn open_database(cfg: &Config) -> Result<Database, StartupError> {
    let opts = DbOptions {
        max_connections: cfg.max_connections,
        acquire_timeout: cfg.acquire_timeout,
    };
    Database::open(&cfg.database_url, &opts)
        .await
        .map_err(|e| ConfigError::new("database.url", e.to_string()))
}

pub async fn migrate(db: &Database) -> Result<(), StartupError> {
    db.migrate()
        .await
        .map_err(|e| ConfigError::new("database.url", format!("migration failed: {e}")))
}

/// Applies migrations as the tables' owner. With `database.migrate_url` set (PostgreSQL with a
/// separate owner), connects as the owner, migrates and grants the server's role the tables;
/// otherwise migrates over `db`.
pub async fn migrate_as_owner(cfg: &Config, db: &Database) -> Result<(), StartupError> {
    let Some(owner_url) = &cfg.migrate_url else {
        return migrate(db).await;
    };
    let owner = Database::open(owner_url, &DbOptions::default())
        .await
        .map_err(|e| ConfigError::new("database.migrate_url", e.to_string()))?;
    owner
        .migrate()
        .await
        .map_err(|e| ConfigError::new("database.migrate_url", format!("migration failed: {e}")))?;
    if let Some(role) = runtime_role(&cfg.database_url) {
        owner.grant_runtime_access(&role).await.map_err(|e| {
            ConfigError::new(
                "database.migrate_url",
                format!("granting {role} failed: {e}"),
            )
        })?;
    }
    owner.close().await.ok();
    Ok(())
}

/// The user name in a PostgreSQL URL.
fn runtime_role(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let user = parsed.username();
    (!user.is_empty()).then(|| user.to_owned())
}

/// On PostgreSQL, refuses (in production) or warns about (in development) a server role that
/// row-level security would not bind: superuser, BYPASSRLS, or owner of tables.
async fn check_role(cfg: &Config, db: &Database) -> Result<(), StartupError> {
    let report = db
        .role_report()
        .await
        .map_err(|e| ConfigError::new("database.url", e.to_string()))?;
    let Some(report) = report else {
        return Ok(());
    };
    if !report.is_too_strong() {
        return Ok(());
    }
    let problem = format!(
        "role '{}' is too strong for the server (superuser: {}, bypassrls: {}, owns {} table(s)); connect as a role that owns nothing and set database.migrate_url to the owner",
        report.role, report.superuser, report.bypass_rls, report.owned_tables
    );
    if cfg.env == RunEnv::Production {
        return Err(ConfigError::new("database.url", problem));
    }
    tracing::warn!("{problem}");
    Ok(())
}

/// Binds the listening socket, so a port in use is reported before anything else starts.
pub async fn bind(cfg: &Config) -> Result<TcpListener, StartupError> {
    TcpListener::bind(cfg.listen).await.map_err(|e| {
        let problem = match e.kind() {
            std::io::ErrorKind::AddrInUse => format!("{} is already in use", cfg.listen),
            std::io::ErrorKind::PermissionDenied => {
                format!("not allowed to listen on {}", cfg.listen)
            }
            _ => format!("cannot listen on {}: {e}", cfg.listen),
        };
        ConfigError::new("server.listen", problem)
    })
}

/// Everything `serve` needs, prepared and checked.
pub struct Prepared {
    pub config: Arc<Config>,
    pub db: Database,
    /// Host → tenant; shared with whoever changes tenants, so it can invalidate.
    pub resolver: HostResolver,
    /// What pages and server functions get: database, keys, throttle, registry cache.
    pub app: AppState,
    /// Storefront pages kept in memory (with counters of what it served).
    pub pages: http::PageCache,
    pub listener: TcpListener,
    /// The time handlers and workers read; a test may swap in a clock it moves.
    pub clock: tenants::clock::SharedClock,
    /// The guarded client every outbound call goes through.
    pub outbound: crate::outbound::Outbound,
}

/// Runs every start-up check in order and returns a hub ready to serve.
pub async fn prepare(cfg: Config, migrate_now: bool) -> Result<Prepared, StartupError> {
    prepare_with_clock(cfg, migrate_now, tenants::clock::system()).await
}

/// [`prepare`] with the clock the handlers, the consoles and the workers read (a test's
/// `ManualClock`).
pub async fn prepare_with_clock(
    cfg: Config,
    migrate_now: bool,
    clock: tenants::clock::SharedClock,
) -> Result<Prepared, StartupError> {
    check_data_dir(&cfg)?;
    let secrets = Secrets::load(&cfg)?;
    let listener = bind(&cfg).await?;
    let db = open_database(&cfg).await?;
    if migrate_now {
        migrate_as_owner(&cfg, &db).await?;
    } else {
        let pending = db
            .pending_migrations()
            .await
            .map_err(|e| ConfigError::new("database.url", e.to_string()))?;
        if !pending.is_empty() {
            return Err(ConfigError::new(
                "database.migrate_on_serve",
                format!(
                    "{} migration(s) pending ({}); run `hub migrate` or enable it",
                    pending.len(),
                    pending.join(", ")
                ),
            ));
        }
    }
    check_role(&cfg, &db).await?;
    registry::ensure_hub(&db, &cfg.hub_name, &cfg.hub_tagline)
        .await
        .map_err(|e| ConfigError::new("database.url", e.to_string()))?;
    let keys = TokenKeys::new(
        secrets.signing_key(),
        secrets.previous_key(),
        cfg.public_url(),
    )
    .map_err(|e| ConfigError::new("secrets.source", e))?;
    tenants::auth::password::warm_up().await;
    let cache = RegistryCache::new(db.clone());
    let outbound = crate::outbound::Outbound::new(cfg.outbound.clone());
    let app = AppState::new(AppStateInner {
        catalog: tenants::catalog::CatalogCache::new(cfg.catalog_cache_kib),
        media: media(&cfg)?,
        db: db.clone(),
        registry: cache.clone(),
        keys: Arc::new(keys),
        throttle: LoginThrottle::new(),
        public_scheme: cfg.public_scheme.clone(),
        domain: cfg.domain.clone(),
        max_import_bytes: cfg.max_import_bytes,
        clock: clock.clone(),
        url_check: Arc::new(outbound.clone()),
        quotes: Arc::new(outbound.clone()),
        quote_deadline: cfg.quote_deadline,
        mail_dir: match &cfg.mail_transport {
            crate::config::MailTransport::Files(dir) => Some(dir.clone()),
            crate::config::MailTransport::Smtp(_) => None,
        },
    });
    Ok(Prepared {
        resolver: HostResolver::new(cache, cfg.domain.clone()),
        pages: http::PageCache::new(cfg.page_cache_bytes),
        clock,
        outbound,
        config: Arc::new(cfg),
        db,
        app,
        listener,
    })
}

fn leptos_options(cfg: &Config, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(cfg.site_output_name.clone())
        .site_root(cfg.site_root.to_string_lossy().into_owned())
        .site_pkg_dir(cfg.site_pkg_dir.clone())
        .env(match cfg.env {
            RunEnv::Development => Env::DEV,
            RunEnv::Production => Env::PROD,
        })
        .site_addr(addr)
        .reload_port(cfg.reload_port)
        .build()
}

impl Prepared {
    /// The mail sender for this configuration (the file outbox's directory is made here),
    /// its links naming the port the server listens on (`addr`).
    pub fn mail_sender(&self, addr: SocketAddr) -> std::io::Result<crate::workers::mail::Sender> {
        use crate::workers::mail::{Sender, Transport};
        let transport = match &self.config.mail_transport {
            crate::config::MailTransport::Files(dir) => {
                std::fs::create_dir_all(dir)?;
                Transport::Files(lettre::AsyncFileTransport::new(dir), dir.clone())
            }
            crate::config::MailTransport::Smtp(url) => Transport::Smtp(
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
                    .map_err(|e| std::io::Error::other(format!("mail.smtp_url: {e}")))?
                    .build(),
            ),
        };
        let mut cfg = (*self.config).clone();
        cfg.listen = addr;
        let hub_url = cfg.public_url();
        Ok(Sender {
            transport,
            from: self
                .config
                .mail_from
                .parse()
                .map_err(|e| std::io::Error::other(format!("mail.from: {e}")))?,
            key: self.app.keys.price().clone(),
            hub_url,
            store_url: Arc::new(move |slug: &str| cfg.store_url(slug)),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let addr = self.listener.local_addr()?;
        let mail_sender = if self.config.mail_worker {
            Some(self.mail_sender(addr)?)
        } else {
            None
        };
        let state = ServerState::new(http::ServerStateInner {
            app: self.app.clone(),
            leptos: leptos_options(&self.config, addr),
            resolver: self.resolver.clone(),
            config: self.config.clone(),
            pages: self.pages.clone(),
            partner_limits: crate::partner_api::limits::Limits::default(),
            clock: self.clock.clone(),
            outbound: self.outbound.clone(),
            public: http::PublicFiles::load(&self.config.site_root, &self.config.site_pkg_dir)?,
        });
        let router = http::router(state);
        // Answers written in several pieces must not wait for the client's delayed ACK.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let worker = self.config.webhook_worker.then(|| {
            tokio::spawn(crate::workers::webhooks::run(
                self.db.clone(),
                self.outbound.clone(),
                self.clock.clone(),
                self.config.webhook_concurrency,
                stopping_rx.clone(),
            ))
        });
        let mail = mail_sender.map(|sender| {
            tokio::spawn(crate::workers::mail::run(
                self.db.clone(),
                sender,
                self.clock.clone(),
                stopping_rx.clone(),
            ))
        });
        // Quote requests close at their deadline even if nobody looks.
        let quotes = tokio::spawn(crate::workers::quotes::run(
            self.db.clone(),
            self.clock.clone(),
            stopping_rx.clone(),
        ));
        let signal = async move {
            shutdown.await;
            let _ = stopping_tx.send(true);
        };
        let grace = self.config.shutdown_grace;
        // Requests still running this long after the signal are cut off.
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(signal).into_future() => served?,
            () = deadline => tracing::warn!(?grace, "grace period over; closing the remaining connections"),
        }
        if let Some(w) = worker {
            // It stops between attempts; an attempt in flight ends within the client's timeout.
            let _ = tokio::time::timeout(grace, w).await;
        }
        if let Some(m) = mail {
            let _ = tokio::time::timeout(grace, m).await;
        }
        let _ = tokio::time::timeout(grace, quotes).await;
        self.db.close().await.ok();
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
