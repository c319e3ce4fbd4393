//! Adding URLs to the frontier: seeds from `enqueue`, and in-scope links found on stored pages.
//!
//! Both are one bulk statement whatever the batch size: rows go into `urls` (keyed by
//! `url_key(url)`) in key order, so concurrent writers lock keys in the same order and cannot
//! deadlock, and every new URL also gets a `frontier` row (due now). A known URL is never touched.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use newspipe_model::{host_key, normalize};
use sqlx::{PgConnection, PgPool};

use crate::{EnqueueReport, StoreError, clean};

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

/// A URL to add to the frontier.
#[derive(Debug, Clone)]
pub(crate) struct NewUrl {
    pub url: String,
    pub host_id: i32,
    pub depth: i32,
}

/// Inserts the URLs not yet known (the shallowest depth wins when one is listed twice) and queues
/// them; returns the URLs that were new. One statement, rows in key order.
pub(crate) async fn insert_urls(
    conn: &mut PgConnection,
    urls: &[NewUrl],
) -> Result<HashSet<String>, StoreError> {
    if urls.is_empty() {
        return Ok(HashSet::new());
    }
    let mut list = Vec::with_capacity(urls.len());
    let mut hosts = Vec::with_capacity(urls.len());
    let mut depths = Vec::with_capacity(urls.len());
    for u in urls {
        list.push(u.url.as_str());
        hosts.push(u.host_id);
        depths.push(u.depth);
    }
    let added: Vec<String> = sqlx::query_scalar(
        "WITH l AS (
             SELECT DISTINCT ON (url_key(x.url)) url_key(x.url) AS id, x.url, x.host_id, x.depth
             FROM UNNEST($1::text[], $2::int[], $3::int[]) AS x (url, host_id, depth)
             ORDER BY url_key(x.url), x.depth
         ), ins AS (
             INSERT INTO urls (id, url, host_id, depth)
             SELECT id, url, host_id, depth FROM l ORDER BY id
             ON CONFLICT (id) DO NOTHING
             RETURNING id, url, host_id
         ), queued AS (
             INSERT INTO frontier (url_id, host_id)
             SELECT id, host_id FROM ins ORDER BY id
             ON CONFLICT (url_id) DO NOTHING
         )
         SELECT url FROM ins",
    )
    .bind(&list)
    .bind(&hosts)
    .bind(&depths)
    .fetch_all(conn)
    .await?;
    Ok(added.into_iter().collect())
}
