//! Applying store messages, several per transaction.
//!
//! One commit (one WAL flush) per batch instead of one per message is most of the saving for
//! small messages. Work that several messages share is done once at the end of the batch, in key
//! order: all new links in one statement, all host-fact updates in one statement. Two store
//! replicas therefore take row locks in the same order and do not deadlock.
//!
//! Each message is idempotent on its own: a page is keyed by `(url_id, fetched_at)`, and URL
//! state changes are fenced on the job's attempt (see `urlstate.rs`).

use std::collections::BTreeMap;

use chrono::Utc;

use newspipe_model::{
    Disposition, JobKind, PageKind, RobotsFetched, StoreMsg, host_key, normalize,
};
use sqlx::{PgConnection, PgPool};

use crate::{
    Applied, FrontierPolicy, MAX_BACKOFF, StoreError, archive, clean,
    dispatch::delta,
    frontier::{self, NewUrl},
    known::KnownUrls,
    revisit, urlstate,
};

/// One message, one transaction.
pub(crate) async fn apply(
    pool: &PgPool,
    msg: &StoreMsg,
    policy: &FrontierPolicy,
    known: &KnownUrls,
) -> Result<Applied, StoreError> {
    let mut tx = pool.begin().await?;
    let (mut applied, keys) = apply_all(&mut tx, std::slice::from_ref(msg), policy, known).await?;
    tx.commit().await?;
    known.remember(&keys);
    Ok(applied.pop().expect("one result per message"))
}

/// Several messages in one transaction. If a message fails permanently the batch is rolled back
/// and replayed one transaction per message, so only the bad one fails. A transient error fails
/// the whole call (nothing was committed): retry it.
pub(crate) async fn apply_batch(
    pool: &PgPool,
    msgs: &[StoreMsg],
    policy: &FrontierPolicy,
    known: &KnownUrls,
) -> Result<Vec<Result<Applied, StoreError>>, StoreError> {
    let mut tx = pool.begin().await?;
    match apply_all(&mut tx, msgs, policy, known).await {
        Ok((out, keys)) => {
            tx.commit().await?;
            known.remember(&keys);
            return Ok(out.into_iter().map(Ok).collect());
        }
        Err(e) if e.is_transient() => return Err(e),
        Err(e) => tracing::debug!(
            error = %e,
            messages = msgs.len(),
            "batch rolled back; applying one by one"
        ),
    }
    tx.rollback().await?;
    let mut out = Vec::with_capacity(msgs.len());
    for m in msgs {
        match apply(pool, m, policy, known).await {
            Err(e) if e.is_transient() => return Err(e),
            r => out.push(r),
        }
    }
    Ok(out)
}

/// What a batch owes its hosts, applied once at the end in host-id order.
#[derive(Debug, Default)]
pub(crate) struct HostFacts {
    /// A stored page since the last failure: the streak restarts from `add`.
    reset: bool,
    /// Failures since then.
    add: i32,
    /// Retry-After, seconds (longest wins).
    blocked_secs: Option<u64>,
}

/// Visits per host in this batch, for `status` (revisits in the last hour, last change seen).
#[derive(Debug, Default)]
pub(crate) struct HostVisits {
    revisits: i32,
    not_modified: i32,
    changed: i32,
}

/// The batch's shared work, filled by each message and written at the end.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// In-scope links per page: (index of the message, the links).
    links: Vec<(usize, Vec<NewUrl>)>,
    hosts: BTreeMap<i32, HostFacts>,
    /// Sitemap and feed entries with their dates: known URLs changed since our visit.
    dated: Vec<frontier::Dated>,
    visits: BTreeMap<i32, HostVisits>,
    /// Hub revisits: (index of the message, URL id, the hub's yield before the visit).
    hub_revisits: Vec<(usize, i64, f64)>,
    /// Frontier rows to rewrite after the visits (`urlstate::write_schedules`).
    schedules: Vec<urlstate::Schedule>,
    /// Rows added to the counted tables.
    inserted: archive::Inserted,
}

impl Pending {
    pub(crate) fn visited(&mut self, host_id: i32, v: &urlstate::Visit) {
        let e = self.visits.entry(host_id).or_default();
        e.revisits += i32::from(v.revisit);
        e.not_modified += i32::from(v.not_modified);
        e.changed += i32::from(v.changed);
    }

