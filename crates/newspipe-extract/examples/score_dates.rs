//! Scores publication dates on date-bench with its score.py metric (the calendar day as
//! written, no zone conversion) and writes predictions score.py reads.
//!
//! `cargo run --release -p newspipe-extract --example score_dates -- [BENCH_DIR] [--out preds.json] [--per-item]`
//! (default BENCH_DIR: `../shared/date-bench` from the repository root).

mod devset;

use std::time::Instant;

fn main() {
    let (dir, out, per_item) = devset::args("date-bench");
    let pages = devset::load(&dir);
    let mut preds = serde_json::Map::new();
    let (mut answered, mut correct, mut articles) = (0usize, 0usize, 0usize);
    let (mut stories, mut stories_kept) = (0usize, 0usize);
    let t = Instant::now();
    for p in &pages {
        let ex = newspipe_extract::extract(&p.html, p.url.as_ref());
        let pub_at = ex.article.published_at.map(|d| d.to_rfc3339());
        let day = pub_at.as_deref().map(|d| d[..10].to_string());
        let gold = p.truth["date"].as_str().unwrap_or("");
        answered += day.is_some() as usize;
        correct += (day.as_deref() == Some(gold)) as usize;
        articles += ex.is_article as usize;
        // Story pages: text on the page, not the site root or a legal/service/search page.
        if devset::story_page(&ex) {
            stories += 1;
            stories_kept += ex.is_article as usize;
        }
        if per_item {
            println!(
                "{}\t{gold}\t{}\t{}\t{}\t{}\t{}",
                p.id,
                day.as_deref().unwrap_or("None"),
                (day.as_deref() == Some(gold)) as u8,
                ex.is_article as u8,
                ex.kind_reason,
                ex.article.word_count
            );
        }
        preds.insert(
            p.id.clone(),
            serde_json::json!({
                "date": day,
                "published_at": pub_at,
                "modified_at": ex.article.modified_at.map(|d| d.to_rfc3339()),
                "is_article": ex.is_article,
            }),
        );
    }
    let secs = t.elapsed().as_secs_f64();
    let n = pages.len().max(1) as f64;
    println!(
        "items={} accuracy={:.3} precision={:.3} coverage={:.3} article_rate={:.3} story_recall={:.3} ({stories_kept}/{stories}) ({:.0} pages/s)",
        pages.len(),
        correct as f64 / n,
        correct as f64 / answered.max(1) as f64,
        answered as f64 / n,
        articles as f64 / n,
        stories_kept as f64 / stories.max(1) as f64,
        n / secs
    );
    write(out, &preds);
}

fn write(out: Option<std::path::PathBuf>, preds: &serde_json::Map<String, serde_json::Value>) {
    if let Some(out) = out {
        match std::fs::write(&out, serde_json::to_string(preds).unwrap_or_default()) {
            Ok(()) => println!("predictions: {}", out.display()),
            Err(e) => eprintln!("cannot write {}: {e}", out.display()),
        }
    }
}
