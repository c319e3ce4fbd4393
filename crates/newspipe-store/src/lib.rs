//! newspipe-store: the only crate that runs SQL.
//!
//! It owns the schema (embedded migrations), the frontier (`urls`), the per-host schedule
//! (`hosts`) and the dispatcher that books host slots, the archive writes (pages, articles,
//! revisions, new links) and the read queries (status counts, full-text search).
//!
//! Every write is one transaction and idempotent, so the store worker can ack a message only
//! after commit and a redelivery changes nothing. SQL lives in `frontier.rs` (adding URLs),
//! `dispatch.rs` (claiming due URLs), `batch.rs` (applying store messages in batches),
//! `archive.rs` (pages, articles, revisions), `urlstate.rs` (the URL and robots state machine),
//! `maintain.rs` (partitions, counters, search backfill), `searchdoc.rs` (search documents and
//! queries, tokenised in Rust), `query.rs` (status counts) and
//! `read.rs` (the archive queries: search, articles, revisions, CDX, export).

mod archive;
mod batch;
mod dispatch;
mod error;
mod frontier;
mod known;
mod maintain;
mod outcomes;
mod query;
mod revisit;
mod searchdoc;
mod urlstate;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use newspipe_model::{CrawlJob, RobotsPolicy, StoreMsg};
use serde::Serialize;
use sqlx::{
    PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

pub use archive::Reparsed;
pub use error::StoreError;
pub use maintain::Maintenance;
pub use outcomes::{ReasonCount, Reasons};
pub use query::{HOST_COUNT_CAP, HostStatus};
pub use revisit::{HUB_CHANGED, HUB_UNCHANGED, RevisitPolicy};

/// Where a URL stands in the crawl (Postgres enum `url_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "url_state", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum UrlState {
    /// Waiting in the frontier for its turn.
    Queued,
    /// Handed to a crawler; the frontier row holds the lease.
    Dispatched,
    /// A page was stored for it.
    Fetched,
    /// Not something we archive; `last_error` says why.
    Skipped,
    /// Gave up; `last_error` says why.
    Failed,
}

impl UrlState {
    pub const ALL: [UrlState; 5] = [
        Self::Queued,
        Self::Dispatched,
        Self::Fetched,
        Self::Skipped,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Dispatched => "dispatched",
            Self::Fetched => "fetched",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }
}

/// What is known of a host's robots.txt (Postgres enum `robots_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "robots_state", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum RobotsState {
    /// Must be fetched (again) before any page of the host.
    Unknown,
    /// A robots job is out; `robots_retry_at` is its lease.
    Pending,
    /// The rules on record are in force.
    Ok,
}

/// Embedded at compile time (see `build.rs`); sqlx takes an advisory lock while migrating, so
/// several replicas starting together is safe.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Handle on the archive database. Cheap to clone: clones share the pool and the robots cache.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
    robots: Arc<Mutex<RobotsCache>>,
    /// URL keys known stored, shared by the store's batches (`known.rs`).
    known: Arc<known::KnownUrls>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("pool_size", &self.pool.size())
            .finish_non_exhaustive()
    }
}

/// Parsed robots.txt per host, keyed by when it was fetched, so the dispatcher does not re-parse
/// the file on every pass and picks up a refetch automatically.
type RobotsCache = HashMap<String, (Option<DateTime<Utc>>, Arc<RobotsPolicy>)>;

/// How the frontier is crawled: depth, per-host spacing, leases and retries.
#[derive(Debug, Clone)]
pub struct FrontierPolicy {
    /// Links are followed this many hops from the seed (seeds are depth 0).
    pub max_depth: u32,
    /// Minimum time between two requests to one host for the whole deployment; `Crawl-delay`
    /// can only lengthen it. Zero turns politeness off (no spacing, no Crawl-delay).
    pub min_interval: Duration,
    /// Host slots are booked at most this far ahead.
    pub horizon: Duration,
    /// A dispatched URL (or robots job) not finished after this is dispatched again.
    pub lease: Duration,
    /// Retryable failures (and lost leases) after which a URL is `failed`.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, jittered, capped at [`MAX_BACKOFF`].
    pub backoff_base: Duration,
    /// Cap on URLs dispatched but not finished (soft across replicas: each checks it alone).
    pub max_in_flight: u32,
    /// The crawler's User-Agent; robots.txt groups are matched on its product token.
    pub user_agent: String,
    /// When fetched URLs are visited again.
    pub revisit: RevisitPolicy,
}

/// Longest retry delay, for URLs and for robots.txt refetches.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

