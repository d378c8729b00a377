//! `hub-bench-data`: writes the storefront benchmark's datasets (a master catalog, stores,
//! overrides) into a fresh data directory, for `scripts/bench.sh`. A binary of its own: the
//! production `hub` carries none of this.

mod data;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use server::config::Config;

/// Generate a benchmark dataset into a fresh data directory.
#[derive(Debug, Parser)]
#[command(name = "hub-bench-data", version)]
struct Cli {
    /// The configuration file (its hub name and tagline are used).
    #[arg(long, default_value = "Leptos.toml")]
    config: PathBuf,
    #[command(flatten)]
    args: data::BenchDataArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let cfg = Config::load(&cli.config)?;
        data::run(&cfg, cli.args).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
