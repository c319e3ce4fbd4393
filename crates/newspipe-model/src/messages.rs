//! Versioned message contracts carried between workers over RabbitMQ (JSON bodies).
//!
//! Flow: dispatcher → [`CrawlJob`] → crawler → [`FetchedPage`] → parser → [`StoreMsg`] → store.
//! The crawler also sends [`StoreMsg::Failed`] and [`StoreMsg::Robots`] straight to the store,
//! because there is nothing for the parser to do with them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use thiserror::Error;

use crate::Article;

/// Bumped on any change a worker of the previous version could not read.
pub const SCHEMA_VERSION: u16 = 2;

/// A message that cannot be understood. It is never retried: it goes to the dead-letter queue.
#[derive(Debug, Error)]
pub enum ContractError {
    #[error("message is not valid JSON for this contract: {0}")]
    Json(#[from] serde_json::Error),
    #[error("message schema version {found} is not {SCHEMA_VERSION}")]
    Version { found: u16 },
    #[error("compressed body is corrupt: {0}")]
    Body(#[from] std::io::Error),
    #[error("compressed body inflates past the {limit}-byte cap")]
    TooLarge { limit: usize },
    #[error("framed message is cut short or carries a body where it has none")]
    Frame,
}

/// Every message carries `v` so a mixed-version deployment fails loudly, not subtly.
///
/// Two encodings, both read by [`Message::from_bytes`]: plain JSON ([`Message::to_bytes`],
/// what a person or a test writes by hand; a page body is base64 in it), and the frame
/// [`Message::encode`] sends, which carries a page body as raw bytes after the JSON:
///
/// ```text
/// 0x01 | JSON length (u32, little endian) | JSON with "body": "" | body bytes
/// ```
///
/// JSON never starts with 0x01, so the first byte tells them apart. The frame saves base64's
/// third more bytes through the broker and the encode/decode passes over every page body.
pub trait Message: Serialize + DeserializeOwned {
    fn version(&self) -> u16;

    /// The page body this message carries, if any: it travels outside the JSON in a frame.
    fn body_mut(&mut self) -> Option<&mut Vec<u8>> {
        None
    }

    /// Plain JSON.
    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("message types serialise infallibly")
    }

    /// What the workers send: a frame when there is a body, else plain JSON.
    fn encode(mut self) -> Vec<u8>
    where
        Self: Sized,
    {
        let Some(body) = self.body_mut().map(std::mem::take) else {
            return self.to_bytes();
        };
        let json = self.to_bytes();
        let len = u32::try_from(json.len()).expect("a message header is far below 4 GiB");
        let mut out = Vec::with_capacity(5 + json.len() + body.len());
        out.push(FRAME);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&body);
        out
    }

    /// Reads either encoding and checks the schema version.
    fn from_bytes(bytes: &[u8]) -> Result<Self, ContractError> {
        let msg: Self = match bytes.split_first() {
            Some((&FRAME, rest)) => {
                let (len, rest) = rest.split_first_chunk::<4>().ok_or(ContractError::Frame)?;
                let len = usize::try_from(u32::from_le_bytes(*len)).unwrap_or(usize::MAX);
                if len > rest.len() {
                    return Err(ContractError::Frame);
                }
                let (json, body) = rest.split_at(len);
                let mut msg: Self = serde_json::from_slice(json)?;
                match msg.body_mut() {
                    Some(slot) if slot.is_empty() => *slot = body.to_vec(),
                    // A body in both places, or bytes where this message has no body.
                    _ if body.is_empty() => {}
                    _ => return Err(ContractError::Frame),
                }
                msg
            }
            _ => serde_json::from_slice(bytes)?,
        };
        match msg.version() {
            SCHEMA_VERSION => Ok(msg),
            found => Err(ContractError::Version { found }),
        }
    }
}

/// First byte of a framed message (see [`Message`]).
const FRAME: u8 = 0x01;

/// What a crawl job asks the crawler to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A page of the site.
    Page,
    /// The host's `/robots.txt`; fetched before any page of a new host.
    Robots,
}

