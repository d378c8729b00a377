//! The `hub` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigError};
use crate::startup;

#[derive(Debug, Parser)]
#[command(
    name = "hub",
    version,
    about = "The demand-chain hub: one master catalog, many partner stores.",
    long_about = "The demand-chain hub: a manufacturer's master catalog feeding reseller \
                  storefronts on their own subdomains, with distributors that quote and fulfil.\n\n\
                  Configuration comes from Leptos.toml; every key can be overridden by an \
                  environment variable HUB_<SECTION>_<KEY>, e.g. HUB_SERVER_LISTEN=0.0.0.0:8080."
)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        global = true,
        default_value = "Leptos.toml",
        value_name = "FILE"
    )]
    pub config: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the hub and every store (migrates first unless database.migrate_on_serve = false).
    Serve {
        /// Do not apply pending migrations, whatever the configuration says.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        /// Only list the pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Create the demo hub, its demo partners and logins (idempotent: what exists is kept).
    Seed,
    /// Manage the hub's administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import or export the master catalog as CSV.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Manage distributors: create one, link it to a reseller.
    Distributor {
        #[command(subcommand)]
        command: DistributorCommand,
    },
    /// Create an API key for a partner's systems (printed once).
    ApiKey {
        /// The partner's slug (a distributor, or a reseller that fulfils).
        #[arg(long)]
        partner: String,
        /// A name to tell the key apart, e.g. "ERP".
        #[arg(long)]
        name: String,
        /// Comma-separated scopes (default: all), e.g. prices:read,prices:write.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        /// A test key reads live data but changes nothing.
        #[arg(long)]
        test: bool,
    },
    /// Print the version and exit.
    Version,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Upsert products by SKU from a CSV file, in one transaction. A file with any bad row
    /// imports nothing; every bad row is listed with its line and reasons.
    Import {
        /// The CSV file (columns: sku,name,description,price,currency,category,status,attributes,image).
        file: PathBuf,
    },
    /// Write the master catalog as CSV (spreadsheet formulas neutralised).
    Export {
        /// Where to write; standard output when omitted.
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DistributorCommand {
    /// Create an active distributor with its profile and first admin. The admin's password
    /// is asked for, or read from standard input.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// Who to contact about orders and prices.
        #[arg(long)]
        contact_name: String,
        #[arg(long)]
        contact_email: String,
        /// ISO 4217, e.g. EUR.
        #[arg(long, default_value = "EUR")]
        currency: String,
        /// The first admin's e-mail (they log in at the distributor's subdomain).
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_name: String,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Let a reseller ask a distributor for quotes and transfer carts to it (a link row in
    /// each, in one transaction).
    Link {
        #[arg(long)]
        distributor: String,
        #[arg(long)]
        reseller: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a hub administrator. The password is asked for, or read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs one command. Errors come back as one line for `main` to print.
pub async fn run(cli: Cli) -> Result<(), ConfigError> {
    if let Command::Version = cli.command {
        println!("hub {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    let cfg = Config::load(&cli.config)?;
    init_tracing(&cfg);
    match cli.command {
        Command::Serve { no_migrate } => {
            let migrate = cfg.migrate_on_serve && !no_migrate;
            let hub = startup::prepare(cfg, migrate).await?;
            let addr = hub
                .local_addr()
                .map_err(|e| ConfigError::new("server.listen", e.to_string()))?;
            tracing::info!(%addr, "listening");
            println!("The hub is up at {}", hub.config.public_url());
            println!("Stores answer at {}", hub.config.store_url("<store>"));
            hub.serve(startup::shutdown_signal())
                .await
                .map_err(|e| ConfigError::new("server.listen", e.to_string()))
        }
        Command::Migrate { status } => {
            startup::check_data_dir(&cfg)?;
            let db = startup::open_database(&cfg).await?;
            let pending = db
                .pending_migrations()
                .await
                .map_err(|e| ConfigError::new("database.url", e.to_string()))?;
            if status {
                if pending.is_empty() {
                    println!("The database is up to date.");
                }
                for name in &pending {
                    println!("pending: {name}");
                }
                return Ok(());
            }
            startup::migrate_as_owner(&cfg, &db).await?;
            println!(
                "Applied {} migration(s); the database is up to date.",
                pending.len()
            );
            Ok(())
        }
        Command::Seed => {
            startup::check_data_dir(&cfg)?;
            let db = startup::open_database(&cfg).await?;
            startup::migrate_as_owner(&cfg, &db).await?;
            crate::seed::run(&cfg, &db)
                .await
                .map_err(|e| ConfigError::new("database.url", e.to_string()))
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| ConfigError::new("password", format!("cannot read it: {e}")))?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                rpassword::prompt_password("Password for the new hub admin: ")
                    .map_err(|e| ConfigError::new("password", format!("cannot read it: {e}")))?
            };
            startup::check_data_dir(&cfg)?;
            let db = startup::open_database(&cfg).await?;
            startup::migrate_as_owner(&cfg, &db).await?;
            let user = crate::seed::create_hub_admin(&cfg, &db, &email, &name, &password)
                .await
                .map_err(|e| match e {
                    tenants::Error::Validation { field, message } => {
                        ConfigError::new(field, message)
                    }
                    tenants::Error::Conflict(m) => ConfigError::new("email", m),
                    other => ConfigError::new("database.url", other.to_string()),
                })?;
            println!("Created hub admin {} ({}).", user.email, user.id);
            println!("Log in at {}/login", cfg.public_url());
            Ok(())
        }
        Command::Catalog { command } => catalog(&cfg, command).await,
        Command::Distributor { command } => distributor(&cfg, command).await,
        Command::ApiKey {
            partner,
            name,
            scopes,
            test,
        } => api_key(&cfg, &partner, &name, &scopes, test).await,
        Command::Version => Ok(()),
    }
}

fn domain_error(e: tenants::Error) -> ConfigError {
    match e {
        tenants::Error::Validation { field, message } => ConfigError::new(field, message),
        tenants::Error::Conflict(m) => ConfigError::new("conflict", m),
        tenants::Error::NotFound(what) => ConfigError::new(what, "not found"),
        other => ConfigError::new("database.url", other.to_string()),
    }
}

fn read_password(stdin: bool, prompt: &str) -> Result<String, ConfigError> {
    if stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| ConfigError::new("password", format!("cannot read it: {e}")))?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        rpassword::prompt_password(prompt)
            .map_err(|e| ConfigError::new("password", format!("cannot read it: {e}")))
    }
}

async fn distributor(cfg: &Config, command: DistributorCommand) -> Result<(), ConfigError> {
    use tenants::partners::{self, NewDistributor};
    startup::check_data_dir(cfg)?;
    let db = startup::open_database(cfg).await?;
    startup::migrate_as_owner(cfg, &db).await?;
    let hub = tenants::registry::hub(&db)
        .await
        .map_err(domain_error)?
        .ok_or_else(|| {
            ConfigError::new(
                "hub",
                "no hub yet: run `hub seed` or `hub admin create` first",
            )
        })?;
    let hdb = tenants::access::operator(&db, &hub);
    match command {
        DistributorCommand::Create {
            slug,
            name,
            contact_name,
            contact_email,
            currency,
            admin_email,
            admin_name,
            password_stdin,
        } => {
            let password = read_password(password_stdin, "Password for the distributor's admin: ")?;
            let (tenant, user) = partners::create_distributor(
                &db,
                &hdb,
                NewDistributor {
                    name: &name,
                    slug: &slug,
                    profile: tenants::partners::profile::ProfileInput {
                        contact_name,
                        contact_email,
                        currency,
                        fulfils: None,
                        ack_window_hours: None,
                    },
                    admin_name: &admin_name,
                    admin_email: &admin_email,
                    admin_password: &password,
                },
            )
            .await
            .map_err(domain_error)?;
            println!("Created distributor {} ({}).", tenant.name(), tenant.slug());
            println!(
                "Its admin {} logs in at {}/login",
                user.email,
                cfg.store_url(tenant.slug())
            );
            Ok(())
        }
        DistributorCommand::Link {
            distributor,
            reseller,
        } => {
            let find = |slug: String| {
                let db = db.clone();
                async move {
                    tenants::registry::find_by_slug(&db, &slug)
                        .await
                        .map_err(domain_error)?
                        .ok_or_else(|| ConfigError::new("slug", format!("no tenant called {slug}")))
                }
            };
            let d = find(distributor).await?;
            let r = find(reseller).await?;
            partners::link_supplier(&hdb, d.id(), r.id())
                .await
                .map_err(domain_error)?;
            println!("{} now supplies {}.", d.name(), r.name());
            Ok(())
        }
    }
}

async fn api_key(
    cfg: &Config,
    partner: &str,
    name: &str,
    scopes: &[String],
    test: bool,
) -> Result<(), ConfigError> {
    use tenants::partners::api_keys::{self, Mode, Scope};
    let scopes = if scopes.is_empty() {
        Scope::ALL.to_vec()
    } else {
        scopes
            .iter()
            .map(|s| {
                Scope::parse(s).ok_or_else(|| {
                    let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                    ConfigError::new(
                        "scopes",
                        format!("unknown scope {s:?}; known: {}", known.join(", ")),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    startup::check_data_dir(cfg)?;
    let db = startup::open_database(cfg).await?;
    startup::migrate_as_owner(cfg, &db).await?;
    let tenant = tenants::registry::find_by_slug(&db, partner)
        .await
        .map_err(domain_error)?
        .ok_or_else(|| ConfigError::new("partner", format!("no tenant called {partner}")))?;
    let mode = if test { Mode::Test } else { Mode::Live };
    let key = api_keys::create(
        &tenants::access::operator(&db, &tenant),
        name,
        mode,
        &scopes,
    )
    .await
    .map_err(domain_error)?;
    println!("{}", key.key);
    eprintln!(
        "Created {} key {:?} for {}: shown this once, keep it safe.",
        mode.as_str(),
        key.info.name,
        tenant.name()
    );
    Ok(())
}

fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cfg.log_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn catalog(cfg: &Config, command: CatalogCommand) -> Result<(), ConfigError> {
    use std::sync::Arc;

    use indicatif::{ProgressBar, ProgressStyle};
    use tenants::catalog::csv_io::{self, ImportError, Phase, ProgressFn};

    let db = startup::open_database(cfg).await?;
    let hub = tenants::registry::hub(&db)
        .await
        .map_err(|e| ConfigError::new("database.url", e.to_string()))?
        .ok_or_else(|| {
            ConfigError::new(
                "database.url",
                "no hub yet: run `hub seed` or `hub serve` once",
            )
        })?;
    let hdb = tenants::access::operator(&db, &hub);
    match command {
        CatalogCommand::Import { file } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| ConfigError::new("file", format!("{}: {e}", file.display())))?;
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:>9} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta})",
                )
                .map_err(|e| ConfigError::new("progress", e.to_string()))?
                .progress_chars("=> "),
            );
            let b = bar.clone();
            let progress: ProgressFn = Arc::new(move |p| {
                b.set_message(match p.phase {
                    Phase::Reading => "reading",
                    Phase::Checking => "checking",
                    Phase::Writing => "writing",
                    Phase::Done => "done",
                });
                b.set_length(p.total);
                b.set_position(p.done);
            });
            let started = std::time::Instant::now();
            let result = csv_io::import(&hdb, bytes, progress).await;
            bar.finish_and_clear();
            match result {
                Ok(r) => {
                    println!(
                        "Imported {} rows ({} new, {} updated) in {:.1} s.",
                        r.rows,
                        r.created,
                        r.updated,
                        started.elapsed().as_secs_f64()
                    );
                    Ok(())
                }
                Err(ImportError::Rows { errors, total }) => {
                    for e in &errors {
                        let sku = if e.sku.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", e.sku)
                        };
                        eprintln!("line {}{sku}: {}", e.line, e.reasons.join("; "));
                    }
                    if total as usize > errors.len() {
                        eprintln!("... and {} more", total as usize - errors.len());
                    }
                    Err(ConfigError::new(
                        "file",
                        format!("{total} row(s) have problems; nothing was imported"),
                    ))
                }
                Err(ImportError::File(m)) => Err(ConfigError::new("file", m)),
                Err(ImportError::Other(e)) => Err(ConfigError::new("database.url", e.to_string())),
            }
        }
        CatalogCommand::Export { file } => {
            let bytes = csv_io::export(&hdb)
                .await
                .map_err(|e| ConfigError::new("database.url", e.to_string()))?;
            match file {
                Some(f) => std::fs::write(&f, &bytes)
                    .map_err(|e| ConfigError::new("file", format!("{}: {e}", f.display()))),
                None => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&bytes)
                        .map_err(|e| ConfigError::new("file", e.to_string()))
                }
            }
        }
    }
}