    pub(crate) fn page_stored(&mut self, host_id: i32) {
        let f = self.hosts.entry(host_id).or_default();
        f.reset = true;
        f.add = 0;
    }

    pub(crate) fn fetch_failed(&mut self, host_id: i32, retry_after_secs: Option<u64>) {
        let f = self.hosts.entry(host_id).or_default();
        f.add += 1;
        f.blocked_secs = f.blocked_secs.max(retry_after_secs);
    }

    pub(crate) fn links(&mut self, msg: usize, links: Vec<NewUrl>) {
        if !links.is_empty() {
            self.links.push((msg, links));
        }
    }
}

/// Also returns the keys of the batch's links, in `urls` once it commits.
async fn apply_all(
    tx: &mut PgConnection,
    msgs: &[StoreMsg],
    policy: &FrontierPolicy,
    known: &KnownUrls,
) -> Result<(Vec<Applied>, Vec<i64>), StoreError> {
    let mut pending = Pending::default();
    let mut out = Vec::with_capacity(msgs.len());
    for (i, m) in msgs.iter().enumerate() {
        // A second outcome for a URL whose row waits to be rewritten must see it rewritten; a
        // robots.txt outcome may rewrite any of its host's rows.
        let waits = |id: i64| pending.schedules.iter().any(|s| s.url_id() == id);
        let flush = match m {
            StoreMsg::Page(p) => waits(p.page.job.url_id),
            StoreMsg::Failed(f) if f.job.kind == JobKind::Robots => true,
            StoreMsg::Failed(f) => waits(f.job.url_id),
            StoreMsg::NotModified(n) => waits(n.job.url_id),
            StoreMsg::Robots(_) => true,
        };
        if flush {
            urlstate::write_schedules(tx, &mut pending.schedules).await?;
        }
        out.push(apply_one(tx, i, m, policy, &mut pending).await?);
    }
    // Before the yields and the feed dates below, which adjust these rows.
    urlstate::write_schedules(tx, &mut pending.schedules).await?;

    let all: Vec<NewUrl> = pending
        .links
        .iter()
        .flat_map(|(_, l)| l.iter().cloned())
        .collect();
    let (mut added, keys) = frontier::insert_links(tx, &all, Some(known)).await?;
    // Each new URL is credited to the first page of the batch that linked to it.
    for (i, links) in &pending.links {
        if let Applied::Page { links_added, .. } = &mut out[*i] {
            *links_added = links.iter().filter(|l| added.remove(&l.url)).count() as u64;
        }
    }
    write_hub_yields(tx, &pending.hub_revisits, &out).await?;
    let due = frontier::due_on_change(tx, &pending.dated).await?;
    if due > 0 {
        tracing::debug!(urls = due, "moved up by a sitemap or feed date");
    }
    write_host_facts(tx, &pending.hosts).await?;
    write_host_visits(tx, &pending.visits).await?;
    pending.inserted.write(tx).await?;
    Ok((out, keys))
}

