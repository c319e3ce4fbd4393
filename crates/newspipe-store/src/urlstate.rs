//! The URL and robots.txt state machines: what a fetch outcome does to `urls`, `frontier` and
//! `hosts`.
//!
//! Failures and 304s are fenced on the frontier row (still leased, `attempts = job.attempt`), pages
//! on their fetch time, so a duplicate or a late answer to a superseded job changes nothing. A
//! fetched URL keeps its frontier row, due at its next visit (`revisit.rs`); a URL leaves the
//! frontier when it settles otherwise (skipped, failed) or its schedule ends.

use chrono::{DateTime, Utc};
use newspipe_model::{
    Disposition, FetchFailure, NotModified, PageKind, ParsedPage, RobotsFetched, RobotsPolicy,
};
use sqlx::PgConnection;

use crate::{
    Applied, FrontierPolicy, RobotsState, StoreError, UrlState, backoff, clean, clean_opt,
    dispatch::delta, revisit,
};

/// What a visit (a stored page or a 304) did to the URL's schedule, for the host's figures.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Visit {
    /// The URL had been visited before.
    pub revisit: bool,
    pub not_modified: bool,
    /// The content (or a hub's list of links) differs from the last visit's.
    pub changed: bool,
    /// A hub's revisit: its yield before this visit, to be moved by what the visit found once
    /// the batch knows which of its links were new ([`revisit::next_yield`]).
    pub hub_yield: Option<f64>,
    /// That hub was hot: the new links it found are fresh and jump the first-visit backlog.
    pub hot: bool,
}

/// What a visit leaves in the frontier. Collected over a batch and written at its end in two
/// statements (`write_schedules`) instead of one per page; the rows are locked by the
/// transaction from the visit on.
#[derive(Debug)]
pub(crate) enum Schedule {
    /// No further visit: the row goes.
    Done(i64),
    /// A stored page: the row waits for the next visit with what this one saw.
    Again(Box<NextVisit>),
    /// A 304: the row waits for the next visit, its validators and content hash unchanged.
    Recheck(Recheck),
}

impl Schedule {
    pub(crate) fn url_id(&self) -> i64 {
        match self {
            Schedule::Done(id) => *id,
            Schedule::Again(n) => n.url_id,
            Schedule::Recheck(r) => r.url_id,
        }
    }
}

/// What a 304 changes in its frontier row.
#[derive(Debug)]
pub(crate) struct Recheck {
    url_id: i64,
    due_at: DateTime<Utc>,
    visited_at: DateTime<Utc>,
    changed_at: DateTime<Utc>,
    interval_secs: Option<i32>,
    hub_yield: Option<f32>,
    hot: bool,
}

#[derive(Debug)]
pub(crate) struct NextVisit {
    url_id: i64,
    host_id: i32,
    url: String,
    depth: i32,
    due_at: DateTime<Utc>,
    etag: Option<String>,
    last_modified: Option<String>,
    visited_at: DateTime<Utc>,
    changed_at: DateTime<Utc>,
    content_hash: String,
    hub: bool,
    interval_secs: Option<i32>,
    hub_yield: Option<f32>,
    hot: bool,
}

