//! The hub's configuration: `Leptos.toml` at the root, every key overridable by a `HUB_*`
//! environment variable (`HUB_<SECTION>_<KEY>`, e.g. `HUB_SERVER_LISTEN`). Defaults give a
//! working local hub on http://localhost:3000 with SQLite at `./data/hub.db`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The sections of the file; an environment variable's first word picks one.
const SECTIONS: [&str; 13] = [
    "site", "server", "hub", "database", "data", "secrets", "limits", "log", "catalog", "outbound",
    "webhooks", "mail", "transfer",
];

/// A configuration problem, shown as one line: the key, then what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawSite {
    output_name: String,
    root: String,
    pkg_dir: String,
    env: String,
    reload_port: u32,
}

impl Default for RawSite {
    fn default() -> Self {
        Self {
            output_name: "hub".into(),
            root: "target/site".into(),
            pkg_dir: "pkg".into(),
            env: "dev".into(),
            reload_port: 3001,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawServer {
    listen: String,
    domain: String,
    public_scheme: String,
    shutdown_grace_secs: u64,
}

impl Default for RawServer {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            domain: "localhost".into(),
            public_scheme: "http".into(),
            shutdown_grace_secs: 10,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawHub {
    name: String,
    tagline: String,
}

impl Default for RawHub {
    fn default() -> Self {
        Self {
            name: "Demand-Chain Hub".into(),
            tagline: "One master catalog, every partner store.".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawDatabase {
    url: String,
    migrate_url: String,
    migrate_on_serve: bool,
    max_connections: u32,
    acquire_timeout_secs: u64,
}

impl Default for RawDatabase {
    fn default() -> Self {
        Self {
            url: String::new(),
            migrate_url: String::new(),
            migrate_on_serve: true,
            max_connections: 10,
            acquire_timeout_secs: 5,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawData {
    dir: String,
}

impl Default for RawData {
    fn default() -> Self {
        Self {
            dir: "./data".into(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawSecrets {
    source: String,
    file: String,
    previous_file: String,
}

impl Default for RawSecrets {
    fn default() -> Self {
        Self {
            source: "data-dir".into(),
            file: String::new(),
            previous_file: String::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawLimits {
    body_bytes: u64,
    request_timeout_secs: u64,
}

impl Default for RawLimits {
    fn default() -> Self {
        Self {
            body_bytes: 2 * 1024 * 1024,
            request_timeout_secs: 30,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawCatalog {
    media_dir: String,
    max_image_bytes: u64,
    max_import_bytes: u64,
    cache_mib: u64,
    page_cache_mib: u64,
}

impl Default for RawCatalog {
    fn default() -> Self {
        Self {
            media_dir: String::new(),
            max_image_bytes: 2 * 1024 * 1024,
            max_import_bytes: 64 * 1024 * 1024,
            cache_mib: 512,
            page_cache_mib: 128,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawOutbound {
    allow_http: bool,
    allow_loopback: bool,
    connect_timeout_secs: u64,
    timeout_secs: u64,
    max_response_kib: u64,
}

impl Default for RawOutbound {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_loopback: false,
            connect_timeout_secs: 5,
            timeout_secs: 15,
            max_response_kib: 64,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawWebhooks {
    worker: bool,
    concurrency: u64,
}

impl Default for RawWebhooks {
    fn default() -> Self {
        Self {
            worker: true,
            concurrency: 32,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawMail {
    transport: String,
    smtp_url: String,
    from: String,
    dir: String,
    worker: bool,
}

impl Default for RawMail {
    fn default() -> Self {
        Self {
            transport: "file".into(),
            smtp_url: String::new(),
            from: "Demand-Chain Hub <orders@localhost>".into(),
            dir: String::new(),
            worker: true,
        }
    }
}

/// Where the hub's e-mail goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTransport {
    /// `.eml` files in this directory (development; the hub admin reads them).
    Files(PathBuf),
    /// An SMTP server: `smtp://` (STARTTLS) or `smtps://` URL with credentials.
    Smtp(String),
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawTransfer {
    quote_deadline_ms: u64,
}

impl Default for RawTransfer {
    fn default() -> Self {
        Self {
            quote_deadline_ms: 1500,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct RawLog {
    filter: String,
}

impl Default for RawLog {
    fn default() -> Self {
        Self {
            filter: "info,sqlx=warn,sea_orm=warn".into(),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct Raw {
    site: RawSite,
    server: RawServer,
    hub: RawHub,
    database: RawDatabase,
    data: RawData,
    secrets: RawSecrets,
    limits: RawLimits,
    log: RawLog,
    catalog: RawCatalog,
    outbound: RawOutbound,
    webhooks: RawWebhooks,
    transfer: RawTransfer,
    mail: RawMail,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnv {
    Development,
    Production,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretsSource {
    /// Development: a key is created on first start and kept under the data directory.
    DataDir,
    /// A file the operator provides (e.g. mounted from a secrets manager).
    File(PathBuf),
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub site_output_name: String,
    pub site_root: PathBuf,
    pub site_pkg_dir: String,
    pub env: RunEnv,
    pub reload_port: u32,
    pub listen: SocketAddr,
    /// The hub's domain, lower case, without port: stores live at `{slug}.{domain}`.
    pub domain: String,
    pub public_scheme: String,
    pub shutdown_grace: Duration,
    pub hub_name: String,
    pub hub_tagline: String,
    pub database_url: String,
    /// The URL migrations run with (the tables' owner), when it differs from `database_url`
    /// (on PostgreSQL the server's own role must not own the tables).
    pub migrate_url: Option<String>,
    pub migrate_on_serve: bool,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    pub data_dir: PathBuf,
    pub secrets: SecretsSource,
    /// The key that signed sessions before the last rotation: still accepted, never used to sign.
    pub previous_key_file: Option<PathBuf>,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub log_filter: String,
    /// Where uploaded images are stored.
    pub media_dir: PathBuf,
    pub max_image_bytes: usize,
    /// The largest catalog CSV file the console imports (its request only; every other
    /// request keeps `body_limit`).
    pub max_import_bytes: usize,
    /// The memory budget of the effective-catalog snapshots, in KiB.
    pub catalog_cache_kib: u64,
    /// Rendered anonymous storefront pages kept in memory (0: none kept).
    pub page_cache_bytes: u64,
    /// What the outbound client may reach (webhooks, live quotes).
    pub outbound: crate::outbound::Policy,
    /// Whether this process runs webhook delivery workers.
    pub webhook_worker: bool,
    /// Deliveries a worker sends at once.
    pub webhook_concurrency: usize,
    /// How long the cart transfer list waits for partners that price live.
    pub quote_deadline: Duration,
    pub mail_transport: MailTransport,
    /// The sender of every e-mail, `Name <address>`.
    pub mail_from: String,
    /// Run the mail sender in this process.
    pub mail_worker: bool,
}

impl Config {
    /// Reads `path` (missing is fine: defaults apply) and the `HUB_*` environment.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Raw::default()))
                .merge(Toml::file(path))
                .merge(env_provider()),
        )
    }

    /// The defaults with `overrides` (`(key, value)` pairs such as `("server.listen", "...")`).
    pub fn with_overrides<'a>(
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Raw::default()));
        for (key, value) in overrides {
            // Parsed like an environment variable's value: "4096" is a number, "true" a bool.
            let value: figment::value::Value = value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(value.to_owned()));
            fig = fig.merge(Serialized::default(key, value));
        }
        Self::from_figment(fig)
    }

    fn from_figment(fig: Figment) -> Result<Self, ConfigError> {
        let raw: Raw = fig.extract().map_err(|e| figment_error(&e))?;
        Self::validate(raw)
    }

    fn validate(raw: Raw) -> Result<Self, ConfigError> {
        let env = match raw.site.env.to_ascii_lowercase().as_str() {
            "dev" | "development" => RunEnv::Development,
            "prod" | "production" => RunEnv::Production,
            other => {
                return Err(ConfigError::new(
                    "site.env",
                    format!("'{other}' is not one of dev, prod"),
                ));
            }
        };
        let listen: SocketAddr = raw.server.listen.parse().map_err(|_| {
            ConfigError::new(
                "server.listen",
                format!(
                    "'{}' is not an address with a port, such as 127.0.0.1:3000",
                    raw.server.listen
                ),
            )
        })?;
        let domain = parse_domain(&raw.server.domain)?;
        if !matches!(raw.server.public_scheme.as_str(), "http" | "https") {
            return Err(ConfigError::new(
                "server.public_scheme",
                format!("'{}' is not http or https", raw.server.public_scheme),
            ));
        }
        let data_dir = PathBuf::from(&raw.data.dir);
        if raw.data.dir.trim().is_empty() {
            return Err(ConfigError::new("data.dir", "must not be empty"));
        }
        let database_url = if raw.database.url.trim().is_empty() {
            format!("sqlite://{}?mode=rwc", data_dir.join("hub.db").display())
        } else {
            check_database_url(raw.database.url.trim())?
        };
        let migrate_url = if raw.database.migrate_url.trim().is_empty() {
            None
        } else {
            let url = check_database_url(raw.database.migrate_url.trim())
                .map_err(|e| ConfigError::new("database.migrate_url", e.problem))?;
            Some(url)
        };
        if raw.database.max_connections == 0 {
            return Err(ConfigError::new(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        let secrets = match raw.secrets.source.as_str() {
            "data-dir" if env == RunEnv::Production => {
                return Err(ConfigError::new(
                    "secrets.source",
                    "a production hub needs its keys from a file: set secrets.source = \"file\" and secrets.file",
                ));
            }
            "data-dir" => SecretsSource::DataDir,
            "file" if raw.secrets.file.trim().is_empty() => {
                return Err(ConfigError::new(
                    "secrets.file",
                    "must name the key file when secrets.source is \"file\"",
                ));
            }
            "file" => SecretsSource::File(PathBuf::from(raw.secrets.file.trim())),
            other => {
                return Err(ConfigError::new(
                    "secrets.source",
                    format!("'{other}' is not one of data-dir, file"),
                ));
            }
        };
        let previous_key_file = Some(raw.secrets.previous_file.trim())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from);
        let body_limit = usize::try_from(raw.limits.body_bytes)
            .ok()
            .filter(|b| (1024..=1024 * 1024 * 1024).contains(b))
            .ok_or_else(|| {
                ConfigError::new("limits.body_bytes", "must be between 1 KiB and 1 GiB")
            })?;
        if raw.limits.request_timeout_secs == 0 {
            return Err(ConfigError::new(
                "limits.request_timeout_secs",
                "must be at least 1",
            ));
        }
        let media_dir = match raw.catalog.media_dir.trim() {
            "" => data_dir.join("media"),
            d => PathBuf::from(d),
        };
        let max_image_bytes = usize::try_from(raw.catalog.max_image_bytes)
            .ok()
            .filter(|b| (1024..=64 * 1024 * 1024).contains(b))
            .ok_or_else(|| {
                ConfigError::new(
                    "catalog.max_image_bytes",
                    "must be between 1 KiB and 64 MiB",
                )
            })?;
        let max_import_bytes = usize::try_from(raw.catalog.max_import_bytes)
            .ok()
            .filter(|b| (1024 * 1024..=1024 * 1024 * 1024).contains(b))
            .ok_or_else(|| {
                ConfigError::new(
                    "catalog.max_import_bytes",
                    "must be between 1 MiB and 1 GiB",
                )
            })?;
        if !(16..=65_536).contains(&raw.catalog.cache_mib) {
            return Err(ConfigError::new(
                "catalog.cache_mib",
                "must be between 16 and 65536",
            ));
        }
        if !(0..=65_536).contains(&raw.catalog.page_cache_mib) {
            return Err(ConfigError::new(
                "catalog.page_cache_mib",
                "must be between 0 (no page cache) and 65536",
            ));
        }
        tracing_subscriber::EnvFilter::try_new(&raw.log.filter)
            .map_err(|e| ConfigError::new("log.filter", e.to_string()))?;
        let o = &raw.outbound;
        if !(1..=60).contains(&o.connect_timeout_secs) {
            return Err(ConfigError::new(
                "outbound.connect_timeout_secs",
                "from 1 to 60",
            ));
        }
        // A claimed webhook delivery waits at most AHEAD - 1 rounds of sends and then is sent,
        // all within its lease: AHEAD rounds of this timeout must fit in it.
        let most = crate::workers::webhooks::AHEAD as i64;
        let lease = tenants::webhooks::worker::LEASE.num_seconds();
        if !(1..=lease / most - 5).contains(&i64::try_from(o.timeout_secs).unwrap_or(i64::MAX)) {
            return Err(ConfigError::new(
                "outbound.timeout_secs",
                format!(
                    "from 1 to {} (the webhook workers' lease is {lease} s)",
                    lease / most - 5
                ),
            ));
        }
        if !(1..=10_240).contains(&o.max_response_kib) {
            return Err(ConfigError::new(
                "outbound.max_response_kib",
                "from 1 to 10240",
            ));
        }
        if env == RunEnv::Production && (o.allow_http || o.allow_loopback) {
            return Err(ConfigError::new(
                "outbound.allow_loopback",
                "a production hub calls https:// URLs on the public internet only; allow_http and allow_loopback are for development",
            ));
        }
        let outbound = crate::outbound::Policy {
            allow_http: o.allow_http,
            allow_loopback: o.allow_loopback,
            connect_timeout: Duration::from_secs(o.connect_timeout_secs),
            timeout: Duration::from_secs(o.timeout_secs),
            max_response_bytes: usize::try_from(o.max_response_kib * 1024).unwrap_or(65_536),
        };
        if !(1..=1024).contains(&raw.webhooks.concurrency) {
            return Err(ConfigError::new("webhooks.concurrency", "from 1 to 1024"));
        }
        let webhook_concurrency = usize::try_from(raw.webhooks.concurrency).unwrap_or(32);
        let mail_transport = match raw.mail.transport.as_str() {
            "file" if env == RunEnv::Production => {
                return Err(ConfigError::new(
                    "mail.transport",
                    "a production hub sends e-mail by SMTP: set \"smtp\" and mail.smtp_url",
                ));
            }
            "file" => MailTransport::Files(if raw.mail.dir.is_empty() {
                data_dir.join("mail")
            } else {
                PathBuf::from(&raw.mail.dir)
            }),
            "smtp" => {
                let ok = url::Url::parse(&raw.mail.smtp_url)
                    .is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host().is_some());
                if !ok {
                    return Err(ConfigError::new(
                        "mail.smtp_url",
                        "an smtp:// (STARTTLS) or smtps:// URL with a host, e.g. smtps://user:password@mail.example.com",
                    ));
                }
                MailTransport::Smtp(raw.mail.smtp_url.clone())
            }
            _ => {
                return Err(ConfigError::new(
                    "mail.transport",
                    "\"file\" (development) or \"smtp\"",
                ));
            }
        };
        if raw.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::new(
                "mail.from",
                "a sender such as \"Demand-Chain Hub <orders@example.com>\"",
            ));
        }
        if !(100..=10_000).contains(&raw.transfer.quote_deadline_ms) {
            return Err(ConfigError::new(
                "transfer.quote_deadline_ms",
                "from 100 to 10000 (a customer is waiting for the list)",
            ));
        }
        Ok(Self {
            site_output_name: raw.site.output_name,
            site_root: PathBuf::from(raw.site.root),
            site_pkg_dir: raw.site.pkg_dir,
            env,
            reload_port: raw.site.reload_port,
            listen,
            domain,
            public_scheme: raw.server.public_scheme,
            shutdown_grace: Duration::from_secs(raw.server.shutdown_grace_secs),
            hub_name: raw.hub.name,
            hub_tagline: raw.hub.tagline,
            database_url,
            migrate_url,
            migrate_on_serve: raw.database.migrate_on_serve,
            max_connections: raw.database.max_connections,
            acquire_timeout: Duration::from_secs(raw.database.acquire_timeout_secs.max(1)),
            data_dir,
            secrets,
            previous_key_file,
            body_limit,
            request_timeout: Duration::from_secs(raw.limits.request_timeout_secs),
            log_filter: raw.log.filter,
            media_dir,
            max_image_bytes,
            max_import_bytes,
            catalog_cache_kib: raw.catalog.cache_mib * 1024,
            page_cache_bytes: raw.catalog.page_cache_mib * 1024 * 1024,
            outbound,
            webhook_worker: raw.webhooks.worker,
            webhook_concurrency,
            quote_deadline: Duration::from_millis(raw.transfer.quote_deadline_ms),
            mail_transport,
            mail_from: raw.mail.from,
            mail_worker: raw.mail.worker,
        })
    }

    /// The URL people open to reach the hub's own store.
    pub fn public_url(&self) -> String {
        self.url_for_host(&self.domain)
    }

    /// The URL of the store at `{slug}.{domain}`.
    pub fn store_url(&self, slug: &str) -> String {
        self.url_for_host(&format!("{slug}.{}", self.domain))
    }

    fn url_for_host(&self, host: &str) -> String {
        let port = self.listen.port();
        let default_port = if self.public_scheme == "https" {
            443
        } else {
            80
        };
        if port == default_port {
            format!("{}://{host}", self.public_scheme)
        } else {
            format!("{}://{host}:{port}", self.public_scheme)
        }
    }
}

/// `HUB_SERVER_LISTEN` becomes `server.listen`: the first word names the section.
fn env_provider() -> Env {
    Env::prefixed("HUB_").map(|key| {
        let key = key.as_str().to_ascii_lowercase();
        match key.split_once('_') {
            Some((section, rest)) if SECTIONS.contains(&section) => {
                format!("{section}.{rest}").into()
            }
            _ => key.into(),
        }
    })
}

fn figment_error(e: &figment::Error) -> ConfigError {
    use figment::error::Kind;
    let mut key = e.path.join(".");
    let problem = match &e.kind {
        Kind::UnknownField(field, _) => {
            if e.path.last().is_none_or(|last| last != field) {
                key = if key.is_empty() {
                    field.clone()
                } else {
                    format!("{key}.{field}")
                };
            }
            "unknown key".to_owned()
        }
        Kind::InvalidType(actual, expected) => format!("expected {expected}, found {actual}"),
        Kind::InvalidValue(actual, expected) => format!("expected {expected}, found {actual}"),
        other => other.to_string(),
    };
    let source = e
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(src) => format!(" (in {src})"),
            None => format!(" (from {})", m.name),
        })
        .unwrap_or_default();
    if key.is_empty() {
        key = "config".to_owned();
    }
    ConfigError::new(key, format!("{problem}{source}"))
}

fn parse_domain(raw: &str) -> Result<String, ConfigError> {
    let domain = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(domain)
    } else {
        Err(ConfigError::new(
            "server.domain",
            format!("'{raw}' is not a domain name such as hub.example.com (no scheme, no port)"),
        ))
    }
}

fn check_database_url(raw: &str) -> Result<String, ConfigError> {
    let url = url::Url::parse(raw)
        .map_err(|e| ConfigError::new("database.url", format!("not a valid URL ({e})")))?;
    match url.scheme() {
        "sqlite" | "postgres" | "postgresql" => Ok(raw.to_owned()),
        other => Err(ConfigError::new(
            "database.url",
            format!("unsupported scheme '{other}' (use sqlite:// or postgres://)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_a_local_hub() {
        let cfg = Config::with_overrides([]).unwrap();
        assert_eq!(cfg.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(cfg.public_url(), "http://localhost:3000");
        assert_eq!(cfg.store_url("acme"), "http://acme.localhost:3000");
        assert!(cfg.database_url.starts_with("sqlite://"));
        assert!(cfg.database_url.contains("hub.db"));
        assert_eq!(cfg.secrets, SecretsSource::DataDir);
    }

    #[test]
    fn each_bad_value_names_its_key() {
        let cases = [
            ("server.listen", "nope", "server.listen"),
            ("server.domain", "http://x.com", "server.domain"),
            ("database.url", "::not a url", "database.url"),
            ("database.url", "mysql://x/y", "database.url"),
            ("site.env", "staging", "site.env"),
            ("secrets.source", "vault", "secrets.source"),
            ("log.filter", "[[", "log.filter"),
        ];
        for (key, value, expected) in cases {
            let err = Config::with_overrides([(key, value)]).unwrap_err();
            assert_eq!(err.key, expected, "{key}={value}: {err}");
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::with_overrides([("server.lisen", "x")]).unwrap_err();
        assert_eq!(err.key, "server.lisen");
        assert!(err.problem.contains("unknown key"), "{err}");
    }

    #[test]
    fn every_section_of_the_file_can_be_set_from_the_environment() {
        let file = include_str!("../../Leptos.toml");
        let sections: Vec<&str> = file
            .lines()
            .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
            .filter(|s| !s.starts_with('['))
            .collect();
        assert!(sections.len() >= 10, "{sections:?}");
        for s in sections {
            assert!(
                SECTIONS.contains(&s),
                "[{s}] has no HUB_{}_… variables",
                s.to_uppercase()
            );
        }
    }

    #[test]
    fn production_needs_a_key_file() {
        let err = Config::with_overrides([("site.env", "prod")]).unwrap_err();
        assert_eq!(err.key, "secrets.source");
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = Config::with_overrides([("limits.body_bytes", "lots")]).unwrap_err();
        assert_eq!(err.key, "limits.body_bytes", "{err}");
    }
}
