//! Parse throughput on generated documents shaped like livesite's: a 50,000-URL sitemap (plain
//! and gzipped), a 1,000-entry Google News sitemap, 1,000-item RSS and Atom feeds and a JSON
//! Feed. Run: `cargo run --release -p newspipe-discover --example throughput`.

use std::io::Write;
use std::time::{Duration, Instant};

use newspipe_discover::{Limits, parse};
use url::Url;

fn sitemap(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<url><loc>http://127.0.0.2:18090/world/2024/05/{:02}/a-story-about-things-{i}.html</loc><lastmod>2024-05-{:02}T10:{:02}:00+00:00</lastmod></url>\n",
            i % 28 + 1,
            i % 28 + 1,
            i % 60
        ));
    }
    s.push_str("</urlset>\n");
    s
}

fn news_sitemap(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<url><loc>http://127.0.0.2:18090/world/2024/05/21/story-{i}.html</loc><lastmod>2024-05-21T10:00:00+00:00</lastmod><news:news><news:publication><news:name>Example &amp; Co</news:name><news:language>en</news:language></news:publication><news:publication_date>2024-05-21T09:00:00+00:00</news:publication_date><news:title>Headline number {i} about a thing</news:title></news:news></url>\n"
        ));
    }
    s.push_str("</urlset>\n");
    s
}

fn rss(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Example</title><link>http://127.0.0.2:18090/</link>\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<item><title>Headline number {i} about a thing</title><link>http://127.0.0.2:18090/world/2024/05/21/story-{i}.html</link><guid isPermaLink=\"true\">http://127.0.0.2:18090/world/2024/05/21/story-{i}.html</guid><pubDate>Tue, 21 May 2024 10:00:00 +0000</pubDate><dc:creator>Jane Doe</dc:creator><category>World</category><description>A short dek for the story, with a few words in it to look like a real summary of the article.</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

fn atom(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Example</title><id>http://127.0.0.2:18090/</id><updated>2024-05-21T10:00:00+00:00</updated>\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<entry><title>Headline number {i} about a thing</title><id>http://127.0.0.2:18090/world/2024/05/21/story-{i}.html</id><link rel=\"alternate\" type=\"text/html\" href=\"http://127.0.0.2:18090/world/2024/05/21/story-{i}.html\"/><published>2024-05-21T09:00:00+00:00</published><updated>2024-05-21T10:00:00+00:00</updated><author><name>Jane Doe</name></author><category term=\"world\" label=\"World\"/><summary>A short dek for the story, with a few words in it to look like a real summary of the article.</summary></entry>\n"
        ));
    }
    s.push_str("</feed>\n");
    s
}

fn json_feed(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"id":"{i}","url":"http://127.0.0.2:18090/world/2024/05/21/story-{i}.html","title":"Headline number {i} about a thing","summary":"A short dek for the story.","date_published":"2024-05-21T09:00:00+00:00","date_modified":"2024-05-21T10:00:00+00:00"}}"#))
        .collect();
    format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Example","items":[{}]}}"#,
        items.join(",\n")
    )
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// CPU time this process has used (user + system), from `/proc/self/stat` (Linux; 10 ms
/// ticks). On a shared machine wall time measures the neighbours too; CPU time does not.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at ") ".
    let rest = &stat[stat.rfind(") ")? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Parses `bytes` repeatedly for at least two seconds; prints MB/s of uncompressed input and
/// entries/s, by CPU time (wall time in brackets).
fn measure(name: &str, bytes: &[u8], uncompressed: usize) {
    let base = Url::parse("http://127.0.0.2:18090/sitemap.xml").unwrap();
    let limits = Limits::default();
    let first = parse(bytes, &base, None, &limits).expect("generated documents parse");
    let entries = first.entries.len();
    let mut runs = 0u32;
    let start = Instant::now();
    let cpu0 = cpu_time();
    while start.elapsed() < Duration::from_secs(2) || runs < 3 {
        let d = parse(std::hint::black_box(bytes), &base, None, &limits).unwrap();
        std::hint::black_box(d);
        runs += 1;
    }
    let wall = start.elapsed() / runs;
    let cpu = match (cpu0, cpu_time()) {
        (Some(a), Some(b)) if b > a => (b - a) / runs,
        _ => wall,
    };
    let mb_s = uncompressed as f64 / cpu.as_secs_f64() / 1e6;
    let entries_s = entries as f64 / cpu.as_secs_f64();
    println!(
        "{name:<30} {:>6.2} MB {entries:>6} entries  {:>7.2} ms CPU/parse ({:>7.2} ms wall)  {mb_s:>6.1} MB/s  {:>8.0} entries/s",
        uncompressed as f64 / 1e6,
        cpu.as_secs_f64() * 1e3,
        wall.as_secs_f64() * 1e3,
        entries_s
    );
}

fn main() {
    let sm = sitemap(50_000);
    measure("sitemap, 50,000 URLs", sm.as_bytes(), sm.len());
    let smz = gz(sm.as_bytes());
    measure("sitemap, 50,000 URLs, gzip", &smz, sm.len());
    let news = news_sitemap(1_000);
    measure("news sitemap, 1,000 URLs", news.as_bytes(), news.len());
    let r = rss(1_000);
    measure("RSS 2.0, 1,000 items", r.as_bytes(), r.len());
    let a = atom(1_000);
    measure("Atom, 1,000 entries", a.as_bytes(), a.len());
    let j = json_feed(1_000);
    measure("JSON Feed, 1,000 items", j.as_bytes(), j.len());
}
