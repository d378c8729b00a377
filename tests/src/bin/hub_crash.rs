//! `hub-crash`: the crash-safety run of cart transfer with many rounds, for `make bench`
//! (see `hub_tests::crash`). Prints one `BENCH_CRASH …` line; exits 1 if anything was lost.

use clap::Parser;
use hub_tests::browser::{env_path, workspace_root};

#[derive(Debug, Parser)]
#[command(name = "hub-crash", version)]
struct Args {
    /// Rounds, each ended by SIGKILL.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Shoppers confirming at once.
    #[arg(long, default_value_t = 8)]
    clients: usize,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let root = workspace_root();
    let bin = env_path("TEST_HUB_BIN", root.join("target/debug/hub"));
    let site = env_path("TEST_SITE_ROOT", root.join("target/site"));
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hub-crash: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let Some(report) = rt.block_on(hub_tests::crash::run(
        &bin,
        &site,
        args.rounds,
        args.clients,
    )) else {
        eprintln!("hub-crash: needs SQLite (TEST_DB=sqlite)");
        return std::process::ExitCode::FAILURE;
    };
    println!("{}", report.line());
    if report.lost.is_empty() && report.half_written.is_empty() && report.answered > 0 {
        std::process::ExitCode::SUCCESS
    } else {
        eprintln!(
            "hub-crash: lost {:?}, half-written {:?}",
            report.lost, report.half_written
        );
        std::process::ExitCode::FAILURE
    }
}
