//! The dispatcher step: moves due URLs from the frontier into host slots and returns crawl jobs.
//!
//! One transaction per call. Hosts are claimed with `FOR NO KEY UPDATE SKIP LOCKED`, so several
//! store replicas can dispatch at once: each books slots and leases rows only on hosts it has
//! locked, which keeps every host's schedule (`hosts.next_slot_at`) consistent deployment-wide
//! and never hands a URL out twice. Hosts are picked by their due summary (`host_due`), the cap
//! is read from the in-flight counter (`frontier.leased`); both are kept by the frontier's
//! triggers (`migrations/0006_host_due.sql`).
//! Jobs are committed as `dispatched` with a lease (`frontier.lease_until`) before the caller
//! publishes them; if the caller dies before publishing, the lease expires and the URL is claimed
//! again. A caller whose publish failed hands them back at once with [`release`].

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use newspipe_model::{CrawlJob, JobKind, RobotsPolicy, SCHEMA_VERSION, Validators};
use sqlx::PgConnection;

use crate::{FrontierPolicy, RobotsState, Store, StoreError, UrlState};

/// Most hosts considered per pass; the rest wait for the next pass (hosts are taken by how long
/// their slot has been free, so none starves).
const HOSTS_PER_PASS: i64 = 1000;
/// Most expired leases recovered per pass, to keep the transaction short after a mass expiry.
const EXPIRED_PER_PASS: i64 = 5000;
/// RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours.
pub(crate) const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// The robots cache is cleared when it grows past this many hosts (re-parsing is cheap).
const ROBOTS_CACHE_MAX: usize = 10_000;

pub(crate) async fn claim_due(
    store: &Store,
    policy: &FrontierPolicy,
) -> Result<Vec<CrawlJob>, StoreError> {
    // What the writers changed since the last pass, into the in-flight counter and the hosts'
    // due summaries: its own short transaction, so the rows it writes are not held for the
    // whole pass.
    sqlx::query("SELECT fold_frontier_facts()")
        .execute(&store.pool)
        .await?;
    let mut tx = store.pool.begin().await?;
    let (now, expired, leased) = requeue_expired(&mut tx, policy).await?;
    if expired > 0 {
        // The URLs just given back are due now: their hints must be in the summaries this pass
        // reads (rare, so holding the rows it writes until this pass commits costs little).
        sqlx::query("SELECT fold_frontier_facts()")
            .execute(&mut *tx)
            .await?;
    }
    // The in-flight count is a counter (kept by the frontier's triggers), read in the same
    // statement as the expired leases it no longer includes: a few rows whatever the queue.
    let in_flight = leased - expired as i64;
    let mut budget = i64::from(policy.max_in_flight) - in_flight;
    let mut jobs = Vec::new();
    if budget > 0 {
        let horizon_end = now + delta(policy.horizon);
        jobs = robots_jobs(&mut tx, policy, horizon_end, &mut budget).await?;
        if budget > 0 {
            let pages = page_jobs(store, &mut tx, policy, horizon_end, budget).await?;
            jobs.extend(pages);
        }
    }
    tx.commit().await?;
    if expired > 0 || !jobs.is_empty() {
        tracing::debug!(jobs = jobs.len(), expired, in_flight, "dispatched");
    }
    Ok(jobs)
}

/// Hands back jobs whose publish failed: they are due again at once and no attempt is charged,
/// instead of waiting out their lease. Jobs already answered are left alone.
pub(crate) async fn release(store: &Store, jobs: &[CrawlJob]) -> Result<u64, StoreError> {
    let mut pages = Vec::new();
    let mut robots = Vec::new();
    for j in jobs {
        match j.kind {
            JobKind::Page => pages.push(j.url_id),
            JobKind::Robots => robots.push(j.host.clone()),
        }
    }
    pages.sort_unstable();
    robots.sort_unstable();
    let mut tx = store.pool.begin().await?;
    let n = sqlx::query(
        "UPDATE frontier SET lease_until = NULL, due_at = now()
         WHERE url_id = ANY($1) AND lease_until IS NOT NULL",
    )
    .bind(&pages)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE hosts SET robots_retry_at = now(),
             robots_state = CASE WHEN robots_state = $2 THEN $3 ELSE robots_state END,
             updated_at = now()
         WHERE host = ANY($1) AND robots_retry_at > now()",
    )
    .bind(&robots)
    .bind(RobotsState::Pending)
    .bind(RobotsState::Unknown)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// See [`crate::Store::release_all_leases`]. A lease granted after the call began ends later