/// dispatcher → crawler: fetch one URL, not before the host's slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlJob {
    pub v: u16,
    /// Row id in the frontier (`urls.id`); robots jobs carry the host's first URL id.
    pub url_id: i64,
    pub url: String,
    /// Politeness key (`host[:port]`), as written by [`crate::host_key`].
    pub host: String,
    pub depth: u32,
    pub kind: JobKind,
    /// The host slot given by the dispatcher (Unix ms). The crawler waits until then, so any number
    /// of replicas together keep the host's rate.
    pub not_before_ms: i64,
    /// Length of the host's slot (ms), see [`slot_spacing`]. A crawler that cannot start within
    /// [`start_window`] of `not_before_ms` hands the job back ([`Disposition::Requeue`]) instead
    /// of crowding the next slot. 0 = politeness off.
    pub slot_ms: u32,
    /// 0 on the first try.
    pub attempt: u32,
    /// Validators of the last full fetch of this URL: the crawler asks with If-None-Match /
    /// If-Modified-Since, and a 304 becomes [`StoreMsg::NotModified`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<Validators>,
}

/// What a server told us about the version we hold (ETag, Last-Modified), sent back on a revisit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// `None` when there is nothing to send.
    pub fn from_parts(etag: Option<String>, last_modified: Option<String>) -> Option<Self> {
        (etag.is_some() || last_modified.is_some()).then_some(Self {
            etag,
            last_modified,
        })
    }
}

impl Message for CrawlJob {
    fn version(&self) -> u16 {
        self.v
    }
}

/// The least time a crawler has to start a job after its slot opens. Delivery through the broker
/// takes milliseconds; a start window shorter than that would hand every job back (a livelock at
/// intervals of a few ms).
pub const MIN_START_WINDOW_MS: u32 = 50;

/// How far apart the dispatcher books a host's slots for a minimum `interval` between requests.
///
/// Slots are `interval + window` apart, the window being a quarter of the interval but at least
/// [`MIN_START_WINDOW_MS`], and a request may start only within the window ([`start_window`]):
/// so two requests to one host are never closer than `interval`, however late each crawler
/// replica runs, and a job always has time to arrive.
pub fn slot_spacing(interval: std::time::Duration) -> std::time::Duration {
    let window = (interval / 4).max(std::time::Duration::from_millis(MIN_START_WINDOW_MS.into()));
    interval + window
}

/// How late (ms) after its slot opens a job of slot length `slot_ms` may still start: the
/// window [`slot_spacing`] added to the interval.
pub fn start_window(slot_ms: u32) -> u32 {
    // slot = interval + max(interval / 4, MIN): the window is slot / 5 once interval / 4 ≥ MIN,
    // i.e. slot ≥ 5 · MIN, and MIN below that.
    if slot_ms >= 5 * MIN_START_WINDOW_MS {
        slot_ms / 5
    } else {
        slot_ms.min(MIN_START_WINDOW_MS)
    }
}

/// crawler → parser: a successful HTML response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedPage {
    pub v: u16,
    pub job: CrawlJob,
    /// After redirects.
    pub final_url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub fetched_at: DateTime<Utc>,
    /// True when the body hit the size cap and was cut.
    pub truncated: bool,
    /// The WHATWG label of the encoding the crawler chose for `body` (`"UTF-8"`,
    /// `"windows-1251"`); the parser decodes with it, and the store keeps it beside the bytes so
    /// a re-parse can decode them again (or differently).
    pub charset: String,
    /// The body exactly as received (after content-encoding), zstd-compressed.
    pub body: Zstd,
}

impl Message for FetchedPage {
    fn version(&self) -> u16 {
        self.v
    }

    fn body_mut(&mut self) -> Option<&mut Vec<u8>> {
        Some(&mut self.body.0)
    }
}

/// What a fetched page turned out to be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    /// An HTML page: an article, or a hub whose links are followed one hop deeper.
    #[default]
    Html,
    /// A sitemap or sitemap index: its entries are followed at the same depth.
    Sitemap,
    /// An RSS, Atom or JSON feed: its items are followed at the same depth.
    Feed,
}

/// The result of parsing one fetched page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedPage {
    pub page: FetchedPage,
    #[serde(default)]
    pub kind: PageKind,
    pub is_article: bool,
    /// Present when `is_article`.
    pub article: Option<Article>,
    /// Normalised absolute links found on the page, in scope or not; the store applies scope.
    pub links: Vec<String>,
    /// Feeds the page announces (`<link rel="alternate" type="application/rss+xml" …>`):
    /// discovery documents, followed at the page's own depth.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// Sitemap and feed entries that carry a date: when the document says the page last changed
    /// (the newest of lastmod, updated, published). A known URL whose date is newer than our last
    /// visit is due at once; new ones are queued newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dated: Vec<DatedLink>,
}