/// Writes a batch's schedules, in URL-key order (the rows are already locked by this
/// transaction, so the order only keeps the statement deterministic).
pub(crate) async fn write_schedules(
    tx: &mut PgConnection,
    schedules: &mut Vec<Schedule>,
) -> Result<(), StoreError> {
    if schedules.is_empty() {
        return Ok(());
    }
    schedules.sort_by_key(Schedule::url_id);
    let mut done = Vec::new();
    let mut again = Vec::new();
    let mut recheck = Vec::new();
    for s in schedules.drain(..) {
        match s {
            Schedule::Done(id) => done.push(id),
            Schedule::Again(n) => again.push(*n),
            Schedule::Recheck(r) => recheck.push(r),
        }
    }
    if !done.is_empty() {
        sqlx::query("DELETE FROM frontier WHERE url_id = ANY($1)")
            .bind(&done)
            .execute(&mut *tx)
            .await?;
    }
    if !recheck.is_empty() {
        write_rechecks(tx, &recheck).await?;
    }
    if again.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = again.iter().map(|n| n.url_id).collect();
    let hosts: Vec<i32> = again.iter().map(|n| n.host_id).collect();
    let urls: Vec<&str> = again.iter().map(|n| n.url.as_str()).collect();
    let depths: Vec<i32> = again.iter().map(|n| n.depth).collect();
    let due: Vec<DateTime<Utc>> = again.iter().map(|n| n.due_at).collect();
    let etags: Vec<Option<&str>> = again.iter().map(|n| n.etag.as_deref()).collect();
    let modified: Vec<Option<&str>> = again.iter().map(|n| n.last_modified.as_deref()).collect();
    let visited: Vec<DateTime<Utc>> = again.iter().map(|n| n.visited_at).collect();
    let changed: Vec<DateTime<Utc>> = again.iter().map(|n| n.changed_at).collect();
    let hashes: Vec<&str> = again.iter().map(|n| n.content_hash.as_str()).collect();
    let hubs: Vec<bool> = again.iter().map(|n| n.hub).collect();
    let intervals: Vec<Option<i32>> = again.iter().map(|n| n.interval_secs).collect();
    let yields: Vec<Option<f32>> = again.iter().map(|n| n.hub_yield).collect();
    let hot: Vec<bool> = again.iter().map(|n| n.hot).collect();
    sqlx::query(
        "INSERT INTO frontier (url_id, host_id, url, depth, due_at, revisit, etag,
                               last_modified, visited_at, changed_at, content_hash, hub,
                               interval_secs, hub_yield, hot)
         SELECT x.url_id, x.host_id, x.url, x.depth, x.due_at, true, x.etag, x.last_modified,
                x.visited_at, x.changed_at, x.content_hash, x.hub, x.interval_secs,
                x.hub_yield, x.hot
         FROM UNNEST($1::int8[], $2::int4[], $3::text[], $4::int4[], $5::timestamptz[],
                     $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[],
                     $11::bool[], $12::int4[], $13::float4[], $14::bool[])
              AS x (url_id, host_id, url, depth, due_at, etag, last_modified, visited_at,
                    changed_at, content_hash, hub, interval_secs, hub_yield, hot)
         ON CONFLICT (url_id) DO UPDATE SET
             due_at = excluded.due_at, lease_until = NULL, attempts = 0,
             revisit = true, etag = excluded.etag,
             last_modified = excluded.last_modified, visited_at = excluded.visited_at,
             changed_at = excluded.changed_at, content_hash = excluded.content_hash,
             hub = excluded.hub, interval_secs = excluded.interval_secs,
             hub_yield = excluded.hub_yield, hot = excluded.hot",
    )
    .bind(&ids)
    .bind(&hosts)
    .bind(&urls)
    .bind(&depths)
    .bind(&due)
    .bind(&etags)
    .bind(&modified)
    .bind(&visited)
    .bind(&changed)
    .bind(&hashes)
    .bind(&hubs)
    .bind(&intervals)
    .bind(&yields)
    .bind(&hot)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The 304s of a batch: one statement, whatever their number.
