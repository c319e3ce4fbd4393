//! Scores body extraction on snippet-bench with its score.py metric (whitespace-normalised
//! substring match of must-have and must-not-have snippets) and writes predictions score.py reads.
//!
//! `cargo run --release -p newspipe-extract --example score_snippets -- [BENCH_DIR] [--out preds.json] [--per-item] [--byline-misses]`
//! (`--byline-misses`: one line per page whose authors differ from the annotation: id, gold, ours)
//! (default BENCH_DIR: `../shared/snippet-bench` from the repository root).

mod devset;

use std::time::Instant;

/// Names of a byline, lowercased, as a sorted set: the gold (`meta.author`) lists several
/// people with ";", ",", "and", "und" or "&" (in any case: "Ann Lee And Bo Kim") and may keep
/// a "By"/"Von" or a closing period ("Ann Lee.").
fn names(s: &str) -> Vec<String> {
    let mut out: Vec<String> = s
        .to_lowercase()
        .replace(" und ", ";")
        .replace(" and ", ";")
        .replace(['&', ','], ";")
        .split(';')
        .map(|n| {
            let n = norm(n);
            let n = n
                .strip_prefix("von ")
                .or_else(|| n.strip_prefix("by "))
                .unwrap_or(&n);
            n.strip_suffix('.').unwrap_or(n).to_string()
        })
        .filter(|n| !n.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Python's `re.sub(r"\s+", " ", s).strip()`: every Unicode whitespace run becomes one space.
fn norm(s: &str) -> String {
    s.split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let (dir, out, per_item) = devset::args("snippet-bench");
    let byline_misses = std::env::args().any(|a| a == "--byline-misses");
    let pages = devset::load(&dir);
    let mut preds = serde_json::Map::new();
    let (mut w_hit, mut w_all, mut wo_hit, mut wo_all) = (0usize, 0usize, 0usize, 0usize);
    let (mut ok, mut empty, mut articles) = (0usize, 0usize, 0usize);
    let (mut stories, mut stories_kept) = (0usize, 0usize);
    let (mut bylines, mut bylines_ok) = (0usize, 0usize);
    let t = Instant::now();
    for p in &pages {
        let ex = newspipe_extract::extract(&p.html, p.url.as_ref());
        let body = norm(&ex.article.body);
        let list = |k: &str| -> Vec<String> {
            p.truth[k]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).map(norm).collect())
                .unwrap_or_default()
        };
        let (with, without) = (list("with"), list("without"));
        let wh = with.iter().filter(|s| body.contains(s.as_str())).count();
        let woh = without.iter().filter(|s| body.contains(s.as_str())).count();
        w_hit += wh;
        w_all += with.len();
        wo_hit += woh;
        wo_all += without.len();
        let page_ok = wh == with.len() && woh == 0;
        ok += page_ok as usize;
        empty += body.is_empty() as usize;
        articles += ex.is_article as usize;
        if let Some(gold) = p.truth["meta"]["author"]
            .as_str()
            .filter(|a| !a.trim().is_empty())
        {
            bylines += 1;
            let hit = names(gold) == names(&ex.article.authors.join(";"));
            bylines_ok += hit as usize;
            if byline_misses && !hit {
                println!("{}\t{gold:?}\t{:?}", p.id, ex.article.authors);
            }
        }
        // Story pages: text on the page, not the site root or a legal/service/search page.
        if devset::story_page(&ex) {
            stories += 1;
            stories_kept += ex.is_article as usize;
        }
        if per_item {
            println!(
                "{}\t{wh}/{}\t{woh}/{}\t{}\t{}\t{}\t{}",
                p.id,
                with.len(),
                without.len(),
                page_ok as u8,
                ex.is_article as u8,
                ex.kind_reason,
                ex.article.word_count
            );
        }
        preds.insert(
            p.id.clone(),
            serde_json::json!({
                "body": ex.article.body,
                "is_article": ex.is_article,
                "authors": ex.article.authors,
            }),
        );
    }
    let secs = t.elapsed().as_secs_f64();
    let n = pages.len().max(1) as f64;
    println!(
        "items={} with_recall={:.3} without_ok={:.3} pages_ok={:.3} empty_pred={empty} article_rate={:.3} story_recall={:.3} ({stories_kept}/{stories}) ({:.0} pages/s)",
        pages.len(),
        w_hit as f64 / w_all.max(1) as f64,
        (wo_all - wo_hit) as f64 / wo_all.max(1) as f64,
        ok as f64 / n,
        articles as f64 / n,
        stories_kept as f64 / stories.max(1) as f64,
        n / secs
    );
    println!(
        "byline_exact={:.3} ({bylines_ok}/{bylines} pages with an annotated author; names compared as lowercase sets)",
        bylines_ok as f64 / bylines.max(1) as f64
    );
    if let Some(out) = out {
        match std::fs::write(&out, serde_json::to_string(&preds).unwrap_or_default()) {
            Ok(()) => println!("predictions: {}", out.display()),
            Err(e) => eprintln!("cannot write {}: {e}", out.display()),
        }
    }
}