/// A sitemap or feed entry with its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedLink {
    pub url: String,
    pub changed_at: DateTime<Utc>,
    /// A news-sitemap entry or a feed item (fresh), not an archive sitemap's.
    #[serde(default)]
    pub news: bool,
}

impl ParsedPage {
    /// What a revisit compares to tell whether the page changed: the article's content hash, or
    /// for a hub (home, section, sitemap, feed) a hash of the links it lists, so a rotating ad or
    /// a clock on the page does not count as news.
    pub fn change_hash(&self) -> String {
        if let Some(a) = self.article.as_ref().filter(|_| self.is_article) {
            return a.content_hash();
        }
        let mut links: Vec<&str> = self
            .links
            .iter()
            .chain(&self.feeds)
            .map(String::as_str)
            .collect();
        links.sort_unstable();
        links.dedup();
        let mut h = blake3::Hasher::new();
        for l in links {
            h.update(l.as_bytes());
            h.update(&[0x1e]);
        }
        // Dates too: a sitemap or feed whose entry was updated in place changed.
        for d in &self.dated {
            h.update(d.url.as_bytes());
            h.update(&d.changed_at.timestamp().to_le_bytes());
        }
        h.finalize().to_hex()[..32].to_owned()
    }
}

/// Why a fetch did not produce a page, and what the frontier should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Transient (timeout, 5xx, 429, connection refused): try again later, with backoff.
    Retry,
    /// Permanent (404, 410, too many redirects): record the reason, do not try again.
    Fail,
    /// Not something we archive (non-HTML, disallowed, off-scope redirect): record the reason.
    Skip,
    /// Not attempted (the host slot was missed): queue again without counting an attempt.
    Requeue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchFailure {
    pub job: CrawlJob,
    pub disposition: Disposition,
    pub reason: String,
    pub status: Option<u16>,
    /// From `Retry-After` on 429/503: the host should not be asked again before this.
    pub retry_after_secs: Option<u64>,
    pub at: DateTime<Utc>,
}

/// The outcome of fetching a host's robots.txt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotsFetched {
    pub job: CrawlJob,
    /// `None` when the request failed before a status (timeout, refused).
    pub status: Option<u16>,
    /// The file's text (capped), present on 2xx.
    pub body: Option<String>,
    /// Why there was no response, when there was none (the URL's reason if the host is given up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

/// Everything the store consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StoreMsg {
    Page(Box<ParsedPage>),
    Failed(FetchFailure),
    Robots(RobotsFetched),
    /// A revisit answered 304 Not Modified: an unchanged visit, no body.
    NotModified(NotModified),
}

/// crawler → store: the page is as we have it (HTTP 304 to a conditional GET).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotModified {
    pub job: CrawlJob,
    pub at: DateTime<Utc>,
}

/// The store's queue carries one envelope type so one consumer handles every outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreEnvelope {
    pub v: u16,
    #[serde(flatten)]
    pub msg: StoreMsg,
}

impl StoreEnvelope {
    pub fn new(msg: StoreMsg) -> Self {
        Self {
            v: SCHEMA_VERSION,
            msg,
        }
    }
}

impl Message for StoreEnvelope {
    fn version(&self) -> u16 {
        self.v
    }

    fn body_mut(&mut self) -> Option<&mut Vec<u8>> {
        match &mut self.msg {
            StoreMsg::Page(p) => Some(&mut p.page.body.0),
            StoreMsg::Failed(_) | StoreMsg::Robots(_) | StoreMsg::NotModified(_) => None,
        }
    }
}

/// Bytes, zstd-compressed, base64 in JSON. An HTML page is ~30 KB this way instead of ~150 KB.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zstd(#[serde(with = "b64")] pub Vec<u8>);

/// No message body inflates past this, whatever the caller asks: a 44 KB message must not be
/// able to take a worker to a gigabyte.
pub const MAX_INFLATED_BYTES: usize = 64 << 20;