async fn write_rechecks(tx: &mut PgConnection, rows: &[Recheck]) -> Result<(), StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.url_id).collect();
    let due: Vec<DateTime<Utc>> = rows.iter().map(|r| r.due_at).collect();
    let visited: Vec<DateTime<Utc>> = rows.iter().map(|r| r.visited_at).collect();
    let changed: Vec<DateTime<Utc>> = rows.iter().map(|r| r.changed_at).collect();
    let intervals: Vec<Option<i32>> = rows.iter().map(|r| r.interval_secs).collect();
    let yields: Vec<Option<f32>> = rows.iter().map(|r| r.hub_yield).collect();
    let hot: Vec<bool> = rows.iter().map(|r| r.hot).collect();
    sqlx::query(
        "UPDATE frontier f SET due_at = x.due_at, lease_until = NULL, attempts = 0,
             visited_at = x.visited_at, changed_at = x.changed_at,
             interval_secs = x.interval_secs, hub_yield = x.hub_yield, hot = x.hot
         FROM UNNEST($1::int8[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[],
                     $5::int4[], $6::float4[], $7::bool[])
              AS x (url_id, due_at, visited_at, changed_at, interval_secs, hub_yield, hot)
         WHERE f.url_id = x.url_id",
    )
    .bind(&ids)
    .bind(&due)
    .bind(&visited)
    .bind(&changed)
    .bind(&intervals)
    .bind(&yields)
    .bind(&hot)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The frontier row's revisit state, locked for this visit.
#[derive(sqlx::FromRow)]
struct Sched {
    host_id: i32,
    visited_at: Option<DateTime<Utc>>,
    changed_at: Option<DateTime<Utc>>,
    content_hash: Option<String>,
    hub: bool,
    interval_secs: Option<i32>,
    hub_yield: Option<f32>,
}

/// `Sched` beside whether the URL's record moved forward; the schedule columns are NULL when
/// the URL has no frontier row.
#[derive(sqlx::FromRow)]
struct SchedRow {
    updated: bool,
    host_id: Option<i32>,
    visited_at: Option<DateTime<Utc>>,
    changed_at: Option<DateTime<Utc>>,
    content_hash: Option<String>,
    hub: Option<bool>,
    interval_secs: Option<i32>,
    hub_yield: Option<f32>,
}

impl SchedRow {
    fn sched(self) -> Option<Sched> {
        Some(Sched {
            host_id: self.host_id?,
            visited_at: self.visited_at,
            changed_at: self.changed_at,
            content_hash: self.content_hash,
            hub: self.hub.unwrap_or(false),
            interval_secs: self.interval_secs,
            hub_yield: self.hub_yield,
        })
    }
}

/// A stored page: the URL is `fetched` (its record moves forward only: a late answer older than
/// the last fetch changes nothing there), and its frontier row (locked here) is to wait for the
/// next visit, or to go when the schedule has none. Returns whether `urls` moved forward, the
/// visit, and the schedule for the batch to write ([`write_schedules`]).
pub(crate) async fn page_visited(
    tx: &mut PgConnection,
    url_id: i64,
    host_id: i32,
    depth: i32,
    parsed: &ParsedPage,
    policy: &FrontierPolicy,
) -> Result<(bool, Visit, Option<Schedule>), StoreError> {
    let page = &parsed.page;
    // The URL's state moves forward and the schedule row is read (and locked) in one round trip.
    let (updated, prev): (bool, Option<Sched>) = {
        let row: SchedRow = sqlx::query_as(
            "WITH upd AS (
                 UPDATE urls SET state = $5, last_status = $2, is_article = $3, fetched_at = $4,
                     last_error = NULL, updated_at = now()
                 WHERE id = $1 AND state <> $6 AND (fetched_at IS NULL OR fetched_at < $4)
                 RETURNING id
             )
             -- The lateral join runs the update (the outer side) before it locks the frontier
             -- row: urls then frontier, as every other writer of both takes them.
             SELECT u.updated, s.host_id, s.visited_at, s.changed_at, s.content_hash, s.hub,
                    s.interval_secs, s.hub_yield
             FROM (SELECT EXISTS (SELECT 1 FROM upd) AS updated) u
             LEFT JOIN LATERAL (
                 SELECT host_id, visited_at, changed_at, content_hash, hub, interval_secs,
                        hub_yield
                 -- (the reference to u is what makes it lateral: always a nested loop)
                 FROM frontier WHERE url_id = $1 AND u.updated IS NOT NULL FOR UPDATE
             ) s ON true",
        )
        .bind(url_id)
        .bind(i32::from(page.status))
        .bind(parsed.is_article)
        .bind(page.fetched_at)
        .bind(UrlState::Fetched)
        .bind(UrlState::Skipped)
        .fetch_one(&mut *tx)
        .await?;
        (row.updated, row.sched())
    };
    let hash = parsed.change_hash();
    if prev
        .as_ref()
        .and_then(|p| p.visited_at)
        .is_some_and(|v| v >= page.fetched_at)
    {
        // An answer older than the visit on record: the schedule has moved on.
        return Ok((updated, Visit::default(), None));
    }
    let revisit = prev.as_ref().is_some_and(|p| p.visited_at.is_some());
    let changed = prev.as_ref().and_then(|p| p.content_hash.as_deref()) != Some(hash.as_str());
    let at = page.fetched_at;
    let changed_at = match (&prev, changed) {
        (Some(p), false) => p.changed_at.unwrap_or(at),
        // A first visit dates the story by what it says of itself (a story published a month
        // ago is not revisited every 15 minutes); a later change is dated by our visit.
        _ if !revisit => parsed
            .article
            .as_ref()
            .filter(|_| parsed.is_article)
            .and_then(|a| a.modified_at.or(a.published_at))
            .map(|d| d.with_timezone(&Utc))
            .filter(|d| *d <= at)
            .unwrap_or(at),
        _ => at,
    };
    let hub = !parsed.is_article;
    // Feeds and news sitemaps are lists of fresh items by design; a feed's items are `news` too.
    let news_list = parsed.kind == PageKind::Feed || parsed.dated.iter().any(|d| d.news);
    let prev_yield = prev
        .as_ref()
        .filter(|p| p.hub && revisit)
        .and_then(|p| p.hub_yield)
        .map(f64::from);
    // A revisit keeps the yield on record until the batch knows what it found (`batch.rs`).
    let hub_yield = hub.then(|| prev_yield.unwrap_or_else(|| revisit::first_yield(news_list)));
    let next = revisit::next_visit(
        &policy.revisit,
        &revisit::Seen {
            hub,
            at,
            changed,
            changed_at,
            interval: prev
                .as_ref()
                .filter(|p| p.hub && revisit)
                .and_then(|p| p.interval_secs)
                .map(|s| std::time::Duration::from_secs(u64::try_from(s).unwrap_or(0))),
        },
    );
    let schedule = match next {
        None => Schedule::Done(url_id),
        Some(next) => {
            let (hub_yield, hot) = revisit::stored_yield(hub_yield);
            Schedule::Again(Box::new(NextVisit {
                url_id,
                host_id,
                url: clean(&page.job.url).into_owned(),
                depth,
                due_at: next.due_at,
                etag: clean_opt(page.etag.as_deref()),
                last_modified: clean_opt(page.last_modified.as_deref()),
                visited_at: at,
                changed_at,
                content_hash: hash,
                hub,
                interval_secs: next.interval_secs,
                hub_yield,
                hot,
            }))
        }
    };
    Ok((
        updated,
        Visit {
            revisit,
            not_modified: false,
            changed,
            hub_yield: hub.then_some(prev_yield).flatten(),
            hot: prev_yield.is_some_and(revisit::is_hot),
        },
        Some(schedule),
    ))
}

