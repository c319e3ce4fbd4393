//! Why URLs ended skipped or failed, grouped: the reasons table of `newspipe status`.
//!
//! `urls` has no index on its state (state changes stay HOT updates), so this reads at most
//! [`SAMPLE`] settled rows under a statement timeout: on a huge archive the counts are a
//! sample's (said so by [`Reasons::sampled`]), and status never hangs on them.

use sqlx::PgPool;

use crate::{StoreError, UrlState};

/// Skipped/failed rows read at most.
const SAMPLE: i64 = 100_000;

/// One reason and how many URLs ended with it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReasonCount {
    pub state: UrlState,
    /// `last_error` with URLs replaced by `<url>`, so one cause is one row.
    pub reason: String,
    pub urls: i64,
}

/// The most common reasons, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reasons {
    pub top: Vec<ReasonCount>,
    /// True when the counts come from the first [`SAMPLE`] settled rows only.
    pub sampled: bool,
}

pub(crate) async fn reasons(pool: &PgPool, limit: i64) -> Result<Reasons, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL statement_timeout = '3s'")
        .execute(&mut *tx)
        .await?;
    let rows: Vec<(UrlState, String, i64, i64)> = sqlx::query_as(
        "SELECT state, reason, count(*)::int8, sum(count(*)) OVER ()::int8 FROM (
             SELECT state,
                    regexp_replace(coalesce(last_error, '(no reason recorded)'),
                                   '[a-z][a-z0-9+.-]*://[^[:space:]\")'']+', '<url>', 'g') AS reason
             FROM urls WHERE state IN ('skipped', 'failed')
             LIMIT $1
         ) s
         GROUP BY state, reason
         ORDER BY 3 DESC, reason
         LIMIT $2",
    )
    .bind(SAMPLE)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let read = rows.first().map_or(0, |r| r.3);
    Ok(Reasons {
        sampled: read >= SAMPLE,
        top: rows
            .into_iter()
            .map(|(state, reason, urls, _)| ReasonCount {
                state,
                reason,
                urls,
            })
            .collect(),
    })
}
