//! A small deterministic news site served on 127.0.0.1 for end-to-end tests, with a request log.
//!
//! Shape: home, 3 sections × 20 articles (two index pages each), /about/, a robots.txt that
//! disallows /private/ and /search, and the user's example article (the Kyiv Independent page).

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router,
    extract::State,
    http::{StatusCode, Uri, header},
    response::{IntoResponse, Response},
};

pub const SECTIONS: [&str; 3] = ["world", "business", "sport"];
pub const PER_SECTION: usize = 20;
pub const EXAMPLE_PATH: &str = "/world/2025/10/20/zelensky-coalition-of-the-willing.html";

/// What the test expects to find in the archive for one article.
#[derive(Debug, Clone)]
pub struct ExpectedArticle {
    pub path: String,
    pub title: String,
    pub authors: Vec<String>,
    pub published_at: String,
    pub body: String,
}

pub struct Site {
    pub pages: BTreeMap<String, String>,
    pub articles: Vec<ExpectedArticle>,
}

const AUTHORS: [&str; 5] = [
    "Olena Kovalenko",
    "James O'Brien",
    "María José Núñez",
    "Chen Wei",
    "Amara Okafor",
];
const WORDS: [&str; 24] = [
    "council",
    "budget",
    "harbour",
    "minister",
    "league",
    "market",
    "energy",
    "treaty",
    "coach",
    "season",
    "inflation",
    "exports",
    "delegation",
    "summit",
    "stadium",
    "farmers",
    "rates",
    "parliament",
    "transfer",
    "drought",
    "pipeline",
    "election",
    "tariffs",
    "referendum",
];

fn sentence(seed: usize, n: usize) -> String {
    let mut words: Vec<&str> = (0..n)
        .map(|i| WORDS[(seed * 7 + i * 5 + i * i) % WORDS.len()])
        .collect();
    words[0] = match seed % 4 {
        0 => "The",
        1 => "Officials",
        2 => "Residents",
        _ => "Analysts",
    };
    format!(
        "{} said on Tuesday, according to sources familiar with item {seed}.",
        words.join(" ")
    )
}

