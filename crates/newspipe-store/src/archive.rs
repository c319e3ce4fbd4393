//! Applying store messages: pages and articles, fetch failures, robots.txt outcomes.
//!
//! Each message is one transaction and idempotent. A page is keyed by `(url_id, fetched_at)`: if
//! that row exists, the same delivery was committed before and nothing else is done. Frontier
//! state changes are fenced (`state = 'dispatched' AND attempts = job.attempt` for failures), so
//! a duplicate or a late answer to a superseded job changes nothing.

use chrono::{DateTime, FixedOffset, Utc};
use newspipe_model::{
    Article, Disposition, FetchFailure, JobKind, ParsedPage, RobotsFetched, RobotsPolicy, StoreMsg,
    host_key, normalize,
};
use sqlx::{PgConnection, PgPool, Postgres, Row, postgres::PgArguments, query::Query};

use crate::{
    Applied, FrontierPolicy, MAX_BACKOFF, StoreError, backoff, clean, clean_opt, dispatch::delta,
    frontier,
};

/// One message, one transaction.
pub(crate) async fn apply(
    pool: &PgPool,
    msg: &StoreMsg,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    let mut tx = pool.begin().await?;
    let applied = apply_in(&mut tx, msg, policy).await?;
    // An `Unchanged` wrote nothing, so committing it costs what a rollback would.
    tx.commit().await?;
    Ok(applied)
}

/// Several messages in one transaction: one commit (one WAL flush) instead of one per message,
/// which is most of the cost of a small message. If a message fails permanently the batch is
/// rolled back and replayed one transaction per message, so only the bad one fails. A transient
/// error fails the whole call (nothing, or only idempotent work, was committed): retry it.
pub(crate) async fn apply_batch(
    pool: &PgPool,
    msgs: &[StoreMsg],
    policy: &FrontierPolicy,
) -> Result<Vec<Result<Applied, StoreError>>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut out = Vec::with_capacity(msgs.len());
    let mut poisoned = false;
    for m in msgs {
        match apply_in(&mut tx, m, policy).await {
            Ok(a) => out.push(Ok(a)),
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "batch rolled back; applying one by one");
                poisoned = true;
                break;
            }
        }
    }
    if !poisoned {
        tx.commit().await?;
        return Ok(out);
    }
    tx.rollback().await?;
    let mut out = Vec::with_capacity(msgs.len());
    for m in msgs {
        match apply(pool, m, policy).await {
            Err(e) if e.is_transient() => return Err(e),
            r => out.push(r),
        }
    }
    Ok(out)
}

async fn apply_in(
    tx: &mut PgConnection,
    msg: &StoreMsg,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    match msg {
        StoreMsg::Page(p) => apply_page(tx, p, policy).await,
        StoreMsg::Failed(f)
            if f.job.kind == JobKind::Robots && f.disposition == Disposition::Requeue =>
        {
            // Not attempted (the crawler missed the host slot): end the robots job's lease so
            // the next dispatch pass books it again, without counting a failure.
            sqlx::query(
                "UPDATE hosts SET robots_retry_at = now(), updated_at = now()
                 WHERE host = $1 AND robots_retry_at > now()",
            )
            .bind(&f.job.host)
            .execute(&mut *tx)
            .await?;
            Ok(Applied::Unchanged)
        }
        StoreMsg::Failed(f) if f.job.kind == JobKind::Robots => {
            // A crawler that reports a robots.txt fetch as a plain failure: treat it as "no
            // response", which RFC 9309 says means "disallow for now".
            let r = RobotsFetched {
                job: f.job.clone(),
                status: f.status.filter(|s| *s >= 500),
                body: None,
                at: f.at,
            };
            apply_robots(tx, &r, policy).await
        }
        StoreMsg::Failed(f) => apply_failure(tx, f, policy).await,
        StoreMsg::Robots(r) => apply_robots(tx, r, policy).await,
    }
}

