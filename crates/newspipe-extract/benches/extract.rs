//! Extraction speed over the 181 extraction-bench pages, one thread.
//! `EXTRACTION_BENCH=/path/to/extraction-bench cargo bench -p newspipe-extract`
//! (default: `../shared/extraction-bench` from the repo root). Reports time per pass over all
//! pages and pages/s.

use std::io::Read;
use std::path::PathBuf;
use std::sync::OnceLock;

use divan::counter::{BytesCount, ItemsCount};

fn main() {
    if pages().is_empty() {
        eprintln!("no pages found; set EXTRACTION_BENCH to the extraction-bench directory");
        return;
    }
    divan::main();
}

/// `(html, url)` of every page, decompressed once.
fn pages() -> &'static [(String, Option<url::Url>)] {
    static PAGES: OnceLock<Vec<(String, Option<url::Url>)>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let dir = std::env::var_os("EXTRACTION_BENCH")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/extraction-bench")
            });
        let truth: serde_json::Value = std::fs::read_to_string(dir.join("ground-truth.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let Ok(entries) = std::fs::read_dir(dir.join("html")) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        paths
            .iter()
            .filter_map(|p| {
                let mut raw = Vec::new();
                flate2::read::GzDecoder::new(std::fs::File::open(p).ok()?)
                    .read_to_end(&mut raw)
                    .ok()?;
                let id = p.file_name()?.to_str()?.trim_end_matches(".html.gz");
                let url = truth[id]["url"]
                    .as_str()
                    .and_then(|u| url::Url::parse(u).ok());
                Some((String::from_utf8_lossy(&raw).into_owned(), url))
            })
            .collect()
    })
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn all_pages(bencher: divan::Bencher<'_, '_>) {
    let pages = pages();
    let bytes: usize = pages.iter().map(|p| p.0.len()).sum();
    bencher
        .counter(ItemsCount::new(pages.len()))
        .counter(BytesCount::new(bytes))
        .bench(|| {
            for (html, url) in pages {
                divan::black_box(newspipe_extract::extract(
                    divan::black_box(html),
                    url.as_ref(),
                ));
            }
        });
}
