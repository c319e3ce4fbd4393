//! A new user's first commands: on a database that does not exist yet, commands say what to do
//! instead of printing SQL errors, and `newspipe migrate` creates it.

mod common;

use std::process::Command;

use common::{BIN, require_services, unique};
use sqlx::{Connection, PgConnection};

#[tokio::test]
async fn migrate_creates_the_database_and_commands_say_to_run_it() {
    require_services();
    let name = unique("firstrun");
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env_remove("NEWSPIPE_CONFIG")
            .env("DATABASE_URL", &url)
            .env("NEWSPIPE__AMQP__PREFIX", &name)
            .output()
            .unwrap()
    };
    for args in [
        &["status"][..],
        &["search", "anything"][..],
        &["enqueue", "https://example.com/"][..],
    ] {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("run `newspipe migrate`"), "{args:?}: {err}");
        assert!(!err.contains("relation"), "no SQL error text: {err}");
    }
    let out = run(&["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["migrate"]);
    assert!(out.status.success(), "migrating twice is fine");
    let out = run(&["status", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["articles"], 0);
    assert_eq!(v["idle"], true);

    // `enqueue -` reads URLs from stdin: the good ones go in, a bad one is reported (exit 1).
    let mut child = Command::new(BIN)
        .args(["enqueue", "-"])
        .env_remove("NEWSPIPE_CONFIG")
        .env("DATABASE_URL", &url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"https://example.com/a\n# a comment\nnot a url\nhttps://example.com/b\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused line makes the exit code 1"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("enqueued 2 new URL(s), 0 already known, 1 refused"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused \"not a url\""));
    let out = run(&["status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("crawl: 2 URL(s) queued or in flight"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let mut admin = PgConnection::connect(common::PG_ADMIN_URL).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
}
