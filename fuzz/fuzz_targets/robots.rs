//! Fuzz target: any bytes as a robots.txt (lossy UTF-8, as the crawler decodes it) give a policy
//! without panicking or hanging; `allowed` answers for fixed URLs and for one built from the
//! input, the Crawl-delay stays within the cap and every sitemap kept is an absolute URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newspipe_model::{MAX_CRAWL_DELAY, RobotsPolicy};

const URLS: &[&str] = &[
    "https://news.example/",
    "https://news.example/2025/10/20/story.html?id=1&x=%e3%83%84",
    "https://news.example/private/a%AAb/ツ",
    "https://news.example/a*b$c",
    "not a url",
    "",
];

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    // The last line doubles as a path, so the URL side of the matcher is fuzzed too.
    let tail = body.rsplit(['\n', '\r']).next().unwrap_or("");
    let from_input = format!("https://news.example/{tail}");
    for agent in ["newspipe/0.1 (+https://example.org/bot)", "*", ""] {
        let p = RobotsPolicy::from_response(agent, Some(200), Some(&body));
        for url in URLS.iter().copied().chain([from_input.as_str()]) {
            let _ = p.allowed(url);
        }
        if let Some(d) = p.crawl_delay() {
            assert!(!d.is_zero() && d <= MAX_CRAWL_DELAY, "crawl delay {d:?}");
        }
        for s in p.sitemaps() {
            assert!(url::Url::parse(s).is_ok(), "sitemap {s:?}");
        }
    }
});
