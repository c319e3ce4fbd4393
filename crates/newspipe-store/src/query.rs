//! Read-only queries: status counts, full-text search, and whether the crawl is over.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::{ArchiveCounts, SearchHit, StoreError, UrlState};

/// Totals from `counters` plus the deltas not folded yet: a few dozen rows whatever the archive's
/// size (see `maintain.rs`).
pub(crate) async fn counts(pool: &PgPool) -> Result<ArchiveCounts, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT name, sum(n)::int8 FROM (
             SELECT name, n FROM counters
             UNION ALL
             SELECT name, n FROM counter_deltas
         ) x GROUP BY name",
    )
    .fetch_all(pool)
    .await?;
    let totals: HashMap<String, i64> = rows.into_iter().collect();
    let get = |k: &str| totals.get(k).copied().unwrap_or(0);
    let urls_by_state = UrlState::ALL
        .iter()
        .map(|s| (*s, get(&format!("urls.{}", s.as_str()))))
        .collect();
    // BRIN on fetched_at and the newest partition keep this proportional to the last minute.
    let fetched_last_minute: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pages WHERE fetched_at > now() - interval '1 minute'",
    )
    .fetch_one(pool)
    .await?;
    Ok(ArchiveCounts {
        urls_by_state,
        articles: get("articles"),
        revisions: get("revisions"),
        pages: get("pages"),
        fetched_last_minute,
    })
}

/// `websearch_to_tsquery('simple', …)` to match the `simple` configuration of the documents.
/// The inner query ranks and limits; `ts_headline` (which re-parses the body) runs only on the
/// rows returned.
pub(crate) async fn search(
    pool: &PgPool,
    query: &str,
    limit: i64,
) -> Result<Vec<SearchHit>, StoreError> {
    let query = crate::clean(query);
    let hits: Vec<SearchHit> = sqlx::query_as(
        "SELECT a.id, a.url, a.canonical_url, a.title, a.published_at, hit.rank,
                ts_headline('simple', r.body, hit.q,
                            'MaxFragments=2, MinWords=8, MaxWords=25, FragmentDelimiter=\" … \"') AS snippet
         FROM (
             SELECT article_id, ts_rank_cd(doc, q) AS rank, q
             FROM article_search, websearch_to_tsquery('simple', $1) AS q
             WHERE doc @@ q
             ORDER BY rank DESC, article_id DESC
             LIMIT $2
         ) hit
         JOIN articles a ON a.id = hit.article_id
         JOIN article_revisions r
           ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
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
        "SELECT NOT EXISTS (SELECT 1 FROM frontier)
            AND NOT EXISTS (SELECT 1 FROM hosts WHERE robots_state = $1)",
    )
    .bind(crate::RobotsState::Pending)
    .fetch_one(pool)
    .await?;
    Ok(drained)
}
