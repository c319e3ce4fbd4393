//! Read-only queries of the workers: status counts and whether the crawl is over (the archive
//! queries, search included, are in `read.rs`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::{ArchiveCounts, StoreError, UrlState};

/// Totals from `counters` plus the deltas not folded yet: a few dozen rows whatever the archive's
/// size (see `maintain.rs`).
pub(crate) async fn counts(pool: &PgPool) -> Result<ArchiveCounts, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT name, sum(n)::int8 FROM (
             SELECT name, n FROM counters
             UNION ALL
             SELECT name, n FROM counter_deltas
             UNION ALL
             SELECT 'frontier.leased', n FROM frontier_lease_deltas
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
    // The window is the whole minute only if pages are older than it; the EXISTS stops at the
    // first such page (and without one, the table holds under a minute of pages).
    let (fetched_last_minute, span, older): (i64, Option<f64>, bool) = sqlx::query_as(
        "SELECT count(*), extract(epoch FROM now() - min(fetched_at))::float8,
                EXISTS (SELECT 1 FROM pages WHERE fetched_at <= now() - interval '1 minute')
         FROM pages WHERE fetched_at > now() - interval '1 minute'",
    )
    .fetch_one(pool)
    .await?;
    let rate_window_ms = if older {
        60_000
    } else {
        (span.unwrap_or(0.0) * 1000.0).clamp(1000.0, 60_000.0) as i64
    };
    Ok(ArchiveCounts {
        urls_by_state,
        articles: get("articles"),
        revisions: get("revisions"),
        pages: get("pages"),
        in_flight: get("frontier.leased"),
        fetched_last_minute,
        rate_window_ms,
    })
}

/// Idle: no URL waits for its first fetch, none is in flight and no robots.txt job is out.
/// Revisits scheduled for later do not count: with revisits on, the frontier never empties.
pub(crate) async fn is_drained(pool: &PgPool) -> Result<bool, StoreError> {
    let drained: bool = sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM frontier WHERE NOT revisit)
            AND NOT EXISTS (SELECT 1 FROM frontier WHERE lease_until IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM hosts WHERE robots_state = $1)",
    )
    .bind(crate::RobotsState::Pending)
    .fetch_one(pool)
    .await?;
    Ok(drained)
}

/// Counts per host stop at this, so the table costs the same whatever the queue's size.
pub const HOST_COUNT_CAP: i64 = 100_000;

/// One host's line in `newspipe status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HostStatus {
    pub host: String,
    /// URLs waiting for their first fetch (capped at [`HOST_COUNT_CAP`]).
    pub queued: i64,
    /// URLs (first fetches and revisits) due now and not in flight (capped).
    pub due_now: i64,
    /// Revisits in the last hour, and how many of them were answered 304.
    pub revisits_last_hour: i64,
    pub not_modified_last_hour: i64,
    /// The minute of the last visit that found something new or changed.
    pub last_change_at: Option<DateTime<Utc>>,
}

/// The `limit` hosts with the most recent activity.
pub(crate) async fn host_status(pool: &PgPool, limit: i64) -> Result<Vec<HostStatus>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT h.host,
                (SELECT count(*) FROM (SELECT 1 FROM frontier f
                     WHERE f.host_id = h.id AND NOT f.revisit LIMIT $2) x) AS queued,
                (SELECT count(*) FROM (SELECT 1 FROM frontier f
                     WHERE f.host_id = h.id AND f.lease_until IS NULL AND f.due_at <= now()
                     LIMIT $2) x) AS due_now,
                coalesce(v.revisits, 0) AS revisits_last_hour,
                coalesce(v.not_modified, 0) AS not_modified_last_hour,
                coalesce(c.at, h.last_change_at) AS last_change_at
         FROM hosts h
         LEFT JOIN LATERAL (
             SELECT sum(revisits)::int8 AS revisits, sum(not_modified)::int8 AS not_modified
             FROM host_visits WHERE host_id = h.id AND minute > now() - interval '1 hour'
         ) v ON true
         -- The minute of the last change (host_visits keeps a day; older ones are on the host).
         LEFT JOIN LATERAL (
             SELECT max(minute) AS at FROM host_visits WHERE host_id = h.id AND changed > 0
         ) c ON true
         ORDER BY 6 DESC NULLS LAST, h.updated_at DESC, h.host
         LIMIT $1",
    )
    .bind(limit.max(0))
    .bind(HOST_COUNT_CAP)
    .fetch_all(pool)
    .await?)
}