/// than now + `policy.lease`, so another replica's fresh jobs are left alone.
pub(crate) async fn release_all(store: &Store, policy: &FrontierPolicy) -> Result<u64, StoreError> {
    let mut tx = store.pool.begin().await?;
    // Key order with SKIP LOCKED: no deadlock with a batch that locks frontier rows, and a row
    // a batch holds is being answered anyway.
    let n = sqlx::query(
        "WITH held AS (
             SELECT url_id FROM frontier
             WHERE lease_until IS NOT NULL AND lease_until <= now() + $1
             ORDER BY url_id
             FOR UPDATE SKIP LOCKED
         )
         UPDATE frontier f SET lease_until = NULL, due_at = now()
         FROM held WHERE f.url_id = held.url_id",
    )
    .bind(delta(policy.lease))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "WITH held AS (
             SELECT id FROM hosts
             -- A robots.txt job's lease (new host: pending; refresh: rules ok); a 5xx
             -- backoff (another state) is not a lease and stands.
             WHERE robots_retry_at > now() AND robots_retry_at <= now() + $1
               AND (robots_state = $2 OR robots_state = $4)
             ORDER BY id
             FOR NO KEY UPDATE SKIP LOCKED
         )
         UPDATE hosts h SET robots_retry_at = now(),
             robots_state = CASE WHEN robots_state = $2 THEN $3 ELSE robots_state END,
             updated_at = now()
         FROM held WHERE h.id = held.id",
    )
    .bind(delta(policy.lease))
    .bind(RobotsState::Pending)
    .bind(RobotsState::Unknown)
    .bind(RobotsState::Ok)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Dispatched URLs whose lease ran out (the job was lost with a crawler or a dispatcher) go back
/// to the queue. The lost try counts as an attempt, so a URL that keeps killing crawlers ends
/// `failed` instead of looping forever; it also fences out a late answer to the old job.
/// Returns the database clock (the one clock every replica shares), how many leases expired, and
/// the in-flight count before they did (`frontier.leased`: the folded counter plus the deltas
/// appended since the fold).
async fn requeue_expired(
    tx: &mut PgConnection,
    policy: &FrontierPolicy,
) -> Result<(DateTime<Utc>, u64, i64), StoreError> {
    // Only a URL given up is written in `urls`; the count lives in its frontier row. A revisit
    // given up keeps the URL `fetched` (the archive has it) and simply leaves the frontier.
    let (now, n, leased): (DateTime<Utc>, i64, i64) = sqlx::query_as(
        "WITH expired AS (
             SELECT url_id, attempts + 1 AS n, revisit FROM frontier
             WHERE lease_until < now()
             ORDER BY lease_until
             LIMIT $2
             FOR UPDATE SKIP LOCKED
         ), kept AS (
             UPDATE frontier f SET attempts = e.n, lease_until = NULL, due_at = now()
             FROM expired e WHERE f.url_id = e.url_id AND e.n < $1
         ), gone AS (
             DELETE FROM frontier f USING expired e WHERE f.url_id = e.url_id AND e.n >= $1
         ), given_up AS (
             UPDATE urls u SET
                 attempts = e.n,
                 state = CASE WHEN e.revisit THEN u.state ELSE $3 END,
                 last_error = 'lease expired ' || e.n || ' times: the job was lost each time',
                 updated_at = now()
             FROM expired e
             WHERE u.id = e.url_id AND e.n >= $1
         )
         SELECT now(), (SELECT count(*) FROM expired),
                coalesce((SELECT n FROM counters WHERE name = 'frontier.leased'), 0)
                + coalesce((SELECT sum(n) FROM frontier_lease_deltas), 0)::int8",
    )
    .bind(policy.max_attempts as i32)
    .bind(EXPIRED_PER_PASS)
    .bind(UrlState::Failed)
    .fetch_one(&mut *tx)
    .await?;
    if n > 0 {
        tracing::warn!(urls = n, "dispatch leases expired; URLs re-queued");
    }
    Ok((now, u64::try_from(n).unwrap_or(0), leased))
}

