//! robots.txt conformance: the cases of Google's robots.txt test suite (google/robotstxt
//! `robots_test.cc`), kept as data in `tests/data/google_robotstxt_cases.jsonl`, run against
//! `RobotsPolicy`. Deliberate deviations are listed in the file with their reason and asserted
//! to stay deviations, so neither side of the list can drift silently.

use newspipe_model::RobotsPolicy;
use serde_json::Value;

const CASES: &str = include_str!("data/google_robotstxt_cases.jsonl");

/// Expands `{{c*N}}` (N times the character c), used for Google's over-long lines.
fn expand(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed {{") + start;
        let spec = &rest[start + 2..end];
        let (c, n) = spec.split_once('*').expect("{{c*N}}");
        out.push_str(&c.repeat(n.parse().expect("count")));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn text<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} must be a string"))
}

#[test]
fn google_robotstxt_suite() {
    let mut checks = 0;
    let mut deviations = 0;
    let mut not_applicable = 0;
    let mut failures = Vec::new();
    for (line_no, line) in CASES.lines().enumerate() {
        let case: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {}: not JSON: {e}", line_no + 1));
        if case.get("comment").is_some() {
            continue;
        }
        let name = text(&case["name"], "name");
        if let Some(reason) = case.get("not_applicable") {
            assert!(!text(reason, "reason").is_empty(), "{name}: say why");
            not_applicable += 1;
            continue;
        }
        let robots = expand(text(&case["robots"], "robots"));
        for check in case["checks"].as_array().expect("checks") {
            let row = check.as_array().expect("a check is an array");
            let agent = text(&row[0], "agent");
            let url = expand(text(&row[1], "url"));
            let google = row[2].as_bool().expect("expected allowed");
            let deviation = row.get(3).map(|r| text(r, "reason"));
            let ours = RobotsPolicy::from_response(agent, Some(200), Some(&robots)).allowed(&url);
            let want = match deviation {
                Some(reason) => {
                    assert!(!reason.is_empty(), "{name}: say why");
                    deviations += 1;
                    !google
                }
                None => google,
            };
            checks += 1;
            if ours != want {
                let shown: String = url.chars().take(80).collect();
                failures.push(format!(
                    "{name}: agent {agent:?} url {shown:?}: allowed={ours}, want {want}"
                ));
            }
        }
        if let Some(want) = case.get("sitemaps") {
            let want: Vec<&str> = want
                .as_array()
                .expect("sitemaps")
                .iter()
                .map(|s| text(s, "sitemap"))
                .collect();
            let got = RobotsPolicy::from_response("any", Some(200), Some(&robots));
            checks += 1;
            if got.sitemaps() != want.as_slice() {
                failures.push(format!(
                    "{name}: sitemaps {:?}, want {want:?}",
                    got.sitemaps()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checks} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The file really was read: Google's suite has well over a hundred checks.
    assert!(checks >= 150, "only {checks} checks");
    assert_eq!(
        deviations, 4,
        "deviations changed: update the list and the report"
    );
    assert_eq!(not_applicable, 2);
}