impl Zstd {
    /// Level 3: zstd's default, ~5x on HTML at hundreds of MB/s.
    pub fn compress(bytes: &[u8]) -> Self {
        Self(zstd::bulk::compress(bytes, 3).expect("in-memory zstd cannot fail"))
    }

    /// Decompresses at most `limit` bytes (and never more than [`MAX_INFLATED_BYTES`]); a body
    /// that inflates further is refused, not truncated, since it is not one we produced.
    pub fn decompress(&self, limit: usize) -> Result<Vec<u8>, ContractError> {
        use std::io::Read;
        let limit = limit.min(MAX_INFLATED_BYTES);
        let mut out = Vec::with_capacity((self.0.len() * 4).min(limit));
        let decoder = zstd::stream::read::Decoder::new(self.0.as_slice())?;
        decoder.take(limit as u64 + 1).read_to_end(&mut out)?;
        if out.len() > limit {
            return Err(ContractError::TooLarge { limit });
        }
        Ok(out)
    }
}

impl std::fmt::Debug for Zstd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Zstd({} bytes)", self.0.len())
    }
}

mod b64 {
    use base64::{Engine, engine::general_purpose::STANDARD};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> CrawlJob {
        CrawlJob {
            v: SCHEMA_VERSION,
            url_id: 7,
            url: "http://127.0.0.1:8080/a".into(),
            host: "127.0.0.1:8080".into(),
            depth: 1,
            kind: JobKind::Page,
            not_before_ms: 1,
            slot_ms: 1000,
            attempt: 0,
            validators: None,
        }
    }

    #[test]
    fn round_trips_and_checks_version() {
        let j = job();
        assert_eq!(CrawlJob::from_bytes(&j.to_bytes()).unwrap(), j);
        let mut old = j.clone();
        old.v = 99;
        assert!(matches!(
            CrawlJob::from_bytes(&old.to_bytes()),
            Err(ContractError::Version { found: 99 })
        ));
        assert!(CrawlJob::from_bytes(b"\xff\x00garbage").is_err());
    }

    #[test]
    fn late_starts_never_crowd_the_next_slot() {
        for ms in [1u64, 2, 5, 10, 40, 100, 199, 200, 201, 1000, 1337, 5000] {
            let interval = std::time::Duration::from_millis(ms);
            let slot = slot_spacing(interval).as_millis() as u32;
            // Latest start of one slot to the earliest start of the next.
            let closest = slot - start_window(slot);
            assert!(u64::from(closest) >= ms, "{ms}: {closest}");
            // And a job always has time to get from the dispatcher to a crawler.
            assert!(start_window(slot) >= MIN_START_WINDOW_MS, "{ms}");
        }
    }

    #[test]
    fn store_envelope_is_tagged() {
        let env = StoreEnvelope::new(StoreMsg::Failed(FetchFailure {
            job: job(),
            disposition: Disposition::Retry,
            reason: "timeout".into(),
            status: None,
            retry_after_secs: None,
            at: Utc::now(),
        }));
        let v: serde_json::Value = serde_json::from_slice(&env.to_bytes()).unwrap();
        assert_eq!(v["type"], "failed");
        assert_eq!(v["v"], SCHEMA_VERSION);
        assert_eq!(StoreEnvelope::from_bytes(&env.to_bytes()).unwrap(), env);
    }

    fn fetched(body: &[u8]) -> FetchedPage {
        FetchedPage {
            v: SCHEMA_VERSION,
            job: job(),
            final_url: "http://127.0.0.1:8080/a".into(),
            status: 200,
            content_type: Some("text/html".into()),
            etag: None,
            last_modified: None,
            fetched_at: Utc::now(),
            truncated: false,
            charset: "UTF-8".into(),
            body: Zstd::compress(body),
        }
    }