/// One robots.txt job per host that has queued URLs but no rules yet (new host, robots lease
/// expired, or a 5xx backoff over): its pages wait until the rules are applied. Hosts whose
/// rules are older than [`ROBOTS_TTL`] get a refresh job too, while their cached rules stay in
/// force; `robots_retry_at` then acts as the refresh's lease.
async fn robots_jobs(
    tx: &mut PgConnection,
    policy: &FrontierPolicy,
    horizon_end: DateTime<Utc>,
    budget: &mut i64,
) -> Result<Vec<CrawlJob>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>, i64, String)> = sqlx::query_as(
        "SELECT h.host,
                greatest(h.next_slot_at, coalesce(h.blocked_until, now()), now()) AS slot,
                f.url_id, f.url
         FROM hosts h
         CROSS JOIN LATERAL (
             SELECT f.url_id, f.url FROM frontier f
             WHERE f.host_id = h.id AND f.lease_until IS NULL
             LIMIT 1
         ) f
         WHERE (h.robots_state <> $4
                OR h.robots_fetched_at < now() - make_interval(secs => $3))
           AND (h.robots_retry_at IS NULL OR h.robots_retry_at <= now())
           AND greatest(h.next_slot_at, coalesce(h.blocked_until, now())) <= $1
         ORDER BY slot, h.host
         LIMIT $2
         FOR NO KEY UPDATE OF h SKIP LOCKED",
    )
    .bind(horizon_end)
    .bind(*budget)
    .bind(ROBOTS_TTL.as_secs_f64())
    .bind(RobotsState::Ok)
    .fetch_all(&mut *tx)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // Crawl-delay is not known before robots.txt, so the robots request uses the base interval.
    let interval = host_interval(policy, 0);
    let mut jobs = Vec::with_capacity(rows.len());
    let mut hosts = Vec::with_capacity(rows.len());
    let mut next_slots = Vec::with_capacity(rows.len());
    for (host, slot, url_id, url) in rows {
        let Some(robots_url) = robots_url(&url) else {
            // Every frontier URL passed normalisation, so this cannot happen; if it does, the
            // host simply gets no robots job rather than failing the whole dispatch pass.
            tracing::error!(%url, "frontier URL does not parse; no robots job");
            continue;
        };
        jobs.push(CrawlJob {
            v: SCHEMA_VERSION,
            url_id,
            url: robots_url,
            host: host.clone(),
            depth: 0,
            kind: JobKind::Robots,
            not_before_ms: slot.timestamp_millis(),
            slot_ms: millis(interval),
            attempt: 0,
            validators: None,
        });
        hosts.push(host);
        next_slots.push(slot + delta(interval));
    }
    sqlx::query(
        "UPDATE hosts SET
             -- A refresh keeps the cached rules in force meanwhile (RFC 9309 §2.4).
             robots_state = CASE WHEN robots_state = $4 THEN robots_state ELSE $5 END,
             robots_retry_at = now() + $3,
             next_slot_at = x.next_slot,
             updated_at = now()
         FROM UNNEST($1::text[], $2::timestamptz[]) AS x (host, next_slot)
         WHERE hosts.host = x.host",
    )
    .bind(&hosts)
    .bind(&next_slots)
    .bind(delta(policy.lease))
    .bind(RobotsState::Ok)
    .bind(RobotsState::Pending)
    .execute(&mut *tx)
    .await?;
    *budget -= jobs.len() as i64;
    Ok(jobs)
}

