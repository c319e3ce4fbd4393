//! Shared loading for the dev-set scoring examples: reads a bench's ground truth and pages and
//! decodes each page the way `newspipe extract` does (BOM, `<meta charset>`, then a guess).

use std::io::Read;
use std::path::{Path, PathBuf};

/// One bench page: id, decoded HTML, page URL and its ground-truth record.
pub struct Page {
    pub id: String,
    pub html: String,
    pub url: Option<url::Url>,
    pub truth: serde_json::Value,
}

/// Parses `[BENCH_DIR] [--out FILE] [--per-item]`; the default directory is `../shared/<name>`
/// from the repository root.
pub fn args(name: &str) -> (PathBuf, Option<PathBuf>, bool) {
    let mut args = std::env::args().skip(1);
    let (mut dir, mut out, mut per_item) = (None, None, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--per-item" => per_item = true,
            // An example's own flags (`--byline-misses`), read by that example.
            f if f.starts_with("--") => {}
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared")
            .join(name)
    });
    (dir, out, per_item)
}

/// Every page of the bench in id order; exits with a message when the bench is not there.
pub fn load(dir: &Path) -> Vec<Page> {
    let truth_path = dir.join("ground-truth.json");
    let text = std::fs::read_to_string(&truth_path).unwrap_or_else(|e| {
        eprintln!(
            "cannot read {}: {e} (pass the bench directory)",
            truth_path.display()
        );
        std::process::exit(2);
    });
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("ground-truth.json is a JSON object");
    let mut ids: Vec<&String> = truth.keys().collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let path = dir.join("html").join(format!("{id}.html.gz"));
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("page file"))
                .read_to_end(&mut raw)
                .expect("gzip");
            let url = truth[id]["url"]
                .as_str()
                .and_then(|u| url::Url::parse(u).ok());
            Page {
                id: id.clone(),
                html: decode(&raw),
                url,
                truth: truth[id].clone(),
            }
        })
        .collect()
}

/// UTF-8 when valid, else the charset a `<meta>` in the first 2 KiB names, else chardetng's
/// guess: the same order as the fetcher's decoding.
fn decode(raw: &[u8]) -> String {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(raw) {
        return enc.decode(raw).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&raw[..raw.len().min(2048)]).to_ascii_lowercase();
    let declared = head.find("charset=").and_then(|i| {
        let v = head[i + 8..].trim_start_matches(['"', '\'']);
        let end = v
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(v.len());
        encoding_rs::Encoding::for_label(&v.as_bytes()[..end])
    });
    let enc = declared.unwrap_or_else(|| {
        let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        d.feed(raw, true);
        d.guess(None, chardetng::Utf8Detection::Allow)
    });
    enc.decode(raw).0.into_owned()
}

/// A page that holds text and is not the site root, a legal, service or search page, nor
/// declares itself a listing: where an article is expected.
pub fn story_page(ex: &newspipe_extract::Extraction) -> bool {
    use newspipe_extract::KindReason as R;
    !ex.article.body.trim().is_empty()
        && !matches!(
            ex.kind_reason,
            R::HomePage | R::ServicePage | R::SearchPage | R::ListingMarkup | R::Empty
        )
}
