//! `newspipe history URL|ID` and `newspipe diff URL|ID`: an article's revisions and what changed
//! between two of them (word-level, from `newspipe-diff`).

use std::io::IsTerminal;

use anyhow::{Context, Result, bail};
use newspipe_store::{Revision, Store};
use serde_json::json;

use super::record::emit;
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// An article id, its canonical URL, or any URL that led to it.
    target: String,
    /// One JSON object per revision.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// An article id, its canonical URL, or any URL that led to it.
    target: String,
    /// The older revision (1 = first); default: the one before `--to`.
    #[arg(long)]
    from: Option<i64>,
    /// The newer revision; default: the latest.
    #[arg(long)]
    to: Option<i64>,
    /// One JSON object (field changes, body operations, counts) instead of text.
    #[arg(long)]
    json: bool,
}

async fn revision(store: &Store, article: i64, n: i64) -> Result<Revision> {
    store
        .revision(article, n)
        .await
        .with_context(|| format!("reading revision {n}"))?
        .with_context(|| format!("the article has no revision {n}"))
}

fn as_diff(r: &Revision) -> (Option<String>, Option<String>) {
    (
        r.published_at.map(|d| d.to_rfc3339()),
        r.modified_at.map(|d| d.to_rfc3339()),
    )
}

fn diff_of(old: &Revision, new: &Revision) -> newspipe_diff::RevisionDiff {
    let (op, om) = as_diff(old);
    let (np, nm) = as_diff(new);
    newspipe_diff::diff(&side(old, &op, &om), &side(new, &np, &nm))
}

fn side<'a>(
    r: &'a Revision,
    published: &'a Option<String>,
    modified: &'a Option<String>,
) -> newspipe_diff::Revision<'a> {
    newspipe_diff::Revision {
        title: r.title.as_deref(),
        authors: &r.authors,
        published_at: published.as_deref(),
        modified_at: modified.as_deref(),
        section: r.section.as_deref(),
        lead_image_url: r.lead_image_url.as_deref(),
        body: &r.body,
    }
}

/// Revisions, oldest first: time, headline (old → new when it changed), words added / removed.
pub async fn history(cfg: &Config, args: HistoryArgs) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let Some(a) = super::find_article(&store, &args.target).await? else {
        return Ok(false);
    };
    let list = store
        .revisions(a.id)
        .await
        .context("listing revisions")?
        .unwrap_or_default();
    let mut out = String::new();
    let mut previous: Option<Revision> = None;
    for info in &list {
        let r = revision(&store, a.id, info.number).await?;
        let (added, removed) = match &previous {
            Some(p) => newspipe_diff::word_stats(&p.body, &r.body),
            None => (r.body.split_whitespace().count(), 0),
        };
        let old_title = previous.as_ref().and_then(|p| p.title.clone());
        let retitled = previous.is_some() && old_title != r.title;
        if args.json {
            let v = json!({
                "revision": info.number,
                "fetched_at": info.fetched_at.to_rfc3339(),
                "title": r.title,
                "previous_title": if retitled { old_title.clone() } else { None },
                "words_added": added,
                "words_removed": removed,
                "minor": info.minor,
                "reparse": info.reparse,
                "content_hash": info.content_hash,
            });
            out.push_str(&format!("{v}\n"));
        } else {
            let title = match (retitled, &old_title) {
                (true, Some(old)) => format!("{old} → {}", r.title.as_deref().unwrap_or("")),
                _ => r.title.clone().unwrap_or_else(|| "(untitled)".into()),
            };
            let mut flags = String::new();
            if info.minor {
                flags.push_str(" [minor]");
            }
            if info.reparse {
                flags.push_str(" [reparse]");
            }
            out.push_str(&format!(
                "#{:<3} {}  +{added} −{removed} words{flags}  {title}\n",
                info.number,
                info.fetched_at.format("%Y-%m-%d %H:%M:%S UTC"),
            ));
        }
        previous = Some(r);
    }
    emit(&out)?;
    Ok(true)
}

/// A word-level diff of two revisions' bodies and their field changes; coloured on a terminal.
pub async fn diff(cfg: &Config, args: DiffArgs) -> Result<bool> {
    let store = super::connect_store(cfg).await?;
    let Some(a) = super::find_article(&store, &args.target).await? else {
        return Ok(false);
    };
    let count = store
        .revisions(a.id)
        .await
        .context("listing revisions")?
        .map_or(0, |l| l.len() as i64);
    let to = args.to.unwrap_or(count);
    let from = args.from.unwrap_or(to - 1);
    if count < 2 && args.from.is_none() {
        eprintln!("newspipe: the article has one revision; nothing to compare");
        return Ok(true);
    }
    if from < 1 || to > count || from >= to {
        bail!("--from {from} --to {to}: need 1 ≤ from < to ≤ {count}");
    }
    let (old, new) = (
        revision(&store, a.id, from).await?,
        revision(&store, a.id, to).await?,
    );
    let d = diff_of(&old, &new);
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&d)?)
    } else {
        let body = if std::io::stdout().is_terminal() {
            newspipe_diff::render_ansi(&d)
        } else {
            newspipe_diff::render_plain(&d)
        };
        format!(
            "revision {from} ({}) → revision {to} ({}): +{} −{} words{}\n\n{body}\n",
            old.fetched_at.format("%Y-%m-%d %H:%M UTC"),
            new.fetched_at.format("%Y-%m-%d %H:%M UTC"),
            d.words_added,
            d.words_removed,
            d.minor_reason
                .map(|r| format!(" (minor: {r})"))
                .unwrap_or_default()
        )
    };
    emit(&text)?;
    Ok(true)
}