/// A host locked for this pass, with its rules and schedule.
#[derive(sqlx::FromRow)]
struct HostRow {
    id: i32,
    host: String,
    robots_status: Option<i32>,
    robots_txt: Option<String>,
    robots_fetched_at: Option<DateTime<Utc>>,
    crawl_delay_ms: i32,
    /// First free slot: never before now, the host's next slot, or its Retry-After.
    slot0: DateTime<Utc>,
    /// Something of the queue is due (by the host's summary, `host_due`): first fetches, hot
    /// hubs' revisits, other revisits.
    new_due: bool,
    hot_due: bool,
    rest_due: bool,
}

/// The three queues of a host that a pass reads apart: first fetches, revisits of hot hubs
/// (`frontier_hot_idx`), and the other revisits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Queue {
    New = 0,
    Hot = 1,
    Rest = 2,
}

/// A host's due frontier rows of one queue, in due order. One literal statement per queue (not
/// a bound flag) so the planner can prove the partial index's predicate. The rows are not
/// locked: the pass holds their host, and only a pass holding the host leases its rows (the
/// lease is a guarded update, [`page_jobs`]). Locking each row read would write it twice.
macro_rules! due_rows {
    ($queue:literal) => {
        concat!(
            "SELECT f.url_id, f.url, f.host_id, f.depth, f.attempts, f.etag, f.last_modified,
                    f.revisit, f.due_at, f.hot, f.hub_yield
             FROM UNNEST($1::int[], $2::int[]) AS h (id, n)
             CROSS JOIN LATERAL (
                 SELECT * FROM frontier f
                 WHERE f.host_id = h.id AND ",
            $queue,
            " AND f.lease_until IS NULL AND f.due_at <= now()
                 ORDER BY f.due_at, f.url_id
                 LIMIT h.n
             ) f"
        )
    };
}

