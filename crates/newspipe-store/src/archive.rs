//! Archive writes: the raw page, the article (one per canonical URL) and its revisions.
//!
//! Bodies live once, in `article_revisions`; `articles` holds identity, the current fields and a
//! pointer to the current revision. A revision is written only when what a reader sees changed
//! (`Article::content_hash`). A changed article's search document is written in the same
//! transaction (tokenised in Rust, `searchdoc.rs`), so it is searchable at commit.

use chrono::{DateTime, Offset, TimeZone, Utc};
use newspipe_model::{Article, ParsedPage, normalize};
use sqlx::{PgConnection, Postgres, Row, postgres::PgArguments, query::Query};

use crate::{StoreError, clean, clean_opt};

/// Rows a transaction added to the tables `status` counts. They reach `counter_deltas` once per
/// transaction ([`Inserted::write`]) instead of by a statement trigger on every insert, which
/// cost Postgres a trigger call, a transition table and a delta row for each of a page's three
/// inserts. Only this module inserts into those tables.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Inserted {
    pages: i64,
    articles: i64,
    revisions: i64,
}

impl Inserted {
    /// Appends the counts to `counter_deltas`, in the caller's transaction.
    pub(crate) async fn write(self, tx: &mut PgConnection) -> Result<(), StoreError> {
        if self.pages == 0 && self.articles == 0 && self.revisions == 0 {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO counter_deltas (name, n)
             SELECT name, n FROM (VALUES ('pages', $1::int8), ('articles', $2), ('revisions', $3))
                 AS x (name, n)
             WHERE n <> 0",
        )
        .bind(self.pages)
        .bind(self.articles)
        .bind(self.revisions)
        .execute(tx)
        .await?;
        Ok(())
    }
}

/// What storing one page did.
#[derive(Debug)]
pub(crate) struct StoredPage {
    pub page_id: i64,
    pub article_id: Option<i64>,
    pub new_revision: bool,
    /// False when the URL was already settled (fetched by another job, or skipped).
    pub url_updated: bool,
    pub host_id: i32,
    pub host: String,
    pub depth: i32,
    pub visit: crate::urlstate::Visit,
    /// The URL's next visit, for the batch to write.
    pub schedule: Option<crate::urlstate::Schedule>,
}

/// The raw page, the URL marked fetched, and the article with its revision. `None` when this
/// exact page (`url_id`, `fetched_at`) was stored before: a redelivery.
pub(crate) async fn store_page(
    tx: &mut PgConnection,
    parsed: &ParsedPage,
    policy: &crate::FrontierPolicy,
    inserted: &mut Inserted,
) -> Result<Option<StoredPage>, StoreError> {
    let page = &parsed.page;
    let url_id = page.job.url_id;
    // The URL's facts and the page insert in one round trip: no row means an unknown URL, a
    // NULL page id a redelivery.
    let row: Option<(i32, String, i32, Option<i64>)> = sqlx::query_as(
        "WITH u AS (
             SELECT u.host_id, h.host, u.depth FROM urls u JOIN hosts h ON h.id = u.host_id
             WHERE u.id = $1
         ), p AS (
             INSERT INTO pages (url_id, final_url, status, content_type, etag, last_modified,
                                charset, fetched_at, truncated, body_zstd)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM u)
             ON CONFLICT (url_id, fetched_at) DO NOTHING
             RETURNING id
         )
         SELECT u.host_id, u.host, u.depth, (SELECT id FROM p) FROM u",
    )
    .bind(url_id)
    .bind(clean(&page.final_url).as_ref())
    .bind(i32::from(page.status))
    .bind(clean_opt(page.content_type.as_deref()))
    .bind(clean_opt(page.etag.as_deref()))
    .bind(clean_opt(page.last_modified.as_deref()))
    .bind(clean(&page.charset).as_ref())
    .bind(page.fetched_at)
    .bind(page.truncated)
    .bind(page.body.0.as_slice())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((host_id, host, depth, page_id)) = row else {
        return Err(StoreError::UnknownUrl(url_id));
    };
    let Some(page_id) = page_id else {
        return Ok(None);
    };
    inserted.pages += 1;

    let (url_updated, visit, schedule) =
        crate::urlstate::page_visited(tx, url_id, host_id, depth, parsed, policy).await?;
    let (article_id, new_revision) = match (&parsed.article, parsed.is_article) {
        (Some(article), true) => {
            let seen = Observation {
                final_url: &page.final_url,
                at: page.fetched_at,
                reparse: false,
                // A first visit is most likely a story the archive has not seen.
                likely_new: !visit.revisit,
            };
            let (id, new) = upsert_article(tx, &seen, article, url_id, page_id, inserted).await?;
            (Some(id), new)
        }
        _ => (None, false),
    };
    Ok(Some(StoredPage {
        page_id,
        article_id,
        new_revision,
        url_updated,
        host_id,
        host,
        depth,
        visit,
        schedule,
    }))
}

