//! Fuzz target: `extract` must return (never panic, never hang) on any bytes, with and without
//! a page URL, and with a fetch time (relative dates).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let _ = newspipe_extract::extract(&html, None);
    if let Ok(base) = url::Url::parse("https://news.example/2025/10/20/story/") {
        let at = chrono::DateTime::parse_from_rfc3339("2025-10-21T01:30:00+02:00").ok();
        let _ = newspipe_extract::extract_at(&html, Some(&base), at);
    }
});
