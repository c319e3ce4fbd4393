//! Prints the extraction of one page as JSON, for eyeballing:
//! `cargo run --release -p newspipe-extract --example dump -- PAGE.html[.gz] [URL]`.

use std::io::Read;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: dump PAGE.html[.gz] [URL]");
        std::process::exit(2);
    };
    let url = args.next().and_then(|u| url::Url::parse(&u).ok());
    let raw = std::fs::read(&path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    });
    let mut bytes = Vec::new();
    if path.ends_with(".gz") {
        if let Err(e) = flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut bytes) {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    } else {
        bytes = raw;
    }
    let html = String::from_utf8_lossy(&bytes);
    let ex = newspipe_extract::extract(&html, url.as_ref());
    let v = serde_json::json!({
        "is_article": ex.is_article,
        "article": ex.article,
        "links": ex.links.len(),
    });
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}