/// Page jobs for hosts whose rules are known: due URLs are checked against robots.txt
/// (disallowed → `skipped`) and the allowed ones get consecutive host slots inside the horizon.
async fn page_jobs(
    store: &Store,
    tx: &mut PgConnection,
    policy: &FrontierPolicy,
    horizon_end: DateTime<Utc>,
    budget: i64,
) -> Result<Vec<CrawlJob>, StoreError> {
    // Hosts are picked by their summary (`host_due`), without touching the frontier. `NO KEY`:
    // a store batch adding URLs holds a key-share lock on their host (the foreign key) until it
    // commits, and a plain `FOR UPDATE` would skip that host for the whole batch.
    let hosts: Vec<HostRow> = sqlx::query_as(
        "SELECT h.id, h.host, h.robots_status, h.robots_txt, h.robots_fetched_at,
                h.crawl_delay_ms,
                greatest(h.next_slot_at, coalesce(h.blocked_until, now()), now()) AS slot0,
                coalesce(d.new_at <= now(), false) AS new_due,
                coalesce(d.hot_at <= now(), false) AS hot_due,
                coalesce(d.rest_at <= now(), false) AS rest_due
         FROM hosts h
         JOIN host_due d ON d.host_id = h.id
         WHERE h.robots_state = $3
           AND greatest(h.next_slot_at, coalesce(h.blocked_until, now())) <= $1
           AND (d.new_at <= now() OR d.hot_at <= now() OR d.rest_at <= now())
         ORDER BY slot0, h.host
         LIMIT $2
         FOR NO KEY UPDATE OF h SKIP LOCKED",
    )
    .bind(horizon_end)
    // Never more hosts than jobs the budget allows: each host taken gets at least one.
    .bind(HOSTS_PER_PASS.min(budget))
    .bind(RobotsState::Ok)
    .fetch_all(&mut *tx)
    .await?;
    if hosts.is_empty() {
        return Ok(Vec::new());
    }

    // How many URLs each host may take this pass: the slots that fit in the horizon, and a fair
    // share of the in-flight budget so one big host does not crowd out the others. The shares
    // add up to the budget exactly (the hosts with the earliest slots get the remainder), so a
    // pass never takes more than `max_in_flight` allows.
    let (base, extra) = (budget / hosts.len() as i64, budget % hosts.len() as i64);
    let mut reads = Vec::with_capacity(hosts.len());
    let mut slots: Vec<i32> = Vec::with_capacity(hosts.len());
    for (i, h) in hosts.iter().enumerate() {
        let share = base + i64::from((i as i64) < extra);
        let interval = host_interval(policy, h.crawl_delay_ms);
        let fit = if interval.is_zero() {
            share
        } else {
            let room = (horizon_end - h.slot0).num_milliseconds().max(0);
            room / millis(interval).max(1) as i64 + 1
        };
        let n = fit.min(share).max(0);
        slots.push(i32::try_from(n).unwrap_or(i32::MAX));
        // Read a few more than the slots: disallowed URLs among them are settled now instead of
        // each costing a pass; allowed extras stay queued (their locks go at commit). The margin
        // is a quarter (at least one), not a constant per host: with a thousand hosts a pass
        // would otherwise read thousands of rows it does not dispatch.
        reads.push(i32::try_from(n + n / 4 + 1).unwrap_or(i32::MAX));
    }
    // First fetches, hot hubs' revisits and the other revisits are read apart, each in due
    // order, so hot hubs go first and revisit.max_share can be applied per host. Everything a
    // job needs is in the frontier row: no `urls` read.
    let mut rows: Vec<Due> = Vec::new();
    // Queues read to their end (fewer due rows than asked for): their summary is raised to the
    // truth once this pass's leases are written.
    let mut drained: HashMap<i32, [bool; 3]> = HashMap::new();
    for (queue, limits) in [
        (Queue::New, &reads),
        (Queue::Hot, &slots),
        (Queue::Rest, &slots),
    ] {
        // Only hosts with something of this kind due: a one-shot crawl pays no revisit query.
        let (ids, limits): (Vec<i32>, Vec<i32>) = hosts
            .iter()
            .zip(limits)
            .filter(|(h, _)| match queue {
                Queue::New => h.new_due,
                Queue::Hot => h.hot_due,
                Queue::Rest => h.rest_due,
            })
            .map(|(h, n)| (h.id, *n))
            .unzip();
        if ids.is_empty() {
            continue;
        }
        let sql = match queue {
            Queue::New => due_rows!("NOT f.revisit"),
            Queue::Hot => due_rows!("f.revisit AND f.hot"),
            Queue::Rest => due_rows!("f.revisit AND NOT f.hot"),
        };
        let part: Vec<Due> = sqlx::query_as(sql)
            .bind(&ids)
            .bind(&limits)
            .fetch_all(&mut *tx)
            .await?;
        let mut got: HashMap<i32, i32> = HashMap::new();
        for d in &part {
            *got.entry(d.host_id).or_default() += 1;
        }
        for (id, limit) in ids.iter().zip(&limits) {
            if got.get(id).copied().unwrap_or(0) < *limit {
                drained.entry(*id).or_default()[queue as usize] = true;
            }
        }
        rows.extend(part);
    }

    let by_id: HashMap<i32, (&HostRow, i64)> = hosts
        .iter()
        .zip(&slots)
        .map(|(h, n)| (h.id, (h, i64::from(*n))))
        .collect();
    let mut robots: HashMap<i32, Arc<RobotsPolicy>> = HashMap::new();
    let mut allowed: HashMap<i32, [Vec<&Due>; 3]> = HashMap::new();
    let mut disallowed = Vec::new();
    let mut dropped = Vec::new();
    for due in &rows {
        let Some((h, _)) = by_id.get(&due.host_id) else {
            continue;
        };
        let rules = robots
            .entry(h.id)
            .or_insert_with(|| store.robots_policy(policy, h));
        if !rules.allowed(&due.url) {
            if due.revisit {
                dropped.push(due.url_id);
            } else {
                disallowed.push(due.url_id);
            }
            continue;
        }
        let [new, hot, rest] = allowed.entry(h.id).or_default();
        match (due.revisit, due.hot) {
            (false, _) => new.push(due),
            (true, true) => hot.push(due),
            (true, false) => rest.push(due),
        }
    }

    let mut next_slot: HashMap<i32, DateTime<Utc>> = HashMap::new();
    let mut jobs = Vec::with_capacity(rows.len());
    let mut dispatched = Vec::with_capacity(rows.len());
    for (host_id, [new, hot, old]) in allowed {
        let (h, n) = by_id[&host_id];
        // Hot hubs' revisits escape max_share: they find the fresh stories.
        let take_hot = hot.len().min(usize::try_from(n.max(0)).unwrap_or(0));
        let dice = rand::random::<f64>();
        let (take_new, take_old) = split_slots(
            n - take_hot as i64,
            new.len(),
            old.len(),
            policy.revisit.max_share,
            dice,
        );
        let mut picked: Vec<&Due> = new[..take_new]
            .iter()
            .chain(&hot[..take_hot])
            .chain(&old[..take_old])
            .copied()
            .collect();
        // Slot order: hot hubs first, best yield first, then due order.
        picked.sort_by(|a, b| {
            b.hot
                .cmp(&a.hot)
                .then(b.yield_rank().total_cmp(&a.yield_rank()))
                .then((a.due_at, a.url_id).cmp(&(b.due_at, b.url_id)))
        });
        let interval = host_interval(policy, h.crawl_delay_ms);
        let mut slot = h.slot0;
        for due in picked {
            jobs.push(CrawlJob {
                v: SCHEMA_VERSION,
                url_id: due.url_id,
                url: due.url.clone(),
                host: h.host.clone(),
                depth: u32::try_from(due.depth).unwrap_or(0),
                kind: JobKind::Page,
                not_before_ms: slot.timestamp_millis(),
                slot_ms: millis(interval),
                attempt: u32::try_from(due.attempts).unwrap_or(0),
                validators: Validators::from_parts(due.etag.clone(), due.last_modified.clone()),
            });
            dispatched.push(due.url_id);
            slot += delta(interval);
        }
        next_slot.insert(h.id, slot);
    }

    if !dispatched.is_empty() {
        // The rows were read without locks, so the lease is guarded: a row that is gone or
        // leased by now (a late answer that ended its visits) is left as it is, and its job is
        // not sent. Only a pass holding the host leases its rows, so this is rare.
        let leased: HashSet<i64> = sqlx::query_scalar(
            "UPDATE frontier SET lease_until = now() + $2
             WHERE url_id = ANY($1) AND lease_until IS NULL
             RETURNING url_id",
        )
        .bind(&dispatched)
        .bind(delta(policy.lease))
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        if leased.len() < jobs.len() {
            jobs.retain(|j| leased.contains(&j.url_id));
        }
    }
    if !disallowed.is_empty() {
        sqlx::query(
            "WITH gone AS (
                 DELETE FROM frontier WHERE url_id = ANY($1) AND lease_until IS NULL
                 RETURNING url_id
             )
             UPDATE urls SET state = $2, last_error = 'disallowed by robots.txt',
                 updated_at = now()
             FROM gone WHERE urls.id = gone.url_id",
        )
        .bind(&disallowed)
        .bind(UrlState::Skipped)
        .execute(&mut *tx)
        .await?;
    }
    if !dropped.is_empty() {
        // Fetched before and disallowed now: the archive keeps what it has; no more visits.
        sqlx::query("DELETE FROM frontier WHERE url_id = ANY($1) AND lease_until IS NULL")
            .bind(&dropped)
            .execute(&mut *tx)
            .await?;
    }
    // With politeness off the schedule is not used, so the host rows are not rewritten.
    if !policy.min_interval.is_zero() && !next_slot.is_empty() {
        let (hosts, slots): (Vec<i32>, Vec<DateTime<Utc>>) = next_slot.into_iter().unzip();
        sqlx::query(
            "UPDATE hosts SET next_slot_at = x.next_slot, updated_at = now()
             FROM UNNEST($1::int[], $2::timestamptz[]) AS x (id, next_slot)
             WHERE hosts.id = x.id",
        )
        .bind(&hosts)
        .bind(&slots)
        .execute(&mut *tx)
        .await?;
    }
    raise_host_due(tx, &drained).await?;
    if !disallowed.is_empty() {
        tracing::debug!(urls = disallowed.len(), "skipped: disallowed by robots.txt");
    }
    Ok(jobs)
}

