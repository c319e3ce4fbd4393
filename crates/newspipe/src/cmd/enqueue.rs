//! `newspipe enqueue`: validate seed URLs and add the good ones to the frontier.

use std::io::BufRead;

use anyhow::{Context, Result};
use url::Url;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Seed URLs; `-` reads one URL per line from stdin.
    #[arg(required_unless_present_any = ["file", "sitemap", "feed"])]
    urls: Vec<String>,
    /// A file with one URL per line (blank lines and lines starting with # are ignored).
    #[arg(long)]
    file: Option<std::path::PathBuf>,
    /// A sitemap (or sitemap index) to seed from; its in-scope entries are crawled. Repeatable.
    #[arg(long, value_name = "URL")]
    sitemap: Vec<String>,
    /// An RSS, Atom or JSON feed to seed from; its in-scope items are crawled. Repeatable.
    #[arg(long, value_name = "URL")]
    feed: Vec<String>,
}

/// Every bad URL is reported with its reason and the rest still go in; `Ok(false)` when any
/// line was refused so scripts can notice.
pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let mut inputs: Vec<String> = Vec::new();
    for u in args.urls {
        if u == "-" {
            for line in std::io::stdin().lock().lines() {
                inputs.push(line.context("reading stdin")?);
            }
        } else {
            inputs.push(u);
        }
    }
    // A sitemap or feed is told apart by its bytes when fetched (the parser sniffs it), so as a
    // seed it is a URL like any other; the flags say what the user means and scope it the same.
    inputs.extend(args.sitemap);
    inputs.extend(args.feed);
    if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        inputs.extend(text.lines().map(str::to_string));
    }
    let (good, bad) = validate(&inputs);
    for (input, reason) in &bad {
        eprintln!("refused {input:?}: {reason}");
    }
    if good.is_empty() {
        // Empty input is a mistake too (an empty variable in a script): say so and fail.
        eprintln!("nothing to enqueue: no URL in the input");
        return Ok(false);
    }
    // Say at once when the crawler's SSRF guard will refuse a seed's host, instead of letting the
    // user find "skipped" in the archive minutes later.
    let mut hosts = std::collections::BTreeMap::new();
    for u in &good {
        hosts.entry(newspipe_model::host_key(u)).or_insert(u);
    }
    for u in hosts.values() {
        if let Some(why) =
            newspipe_fetch::guard_refuses(u, cfg.crawler.allow_private_networks).await
        {
            eprintln!("warning: {u} will not be fetched: {why}");
        }
    }
    let store = super::connect_store(cfg).await?;
    let report = store
        .enqueue(&good)
        .await
        .context("writing to the frontier")?;
    println!(
        "enqueued {} new URL(s), {} already known, {} refused",
        report.added,
        report.already_known,
        bad.len()
    );
    Ok(bad.is_empty())
}

/// Splits inputs into normalised URLs and (input, reason) refusals; comments and blanks are skipped.
fn validate(inputs: &[String]) -> (Vec<Url>, Vec<(String, String)>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for raw in inputs {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match newspipe_model::normalize(line) {
            Ok(u) => good.push(u),
            Err(e) => bad.push((line.to_string(), e.to_string())),
        }
    }
    (good, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_and_good_ones_kept() {
        let inputs: Vec<String> = [
            "https://example.com/",
            "  # a comment",
            "",
            "ftp://example.com/x",
            "not a url",
            "http://Example.com:80/a#frag",
        ]
        .map(String::from)
        .to_vec();
        let (good, bad) = validate(&inputs);
        assert_eq!(
            good.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://example.com/", "http://example.com/a"]
        );
        assert_eq!(bad.len(), 2);
        assert!(bad[0].1.contains("scheme"), "{:?}", bad[0]);
    }
}