/// A revisit answered 304: an unchanged visit. The schedule moves on as for an unchanged page;
/// no page, no revision. A duplicate or late answer (the lease or attempt moved on) changes
/// nothing. Returns the host and the visit, or None.
pub(crate) async fn not_modified(
    tx: &mut PgConnection,
    m: &NotModified,
    policy: &FrontierPolicy,
) -> Result<Option<(Schedule, i32, Visit)>, StoreError> {
    let row: Option<Sched> = sqlx::query_as(
        "SELECT host_id, visited_at, changed_at, content_hash, hub, interval_secs, hub_yield
         FROM frontier
         WHERE url_id = $1 AND lease_until IS NOT NULL AND attempts = $2
         FOR UPDATE",
    )
    .bind(m.job.url_id)
    .bind(i32::try_from(m.job.attempt).unwrap_or(i32::MAX))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(Sched {
        host_id,
        visited_at,
        changed_at,
        hub,
        interval_secs: interval,
        hub_yield,
        ..
    }) = row
    else {
        return Ok(None);
    };
    if visited_at.is_some_and(|v| v >= m.at) {
        return Ok(None);
    }
    let next = revisit::next_visit(
        &policy.revisit,
        &revisit::Seen {
            hub,
            at: m.at,
            changed: false,
            changed_at: changed_at.unwrap_or(m.at),
            interval: interval
                .map(|s| std::time::Duration::from_secs(u64::try_from(s).unwrap_or(0))),
        },
    );
    let schedule = match next {
        None => Schedule::Done(m.job.url_id),
        Some(next) => {
            // A 304 found nothing new: the hub's yield falls.
            let (hub_yield, hot) = revisit::stored_yield(hub.then(|| {
                revisit::next_yield(hub_yield.map_or(revisit::YIELD_PLAIN_HUB, f64::from), false)
            }));
            Schedule::Recheck(Recheck {
                url_id: m.job.url_id,
                due_at: next.due_at,
                visited_at: m.at,
                changed_at: changed_at.unwrap_or(m.at),
                interval_secs: next.interval_secs,
                hub_yield,
                hot,
            })
        }
    };
    Ok(Some((
        schedule,
        host_id,
        Visit {
            revisit: true,
            not_modified: true,
            changed: false,
            hub_yield: None,
            hot: false,
        },
    )))
}

