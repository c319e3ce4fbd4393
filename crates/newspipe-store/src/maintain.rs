//! Housekeeping that keeps the archive's costs flat as it grows: month partitions created ahead,
//! counter deltas folded into totals, search documents rebuilt after a migration, old visit figures
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

/// Rebuilds the search documents of the articles in `search_backlog`, up to `batch` a
/// transaction, until it is empty; returns how many were written. The store writes an
/// article's document when it writes the article; the backlog holds what a migration asked to
/// rebuild (documents made by an older tokenizer). Each article's row is locked (skipping those
/// a store holds) before its current revision is read, so a store's newer document is never
/// overwritten by one built from an older body.
pub(crate) async fn index_search(pool: &PgPool, batch: i64) -> Result<u64, StoreError> {
    let mut total = 0;
    loop {
        let mut tx = pool.begin().await?;
        let todo: Vec<(i64, bool)> = sqlx::query_as(
            "SELECT b.article_id, a.id IS NOT NULL
             FROM search_backlog b
             LEFT JOIN articles a ON a.id = b.article_id
             ORDER BY b.article_id
             LIMIT $1
             FOR UPDATE OF b SKIP LOCKED",
        )
        .bind(batch.max(1))
        .fetch_all(&mut *tx)
        .await?;
        if todo.is_empty() {
            return Ok(total);
        }
        let ids: Vec<i64> = todo.iter().map(|t| t.0).collect();
        let live: Vec<i64> = todo.iter().filter(|t| t.1).map(|t| t.0).collect();
        // Locked in a statement of its own: the revision read below then sees the last
        // committed content of every article it got.
        let locked: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED",
        )
        .bind(&live)
        .fetch_all(&mut *tx)
        .await?;
        let rows: Vec<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT a.id, a.title, r.body
             FROM articles a
             JOIN article_revisions r
               ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
             WHERE a.id = ANY($1)
             ORDER BY a.id",
        )
        .bind(&locked)
        .fetch_all(&mut *tx)
        .await?;
        let docs: Vec<crate::searchdoc::Document> = rows
            .iter()
            .map(|(_, title, body)| crate::searchdoc::document(title.as_deref(), body))
            .collect();
        let written: Vec<i64> = rows.iter().map(|r| r.0).collect();
        sqlx::query(
            "INSERT INTO article_search (article_id, doc)
             SELECT id, doc FROM unnest($1::int8[], $2::tsvector[]) AS x (id, doc)
             ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc",
        )
        .bind(&written)
        .bind(&docs)
        .execute(&mut *tx)
        .await?;
        // Articles a store held stay queued for the next pass; gone ones leave the queue.
        let skipped: Vec<i64> = live
            .iter()
            .filter(|id| !locked.contains(id))
            .copied()
            .collect();
        sqlx::query(
            "DELETE FROM search_backlog WHERE article_id = ANY($1) AND NOT article_id = ANY($2)",
        )
        .bind(&ids)
        .bind(&skipped)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        total += written.len() as u64;
        if !skipped.is_empty() || (todo.len() as i64) < batch.max(1) {
            // A store holds what is left of this batch; the next pass picks it up.
            return Ok(total);
        }
    }
}
