//! Cart transfer survives SIGKILL: a few rounds of shoppers confirming while the built hub is
//! killed at random moments (`make bench` runs many more with `hub-crash`).

use hub_tests::browser::{env_path, workspace_root};
use hub_tests::crash;

#[tokio::test]
async fn every_answered_transfer_survives_sigkill_and_nothing_is_half_written() {
    let root = workspace_root();
    let bin = env_path("TEST_HUB_BIN", root.join("target/debug/hub"));
    let site = env_path("TEST_SITE_ROOT", root.join("target/site"));
    assert!(
        bin.exists(),
        "needs the built hub: run `make build` ({})",
        bin.display()
    );
    let Some(report) = crash::run(&bin, &site, 3, 4).await else {
        return;
    };
    println!("{}", report.line());
    assert!(
        report.answered > 0,
        "no confirmation was answered before the kills: the run tested nothing"
    );
    assert!(
        report.lost.is_empty(),
        "answered but lost: {:?}",
        report.lost
    );
    assert!(
        report.half_written.is_empty(),
        "half-written orders: {:?}",
        report.half_written
    );
}
