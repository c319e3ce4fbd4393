//! Adding URLs to the frontier: seeds from `enqueue`, and in-scope links found on stored pages.
//!
//! Both are bulk statements whatever the batch size: rows go into `urls` (keyed by [`url_key`],
//! which equals SQL's `url_key(url)`) in key order, so concurrent writers lock keys in the same
//! order and cannot deadlock, and every new URL also gets a `frontier` row (due now). A known URL
//! is never touched.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use newspipe_model::{host_key, normalize};
use sqlx::{PgConnection, PgPool};

use crate::{EnqueueReport, StoreError, clean, known::KnownUrls};

/// Seeds: depth 0.
pub(crate) async fn enqueue(pool: &PgPool, urls: &[url::Url]) -> Result<EnqueueReport, StoreError> {
    // Re-normalising is idempotent and keeps the "one spelling per URL" invariant even if a
    // caller forgot.
    let mut seeds = BTreeSet::new();
    for u in urls {
        let n =
            normalize(&clean(u.as_str())).map_err(|e| StoreError::Invalid(format!("{u}: {e}")))?;
        seeds.insert((n.as_str().to_owned(), host_key(&n)));
    }
    let (list, hosts): (Vec<String>, Vec<String>) = seeds.into_iter().unzip();
    let mut tx = pool.begin().await?;
    let ids = ensure_hosts(&mut tx, &hosts).await?;
    let links: Vec<NewUrl> = list
        .into_iter()
        .zip(&hosts)
        .map(|(url, h)| NewUrl {
            url,
            host_id: ids[h.as_str()],
            depth: 0,
            ahead: 0.0,
        })
        .collect();
    let added = insert_urls(&mut tx, &links).await?.len() as u64;
    tx.commit().await?;
    tracing::debug!(added, given = urls.len(), "enqueued seeds");
    Ok(EnqueueReport {
        added,
        already_known: urls.len() as u64 - added,
    })
}

/// Creates `hosts` rows (robots unknown) for hosts seen for the first time and returns the id of
/// every host named.
pub(crate) async fn ensure_hosts(
    conn: &mut PgConnection,
    hosts: &[String],
) -> Result<BTreeMap<String, i32>, StoreError> {
    let mut distinct: Vec<String> = hosts.to_vec();
    distinct.sort();
    distinct.dedup();
    sqlx::query(
        "INSERT INTO hosts (host)
         SELECT h FROM UNNEST($1::text[]) AS h ORDER BY h
         ON CONFLICT (host) DO NOTHING",
    )
    .bind(&distinct)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<(String, i32)> =
        sqlx::query_as("SELECT host, id FROM hosts WHERE host = ANY($1)")
            .bind(&distinct)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.into_iter().collect())
}