/// A fetched (and parsed) page: the raw page, the article and its revision, new links, and the
/// URL marked fetched.
async fn apply_page(
    tx: &mut PgConnection,
    parsed: &ParsedPage,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    let page = &parsed.page;
    let url_id = page.job.url_id;
    let row: Option<(String, String, i32)> =
        sqlx::query_as("SELECT host, scope_host, depth FROM urls WHERE id = $1")
            .bind(url_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((host, scope_host, depth)) = row else {
        return Err(StoreError::UnknownUrl(url_id));
    };

    let page_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO pages (url_id, final_url, status, content_type, etag, last_modified,
                            fetched_at, truncated, body_zstd)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (url_id, fetched_at) DO NOTHING
         RETURNING id",
    )
    .bind(url_id)
    .bind(clean(&page.final_url).as_ref())
    .bind(i32::from(page.status))
    .bind(clean_opt(page.content_type.as_deref()))
    .bind(clean_opt(page.etag.as_deref()))
    .bind(clean_opt(page.last_modified.as_deref()))
    .bind(page.fetched_at)
    .bind(page.truncated)
    .bind(page.body.0.as_slice())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(page_id) = page_id else {
        // The same delivery committed before, with everything below in the same transaction.
        return Ok(Applied::Unchanged);
    };

    // A successful fetch settles the URL even if its lease had expired meanwhile; only a URL
    // already settled (fetched by another job, or skipped) is left alone.
    let url_updated = sqlx::query(
        "UPDATE urls SET state = 'fetched', last_status = $2, is_article = $3, fetched_at = $4,
             last_error = NULL, lease_until = NULL, updated_at = now()
         WHERE id = $1 AND state IN ('queued', 'dispatched', 'failed')",
    )
    .bind(url_id)
    .bind(i32::from(page.status))
    .bind(parsed.is_article)
    .bind(page.fetched_at)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;

    let (article_id, new_revision) = match (&parsed.article, parsed.is_article) {
        (Some(article), true) => {
            let (id, new) = upsert_article(&mut *tx, parsed, article, url_id, page_id).await?;
            (Some(id), new)
        }
        _ => (None, false),
    };

    let links_added = if depth < policy.max_depth as i32 {
        let links = in_scope_links(&parsed.links, &scope_host);
        frontier::add_links(&mut *tx, &links, &scope_host, depth + 1).await?
    } else {
        0
    };

    // Only a host that had errors is written, so the common case takes no lock on the hot row.
    sqlx::query(
        "UPDATE hosts SET error_streak = 0, updated_at = now()
         WHERE host = $1 AND error_streak <> 0",
    )
    .bind(&host)
    .execute(&mut *tx)
    .await?;
    Ok(Applied::Page {
        page_id,
        article_id,
        new_revision,
        links_added,
        url_updated,
    })
}

/// Links to follow: http(s), on the scope host, normalised, distinct and sorted (the sort makes
/// concurrent inserts lock index entries in one order, so they cannot deadlock).
fn in_scope_links(links: &[String], scope_host: &str) -> Vec<String> {
    let mut out: Vec<String> = links
        .iter()
        .filter_map(|l| normalize(&clean(l)).ok())
        .filter(|u| host_key(u) == scope_host)
        .map(String::from)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// An article with its text fields cleaned of NUL, ready to bind.
struct Content {
    title: Option<String>,
    authors: Vec<String>,
    published_at: Option<DateTime<FixedOffset>>,
    modified_at: Option<DateTime<FixedOffset>>,
    section: Option<String>,
    site_name: Option<String>,
    language: Option<String>,
    lead_image_url: Option<String>,
    lead_image_caption: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    body: String,
    word_count: i32,
    content_hash: String,
}

impl Content {
    fn new(a: &Article) -> Self {
        let list = |v: &[String]| v.iter().map(|s| clean(s).into_owned()).collect();
        Self {
            title: clean_opt(a.title.as_deref()),
            authors: list(&a.authors),
            published_at: a.published_at,
            modified_at: a.modified_at,
            section: clean_opt(a.section.as_deref()),
            site_name: clean_opt(a.site_name.as_deref()),
            language: clean_opt(a.language.as_deref()),
            lead_image_url: clean_opt(a.lead_image_url.as_deref()),
            lead_image_caption: clean_opt(a.lead_image_caption.as_deref()),
            description: clean_opt(a.description.as_deref()),
            tags: list(&a.tags),
            body: clean(&a.body).into_owned(),
            word_count: i32::try_from(a.word_count).unwrap_or(i32::MAX),
            // Hashed from the article as the parser produced it, so the same page always gives
            // the same hash whatever cleaning is done here.
            content_hash: a.content_hash(),
        }
    }

    /// Binds the content as `$1..$14` (title … content_hash), in the column order used by every
    /// statement below; statement-specific parameters start at `$15`.
    fn bind<'q>(&self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(self.title.clone())
            .bind(self.authors.clone())
            .bind(self.published_at)
            .bind(self.modified_at)
            .bind(self.section.clone())
            .bind(self.site_name.clone())
            .bind(self.language.clone())
            .bind(self.lead_image_url.clone())
            .bind(self.lead_image_caption.clone())
            .bind(self.description.clone())
            .bind(self.tags.clone())
            .bind(self.body.clone())
            .bind(self.word_count)
            .bind(self.content_hash.clone())
    }
}

