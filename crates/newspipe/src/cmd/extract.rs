//! `newspipe extract`: the parser's extraction on local files, as JSON lines (also how quality is scored).

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use serde_json::{Value, json};
use url::Url;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// HTML files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The URL the page was fetched from: resolves relative links and is the fallback canonical URL.
    #[arg(long)]
    url: Option<String>,
}

/// A file that cannot be read is reported on stderr and as an `error` line; the others still print.
pub fn run(args: &Args) -> Result<bool> {
    let base = args
        .url
        .as_deref()
        .map(|u| newspipe_model::normalize(u).with_context(|| format!("--url {u:?}")))
        .transpose()?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    for file in &args.files {
        let line = match extract_file(file, base.as_ref()) {
            Ok(v) => v,
            Err(e) => {
                all_ok = false;
                eprintln!("{}: {e:#}", file.display());
                json!({ "file": file.display().to_string(), "error": format!("{e:#}") })
            }
        };
        writeln!(out, "{line}").context("writing to stdout")?;
    }
    Ok(all_ok)
}

fn extract_file(file: &Path, base: Option<&Url>) -> Result<Value> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    // Text never holds NUL bytes; images, PDFs and archives do within their first kilobyte.
    if bytes[..bytes.len().min(1024)].contains(&0) {
        anyhow::bail!("{} is not HTML (binary data)", file.display());
    }
    let html = newspipe_fetch::decode_body(&bytes, None, None);
    let x = newspipe_extract::extract(&html, base);
    let mut obj = match serde_json::to_value(&x.article)? {
        Value::Object(m) => m,
        _ => unreachable!("Article serialises to an object"),
    };
    obj.insert("file".into(), file.display().to_string().into());
    obj.insert("is_article".into(), x.is_article.into());
    // The body is printed whatever the kind, with the reason, so a user sees why a page was
    // (not) taken for a story.
    obj.insert("kind_reason".into(), x.kind_reason.to_string().into());
    obj.insert("links".into(), x.links.len().into());
    obj.insert(
        "feeds".into(),
        x.feeds
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>()
            .into(),
    );
    Ok(Value::Object(obj))
}