    #[test]
    fn framed_body_travels_raw_and_json_still_reads() {
        // Bytes zstd cannot shrink much, so the base64 overhead shows.
        let mut x = 1u32;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (x >> 24) as u8
            })
            .collect();
        let page = fetched(&noise);
        let zlen = page.body.0.len();
        let framed = page.clone().encode();
        assert_eq!(framed[0], FRAME);
        // The body is there byte for byte, not in base64.
        assert!(framed.ends_with(&page.body.0));
        assert!(framed.len() < page.to_bytes().len() - zlen / 4);
        assert_eq!(FetchedPage::from_bytes(&framed).unwrap(), page);
        assert_eq!(FetchedPage::from_bytes(&page.to_bytes()).unwrap(), page);

        let env = StoreEnvelope::new(StoreMsg::Page(Box::new(ParsedPage {
            page: page.clone(),
            kind: PageKind::Html,
            is_article: false,
            article: None,
            links: vec!["http://127.0.0.1:8080/b".into()],
            feeds: Vec::new(),
            dated: Vec::new(),
        })));
        let framed = env.clone().encode();
        assert_eq!(framed[0], FRAME);
        assert_eq!(StoreEnvelope::from_bytes(&framed).unwrap(), env);
        // Messages without a body stay plain JSON.
        let failed = StoreEnvelope::new(StoreMsg::Failed(FetchFailure {
            job: job(),
            disposition: Disposition::Fail,
            reason: "404".into(),
            status: Some(404),
            retry_after_secs: None,
            at: Utc::now(),
        }));
        assert_eq!(failed.clone().encode(), failed.to_bytes());
        assert_eq!(job().encode(), job().to_bytes());
    }

    #[test]
    fn broken_frames_are_contract_errors() {
        let framed = fetched(b"<p>x</p>").encode();
        // Cut inside the JSON, inside the length, or a frame with nothing after the marker.
        for cut in [framed.len() / 3, 3, 1] {
            assert!(
                FetchedPage::from_bytes(&framed[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        // Body bytes on a message that has no body.
        let mut job_frame = vec![FRAME];
        let json = job().to_bytes();
        job_frame.extend_from_slice(&(json.len() as u32).to_le_bytes());
        job_frame.extend_from_slice(&json);
        assert_eq!(CrawlJob::from_bytes(&job_frame).unwrap(), job());
        job_frame.extend_from_slice(b"junk");
        assert!(matches!(
            CrawlJob::from_bytes(&job_frame),
            Err(ContractError::Frame)
        ));
        // The version is checked on frames too.
        let mut old = fetched(b"<p>x</p>");
        old.v = 1;
        assert!(matches!(
            FetchedPage::from_bytes(&old.encode()),
            Err(ContractError::Version { found: 1 })
        ));
    }

    #[test]
    fn compressed_bytes_round_trip() {
        let text = "<p>Zelenský — ünïcode</p>".repeat(100);
        let z = Zstd::compress(text.as_bytes());
        assert!(z.0.len() < text.len() / 4);
        let json = serde_json::to_string(&z).unwrap();
        let back: Zstd = serde_json::from_str(&json).unwrap();
        assert_eq!(back.decompress(1 << 20).unwrap(), text.as_bytes());
    }

    #[test]
    fn inflating_past_the_cap_is_refused() {
        // 8 MiB of zeros compresses to a few hundred bytes: the shape of a decompression bomb.
        let bomb = Zstd::compress(&vec![0u8; 8 << 20]);
        assert!(bomb.0.len() < 4096);
        assert!(matches!(
            bomb.decompress(1 << 20),
            Err(ContractError::TooLarge { limit }) if limit == 1 << 20
        ));
        assert_eq!(bomb.decompress(8 << 20).unwrap().len(), 8 << 20);
        assert!(matches!(
            Zstd::compress(&vec![0u8; MAX_INFLATED_BYTES + 1]).decompress(usize::MAX),
            Err(ContractError::TooLarge { .. })
        ));
    }

    #[test]
    fn several_frames_or_none_stating_its_size_inflate_within_the_cap() {
        // Two frames back to back are one valid zstd stream.
        let (a, b) = ("first frame ".repeat(50), "second frame ".repeat(50));
        let mut two = Zstd::compress(a.as_bytes()).0;
        two.extend_from_slice(&Zstd::compress(b.as_bytes()).0);
        assert_eq!(
            Zstd(two.clone()).decompress(1 << 20).unwrap(),
            format!("{a}{b}").as_bytes()
        );
        assert!(matches!(
            Zstd(two).decompress(a.len() + 10),
            Err(ContractError::TooLarge { .. })
        ));
        // A streamed frame states no size at all.
        let streamed = zstd::stream::encode_all(a.as_bytes(), 3).unwrap();
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&streamed).unwrap(),
            None
        );
        assert_eq!(Zstd(streamed).decompress(1 << 20).unwrap(), a.as_bytes());
    }
}
