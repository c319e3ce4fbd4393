//! The user's local commands that need no services: `newspipe extract`.

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_newspipe");
const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/example-article"
);

fn extract(args: &[&str]) -> (Vec<Value>, String, Option<i32>) {
    let out = Command::new(BIN)
        .arg("extract")
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    (
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn extract_prints_the_scored_fields_as_json_lines() {
    let page = format!("{EXAMPLE}/page.html");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{EXAMPLE}/expected.json")).unwrap())
            .unwrap();
    let (lines, stderr, code) = extract(&[&page, "--url", expected["url"].as_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(lines.len(), 1);
    let got = &lines[0];
    for key in [
        "file",
        "is_article",
        "title",
        "authors",
        "published_at",
        "modified_at",
        "section",
        "site_name",
        "language",
        "canonical_url",
        "lead_image_url",
        "lead_image_caption",
        "body",
        "links",
        "tags",
        "description",
        "word_count",
    ] {
        assert!(got.get(key).is_some(), "missing {key}: {got}");
    }
    assert_eq!(got["file"], page.as_str());
    // Dates keep the page's offset; the expected file gives the instant in UTC.
    for key in ["published_at", "modified_at"] {
        let instant = |v: &Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        assert_eq!(instant(&got[key]), instant(&expected[key]), "{key}");
    }
    assert!(got["kind_reason"].is_string(), "kind_reason: {got}");
    assert!(got["feeds"].is_array(), "feeds: {got}");
    for key in [
        "is_article",
        "title",
        "authors",
        "section",
        "site_name",
        "language",
        "canonical_url",
        "lead_image_url",
        "lead_image_caption",
        "body",
    ] {
        assert_eq!(got[key], expected[key], "{key}");
    }
    assert!(
        got["links"].as_u64().unwrap() > 10,
        "links is a count of the page's links"
    );
}

#[test]
fn a_missing_file_is_reported_and_the_others_still_print() {
    let page = format!("{EXAMPLE}/page.html");
    let (lines, stderr, code) = extract(&["/nonexistent/x.html", &page]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("/nonexistent/x.html"), "{stderr}");
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["error"].is_string());
    assert_eq!(lines[1]["is_article"], true);
}

/// `enqueue` fails loudly on input that names no URL, before touching any service.
#[test]
fn enqueue_without_urls_is_a_usage_error() {
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("enqueue")
            .args(args)
            // Unreachable on purpose: none of these may get as far as the database.
            .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "clap usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage"));
    for empty in [&[""][..], &["  ", "# only a comment"][..]] {
        let out = run(empty);
        assert_eq!(out.status.code(), Some(1), "{empty:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nothing to enqueue"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn extract_refuses_a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("image.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(std::iter::repeat_n(0xABu8, 500_000));
    std::fs::write(&png, &bytes).unwrap();
    let (lines, stderr, code) = extract(&[png.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("is not HTML"), "{stderr}");
    assert!(lines[0]["error"].as_str().unwrap().contains("not HTML"));
    assert!(lines[0].get("body").is_none());
}

/// `NEWSPIPE_CONFIG` names the file as `--config` does: a bad key in it stops every command
/// with the key's name.
#[test]
fn newspipe_config_names_a_file_that_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[frontier]\nmax_dept = 2\n").unwrap();
    let out = Command::new(BIN)
        .args(["status"])
        .env("NEWSPIPE_CONFIG", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max_dept"), "{err}");
}