/// A normalised URL's key: the first 8 bytes of its MD5, big-endian, exactly what SQL's
/// `url_key(url)` computes (migration 0002). Computed here so that Postgres does no hashing for
/// the links of a batch: `url_key` costs it ~2 µs a call, twice a link, and a batch of pages
/// brings a couple of thousand links.
pub(crate) fn url_key(url: &str) -> i64 {
    use md5::{Digest, Md5};
    let digest = Md5::digest(url.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// A URL to add to the frontier.
#[derive(Debug, Clone)]
pub(crate) struct NewUrl {
    pub url: String,
    pub host_id: i32,
    pub depth: i32,
    /// Seconds its due time is set back, so it is fetched ahead of plain links: newest first
    /// (see [`ahead_secs`]). 0 for links without a date.
    pub ahead: f64,
}

/// Span of the date-based order: entries dated within it are queued the further ahead the newer.
const SPAN: f64 = 30.0 * 86_400.0;

/// How far ahead of undated links a sitemap or feed entry changed at `changed_at` is queued:
/// the newer, the further ahead (up to 30 days for one dated now), and news-sitemap and feed
/// items another 30 days ahead of archive sitemaps' entries. Due times order a host's queue, so
/// this is "newest first" at no cost to the dispatcher.
pub(crate) fn ahead_secs(
    now: chrono::DateTime<chrono::Utc>,
    changed_at: chrono::DateTime<chrono::Utc>,
    news: bool,
) -> f64 {
    let age = (now - changed_at).num_seconds().max(0) as f64;
    (SPAN - age).max(0.0) + if news { SPAN } else { 0.0 }
}

/// A link never seen before found by a revisit of a hot hub is a fresh story: it is queued as a
/// news item dated now, ahead of the archive backlog and of undated links.
pub(crate) const FRESH_AHEAD: f64 = 2.0 * SPAN;

/// Discovery documents (feeds a page announces, robots.txt `Sitemap:` lines) go ahead of every
/// page they may list: fetching the site's own lists first is what orders the rest.
pub(crate) const DISCOVERY_AHEAD: f64 = 3.0 * SPAN;

/// A sitemap or feed entry with a date: a known URL whose date is newer than our last visit is
/// due again, `ahead` seconds early ([`ahead_secs`]), so it jumps its host's revisit queue.
#[derive(Debug, Clone)]
pub(crate) struct Dated {
    pub url: String,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub ahead: f64,
}

/// Known URLs that a sitemap or feed says changed after our last visit are due at once, ahead of
/// the host's other revisits by their date (newest first): a waiting revisit is moved up, and a
/// fetched URL whose visits had ended regains a frontier row. A known URL still waiting for its
/// first visit takes its place by the entry's date too, if that is earlier: a story a plain page
/// listed first (queued behind the backlog) jumps it once a feed or news sitemap dates it (not
/// while it waits out a retry backoff). One statement for the batch, keys in order. A second of
/// slack covers documents whose dates are truncated to the second (a change just after a visit
/// in the same second).
pub(crate) async fn due_on_change(
    conn: &mut PgConnection,
    dated: &[Dated],
) -> Result<u64, StoreError> {
    if dated.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = dated.iter().map(|d| url_key(&d.url)).collect();
    let dates: Vec<_> = dated.iter().map(|d| d.changed_at).collect();
    let ahead: Vec<f64> = dated.iter().map(|d| d.ahead).collect();
    let n: i64 = sqlx::query_scalar(
        "WITH d AS (
             SELECT x.id, max(x.changed_at) AS changed_at,
                    now() - make_interval(secs => max(x.ahead)) AS due_at
             FROM UNNEST($1::int8[], $2::timestamptz[], $4::float8[]) AS x (id, changed_at, ahead)
             GROUP BY 1
         ), moved AS (
             UPDATE frontier f SET due_at = d.due_at
             FROM (SELECT * FROM d ORDER BY id) d
             WHERE f.url_id = d.id AND f.lease_until IS NULL AND f.due_at > d.due_at
               AND CASE WHEN f.revisit THEN f.visited_at < d.changed_at + interval '1 second'
                        ELSE f.attempts = 0 END
             RETURNING f.url_id
         ), back AS (
             INSERT INTO frontier (url_id, host_id, url, depth, due_at, revisit, visited_at)
             SELECT u.id, u.host_id, u.url, u.depth, d.due_at, true, u.fetched_at
             FROM d JOIN urls u ON u.id = d.id
             WHERE u.state = $3 AND u.fetched_at < d.changed_at + interval '1 second'
             ORDER BY u.id
             ON CONFLICT (url_id) DO NOTHING
             RETURNING url_id
         )
         SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM back)",
    )
    .bind(&ids)
    .bind(&dates)
    .bind(crate::UrlState::Fetched)
    .bind(&ahead)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Inserts the URLs not yet known (the shallowest depth wins when one is listed twice) and queues
/// them; returns the URLs that were new. Two statements whatever the batch size, rows in key
/// order, and only keys not already known are written, so a batch never waits on rows another
/// batch is settling.
pub(crate) async fn insert_urls(
    conn: &mut PgConnection,
    urls: &[NewUrl],
) -> Result<HashSet<String>, StoreError> {
    Ok(insert_links(conn, urls, None).await?.0)
}

/// [`insert_urls`] for the links of a batch: links whose keys `known` holds are left out before
/// Postgres sees them. Also returns the keys of every link sent, all of them in `urls` once the
/// transaction commits: for the caller to remember then.
pub(crate) async fn insert_links(
    conn: &mut PgConnection,
    urls: &[NewUrl],
    known: Option<&KnownUrls>,
) -> Result<(HashSet<String>, Vec<i64>), StoreError> {
    if urls.is_empty() {
        return Ok((HashSet::new(), Vec::new()));
    }
    // One entry per URL: the shallowest depth, and the furthest ahead of its listings.
    let mut best: BTreeMap<&str, (i32, i32, f64)> = BTreeMap::new();
    for u in urls {
        best.entry(u.url.as_str())
            .and_modify(|(_, depth, ahead)| {
                *depth = (*depth).min(u.depth);
                *ahead = ahead.max(u.ahead);
            })
            .or_insert((u.host_id, u.depth, u.ahead));
    }
    // Key order is the lock order.
    let mut rows: Vec<(i64, &str, (i32, i32, f64))> = best
        .into_iter()
        .map(|(url, rest)| (url_key(url), url, rest))
        .collect();
    if let Some(known) = known {
        known.retain_unknown(&mut rows, |r| r.0);
    }
    rows.sort_unstable_by_key(|r| r.0);
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let list: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let hosts: Vec<i32> = rows.iter().map(|r| r.2.0).collect();
    let depths: Vec<i32> = rows.iter().map(|r| r.2.1).collect();
    let added: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO urls (id, url, host_id, depth)
         SELECT x.id, x.url, x.host_id, x.depth
         FROM UNNEST($1::int8[], $2::text[], $3::int[], $4::int[]) AS x (id, url, host_id, depth)
         -- Known URLs are left out by a plain read before the insert: an insert that meets a
         -- row another batch has updated (settled) but not committed waits for that batch, and
         -- that batch may be waiting for this one's settled rows: a deadlock.
         WHERE NOT EXISTS (SELECT 1 FROM urls u WHERE u.id = x.id)
         -- Each URL is listed once (deduplicated above); key order is the lock order.
         ORDER BY x.id
         ON CONFLICT (id) DO NOTHING
         RETURNING id",
    )
    .bind(&ids)
    .bind(&list)
    .bind(&hosts)
    .bind(&depths)
    .fetch_all(&mut *conn)
    .await?;
    if added.is_empty() {
        return Ok((HashSet::new(), ids));
    }
    // The frontier rows of the URLs just added, matched in Rust: joining the insert's RETURNING
    // to its input in SQL is planned as a nested loop over two CTEs (no statistics), quadratic
    // in the batch's links (9 s for 8,000 links).
    let added: HashSet<i64> = added.into_iter().collect();
    let new: Vec<&(i64, &str, (i32, i32, f64))> =
        rows.iter().filter(|r| added.contains(&r.0)).collect();
    sqlx::query(
        "INSERT INTO frontier (url_id, host_id, url, depth, due_at)
         SELECT x.id, x.host_id, x.url, x.depth, now() - make_interval(secs => x.ahead)
         FROM UNNEST($1::int8[], $2::text[], $3::int[], $4::int[], $5::float8[])
              AS x (id, url, host_id, depth, ahead)
         ORDER BY x.id
         ON CONFLICT (url_id) DO NOTHING",
    )
    .bind(new.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind(new.iter().map(|r| r.1).collect::<Vec<_>>())
    .bind(new.iter().map(|r| r.2.0).collect::<Vec<_>>())
    .bind(new.iter().map(|r| r.2.1).collect::<Vec<_>>())
    .bind(new.iter().map(|r| r.2.2).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok((new.iter().map(|r| r.1.to_owned()).collect(), ids))
}
