//! The partner API fuzzed from its own OpenAPI document by schemathesis (PyPI, pinned in
//! scripts/bootstrap.sh): a bounded number of generated requests per operation, valid and
//! invalid, sent with a live key to a hub with a partner network. No answer may be a 5xx, and
//! every answer must match the document: its status codes, content types, headers and schemas.

use std::process::Command;

use hub_tests::{backend_name, spawn_app};

use crate::partner_api::network;

/// Examples per operation and phase; the seed makes a failing run reproducible.
const EXAMPLES: &str = "10";
const SEED: &str = "20261203";

fn schemathesis() -> Option<std::path::PathBuf> {
    let python = std::env::var_os("TEST_PYTHON")?;
    let bin = std::path::Path::new(&python).with_file_name("schemathesis");
    bin.exists().then_some(bin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe() {
    let Some(st) = schemathesis() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "schemathesis is missing: `make test-tools` installs it (TEST_PYTHON names its virtualenv)"
        );
        eprintln!("schemathesis is not installed (make test-tools); skipped outside CI");
        return;
    };
    let Some(app) = spawn_app().await else { return };
    let net = network(&app).await;
    let schema = app.url("localhost", "/partner/v1/openapi.json");
    let report = tempfile::tempdir().expect("a temp dir");
    let key = net.north_key.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(st)
            .args(["run", &schema])
            .args(["--header", &format!("Authorization: Bearer {key}")])
            .args(["--max-examples", EXAMPLES, "--seed", SEED])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_headers_conformance,response_schema_conformance",
            ])
            // Under the key's own limit (600 a minute), so the operations are reached.
            .args(["--rate-limit", "500/m", "--workers", "1"])
            .args(["--request-timeout", "20", "--no-color"])
            .current_dir(report.path())
            .output()
            .expect("run schemathesis")
    })
    .await
    .expect("schemathesis finished");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.contains("SUMMARY"))
        .collect();
    println!(
        "schemathesis on {} (seed {SEED}, {EXAMPLES} examples per operation and phase):\n{}",
        backend_name(),
        summary.join("\n")
    );
    assert!(
        stdout.contains("Tested:"),
        "schemathesis did not test the API:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
