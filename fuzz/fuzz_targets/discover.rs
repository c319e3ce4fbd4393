//! Fuzz target: `newspipe_discover::parse` and `sniff` must return (never panic, never hang,
//! never exceed their caps) on any bytes, with any of the content types a server might send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newspipe_discover::{Limits, parse, sniff};

const TYPES: [Option<&str>; 4] = [
    None,
    Some("text/xml; charset=iso-8859-1"),
    Some("application/feed+json"),
    Some("text/html"),
];

fuzz_target!(|data: &[u8]| {
    // The first byte picks the content type; small caps so the fuzzer reaches them.
    let (ct, body) = match data.split_first() {
        Some((b, rest)) => (TYPES[usize::from(*b) % TYPES.len()], rest),
        None => (None, data),
    };
    let limits = Limits {
        max_entries: 64,
        max_uncompressed_bytes: 256 * 1024,
    };
    let base = url::Url::parse("https://news.example/feeds/sitemap.xml").unwrap();
    let _ = sniff(body, ct);
    if let Ok(d) = parse(body, &base, ct, &limits) {
        assert!(d.entries.len() <= limits.max_entries);
        assert!(
            d.warnings.len() <= 32,
            "warnings are aggregated: {:?}",
            d.warnings
        );
        for e in &d.entries {
            assert!(
                e.url.starts_with("http://") || e.url.starts_with("https://"),
                "{}",
                e.url
            );
            // newspipe_model::MAX_URL_LEN: longer URLs are refused by normalisation.
            assert!(e.url.len() <= 2048, "{}", e.url.len());
        }
    }
});