impl Default for FrontierPolicy {
    fn default() -> Self {
        Self {
            max_depth: 3,
            min_interval: Duration::from_secs(1),
            horizon: Duration::from_secs(5),
            lease: Duration::from_secs(300),
            max_attempts: 4,
            backoff_base: Duration::from_secs(30),
            max_in_flight: 2000,
            user_agent: "newspipe".into(),
            revisit: RevisitPolicy::default(),
        }
    }
}

/// What [`Store::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EnqueueReport {
    pub added: u64,
    /// Already in the frontier (or repeated in the input); left as they were.
    pub already_known: u64,
}

/// What [`Store::apply`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A page was stored (and its article, if any).
    Page {
        page_id: i64,
        article_id: Option<i64>,
        /// True when the article is new or its content changed.
        new_revision: bool,
        /// In-scope links that were new to the frontier.
        links_added: u64,
        /// False when the URL was no longer waiting for this fetch (state left as it was).
        url_updated: bool,
    },
    /// A fetch failure moved the URL to this state (`Queued`, `Failed` or `Skipped`).
    Url { state: UrlState },
    /// robots.txt was recorded: `ok` = rules in force, else the host waits for a refetch.
    Robots { ok: bool },
    /// A revisit answered 304: the URL's next visit is scheduled, nothing stored.
    NotModified,
    /// Redelivery or a stale duplicate: nothing changed.
    Unchanged,
}

/// Archive and frontier totals for `newspipe status`, read from counters (no `count(*)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveCounts {
    /// `(state, count)` for every state, in [`UrlState::ALL`] order (zeros included).
    pub urls_by_state: Vec<(UrlState, i64)>,
    pub articles: i64,
    pub revisions: i64,
    pub pages: i64,
    /// URLs dispatched and not answered yet (leased frontier rows), from the dispatcher's
    /// counter.
    pub in_flight: i64,
    /// Pages whose `fetched_at` is within the last minute.
    pub fetched_last_minute: i64,
    /// The span `fetched_last_minute` covers, ms: 60,000, or less when the first page came
    /// less than a minute ago (a rate over 60 s would understate a crawl 10 s old).
    pub rate_window_ms: i64,
}