/// One article per canonical URL. The row holds the newest content; a revision is added only when
/// the content hash is new for that article. Returns the id and whether a revision was added.
async fn upsert_article(
    tx: &mut PgConnection,
    parsed: &ParsedPage,
    article: &Article,
    url_id: i64,
    page_id: i64,
) -> Result<(i64, bool), StoreError> {
    let page = &parsed.page;
    let fetched_url = clean(&page.final_url).into_owned();
    // The page's own canonical link names the article when it is a valid web URL; otherwise the
    // URL we ended up at does.
    let canonical = article
        .canonical_url
        .as_deref()
        .and_then(|c| normalize(&clean(c)).ok())
        .or_else(|| normalize(&fetched_url).ok())
        .map(String::from)
        .unwrap_or_else(|| fetched_url.clone());
    let content = Content::new(article);

    let inserted: Option<i64> = content
        .bind(sqlx::query(
            "INSERT INTO articles (title, authors, published_at, modified_at, section, site_name,
                 language, lead_image_url, lead_image_caption, description, tags, body,
                 word_count, content_hash,
                 url, canonical_url, url_id, page_id, first_seen, last_seen, revision_count)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                     $15, $16, $17, $18, $19, $19, 1)
             ON CONFLICT (canonical_url) DO NOTHING
             RETURNING id",
        ))
        .bind(&fetched_url)
        .bind(&canonical)
        .bind(url_id)
        .bind(page_id)
        .bind(page.fetched_at)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| row.get(0));
    if let Some(id) = inserted {
        insert_revision(tx, &content, id, page_id, &fetched_url, page.fetched_at).await?;
        return Ok((id, true));
    }

    // Known article: lock it (a concurrent insert of the same canonical URL has committed by now,
    // since ON CONFLICT waited for it) and compare.
    let (id, current_hash, last_seen): (i64, String, DateTime<Utc>) = sqlx::query_as(
        "SELECT id, content_hash, last_seen FROM articles WHERE canonical_url = $1 FOR UPDATE",
    )
    .bind(&canonical)
    .fetch_one(&mut *tx)
    .await?;
    if current_hash == content.content_hash {
        sqlx::query("UPDATE articles SET last_seen = greatest(last_seen, $2) WHERE id = $1")
            .bind(id)
            .bind(page.fetched_at)
            .execute(&mut *tx)
            .await?;
        return Ok((id, false));
    }
    let added = insert_revision(tx, &content, id, page_id, &fetched_url, page.fetched_at).await?;
    if page.fetched_at >= last_seen {
        // Newer content becomes the article's current state.
        content
            .bind(sqlx::query(
                "UPDATE articles SET title = $1, authors = $2, published_at = $3,
                     modified_at = $4, section = $5, site_name = $6, language = $7,
                     lead_image_url = $8, lead_image_caption = $9, description = $10, tags = $11,
                     body = $12, word_count = $13, content_hash = $14,
                     url = $15, url_id = $16, page_id = $17, last_seen = $18,
                     revision_count = revision_count + $19
                 WHERE id = $20",
            ))
            .bind(&fetched_url)
            .bind(url_id)
            .bind(page_id)
            .bind(page.fetched_at)
            .bind(i32::from(added))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    } else if added {
        // An older fetch arriving late: history gains a revision, the current content stays.
        sqlx::query("UPDATE articles SET revision_count = revision_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok((id, added))
}

/// Adds a revision unless this article already had this exact content. Returns whether it did.
async fn insert_revision(
    tx: &mut PgConnection,
    content: &Content,
    article_id: i64,
    page_id: i64,
    url: &str,
    fetched_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = content
        .bind(sqlx::query(
            "INSERT INTO article_revisions (title, authors, published_at, modified_at, section,
                 site_name, language, lead_image_url, lead_image_caption, description, tags,
                 body, word_count, content_hash,
                 article_id, page_id, url, fetched_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                     $15, $16, $17, $18)
             ON CONFLICT (article_id, content_hash) DO NOTHING",
        ))
        .bind(article_id)
        .bind(page_id)
        .bind(url)
        .bind(fetched_at)
        .execute(tx)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// A fetch that produced no page. Fenced on the job's attempt so a duplicate, or the answer to a
/// job whose lease expired and was re-dispatched, changes nothing.
async fn apply_failure(
    tx: &mut PgConnection,
    f: &FetchFailure,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    let reason = clean(&f.reason).into_owned();
    let status = f.status.map(i32::from);
    let attempt = i32::try_from(f.job.attempt).unwrap_or(i32::MAX);
    let state: Option<String> = match f.disposition {
        Disposition::Retry => {
            let wait = backoff(policy.backoff_base, f.job.attempt);
            sqlx::query_scalar(
                "UPDATE urls SET
                     attempts = attempts + 1,
                     state = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'queued' END,
                     last_error = CASE WHEN attempts + 1 >= $3
                         THEN 'gave up after ' || (attempts + 1) || ' attempts: ' || $4
                         ELSE $4 END,
                     last_status = $5,
                     next_attempt_at = now() + $6,
                     lease_until = NULL,
                     updated_at = now()
                 WHERE id = $1 AND state = 'dispatched' AND attempts = $2
                 RETURNING state",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .bind(policy.max_attempts as i32)
            .bind(&reason)
            .bind(status)
            .bind(delta(wait))
            .fetch_optional(&mut *tx)
            .await?
        }
        Disposition::Fail | Disposition::Skip => {
            let to = if f.disposition == Disposition::Fail {
                "failed"
            } else {
                "skipped"
            };
            sqlx::query_scalar(
                "UPDATE urls SET attempts = attempts + 1, state = $3, last_error = $4,
                     last_status = $5, lease_until = NULL, updated_at = now()
                 WHERE id = $1 AND state = 'dispatched' AND attempts = $2
                 RETURNING state",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .bind(to)
            .bind(&reason)
            .bind(status)
            .fetch_optional(&mut *tx)
            .await?
        }
        // Not attempted (slot missed): back in line at once; it is not the URL's fault.
        Disposition::Requeue => {
            sqlx::query_scalar(
                "UPDATE urls SET state = 'queued', next_attempt_at = now(), lease_until = NULL,
                     updated_at = now()
                 WHERE id = $1 AND state = 'dispatched' AND attempts = $2
                 RETURNING state",
            )
            .bind(f.job.url_id)
            .bind(attempt)
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    let Some(state) = state else {
        return Ok(Applied::Unchanged);
    };
    if f.disposition == Disposition::Retry {
        // Host facts: a Retry-After pushes the host's schedule back for every replica.
        let blocked = f
            .retry_after_secs
            .map(|s| delta(std::time::Duration::from_secs(s).min(MAX_BACKOFF)));
        sqlx::query(
            "UPDATE hosts SET
                 error_streak = error_streak + 1,
                 blocked_until = CASE WHEN $2::interval IS NULL THEN blocked_until
                     ELSE greatest(blocked_until, now() + $2::interval) END,
                 updated_at = now()
             WHERE host = $1",
        )
        .bind(&f.job.host)
        .bind(blocked)
        .execute(&mut *tx)
        .await?;
    }
    Ok(Applied::Url {
        state: match state.as_str() {
            "queued" => "queued",
            "skipped" => "skipped",
            _ => "failed",
        },
    })
}

/// robots.txt outcome. 2xx and 4xx put rules in force (4xx = no restrictions); 5xx or no response
/// keep the host's pages waiting ("disallow for now", RFC 9309) and robots.txt is asked for again
/// after a backoff. After `max_attempts` such failures in a row the host's queued URLs are failed
/// with the reason, so the crawl still ends.
async fn apply_robots(
    tx: &mut PgConnection,
    r: &RobotsFetched,
    policy: &FrontierPolicy,
) -> Result<Applied, StoreError> {
    let ok = matches!(r.status, Some(200..=499));
    let body = r.body.as_deref().map(|b| clean(b).into_owned());
    let crawl_delay_ms = if ok {
        RobotsPolicy::from_response(&policy.user_agent, r.status, body.as_deref())
            .crawl_delay()
            .map_or(0, |d| i32::try_from(d.as_millis()).unwrap_or(i32::MAX))
    } else {
        0
    };
    let row: Option<(i32, String)> = sqlx::query_as(
        "SELECT error_streak, robots_state FROM hosts
         WHERE host = $1 AND (robots_fetched_at IS NULL OR robots_fetched_at < $2)
         FOR UPDATE",
    )
    .bind(&r.job.host)
    .bind(r.at)
    .fetch_optional(&mut *tx)
    .await?;
    // No row, or a fetch no newer than the one on record: a duplicate or a stale answer.
    let Some((streak, state)) = row else {
        return Ok(Applied::Unchanged);
    };
    let retry_in = backoff(policy.backoff_base, u32::try_from(streak).unwrap_or(0));
    if !ok && state == "ok" {
        // A failed refresh: RFC 9309 lets us keep the cached rules while the file is
        // unreachable, so pages keep flowing; the refresh is tried again after a backoff.
        sqlx::query(
            "UPDATE hosts SET robots_retry_at = now() + $2, error_streak = error_streak + 1,
                 updated_at = now()
             WHERE host = $1",
        )
        .bind(&r.job.host)
        .bind(delta(retry_in))
        .execute(&mut *tx)
        .await?;
        return Ok(Applied::Robots { ok: false });
    }
    sqlx::query(
        "UPDATE hosts SET
             robots_status = $2, robots_txt = $3, robots_fetched_at = $4,
             robots_state = CASE WHEN $5 THEN 'ok' ELSE 'unknown' END,
             robots_retry_at = CASE WHEN $5 THEN NULL ELSE now() + $6 END,
             crawl_delay_ms = CASE WHEN $5 THEN $7 ELSE crawl_delay_ms END,
             error_streak = CASE WHEN $5 THEN 0 ELSE error_streak + 1 END,
             updated_at = now()
         WHERE host = $1",
    )
    .bind(&r.job.host)
    .bind(r.status.map(i32::from))
    .bind(&body)
    .bind(r.at)
    .bind(ok)
    .bind(delta(retry_in))
    .bind(crawl_delay_ms)
    .execute(&mut *tx)
    .await?;
    if !ok && streak + 1 >= policy.max_attempts as i32 {
        let reason = match r.status {
            Some(s) => format!("robots.txt unavailable (HTTP {s}), {} tries", streak + 1),
            None => format!("robots.txt unreachable, {} tries", streak + 1),
        };
        let n = sqlx::query(
            "UPDATE urls SET state = 'failed', last_error = $2, updated_at = now()
             WHERE host = $1 AND state = 'queued'",
        )
        .bind(&r.job.host)
        .bind(&reason)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tracing::warn!(host = %r.job.host, urls = n, %reason, "host given up");
    }
    Ok(Applied::Robots { ok })
}
