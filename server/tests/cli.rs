//! The `hub` binary's start-up failures: each bad configuration stops it with one line naming
//! the key, a non-zero exit code, and no panic or backtrace.

use std::net::TcpListener;
use std::process::{Command, Output};

fn hub(args: &[&str], env: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().expect("a temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hub"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HUB_") {
            cmd.env_remove(key);
        }
    }
    cmd.args(args)
        .arg("--config")
        .arg(data.path().join("absent.toml"))
        .env("HUB_DATA_DIR", data.path())
        .env("HUB_SERVER_LISTEN", "127.0.0.1:0")
        .env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hub")
}

/// Asserts a failed start: exit code 2, and stderr is exactly one `error: {key}: ...` line.
fn assert_one_line_error(out: &Output, key: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(
        lines[0].starts_with(&format!("error: {key}: ")),
        "names {key}: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    stderr
}

#[test]
fn unknown_key_in_the_environment() {
    let out = hub(&["serve"], &[("HUB_SERVER_LISTN", "x")]);
    let err = assert_one_line_error(&out, "server.listn");
    assert!(err.contains("unknown key"), "{err}");
}

#[test]
fn unknown_key_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Leptos.toml");
    std::fs::write(&file, "[database]\nurll = \"sqlite://x.db\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hub"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    let err = assert_one_line_error(&out, "database.urll");
    assert!(err.contains("Leptos.toml"), "says which file: {err}");
}

#[test]
fn unparsable_database_url() {
    let out = hub(&["serve"], &[("HUB_DATABASE_URL", "postgres//no-colon")]);
    assert_one_line_error(&out, "database.url");
}

#[test]
fn unreachable_database() {
    let out = hub(
        &["serve"],
        &[
            ("HUB_DATABASE_URL", "postgres://postgres@127.0.0.1:1/hub"),
            ("HUB_DATABASE_ACQUIRE_TIMEOUT_SECS", "2"),
        ],
    );
    let err = assert_one_line_error(&out, "database.url");
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn port_in_use() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = hub(&["serve"], &[("HUB_SERVER_LISTEN", &addr)]);
    let err = assert_one_line_error(&out, "server.listen");
    assert!(err.contains("already in use"), "{err}");
}

#[test]
fn bad_listen_address() {
    let out = hub(&["serve"], &[("HUB_SERVER_LISTEN", "localhost")]);
    assert_one_line_error(&out, "server.listen");
}

#[test]
fn data_dir_not_writable() {
    // A path below a regular file cannot be created, even by root.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let data = file.join("data");
    let out = hub(&["serve"], &[("HUB_DATA_DIR", data.to_str().unwrap())]);
    let err = assert_one_line_error(&out, "data.dir");
    assert!(err.contains("not writable"), "{err}");
}

#[test]
fn wrongly_typed_value() {
    let out = hub(&["serve"], &[("HUB_LIMITS_BODY_BYTES", "lots")]);
    assert_one_line_error(&out, "limits.body_bytes");
}

#[test]
fn migrate_then_status_reports_up_to_date() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let out = hub(&["migrate"], &[("HUB_DATA_DIR", dir)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = hub(&["migrate", "--status"], &[("HUB_DATA_DIR", dir)]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
}

#[test]
fn version_prints_the_version() {
    let out = hub(&["version"], &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("hub "));
}

fn admin_create(data: &std::path::Path, email: &str, password: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hub"));
    for (key, _) in std::env::vars() {
        if key.starts_with("HUB_") {
            cmd.env_remove(key);
        }
    }
    cmd.args([
        "admin",
        "create",
        "--email",
        email,
        "--name",
        "First Admin",
        "--password-stdin",
        "--config",
    ])
    .arg(data.join("absent.toml"))
    .env("HUB_DATA_DIR", data)
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run hub admin create");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("write the password");
    }
    child.wait_with_output().expect("hub admin create finishes")
}

#[test]
fn admin_create_checks_the_password_and_refuses_duplicates() {
    let data = tempfile::tempdir().unwrap();
    let weak = admin_create(data.path(), "boss@hub.example", "password123");
    let err = assert_one_line_error(&weak, "password");
    assert!(err.contains("common"), "{err}");
    let ok = admin_create(data.path(), "boss@hub.example", "Granite-Lantern-31");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Created hub admin boss@hub.example"));
    let again = admin_create(data.path(), "BOSS@hub.example", "Granite-Lantern-31");
    let err = assert_one_line_error(&again, "email");
    assert!(err.contains("already exists"), "{err}");
    let bad = admin_create(data.path(), "not-an-email", "Granite-Lantern-31");
    assert_one_line_error(&bad, "email");
}