impl Store {
    /// Connects a pool of at most `max_connections`. The acquire timeout is short so an overloaded
    /// database pushes back on the consumer (it stops acking) instead of piling up tasks.
    pub async fn connect(database_url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let options: PgConnectOptions = database_url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.application_name("newspipe"))
            .await?;
        Ok(Self::from_pool(pool))
    }

    /// Like [`Store::connect`], but creates the database first when the server says it does not
    /// exist (a new user's first run), connecting to the server's `postgres` database to do so.
    pub async fn connect_creating(
        database_url: &str,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        match Self::connect(database_url, max_connections).await {
            Err(e) if e.is_missing_database() => {
                let options: PgConnectOptions = database_url.parse()?;
                let name = options.get_database().map(str::to_owned).ok_or_else(|| {
                    StoreError::Invalid("the database URL names no database".into())
                })?;
                let admin = PgPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options.database("postgres"))
                    .await?;
                let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
                match sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await {
                    Ok(_) => tracing::info!(database = %name, "database created"),
                    // Another process created it meanwhile.
                    Err(e) if sqlstate_is(&e, "42P04") => {}
                    Err(e) => return Err(e.into()),
                }
                admin.close().await;
                Self::connect(database_url, max_connections).await
            }
            other => other,
        }
    }

    /// Whether the schema is missing or older than this build (run `newspipe migrate`).
    pub async fn needs_migration(&self) -> Result<bool, StoreError> {
        let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            match sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await
            {
                Ok(v) => v,
                Err(e) if sqlstate_is(&e, "42P01") => None,
                Err(e) => return Err(e.into()),
            };
        Ok(applied.unwrap_or(0) < latest)
    }

    /// Wraps an existing pool (tests, or a caller that configures its own).
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            pool,
            robots: Arc::default(),
            known: Arc::default(),
        }
    }

    /// The underlying pool, for callers that need to close it on shutdown.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies pending migrations; running it again (or from several replicas) is harmless.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Applies migrations up to and including `version` only (upgrade rehearsals and tests of
    /// a migration against data of the version before it).
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        MIGRATOR.run_to(version, &self.pool).await?;
        Ok(())
    }

    /// Adds seeds (depth 0, scoped to their own host). URLs already in the frontier are left as
    /// they are, so enqueueing twice does not crawl twice.
    pub async fn enqueue(&self, urls: &[url::Url]) -> Result<EnqueueReport, StoreError> {
        frontier::enqueue(&self.pool, urls).await
    }

    /// The dispatcher step (see `dispatch.rs`): re-queues expired leases, hands out robots.txt
    /// jobs for new hosts and page jobs booked into their host's slots, all in one transaction
    /// with `FOR UPDATE SKIP LOCKED` so replicas can run it side by side. The caller publishes
    /// the jobs; if it dies first, the lease runs out and they are claimed again.
    pub async fn claim_due(&self, policy: &FrontierPolicy) -> Result<Vec<CrawlJob>, StoreError> {
        dispatch::claim_due(self, policy).await
    }

    /// Hands back claimed jobs that could not be published: due again at once, no attempt
    /// charged. Returns how many page URLs went back to the queue.
    pub async fn release(&self, jobs: &[CrawlJob]) -> Result<u64, StoreError> {
        dispatch::release(self, jobs).await
    }

    /// Hands back every lease granted up to now (page URLs and robots.txt jobs): due again at
    /// once, no attempt charged. For when the jobs' messages were lost wholesale (the broker
    /// restarted with transient messages). Rows a store batch holds are skipped: their answer
    /// is being written. Returns how many page URLs went back to the queue.
    pub async fn release_all_leases(&self, policy: &FrontierPolicy) -> Result<u64, StoreError> {
        dispatch::release_all(self, policy).await
    }

    /// Applies one store message in one transaction, idempotently (see `batch.rs`).
    pub async fn apply(
        &self,
        msg: &StoreMsg,
        policy: &FrontierPolicy,
    ) -> Result<Applied, StoreError> {
        batch::apply(&self.pool, msg, policy, &self.known).await
    }

    /// Applies several messages in one transaction (one commit instead of one per message).
    /// Returns one result per message, in order. If any message fails permanently the batch
    /// is replayed one message per transaction, so only that message gets its error (to
    /// dead-letter) and the others are applied. `Err` means a transient failure of the whole
    /// batch: retry it (already-applied messages come back `Unchanged`).
    pub async fn apply_batch(
        &self,
        msgs: &[StoreMsg],
        policy: &FrontierPolicy,
    ) -> Result<Vec<Result<Applied, StoreError>>, StoreError> {
        batch::apply_batch(&self.pool, msgs, policy, &self.known).await
    }

    /// Housekeeping that keeps costs flat as the archive grows: month partitions ahead, counter
    /// deltas folded, and the search index brought up to date in one batch. Safe to run from
    /// every store replica at once.
    pub async fn maintain(&self, search_batch: i64) -> Result<Maintenance, StoreError> {
        maintain::run(&self.pool, search_batch).await
    }

    /// Rebuilds the search documents a migration queued (articles are searchable from the
    /// commit that stores them; this only catches up older documents); returns how many were
    /// written.
    pub async fn index_search(&self, batch: i64) -> Result<u64, StoreError> {
        maintain::index_search(&self.pool, batch).await
    }

    /// Writes today's extraction of a stored page (see `newspipe reparse`): a new revision, marked
    /// as a re-parse and dated now, when what a reader sees changed; nothing otherwise.
    pub async fn reparse(
        &self,
        page_id: i64,
        url: &str,
        final_url: &str,
        article: &newspipe_model::Article,
    ) -> Result<Reparsed, StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = archive::reparse(&mut tx, page_id, url, final_url, article).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// Frontier and archive totals.
    pub async fn counts(&self) -> Result<ArchiveCounts, StoreError> {
        query::counts(&self.pool).await
    }

    /// Why URLs were skipped or failed: the `limit` most common reasons with their counts.
    pub async fn failure_reasons(&self, limit: i64) -> Result<Reasons, StoreError> {
        outcomes::reasons(&self.pool, limit).await
    }

    /// True when no URL waits for its first fetch, none is in flight and no robots.txt job is
    /// out: the crawl is idle (revisits scheduled for later do not count).
    pub async fn is_drained(&self) -> Result<bool, StoreError> {
        query::is_drained(&self.pool).await
    }

    /// Per-host queue and revisit figures for `newspipe status`, most recently changed first.
    pub async fn host_status(&self, limit: i64) -> Result<Vec<HostStatus>, StoreError> {
        query::host_status(&self.pool, limit).await
    }
}

/// A URL's (or robots.txt's) retry delay after `attempt` failures.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    newspipe_model::backoff(base, MAX_BACKOFF, attempt)
}

fn sqlstate_is(e: &sqlx::Error, code: &str) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == code)
}

/// Postgres refuses NUL in text; pages from the web can contain it, so it is dropped.
pub(crate) fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', ""))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

pub(crate) fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(|s| clean(s).into_owned())
}

// Archive reads for the API and the CLI (issue 9); kept apart from the write path.
mod read;
pub use read::{
    ArticleRecord, Capture, CdxQuery, ExportFilter, Hit, MAX_CDX_LIMIT, MAX_QUERY_BYTES,
    MAX_SEARCH_LIMIT, MatchType, RawPage, Revision, RevisionInfo, SearchPage, SearchQuery, Span,
    check_query, parse_url, split_highlight,
};