/// The URL that names an article: the page's own canonical link when it is a valid web URL,
/// otherwise the URL the fetch ended at (`final_url`, already cleaned of NUL).
fn canonical_url(article: &Article, final_url: &str) -> String {
    article
        .canonical_url
        .as_deref()
        .and_then(|c| normalize(&clean(c)).ok())
        .or_else(|| normalize(final_url).ok())
        .map(String::from)
        .unwrap_or_else(|| final_url.to_owned())
}

/// The instant in UTC and the page's own offset (minutes east of UTC).
fn split_date<Tz: TimeZone>(d: Option<&DateTime<Tz>>) -> (Option<DateTime<Utc>>, Option<i16>) {
    match d {
        Some(d) => {
            let offset = d.offset().fix().local_minus_utc() / 60;
            (Some(d.with_timezone(&Utc)), i16::try_from(offset).ok())
        }
        None => (None, None),
    }
}

/// An article with its text fields cleaned of NUL, ready to bind.
struct Content {
    title: Option<String>,
    authors: Vec<String>,
    published_at: (Option<DateTime<Utc>>, Option<i16>),
    modified_at: (Option<DateTime<Utc>>, Option<i16>),
    section: Option<String>,
    site_name: Option<String>,
    language: Option<String>,
    lead_image_url: Option<String>,
    lead_image_caption: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    word_count: i32,
    content_hash: String,
}

/// The columns [`Content::bind`] fills, as `$1..$15`, in this order. Statement-specific
/// parameters start at `$16`.
const CONTENT_COLUMNS: &str = "title, authors, published_at, published_offset, modified_at,
    modified_offset, section, site_name, language, lead_image_url, lead_image_caption,
    description, tags, word_count, content_hash";

impl Content {
    fn new(a: &Article) -> Self {
        let list = |v: &[String]| v.iter().map(|s| clean(s).into_owned()).collect();
        Self {
            title: clean_opt(a.title.as_deref()),
            authors: list(&a.authors),
            published_at: split_date(a.published_at.as_ref()),
            modified_at: split_date(a.modified_at.as_ref()),
            section: clean_opt(a.section.as_deref()),
            site_name: clean_opt(a.site_name.as_deref()),
            language: clean_opt(a.language.as_deref()),
            lead_image_url: clean_opt(a.lead_image_url.as_deref()),
            lead_image_caption: clean_opt(a.lead_image_caption.as_deref()),
            description: clean_opt(a.description.as_deref()),
            tags: list(&a.tags),
            word_count: i32::try_from(a.word_count).unwrap_or(i32::MAX),
            // Hashed from the article as the parser produced it, so the same page always gives
            // the same hash whatever cleaning is done here.
            content_hash: a.content_hash(),
        }
    }

    fn bind<'q>(&self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(self.title.clone())
            .bind(self.authors.clone())
            .bind(self.published_at.0)
            .bind(self.published_at.1)
            .bind(self.modified_at.0)
            .bind(self.modified_at.1)
            .bind(self.section.clone())
            .bind(self.site_name.clone())
            .bind(self.language.clone())
            .bind(self.lead_image_url.clone())
            .bind(self.lead_image_caption.clone())
            .bind(self.description.clone())
            .bind(self.tags.clone())
            .bind(self.word_count)
            .bind(self.content_hash.clone())
    }
}