/// A fetch that produced no page. Fenced on the frontier row: it must still be leased for this
/// job's attempt. A URL fetched before (a revisit) stays `fetched` whatever happens: the archive
/// has it; a lasting failure only ends its visits. Returns what happened and, for a retryable
/// failure, its host id (for the batch's host facts: error streak, Retry-After).
pub(crate) async fn apply_failure(
    tx: &mut PgConnection,
    f: &FetchFailure,
    policy: &FrontierPolicy,
) -> Result<(Applied, Option<i32>), StoreError> {
    let reason = clean(&f.reason).into_owned();
    let status = f.status.map(i32::from);
    let attempt = i32::try_from(f.job.attempt).unwrap_or(i32::MAX);
    let row: Option<(i32, bool)> = sqlx::query_as(
        "SELECT host_id, revisit FROM frontier
         WHERE url_id = $1 AND lease_until IS NOT NULL AND attempts = $2
         FOR UPDATE",
    )
    .bind(f.job.url_id)
    .bind(attempt)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((host_id, revisit)) = row else {
        return Ok((Applied::Unchanged, None));
    };
    let tries = attempt.saturating_add(1);
    let (to, wait) = match f.disposition {
        Disposition::Retry if tries < policy.max_attempts as i32 => (
            UrlState::Queued,
            backoff(policy.backoff_base, f.job.attempt),
        ),
        Disposition::Retry | Disposition::Fail => (UrlState::Failed, Default::default()),
        Disposition::Skip => (UrlState::Skipped, Default::default()),
        // Not attempted (slot missed): back in line at once; it is not the URL's fault.
        Disposition::Requeue => (UrlState::Queued, Default::default()),
    };
    if to == UrlState::Queued {
        let tries = if f.disposition == Disposition::Requeue {
            attempt
        } else {
            tries
        };
        sqlx::query(
            "UPDATE frontier SET lease_until = NULL, due_at = now() + $2, attempts = $3
             WHERE url_id = $1",
        )
        .bind(f.job.url_id)
        .bind(delta(wait))
        .bind(tries)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM frontier WHERE url_id = $1")
            .bind(f.job.url_id)
            .execute(&mut *tx)
            .await?;
    }
    if f.disposition != Disposition::Requeue {
        let settles = to != UrlState::Queued && !revisit;
        let reason = if f.disposition == Disposition::Retry && to == UrlState::Failed {
            format!("gave up after {tries} attempts: {reason}")
        } else {
            reason
        };
        sqlx::query(
            "UPDATE urls SET attempts = $2, last_error = $3, last_status = $4,
                 state = CASE WHEN $5 THEN $6 ELSE state END, updated_at = now()
             WHERE id = $1",
        )
        .bind(f.job.url_id)
        .bind(tries)
        .bind(&reason)
        .bind(status)
        .bind(settles)
        .bind(to)
        .execute(&mut *tx)
        .await?;
    }
    let state = if revisit && to != UrlState::Queued {
        UrlState::Fetched
    } else {
        to
    };
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
        let mut urls = crate::batch::in_scope_links(&sitemaps, &r.job.host, host_id, 0);
        // Discovery documents: fetched before the pages they list.
        for u in &mut urls {
            u.ahead = crate::frontier::DISCOVERY_AHEAD;
        }
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
