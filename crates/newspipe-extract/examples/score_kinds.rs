//! Page-kind check on a site written by `../shared/sitegen/sitegen.py`: every story must be an
//! article, every home, section, author and service page must not be.
//!
//! `python3 ../shared/sitegen/sitegen.py /tmp/sg --hosts 1 --articles 200`, then
//! `cargo run --release -p newspipe-extract --example score_kinds -- /tmp/sg`.

use std::path::{Path, PathBuf};

/// The file sitegen wrote for `url` under the host directory.
fn file_for(root: &Path, dir: &str, base: &str, url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix(base)?;
    let mut p = root.join(dir).join(rest.trim_start_matches('/'));
    if rest.ends_with('/') {
        p = p.join("index.html");
    }
    Some(p)
}

fn main() {
    let Some(root) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: score_kinds SITEGEN_OUT_DIR");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(root.join("manifest.json")).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", root.join("manifest.json").display());
        std::process::exit(2);
    });
    let m: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    let hosts: Vec<(String, String)> = m["hosts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            (
                h["dir"].as_str().unwrap_or("").to_string(),
                h["base"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let check = |url: &str, want: bool, kind: &str, bad: &mut Vec<String>| -> bool {
        let Some(path) = hosts
            .iter()
            .find_map(|(d, b)| file_for(&root, d, b, url))
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
        else {
            return false;
        };
        let Ok(html) = std::fs::read_to_string(&path) else {
            return false;
        };
        let u = url::Url::parse(url).ok();
        let ex = newspipe_extract::extract(&html, u.as_ref());
        if ex.is_article != want {
            bad.push(format!("{kind}\t{url}\t{}", ex.kind_reason));
        }
        true
    };
    let (mut pages, mut stories, mut bad) = (0usize, 0usize, Vec::new());
    for p in m["pages"].as_array().into_iter().flatten() {
        let (url, kind) = (
            p["url"].as_str().unwrap_or(""),
            p["type"].as_str().unwrap_or(""),
        );
        pages += check(url, false, kind, &mut bad) as usize;
    }
    for a in m["articles"].as_array().into_iter().flatten() {
        stories += check(a["url"].as_str().unwrap_or(""), true, "article", &mut bad) as usize;
    }
    for b in &bad {
        println!("wrong: {b}");
    }
    println!(
        "other pages={pages} stories={stories} wrong={} (non-articles taken as articles or stories lost)",
        bad.len()
    );
}