fn chrome(title: &str, head_extra: &str, main: &str) -> String {
    let nav: String = SECTIONS
        .iter()
        .map(|s| format!(r#"<li><a href="/section/{s}/">{s}</a></li>"#))
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Test Gazette</title>
<meta property="og:site_name" content="Test Gazette">{head_extra}
<style>body{{font-family:serif}} .nav li{{display:inline}}</style>
<script>window.__STATE__ = {{"trending": ["a", "b"]}};</script></head>
<body><header><a href="/">Test Gazette</a><nav class="nav"><ul>{nav}<li><a href="/about/">About</a></li><li><a href="/search?q=news">Search</a></li></ul></nav></header>
{main}
<footer><p>© Test Gazette</p><a href="/about/">About us</a> <a href="mailto:desk@example.org">Contact</a></footer></body></html>"#
    )
}

impl Site {
    pub fn generate() -> Self {
        let mut pages = BTreeMap::new();
        let mut articles = Vec::new();
        for (si, section) in SECTIONS.iter().enumerate() {
            for i in 0..PER_SECTION {
                let id = si * 100 + i;
                let day = 1 + (i % 28);
                let path = format!("/{section}/2025/11/{day:02}/story-{id}.html");
                let title = format!(
                    "{} story {id}: {} and {}",
                    capitalise(section),
                    WORDS[id % 24],
                    WORDS[(id + 3) % 24]
                );
                let author = AUTHORS[id % AUTHORS.len()].to_string();
                let hour = (id % 24) as u32;
                // The page states its time with a +02:00 offset; the archive must hold UTC.
                let local = format!("2025-11-{day:02}T{:02}:30:00+02:00", hour);
                let utc_hour = (hour + 22) % 24;
                let utc_day = if hour < 2 { day - 1 } else { day };
                let published_at = if utc_day == 0 {
                    format!("2025-10-31T{utc_hour:02}:30:00Z")
                } else {
                    format!("2025-11-{utc_day:02}T{utc_hour:02}:30:00Z")
                };
                let paras: Vec<String> = (0..4 + id % 4)
                    .map(|p| {
                        format!(
                            "{} {}",
                            sentence(id * 10 + p, 9),
                            sentence(id * 10 + p + 1, 11)
                        )
                    })
                    .collect();
                let body_html: String = paras.iter().enumerate().map(|(k, p)| {
                    if k == 1 {
                        // Inline markup and a mid-body ad must not break the paragraph text.
                        format!("<p>{p} <em>Emphasis</em> kept.</p><div class=\"ad-slot\">Advertisement</div>")
                    } else {
                        format!("<p>{p}</p>")
                    }
                }).collect();
                let body = paras
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        if k == 1 {
                            format!("{p} Emphasis kept.")
                        } else {
                            p.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n\n");
                let next = format!(
                    "/{section}/2025/11/{:02}/story-{}.html",
                    1 + ((i + 1) % PER_SECTION % 28),
                    si * 100 + (i + 1) % PER_SECTION
                );
                let jsonld = format!(
                    r#"<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":{},"author":{{"@type":"Person","name":{}}},"datePublished":"{local}","articleSection":"{}"}}</script>
<meta property="og:type" content="article"><meta property="og:title" content={}>"#,
                    json(&title),
                    json(&author),
                    capitalise(section),
                    json(&title)
                );
                let main = format!(
                    r#"<main><article><h1 class="headline">{title}</h1>
<div class="byline">By <a rel="author" href="/author/a{}/">{author}</a> · <time datetime="{local}">November {day}</time></div>
<div class="article-body">{body_html}</div>
<aside class="read-more"><h3>Read more</h3><ul><li><a href="{next}">Next story in {section}</a></li><li><a href="/private/members-only.html">Members only</a></li></ul></aside>
</article></main>"#,
                    id % AUTHORS.len()
                );
                pages.insert(path.clone(), chrome(&title, &jsonld, &main));
                articles.push(ExpectedArticle {
                    path,
                    title,
                    authors: vec![author],
                    published_at,
                    body,
                });
            }
            // Two index pages per section: teasers, a pager.
            for page in 1..=2 {
                let teasers: String = articles
                    .iter()
                    .filter(|a| a.path.starts_with(&format!("/{section}/")))
                    .skip((page - 1) * 10)
                    .take(10)
                    .map(|a| {
                        format!(
                            r#"<li class="teaser"><a href="{}">{}</a><p>A short teaser.</p></li>"#,
                            a.path, a.title
                        )
                    })
                    .collect();
                let pager = if page == 1 {
                    format!(r#"<a href="/section/{section}/page/2/">Next page</a>"#)
                } else {
                    format!(r#"<a href="/section/{section}/">Previous page</a>"#)
                };
                let path = if page == 1 {
                    format!("/section/{section}/")
                } else {
                    format!("/section/{section}/page/2/")
                };
                let main = format!(
                    r#"<main><h1>{}</h1><ul class="teasers">{teasers}</ul>{pager}</main>"#,
                    capitalise(section)
                );
                pages.insert(path, chrome(&capitalise(section), "", &main));
            }
        }
        // The user's example page, linked from the world section's front.
        let example = include_str!("../../../../tests/data/example-article/page.html");
        pages.insert(EXAMPLE_PATH.to_string(), example.to_string());
        let expected: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/data/example-article/expected.json"
        ))
        .unwrap();
        articles.push(ExpectedArticle {
            path: EXAMPLE_PATH.to_string(),
            title: expected["title"].as_str().unwrap().to_string(),
            authors: vec![expected["authors"][0].as_str().unwrap().to_string()],
            published_at: expected["published_at"].as_str().unwrap().to_string(),
            body: expected["body"].as_str().unwrap().to_string(),
        });
        let world = pages.get_mut("/section/world/").unwrap();
        *world = world.replace(
            r#"<ul class="teasers">"#,
            &format!(r#"<ul class="teasers"><li><a href="{EXAMPLE_PATH}">Zelensky to join coalition meeting</a></li>"#),
        );
        let latest: String = articles
            .iter()
            .step_by(7)
            .map(|a| format!(r#"<li><a href="{}">{}</a></li>"#, a.path, a.title))
            .collect();
        pages.insert(
            "/".into(),
            chrome(
                "Home",
                "",
                &format!("<main><h1>Latest</h1><ul>{latest}</ul></main>"),
            ),
        );
        pages.insert(
            "/about/".into(),
            chrome("About us", "", "<main><h1>About us</h1><p>The Test Gazette is a made-up newspaper used to test crawlers.</p></main>"),
        );
        pages.insert(
            "/robots.txt".into(),
            "User-agent: *\nDisallow: /private/\nDisallow: /search\n".into(),
        );
        Site { pages, articles }
    }

    /// Paths a polite crawler must never request.
    pub fn is_disallowed(path: &str) -> bool {
        path.starts_with("/private/") || path.starts_with("/search")
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// One logged request: when it arrived (Unix ms) and its path.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at_ms: u64,
    pub path: String,
}

#[derive(Clone)]
struct AppState {
    pages: Arc<BTreeMap<String, String>>,
    /// Bodies served as they are with their own Content-Type (sitemaps, feeds, gzip).
    files: Arc<BTreeMap<String, (String, Vec<u8>)>>,
    log: Arc<Mutex<Vec<Hit>>>,
    delays: Delays,
}

/// Per path: how long the next requests wait before their answer, and how many more will.
type Delays = Arc<Mutex<BTreeMap<String, (u64, usize)>>>;

pub struct Server {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Hit>>>,
    delays: Delays,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves `pages` on `ip`:random port.
    pub async fn start(ip: &str, pages: BTreeMap<String, String>) -> Server {
        Self::start_with_files(ip, pages, BTreeMap::new()).await
    }

    /// Serves `pages` as HTML (robots.txt as text) and `files` as `(content type, bytes)`.
    pub async fn start_with_files(
        ip: &str,
        pages: BTreeMap<String, String>,
        files: BTreeMap<String, (String, Vec<u8>)>,
    ) -> Server {
        let log = Arc::new(Mutex::new(Vec::new()));
        let delays = Delays::default();
        let state = AppState {
            pages: Arc::new(pages),
            files: Arc::new(files),
            log: log.clone(),
            delays: delays.clone(),
        };
        let app = Router::new().fallback(serve).with_state(state);
        // `ip` alone picks a free port; `ip:port` asks for that one (a port just released by
        // an aborted server may take a moment to come free).
        let bind = if ip.contains(':') {
            ip.to_string()
        } else {
            format!("{ip}:0")
        };
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(&bind).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("bind test site {bind}: {e}"),
            }
        };
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("test site server");
        });
        Server {
            addr,
            log,
            delays,
            task,
        }
    }

    /// The next `times` requests for `path` are logged on arrival but answered only after
    /// `ms`: a fetch that is surely in flight while they wait.
    pub fn delay(&self, path: &str, ms: u64, times: usize) {
        self.delays
            .lock()
            .unwrap()
            .insert(path.to_string(), (ms, times));
    }

    /// Requests logged for `path` so far.
    pub fn hits_of(&self, path: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.path == path).collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().clone()
    }

    /// The smallest time between two consecutive requests (`u64::MAX` with fewer than two).
    pub fn min_gap_ms(&self) -> u64 {
        let mut ts: Vec<u64> = self.hits().iter().map(|h| h.at_ms).collect();
        ts.sort_unstable();
        ts.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(u64::MAX)
    }

    /// The two consecutive requests closest in time, with their gap (ms).
    pub fn closest_pair(&self) -> Option<(u64, Hit, Hit)> {
        let mut hits = self.hits();
        hits.sort_by_key(|h| h.at_ms);
        hits.windows(2)
            .map(|w| (w[1].at_ms - w[0].at_ms, w[0].clone(), w[1].clone()))
            .min_by_key(|(gap, _, _)| *gap)
    }

    /// The largest number of requests inside any window `[t, t + window_ms)`.
    pub fn max_in_window(&self, window_ms: u64) -> usize {
        let mut ts: Vec<u64> = self.hits().iter().map(|h| h.at_ms).collect();
        ts.sort_unstable();
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..ts.len() {
            while ts[hi] - ts[lo] >= window_ms {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(st): State<AppState>, uri: Uri) -> Response {
    let at_ms = super::now_ms();
    let path_q = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    st.log.lock().unwrap().push(Hit {
        at_ms,
        path: path_q,
    });
    let delay = match st.delays.lock().unwrap().get_mut(uri.path()) {
        Some((ms, left)) if *left > 0 => {
            *left -= 1;
            Some(*ms)
        }
        _ => None,
    };
    if let Some(ms) = delay {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if let Some((content_type, body)) = st.files.get(uri.path()) {
        return ([(header::CONTENT_TYPE, content_type.clone())], body.clone()).into_response();
    }
    match st.pages.get(uri.path()) {
        Some(body) if uri.path() == "/robots.txt" => {
            ([(header::CONTENT_TYPE, "text/plain")], body.clone()).into_response()
        }
        Some(body) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<h1>Not found</h1>",
        )
            .into_response(),
    }
}