/// One article per canonical URL. The row holds the newest content; a revision is added only when
/// the content hash differs from the current one. Returns the id and whether a revision was added.
pub(crate) async fn upsert_article(
    tx: &mut PgConnection,
    seen: &Observation<'_>,
    article: &Article,
    url_id: i64,
    page_id: i64,
    inserted: &mut Inserted,
) -> Result<(i64, bool), StoreError> {
    let fetched_url = clean(seen.final_url).into_owned();
    let canonical = canonical_url(article, &fetched_url);
    let content = Content::new(article);
    let body = clean(&article.body);

    // A story likely new is inserted straight away (the insert finds out if it is known): one
    // round trip less for most pages of a crawl.
    let known: Option<(i64, String, DateTime<Utc>)> = if seen.likely_new {
        None
    } else {
        sqlx::query_as(
            "SELECT id, content_hash, last_seen FROM articles WHERE canonical_url = $1 FOR UPDATE",
        )
        .bind(&canonical)
        .fetch_optional(&mut *tx)
        .await?
    };
    let known = match known {
        Some(k) => k,
        None => {
            // The article, its first revision and its search document in one statement: one
            // round trip instead of three for every new story.
            let sql = format!(
                "WITH a AS (
                     INSERT INTO articles ({CONTENT_COLUMNS},
                         url, canonical_url, url_id, page_id, first_seen, last_seen,
                         current_revision_id, current_fetched_at, revision_count)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                             $16, $17, $18, $19, $20, $20,
                             nextval('article_revisions_id_seq'), $20, 1)
                     ON CONFLICT (canonical_url) DO NOTHING
                     RETURNING id, current_revision_id
                 ), r AS (
                     INSERT INTO article_revisions ({CONTENT_COLUMNS},
                         id, article_id, page_id, url, fetched_at, body, minor, reparse)
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                            a.current_revision_id, a.id, $19, $16, $20, $21, false, $22
                     FROM a
                 ), s AS (
                     INSERT INTO article_search (article_id, doc)
                     SELECT a.id, $23 FROM a
                     ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc
                 )
                 SELECT id FROM a"
            );
            let new_id: Option<i64> = content
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .bind(&fetched_url)
                .bind(&canonical)
                .bind(url_id)
                .bind(page_id)
                .bind(seen.at)
                .bind(body.as_ref())
                .bind(seen.reparse)
                .bind(crate::searchdoc::document(content.title.as_deref(), &body))
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.get(0));
            if let Some(id) = new_id {
                inserted.articles += 1;
                inserted.revisions += 1;
                return Ok((id, true));
            }
            // Known already, or a concurrent insert of the same canonical URL committed first
            // (ON CONFLICT waited for it): lock that row and compare.
            sqlx::query_as(
                "SELECT id, content_hash, last_seen FROM articles
                 WHERE canonical_url = $1 FOR UPDATE",
            )
            .bind(&canonical)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    let (id, current_hash, last_seen) = known;
    if current_hash == content.content_hash {
        if seen.reparse {
            return Ok((id, false));
        }
        sqlx::query("UPDATE articles SET last_seen = $2 WHERE id = $1 AND last_seen < $2")
            .bind(id)
            .bind(seen.at)
            .execute(&mut *tx)
            .await?;
        return Ok((id, false));
    }
    let minor = is_minor_change(tx, id, &content, &body).await?;
    let revision_id = insert_revision(
        tx,
        &content,
        &body,
        (minor, seen.reparse),
        id,
        page_id,
        &fetched_url,
        seen.at,
    )
    .await?;
    let Some(revision_id) = revision_id else {
        // A revision of this article at this very instant exists (a redelivered reparse).
        return Ok((id, false));
    };
    inserted.revisions += 1;
    if seen.at >= last_seen {
        // Newer content becomes the article's current state.
        let sql = format!(
            "UPDATE articles SET ({CONTENT_COLUMNS}) =
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15),
                 url = $16, url_id = $17, page_id = $18,
                 -- A re-parse saw no new fetch: the last time the site was seen stays.
                 last_seen = CASE WHEN $22 THEN last_seen ELSE $19 END,
                 current_revision_id = $20, current_fetched_at = $19,
                 revision_count = revision_count + 1
             WHERE id = $21"
        );
        content
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .bind(&fetched_url)
            .bind(url_id)
            .bind(page_id)
            .bind(seen.at)
            .bind(revision_id)
            .bind(id)
            .bind(seen.reparse)
            .execute(&mut *tx)
            .await?;
        write_search(tx, id, content.title.as_deref(), &body).await?;
    } else {
        // An older fetch arriving late: history gains a revision, the current content stays.
        sqlx::query("UPDATE articles SET revision_count = revision_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok((id, true))
}

/// Where and when an article's content was seen: a fetch, or a re-parse of a stored page (whose
/// revision is then marked `reparse` and dated when the re-parse ran).
pub(crate) struct Observation<'a> {
    pub final_url: &'a str,
    pub at: DateTime<Utc>,
    pub reparse: bool,
    /// Try the insert before looking the article up (right or wrong, the outcome is the same).
    pub likely_new: bool,
}