/// Each revisited hub's yield moves by whether its visit found a link never seen before (a link
/// the batch inserted, credited to the first page that listed it). One statement for the batch;
/// the rows are already locked by this transaction (`urlstate::page_visited`).
async fn write_hub_yields(
    tx: &mut PgConnection,
    revisits: &[(usize, i64, f64)],
    out: &[Applied],
) -> Result<(), StoreError> {
    if revisits.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = revisits.iter().map(|(_, url_id, _)| *url_id).collect();
    let (yields, hot): (Vec<Option<f32>>, Vec<bool>) = revisits
        .iter()
        .map(|(i, _, prev)| {
            let found = matches!(out[*i], Applied::Page { links_added, .. } if links_added > 0);
            revisit::stored_yield(Some(revisit::next_yield(*prev, found)))
        })
        .unzip();
    sqlx::query(
        "UPDATE frontier f SET hub_yield = x.y, hot = x.hot
         FROM UNNEST($1::int8[], $2::real[], $3::bool[]) AS x (id, y, hot)
         WHERE f.url_id = x.id AND f.hub",
    )
    .bind(&ids)
    .bind(&yields)
    .bind(&hot)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Visit counts per host and minute, in one statement, in host-id order. `hosts` is not written:
/// the dispatcher locks host rows for its passes (`SKIP LOCKED`), and a store batch holding one
/// until commit would make it skip that host.
async fn write_host_visits(
    tx: &mut PgConnection,
    visits: &BTreeMap<i32, HostVisits>,
) -> Result<(), StoreError> {
    let visits: Vec<(&i32, &HostVisits)> = visits
        .iter()
        .filter(|(_, v)| v.revisits > 0 || v.changed > 0)
        .collect();
    if visits.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = visits.iter().map(|(id, _)| **id).collect();
    let revisits: Vec<i32> = visits.iter().map(|(_, v)| v.revisits).collect();
    let not_modified: Vec<i32> = visits.iter().map(|(_, v)| v.not_modified).collect();
    let changed: Vec<i32> = visits.iter().map(|(_, v)| v.changed).collect();
    sqlx::query(
        "INSERT INTO host_visits (host_id, minute, revisits, not_modified, changed)
         SELECT x.id, date_trunc('minute', now()), x.r, x.n, x.c
         FROM UNNEST($1::int[], $2::int[], $3::int[], $4::int[]) AS x (id, r, n, c)
         ORDER BY x.id
         ON CONFLICT (host_id, minute) DO UPDATE SET
             revisits = host_visits.revisits + excluded.revisits,
             not_modified = host_visits.not_modified + excluded.not_modified,
             changed = host_visits.changed + excluded.changed",
    )
    .bind(&ids)
    .bind(&revisits)
    .bind(&not_modified)
    .bind(&changed)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn apply_one(
    tx: &mut PgConnection,
    index: usize,
    msg: &StoreMsg,
    policy: &FrontierPolicy,
    pending: &mut Pending,
) -> Result<Applied, StoreError> {
    match msg {
        StoreMsg::Page(p) => {
            let Some(stored) = archive::store_page(tx, p, policy, &mut pending.inserted).await?
            else {
                // The same delivery committed before, with everything else it implies.
                return Ok(Applied::Unchanged);
            };
            pending.page_stored(stored.host_id);
            pending.visited(stored.host_id, &stored.visit);
            pending.schedules.extend(stored.schedule);
            if let Some(y) = stored.visit.hub_yield {
                pending.hub_revisits.push((index, p.page.job.url_id, y));
            }
            let mut links_added = 0;
            // A sitemap's or feed's entries are the site's own list of its pages: followed at
            // the document's depth, so the link-depth limit does not cut them off.
            let (follow, depth) = match p.kind {
                PageKind::Html => (stored.depth < policy.max_depth as i32, stored.depth + 1),
                PageKind::Sitemap | PageKind::Feed => (true, stored.depth),
            };
            let mut links = Vec::new();
            if follow {
                links = in_scope_links(&p.links, &stored.host, stored.host_id, depth);
                date_links(&mut links, &p.dated, policy, &mut pending.dated);
                if stored.visit.hot {
                    // What a hot hub lists that we have never seen is fresh (known links are
                    // left alone by the insert): it jumps the first-visit backlog.
                    for l in &mut links {
                        l.ahead = l.ahead.max(frontier::FRESH_AHEAD);
                    }
                }
            }
            // Announced feeds are discovery documents too: same depth, whatever the limit, and
            // fetched before the pages they list.
            let mut feeds = in_scope_links(&p.feeds, &stored.host, stored.host_id, stored.depth);
            for f in &mut feeds {
                f.ahead = frontier::DISCOVERY_AHEAD;
            }
            links.extend(feeds);
            if !links.is_empty() {
                // Counted once the batch's links are inserted.
                links_added = links.len() as u64;
                pending.links(index, links);
            }
            Ok(Applied::Page {
                page_id: stored.page_id,
                article_id: stored.article_id,
                new_revision: stored.new_revision,
                links_added,
                url_updated: stored.url_updated,
            })
        }
        StoreMsg::Failed(f)
            if f.job.kind == JobKind::Robots && f.disposition == Disposition::Requeue =>
        {
            urlstate::robots_not_attempted(tx, &f.job.host).await?;
            Ok(Applied::Unchanged)
        }
        StoreMsg::Failed(f) if f.job.kind == JobKind::Robots => {
            // A crawler that reports a robots.txt fetch as a plain failure: treat it as "no
            // response", which RFC 9309 says means "disallow for now".
            let r = RobotsFetched {
                job: f.job.clone(),
                status: f.status.filter(|s| *s >= 500),
                body: None,
                error: Some(f.reason.clone()),
                at: f.at,
            };
            urlstate::apply_robots(tx, &r, policy).await
        }
        StoreMsg::Failed(f) => {
            let (applied, host_id) = urlstate::apply_failure(tx, f, policy).await?;
            if let Some(host_id) = host_id {
                pending.fetch_failed(host_id, f.retry_after_secs);
            }
            Ok(applied)
        }
        StoreMsg::Robots(r) => urlstate::apply_robots(tx, r, policy).await,
        StoreMsg::NotModified(m) => match urlstate::not_modified(tx, m, policy).await? {
            Some((schedule, host_id, visit)) => {
                pending.visited(host_id, &visit);
                pending.schedules.push(schedule);
                Ok(Applied::NotModified)
            }
            None => Ok(Applied::Unchanged),
        },
    }
}

/// Sitemap and feed entries: new ones are queued newest first ([`frontier::ahead_secs`]), known
/// ones are checked against their last visit at the end of the batch, and archive-sitemap
/// entries older than `discovery.max_age_days` are not followed.
fn date_links(
    links: &mut Vec<NewUrl>,
    dated: &[newspipe_model::DatedLink],
    policy: &FrontierPolicy,
    changed: &mut Vec<frontier::Dated>,
) {
    if dated.is_empty() {
        return;
    }
    let now = Utc::now();
    let by_url: std::collections::HashMap<String, &newspipe_model::DatedLink> = dated
        .iter()
        .filter_map(|d| normalize(&clean(&d.url)).ok().map(|u| (String::from(u), d)))
        .collect();
    let too_old = policy
        .revisit
        .max_age
        .and_then(|a| chrono::TimeDelta::from_std(a).ok())
        .map(|a| now - a);
    let before = links.len();
    links.retain_mut(|l| {
        let Some(d) = by_url.get(&l.url) else {
            return true;
        };
        if !d.news && too_old.is_some_and(|t| d.changed_at < t) {
            return false;
        }
        l.ahead = frontier::ahead_secs(now, d.changed_at, d.news);
        changed.push(frontier::Dated {
            url: l.url.clone(),
            changed_at: d.changed_at,
            ahead: l.ahead,
        });
        true
    });
    if links.len() < before {
        tracing::debug!(
            entries = before - links.len(),
            "archive sitemap entries older than discovery.max_age_days not followed"
        );
    }
}

/// Error streaks and Retry-After for every host the batch touched, in one statement. A host
/// whose pages all succeeded and that had no streak is not written, so the common case takes no
/// lock on a hot row.
async fn write_host_facts(
    tx: &mut PgConnection,
    hosts: &BTreeMap<i32, HostFacts>,
) -> Result<(), StoreError> {
    if hosts.is_empty() {
        return Ok(());
    }
    let mut ids = Vec::with_capacity(hosts.len());
    let mut resets = Vec::with_capacity(hosts.len());
    let mut adds = Vec::with_capacity(hosts.len());
    let mut blocked = Vec::with_capacity(hosts.len());
    for (id, f) in hosts {
        ids.push(*id);
        resets.push(f.reset);
        adds.push(f.add);
        blocked.push(
            f.blocked_secs
                .map(|s| delta(std::time::Duration::from_secs(s).min(MAX_BACKOFF))),
        );
    }
    sqlx::query(
        "UPDATE hosts SET
             error_streak = CASE WHEN x.reset THEN x.add ELSE error_streak + x.add END,
             blocked_until = CASE WHEN x.blocked IS NULL THEN blocked_until
                 ELSE greatest(blocked_until, now() + x.blocked) END,
             updated_at = now()
         FROM UNNEST($1::int[], $2::bool[], $3::int[], $4::interval[])
              AS x (id, reset, add, blocked)
         WHERE hosts.id = x.id
           AND (x.add > 0 OR x.blocked IS NOT NULL OR hosts.error_streak <> 0)",
    )
    .bind(&ids)
    .bind(&resets)
    .bind(&adds)
    .bind(&blocked)
    .execute(tx)
    .await?;
    Ok(())
}

/// Links to follow: http(s), on the page's host, normalised and distinct, at `depth`.
pub(crate) fn in_scope_links(
    links: &[String],
    host: &str,
    host_id: i32,
    depth: i32,
) -> Vec<NewUrl> {
    let mut out: Vec<String> = links
        .iter()
        .filter_map(|l| normalize(&clean(l)).ok())
        .filter(|u| host_key(u) == host)
        .map(String::from)
        .collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|url| NewUrl {
            url,
            host_id,
            depth,
            ahead: 0.0,
        })
        .collect()
}
