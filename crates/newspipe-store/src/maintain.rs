//! Housekeeping that keeps the archive's costs flat as it grows: month partitions created ahead,
//! counter deltas folded into totals, the search index built in batches, old visit figures
//! pruned.
//!
//! Every step is safe to run from several store replicas at once (`SKIP LOCKED`, idempotent DDL
//! guarded by an advisory lock).

use serde::Serialize;
use sqlx::PgPool;

use crate::StoreError;

/// Months of partitions kept ready ahead of now.
const MONTHS_AHEAD: i32 = 3;
/// Serialises partition creation across replicas (DDL on a partitioned parent takes a strong
/// lock; two replicas racing to create the same partition would otherwise collide).
const PARTITION_LOCK: i64 = 0x6e65_7773_7069_7065; // "newspipe"

/// What one maintenance pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    pub partitions_created: i32,
    pub documents_indexed: u64,
}

pub(crate) async fn run(pool: &PgPool, search_batch: i64) -> Result<Maintenance, StoreError> {
    let partitions_created = ensure_partitions(pool).await?;
    sqlx::query("SELECT compact_counters()")
        .execute(pool)
        .await?;
    // Visit figures serve `status`'s last hour; a day is kept, and the last change of what is
    // pruned is kept on the host.
    sqlx::query(
        "WITH gone AS (
             DELETE FROM host_visits WHERE minute < now() - interval '1 day'
             RETURNING host_id, minute, changed
         ), last AS (
             SELECT host_id, max(minute) AS at FROM gone WHERE changed > 0 GROUP BY host_id
         )
         UPDATE hosts SET last_change_at = last.at
         FROM last
         WHERE hosts.id = last.host_id
           AND (hosts.last_change_at IS NULL OR hosts.last_change_at < last.at)",
    )
    .execute(pool)
    .await?;
    let documents_indexed = index_search(pool, search_batch).await?;
    Ok(Maintenance {
        partitions_created,
        documents_indexed,
    })
}

/// Partitions of `pages` and `article_revisions` for the current month and [`MONTHS_AHEAD`].
pub(crate) async fn ensure_partitions(pool: &PgPool) -> Result<i32, StoreError> {
    let mut tx = pool.begin().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(PARTITION_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        // Another replica is at it.
        return Ok(0);
    }
    let made: i32 = sqlx::query_scalar(
        "SELECT sum(ensure_month_partitions(t, now(), now() + make_interval(months => $1)))::int
         FROM (VALUES ('pages'), ('article_revisions')) AS x (t)",
    )
    .bind(MONTHS_AHEAD)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if made > 0 {
        tracing::info!(partitions = made, "month partitions created");
    }
    Ok(made)
}

/// Builds the search documents of up to `batch` articles whose current revision changed, in one
/// statement: one pass over the GIN index for the batch instead of one per row in the store's
/// write path. Loops until the backlog is empty; returns how many documents were written.
pub(crate) async fn index_search(pool: &PgPool, batch: i64) -> Result<u64, StoreError> {
    let mut total = 0;
    loop {
        let n = sqlx::query(
            "WITH todo AS (
                 SELECT article_id FROM search_backlog
                 ORDER BY article_id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED
             ), done AS (
                 DELETE FROM search_backlog b USING todo
                 WHERE b.article_id = todo.article_id
                 RETURNING b.article_id
             )
             INSERT INTO article_search (article_id, doc)
             SELECT a.id,
                    setweight(to_tsvector('simple', coalesce(a.title, '')), 'A')
                    || setweight(to_tsvector('simple', left(r.body, 500000)), 'B')
             FROM done
             JOIN articles a ON a.id = done.article_id
             JOIN article_revisions r
               ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
             ORDER BY a.id
             ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(batch.max(1))
        .execute(pool)
        .await?
        .rows_affected();
        total += n;
        if (n as i64) < batch.max(1) {
            return Ok(total);
        }
    }
}
