//! Adding URLs to the frontier: seeds from `enqueue`, and in-scope links found on stored pages.
//! Both are bulk `INSERT … SELECT FROM UNNEST(…) ON CONFLICT (url) DO NOTHING`: one statement
//! whatever the batch size, and a URL already known is never touched.

use std::collections::BTreeSet;

use newspipe_model::{host_key, normalize};
use sqlx::{PgConnection, PgPool};

use crate::{EnqueueReport, StoreError, clean};

/// Seeds: depth 0, scope = their own host.
pub(crate) async fn enqueue(pool: &PgPool, urls: &[url::Url]) -> Result<EnqueueReport, StoreError> {
    // Re-normalising is idempotent and keeps the "one spelling per URL" invariant even if a
    // caller forgot; sorting makes concurrent enqueues lock index entries in the same order.
    let mut seeds = BTreeSet::new();
    for u in urls {
        let n =
            normalize(&clean(u.as_str())).map_err(|e| StoreError::Invalid(format!("{u}: {e}")))?;
        seeds.insert((n.as_str().to_owned(), host_key(&n)));
    }
    let (list, hosts): (Vec<String>, Vec<String>) = seeds.into_iter().unzip();
    let mut tx = pool.begin().await?;
    ensure_hosts(&mut tx, &hosts).await?;
    let added = sqlx::query(
        "INSERT INTO urls (url, host, scope_host, depth)
         SELECT u.url, u.host, u.host, 0
         FROM UNNEST($1::text[], $2::text[]) WITH ORDINALITY AS u (url, host, ord)
         ORDER BY u.ord
         ON CONFLICT (url) DO NOTHING",
    )
    .bind(&list)
    .bind(&hosts)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    tracing::debug!(added, given = urls.len(), "enqueued seeds");
    Ok(EnqueueReport {
        added,
        already_known: urls.len() as u64 - added,
    })
}

/// Creates `hosts` rows (robots unknown) for hosts seen for the first time.
pub(crate) async fn ensure_hosts(
    conn: &mut PgConnection,
    hosts: &[String],
) -> Result<(), StoreError> {
    let mut distinct: Vec<String> = hosts.to_vec();
    distinct.sort();
    distinct.dedup();
    sqlx::query(
        "INSERT INTO hosts (host)
         SELECT h FROM UNNEST($1::text[]) AS h
         ON CONFLICT (host) DO NOTHING",
    )
    .bind(&distinct)
    .execute(conn)
    .await?;
    Ok(())
}

/// Links found on a page: queued at `depth`, in `scope_host` (the caller has filtered them to
/// that host). `links` must be sorted and distinct so that two pages sharing links insert them
/// in the same order and cannot deadlock on the unique index. Returns how many were new.
pub(crate) async fn add_links(
    conn: &mut PgConnection,
    links: &[String],
    scope_host: &str,
    depth: i32,
) -> Result<u64, StoreError> {
    if links.is_empty() {
        return Ok(0);
    }
    let added = sqlx::query(
        "INSERT INTO urls (url, host, scope_host, depth)
         SELECT l.url, $2, $2, $3
         FROM UNNEST($1::text[]) WITH ORDINALITY AS l (url, ord)
         ORDER BY l.ord
         ON CONFLICT (url) DO NOTHING",
    )
    .bind(links)
    .bind(scope_host)
    .bind(depth)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(added)
}
