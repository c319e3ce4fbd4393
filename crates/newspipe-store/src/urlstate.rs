//! The URL and robots.txt state machines: what a fetch outcome does to `urls`, `frontier` and
//! `hosts`.
//!
//! URL transitions are fenced (`state = dispatched AND attempts = job.attempt` for failures), so a
//! duplicate or a late answer to a superseded job changes nothing. A URL leaves the frontier when
//! it settles (fetched, skipped, failed) and goes back to it, due later, on a retry.

use newspipe_model::{Disposition, FetchFailure, ParsedPage, RobotsFetched, RobotsPolicy};
use sqlx::PgConnection;

use crate::{
    Applied, FrontierPolicy, RobotsState, StoreError, UrlState, backoff, clean, dispatch::delta,
};

/// A stored page settles its URL even if its lease had expired meanwhile; only a URL already
/// settled (fetched by another job, or skipped) is left alone. Returns whether it changed.
pub(crate) async fn mark_fetched(
    tx: &mut PgConnection,
    url_id: i64,
    parsed: &ParsedPage,
) -> Result<bool, StoreError> {
    let page = &parsed.page;
    let updated = sqlx::query(
        "UPDATE urls SET state = $5, last_status = $2, is_article = $3, fetched_at = $4,
             last_error = NULL, updated_at = now()
         WHERE id = $1 AND state IN ($6, $7, $8)",
    )
    .bind(url_id)
    .bind(i32::from(page.status))
    .bind(parsed.is_article)
    .bind(page.fetched_at)
    .bind(UrlState::Fetched)
    .bind(UrlState::Queued)
    .bind(UrlState::Dispatched)
    .bind(UrlState::Failed)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if updated {
        sqlx::query("DELETE FROM frontier WHERE url_id = $1")
            .bind(url_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(updated)
}

/// A fetch that produced no page. Returns what happened and, when the URL changed, its host id
/// (for the batch's host facts: error streak, Retry-After).
pub(crate) async fn apply_failure(
    tx: &mut PgConnection,
    f: &FetchFailure,
    policy: &FrontierPolicy,
) -> Result<(Applied, Option<i32>), StoreError> {
    let reason = clean(&f.reason).into_owned();
    let status = f.status.map(i32::from);
    let attempt = i32::try_from(f.job.attempt).unwrap_or(i32::MAX);
    let row: Option<(UrlState, i32)> = match f.disposition {
        Disposition::Retry => {
            sqlx::query_as(
                "UPDATE urls SET
                     attempts = attempts + 1,
                     state = CASE WHEN attempts + 1 >= $3 THEN $6 ELSE $7 END,
                     last_error = CASE WHEN attempts + 1 >= $3
                         THEN 'gave up after ' || (attempts + 1) || ' attempts: ' || $4
                         ELSE $4 END,
                     last_status = $5,
                     updated_at = now()
                 WHERE id = $1 AND state = $8 AND attempts = $2
                 RETURNING state, host_id",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .bind(policy.max_attempts as i32)
            .bind(&reason)
            .bind(status)
            .bind(UrlState::Failed)
            .bind(UrlState::Queued)
            .bind(UrlState::Dispatched)
            .fetch_optional(&mut *tx)
            .await?
        }
        Disposition::Fail | Disposition::Skip => {
            let to = if f.disposition == Disposition::Fail {
                UrlState::Failed
            } else {
                UrlState::Skipped
            };
            sqlx::query_as(
                "UPDATE urls SET attempts = attempts + 1, state = $3, last_error = $4,
                     last_status = $5, updated_at = now()
                 WHERE id = $1 AND state = $6 AND attempts = $2
                 RETURNING state, host_id",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .bind(to)
            .bind(&reason)
            .bind(status)
            .bind(UrlState::Dispatched)
            .fetch_optional(&mut *tx)
            .await?
        }
        // Not attempted (slot missed): back in line at once; it is not the URL's fault.
        Disposition::Requeue => {
            sqlx::query_as(
                "UPDATE urls SET state = $3, updated_at = now()
                 WHERE id = $1 AND state = $4 AND attempts = $2
                 RETURNING state, host_id",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .bind(UrlState::Queued)
            .bind(UrlState::Dispatched)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    let Some((state, host_id)) = row else {
        return Ok((Applied::Unchanged, None));
    };
    if state == UrlState::Queued {
        let wait = if f.disposition == Disposition::Retry {
            backoff(policy.backoff_base, f.job.attempt)
        } else {
            std::time::Duration::ZERO
        };
        sqlx::query(
            "UPDATE frontier SET lease_until = NULL, due_at = now() + $2 WHERE url_id = $1",
        )
        .bind(f.job.url_id)
        .bind(delta(wait))
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM frontier WHERE url_id = $1")
            .bind(f.job.url_id)
            .execute(&mut *tx)
            .await?;
    }
    let host = (f.disposition == Disposition::Retry).then_some(host_id);
    Ok((Applied::Url { state }, host))
}

/// A robots job handed back unattempted (the crawler missed the host slot): end its lease so the
/// next dispatch pass books it again, without counting a failure.
pub(crate) async fn robots_not_attempted(
    tx: &mut PgConnection,
    host: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE hosts SET robots_retry_at = now(), updated_at = now()
         WHERE host = $1 AND robots_retry_at > now()",
    )
    .bind(host)
    .execute(tx)
    .await?;
    Ok(())
}

/// robots.txt outcome, by [`newspipe_model::robots_outcome`]: 2xx puts the file's rules in force,
/// 4xx (but 429) and a final 3xx put "no restrictions" in force; 429, 5xx or no response keep the
/// host's pages waiting ("disallow for now", RFC 9309) and robots.txt is asked for again after a
/// backoff. After `max_attempts` such failures in a row the host's queued URLs are failed
/// with the reason, so the crawl still ends.
pub(crate) async fn apply_robots(
    tx: &mut PgConnection,
    r: &RobotsFetched,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    let ok = newspipe_model::robots_outcome(r.status).settles_rules();
    let body = r.body.as_deref().map(|b| clean(b).into_owned());
    let rules =
        ok.then(|| RobotsPolicy::from_response(&policy.user_agent, r.status, body.as_deref()));
    let crawl_delay_ms = rules
        .as_ref()
        .and_then(RobotsPolicy::crawl_delay)
        .map_or(0, |d| i32::try_from(d.as_millis()).unwrap_or(i32::MAX));
    let row: Option<(i32, i32, RobotsState)> = sqlx::query_as(
        "SELECT id, error_streak, robots_state FROM hosts
         WHERE host = $1 AND (robots_fetched_at IS NULL OR robots_fetched_at < $2)
         FOR UPDATE",
    )
    .bind(&r.job.host)
    .bind(r.at)
    .fetch_optional(&mut *tx)
    .await?;
    // No row, or a fetch no newer than the one on record: a duplicate or a stale answer.
    let Some((host_id, streak, state)) = row else {
        return Ok(Applied::Unchanged);
    };
    let retry_in = backoff(policy.backoff_base, u32::try_from(streak).unwrap_or(0));
    if !ok && state == RobotsState::Ok {
        // A failed refresh: RFC 9309 lets us keep the cached rules while the file is
        // unreachable, so pages keep flowing; the refresh is tried again after a backoff.
        sqlx::query(
            "UPDATE hosts SET robots_retry_at = now() + $2, error_streak = error_streak + 1,
                 updated_at = now()
             WHERE id = $1",
        )
        .bind(host_id)
        .bind(delta(retry_in))
        .execute(&mut *tx)
        .await?;
        return Ok(Applied::Robots { ok: false });
    }
    sqlx::query(
        "UPDATE hosts SET
             robots_status = $2, robots_txt = $3, robots_fetched_at = $4,
             robots_state = CASE WHEN $5 THEN $8 ELSE $9 END,
             robots_retry_at = CASE WHEN $5 THEN NULL ELSE now() + $6 END,
             crawl_delay_ms = CASE WHEN $5 THEN $7 ELSE crawl_delay_ms END,
             -- robots.txt was a request too: the first page waits the Crawl-delay after it.
             next_slot_at = CASE WHEN $5 AND $7 > 0
                 THEN greatest(next_slot_at, $4 + $7 * interval '1 millisecond')
                 ELSE next_slot_at END,
             error_streak = CASE WHEN $5 THEN 0 ELSE error_streak + 1 END,
             updated_at = now()
         WHERE id = $1",
    )
    .bind(host_id)
    .bind(r.status.map(i32::from))
    .bind(&body)
    .bind(r.at)
    .bind(ok)
    .bind(delta(retry_in))
    .bind(crawl_delay_ms)
    .bind(RobotsState::Ok)
    .bind(RobotsState::Unknown)
    .execute(&mut *tx)
    .await?;
    if let Some(rules) = &rules {
        // `Sitemap:` lines on this host are discovery documents to crawl (depth 0, like seeds);
        // ones on other hosts are outside the crawl's scope.
        let sitemaps: Vec<String> = rules.sitemaps().to_vec();
        let urls = crate::batch::in_scope_links(&sitemaps, &r.job.host, host_id, 0);
        let added = crate::frontier::insert_urls(&mut *tx, &urls).await?.len();
        if added > 0 {
            tracing::debug!(host = %r.job.host, sitemaps = added, "sitemaps from robots.txt queued");
        }
    }
    if !ok && streak + 1 >= policy.max_attempts as i32 {
        let reason = match r.status {
            Some(s) => format!("robots.txt unavailable (HTTP {s}), {} tries", streak + 1),
            None => match &r.error {
                Some(e) => format!("robots.txt unreachable, {} tries: {}", streak + 1, clean(e)),
                None => format!("robots.txt unreachable, {} tries", streak + 1),
            },
        };
        let n = sqlx::query(
            "WITH gone AS (
                 DELETE FROM frontier WHERE host_id = $1 AND lease_until IS NULL
                 RETURNING url_id
             )
             UPDATE urls SET state = $3, last_error = $2, updated_at = now()
             FROM gone WHERE urls.id = gone.url_id",
        )
        .bind(host_id)
        .bind(&reason)
        .bind(UrlState::Failed)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tracing::warn!(host = %r.job.host, urls = n, %reason, "host given up");
    }
    Ok(Applied::Robots { ok })
}
