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
        Command::Version => Ok(()),
    }
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