/// Writes the truth into the summaries of the queues a pass read to their end: the earliest
/// `due_at` still waiting (after this pass's leases), so the next passes skip the host until
/// then instead of reading it for nothing. The summary rows are locked first (in host order,
/// skipping any a fold holds), and the truth is read by a later statement: its snapshot sees
/// every row whose hint a fold applied before the lock, and a fold after the lock sees it (the
/// row's xmax) and waits to lower what is written here.
async fn raise_host_due(
    tx: &mut PgConnection,
    drained: &HashMap<i32, [bool; 3]>,
) -> Result<(), StoreError> {
    if drained.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i32> = drained.keys().copied().collect();
    ids.sort_unstable();
    let ids: Vec<i32> = sqlx::query_scalar(
        "SELECT host_id FROM host_due WHERE host_id = ANY($1)
         ORDER BY host_id
         FOR NO KEY UPDATE SKIP LOCKED",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        return Ok(());
    }
    let flag = |q: Queue| -> Vec<bool> { ids.iter().map(|id| drained[id][q as usize]).collect() };
    sqlx::query(
        "UPDATE host_due d SET
             new_at = CASE WHEN x.new THEN (
                 SELECT min(f.due_at) FROM frontier f
                 WHERE f.host_id = d.host_id AND NOT f.revisit AND f.lease_until IS NULL)
                 ELSE d.new_at END,
             hot_at = CASE WHEN x.hot THEN (
                 SELECT min(f.due_at) FROM frontier f
                 WHERE f.host_id = d.host_id AND f.revisit AND f.hot AND f.lease_until IS NULL)
                 ELSE d.hot_at END,
             rest_at = CASE WHEN x.rest THEN (
                 SELECT min(f.due_at) FROM frontier f
                 WHERE f.host_id = d.host_id AND f.revisit AND NOT f.hot
                   AND f.lease_until IS NULL)
                 ELSE d.rest_at END
         FROM UNNEST($1::int[], $2::bool[], $3::bool[], $4::bool[]) AS x (id, new, hot, rest)
         WHERE d.host_id = x.id",
    )
    .bind(&ids)
    .bind(flag(Queue::New))
    .bind(flag(Queue::Hot))
    .bind(flag(Queue::Rest))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A due frontier row: everything a crawl job needs.
#[derive(sqlx::FromRow)]
struct Due {
    url_id: i64,
    url: String,
    host_id: i32,
    depth: i32,
    attempts: i32,
    etag: Option<String>,
    last_modified: Option<String>,
    revisit: bool,
    due_at: DateTime<Utc>,
    hot: bool,
    hub_yield: Option<f32>,
}

impl Due {
    /// A hot hub's yield; 0 for everything else, which keeps its due order.
    fn yield_rank(&self) -> f32 {
        if self.hot {
            self.hub_yield.unwrap_or(0.0)
        } else {
            0.0
        }
    }
}

/// How a host's `slots` are split between first fetches and revisits: revisits take at most
/// `max_share` of them while first fetches wait, and any slots first fetches leave unused.
/// A pass often books a single slot, so the fraction is rounded by `dice` (uniform in [0, 1)):
/// over many passes revisits get `max_share` of the slots on average.
fn split_slots(
    slots: i64,
    new: usize,
    revisits: usize,
    max_share: f64,
    dice: f64,
) -> (usize, usize) {
    let slots = usize::try_from(slots.max(0)).unwrap_or(0);
    let cap = if new > 0 {
        ((slots as f64 * max_share.clamp(0.0, 1.0) + dice).floor() as usize).min(slots)
    } else {
        slots
    };
    let take_new = new.min(slots - revisits.min(cap).min(slots));
    let take_old = revisits.min(slots - take_new);
    (take_new, take_old)
}

impl Store {
    /// The parsed robots.txt of a host, from the cache when it was parsed from the same fetch.
    fn robots_policy(&self, policy: &FrontierPolicy, h: &HostRow) -> Arc<RobotsPolicy> {
        let mut cache = self.robots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((fetched_at, rules)) = cache.get(&h.host)
            && *fetched_at == h.robots_fetched_at
        {
            return rules.clone();
        }
        let rules = Arc::new(RobotsPolicy::from_response(
            &policy.user_agent,
            h.robots_status.and_then(|s| u16::try_from(s).ok()),
            h.robots_txt.as_deref(),
        ));
        if cache.len() >= ROBOTS_CACHE_MAX {
            cache.clear();
        }
        cache.insert(h.host.clone(), (h.robots_fetched_at, rules.clone()));
        rules
    }
}

/// Spacing between two booked slots of a host: the configured interval, lengthened by
/// Crawl-delay, stretched by [`slot_spacing`] so late starts cannot crowd the next slot; none at
/// all when politeness is off.
fn host_interval(policy: &FrontierPolicy, crawl_delay_ms: i32) -> Duration {
    if policy.min_interval.is_zero() {
        return Duration::ZERO;
    }
    let delay = Duration::from_millis(u64::try_from(crawl_delay_ms).unwrap_or(0));
    newspipe_model::slot_spacing(policy.min_interval.max(delay))
}

/// `scheme://host[:port]/robots.txt` for a frontier URL.
fn robots_url(url: &str) -> Option<String> {
    let mut u = url::Url::parse(url).ok()?;
    u.set_path("/robots.txt");
    u.set_query(None);
    u.set_fragment(None);
    Some(u.into())
}

/// A `Duration` as a Postgres-ready interval: truncated to microseconds (sqlx refuses to encode
/// finer intervals, and jittered backoffs have nanoseconds) and capped at 100 years.
pub(crate) fn delta(d: Duration) -> TimeDelta {
    const MAX_MICROS: u128 = 100 * 365 * 24 * 3600 * 1_000_000;
    TimeDelta::microseconds(d.as_micros().min(MAX_MICROS) as i64)
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::split_slots;

    #[test]
    fn revisits_take_at_most_their_share_while_new_urls_wait() {
        // 5 slots, plenty of both: half (rounded down) to revisits.
        assert_eq!(split_slots(5, 10, 10, 0.5, 0.0), (3, 2));
        assert_eq!(split_slots(5, 10, 10, 0.5, 0.6), (2, 3));
        // New URLs leave slots unused: revisits fill them.
        assert_eq!(split_slots(5, 1, 10, 0.5, 0.0), (1, 4));
        // No new URLs: revisits take every slot.
        assert_eq!(split_slots(5, 0, 10, 0.5, 0.0), (0, 5));
        // One slot per pass and both waiting: the revisit gets it half the time.
        assert_eq!(split_slots(1, 3, 3, 0.5, 0.2), (1, 0));
        assert_eq!(split_slots(1, 3, 3, 0.5, 0.7), (0, 1));
        let revisit_turns = (0..100)
            .filter(|i| split_slots(1, 3, 3, 0.5, f64::from(*i) / 100.0).1 == 1)
            .count();
        assert_eq!(revisit_turns, 50);
        assert_eq!(split_slots(4, 3, 0, 0.5, 0.9), (3, 0));
        assert_eq!(split_slots(0, 3, 3, 0.5, 0.9), (0, 0));
        assert_eq!(split_slots(10, 20, 20, 0.0, 0.9), (10, 0));
    }
}
