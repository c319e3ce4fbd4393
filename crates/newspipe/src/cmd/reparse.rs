//! `newspipe reparse [--since TIME] [--site HOST]`: runs today's extractor over the stored raw
//! pages and writes a new revision, marked as a re-parse, wherever the result changed.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::{StreamExt, pin_mut};
use newspipe_store::{ExportFilter, Reparsed};
use url::Url;

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only pages fetched at or after (RFC 3339, YYYY-MM-DD or a 4–14 digit timestamp).
    #[arg(long)]
    since: Option<String>,
    /// Only this host.
    #[arg(long)]
    site: Option<String>,
}

#[derive(Debug, Default)]
struct Tally {
    pages: u64,
    revised: u64,
    new: u64,
    unchanged: u64,
    not_articles: u64,
    skipped: u64,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    let since = super::parse_since(args.since.as_deref())?;
    let store = super::connect_store(cfg).await?;
    let pages = store.export_pages(ExportFilter {
        since,
        site: args.site.clone(),
        batch: 100,
        ..ExportFilter::default()
    });
    pin_mut!(pages);
    let mut t = Tally::default();
    let (start, mut last) = (Instant::now(), Instant::now());
    while let Some(page) = pages.next().await {
        let page = page.context("reading stored pages")?;
        t.pages += 1;
        // Error pages and discovery documents (sitemaps, feeds) are not articles to re-read.
        if !(200..300).contains(&page.status)
            || newspipe_discover::sniff(&page.body, page.content_type.as_deref()).is_some()
        {
            t.skipped += 1;
            continue;
        }
        let base = Url::parse(&page.final_url).ok();
        let at = Some(page.fetched_at.fixed_offset());
        let html = newspipe_fetch::decode_labelled(&page.body, &page.charset);
        let x = tokio::task::spawn_blocking(move || {
            newspipe_extract::extract_at(&html, base.as_ref(), at)
        })
        .await
        .context("the extractor panicked")?;
        if !x.is_article {
            t.not_articles += 1;
            continue;
        }
        let outcome = store
            .reparse(page.id, &page.url, &page.final_url, &x.article)
            .await
            .with_context(|| format!("writing the re-parse of {}", page.final_url))?;
        match outcome {
            Reparsed::Unchanged => t.unchanged += 1,
            Reparsed::Revised => t.revised += 1,
            Reparsed::New => t.new += 1,
        }
        if last.elapsed() >= Duration::from_secs(2) {
            last = Instant::now();
            eprintln!(
                "reparse: {} pages ({:.0}/s), {} revised",
                t.pages,
                t.pages as f64 / start.elapsed().as_secs_f64(),
                t.revised
            );
        }
    }
    let secs = start.elapsed().as_secs_f64().max(1e-6);
    println!(
        "reparsed {} pages in {secs:.1} s ({:.0}/s): {} articles revised, {} new, {} unchanged, \
         {} not articles, {} skipped (errors, sitemaps, feeds)",
        t.pages,
        t.pages as f64 / secs,
        t.revised,
        t.new,
        t.unchanged,
        t.not_articles,
        t.skipped
    );
    Ok(true)
}
