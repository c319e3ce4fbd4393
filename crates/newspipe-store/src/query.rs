//! Read-only queries: status counts, full-text search, and whether the crawl is over.

use sqlx::PgPool;

use crate::{ArchiveCounts, SearchHit, StoreError};

pub(crate) async fn counts(pool: &PgPool) -> Result<ArchiveCounts, StoreError> {
    let urls_by_state: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, count(*) FROM urls GROUP BY state ORDER BY state")
            .fetch_all(pool)
            .await?;
    let (articles, revisions, pages, fetched_last_minute): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM articles),
                    (SELECT count(*) FROM article_revisions),
                    (SELECT count(*) FROM pages),
                    (SELECT count(*) FROM pages WHERE fetched_at > now() - interval '1 minute')",
    )
    .fetch_one(pool)
    .await?;
    Ok(ArchiveCounts {
        urls_by_state,
        articles,
        revisions,
        pages,
        fetched_last_minute,
    })
}

/// `websearch_to_tsquery('simple', …)` to match the `simple` configuration of `articles.search`.
/// The inner query ranks and limits; `ts_headline` (which re-parses the body) runs only on the
/// rows returned.
pub(crate) async fn search(
    pool: &PgPool,
    query: &str,
    limit: i64,
) -> Result<Vec<SearchHit>, StoreError> {
    let query = crate::clean(query);
    let hits: Vec<SearchHit> = sqlx::query_as(
        "SELECT a.url, a.canonical_url, a.title, a.published_at, hit.rank,
                ts_headline('simple', a.body, hit.q,
                            'MaxFragments=2, MinWords=8, MaxWords=25, FragmentDelimiter=\" … \"') AS snippet
         FROM (
             SELECT id, ts_rank_cd(search, q) AS rank, q
             FROM articles, websearch_to_tsquery('simple', $1) AS q
             WHERE search @@ q
             ORDER BY rank DESC, id DESC
             LIMIT $2
         ) hit
         JOIN articles a ON a.id = hit.id
         ORDER BY hit.rank DESC, a.id DESC",
    )
    .bind(query.as_ref())
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    Ok(hits)
}

pub(crate) async fn is_drained(pool: &PgPool) -> Result<bool, StoreError> {
    let drained: bool = sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM urls WHERE state IN ('queued', 'dispatched'))
            AND NOT EXISTS (SELECT 1 FROM hosts WHERE robots_state = 'pending')",
    )
    .fetch_one(pool)
    .await?;
    Ok(drained)
}