/// Whether the change from the article's current revision is one a reader would not count: only
/// whitespace, or only a printed date stamp (`newspipe_diff::is_minor`). Read only when the
/// content hash changed, which is rare next to unchanged re-fetches.
async fn is_minor_change(
    tx: &mut PgConnection,
    article_id: i64,
    new: &Content,
    new_body: &str,
) -> Result<bool, StoreError> {
    type Row = (
        Option<String>,
        Vec<String>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<String>,
        Option<String>,
        String,
    );
    let old: Option<Row> = sqlx::query_as(
        "SELECT r.title, r.authors, r.published_at, r.modified_at, r.section, r.lead_image_url,
                r.body
         FROM articles a
         JOIN article_revisions r
           ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
         WHERE a.id = $1",
    )
    .bind(article_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, authors, published, modified, section, image, body)) = old else {
        return Ok(false);
    };
    let date = |d: Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339());
    let (old_pub, old_mod) = (date(published), date(modified));
    let (new_pub, new_mod) = (date(new.published_at.0), date(new.modified_at.0));
    let old = newspipe_diff::Revision {
        title: title.as_deref(),
        authors: &authors,
        published_at: old_pub.as_deref(),
        modified_at: old_mod.as_deref(),
        section: section.as_deref(),
        lead_image_url: image.as_deref(),
        body: &body,
    };
    let new = newspipe_diff::Revision {
        title: new.title.as_deref(),
        authors: &new.authors,
        published_at: new_pub.as_deref(),
        modified_at: new_mod.as_deref(),
        section: new.section.as_deref(),
        lead_image_url: new.lead_image_url.as_deref(),
        body: new_body,
    };
    Ok(newspipe_diff::is_minor(&old, &new).is_some())
}

/// Adds a revision of a known article (whether the change is minor, and whether a re-parse wrote
/// it). Returns its id, or `None` when the article already has a revision fetched at that
/// instant. A new article's first revision is written with the article.
#[allow(clippy::too_many_arguments)]
async fn insert_revision(
    tx: &mut PgConnection,
    content: &Content,
    body: &str,
    (minor, reparse): (bool, bool),
    article_id: i64,
    page_id: i64,
    url: &str,
    fetched_at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let sql = format!(
        "INSERT INTO article_revisions ({CONTENT_COLUMNS},
             id, article_id, page_id, url, fetched_at, body, minor, reparse)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 nextval('article_revisions_id_seq'), $16, $17, $18, $19, $20, $21, $22)
         ON CONFLICT (article_id, fetched_at) DO NOTHING
         RETURNING id"
    );
    let row = content
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(article_id)
        .bind(page_id)
        .bind(url)
        .bind(fetched_at)
        .bind(body)
        .bind(minor)
        .bind(reparse)
        .fetch_optional(tx)
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// The article's search document, for its new current content. The caller holds the article's
/// row lock, which orders this write against the backfill in `maintain.rs`.
async fn write_search(
    tx: &mut PgConnection,
    article_id: i64,
    title: Option<&str>,
    body: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO article_search (article_id, doc) VALUES ($1, $2)
         ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc",
    )
    .bind(article_id)
    .bind(crate::searchdoc::document(title, body))
    .execute(tx)
    .await?;
    Ok(())
}

/// What re-parsing one stored page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reparsed {
    /// The extractor gives what the archive has: nothing written.
    Unchanged,
    /// A new revision, marked as a re-parse, became current.
    Revised,
    /// The page is now taken for an article it was not before: the article was created.
    New,
}

/// Writes today's extraction of stored page `page_id` (fetched from `url`, ending at
/// `final_url`): a new revision marked `reparse`, dated now, when the content changed.
pub(crate) async fn reparse(
    tx: &mut PgConnection,
    page_id: i64,
    url: &str,
    final_url: &str,
    article: &Article,
) -> Result<Reparsed, StoreError> {
    let (url_id, existed, now): (i64, bool, DateTime<Utc>) = sqlx::query_as(
        "SELECT url_key($1),
                EXISTS (SELECT 1 FROM articles WHERE canonical_url = $2),
                clock_timestamp()",
    )
    .bind(clean(url).as_ref())
    .bind(canonical_url(article, &clean(final_url)))
    .fetch_one(&mut *tx)
    .await?;
    let seen = Observation {
        final_url,
        at: now,
        reparse: true,
        likely_new: !existed,
    };
    let mut inserted = Inserted::default();
    let (_, added) = upsert_article(tx, &seen, article, url_id, page_id, &mut inserted).await?;
    inserted.write(tx).await?;
    Ok(match (added, existed) {
        (false, _) => Reparsed::Unchanged,
        (true, true) => Reparsed::Revised,
        (true, false) => Reparsed::New,
    })
}
