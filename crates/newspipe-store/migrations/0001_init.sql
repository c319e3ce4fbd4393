-- newspipe schema v1: the frontier (urls), the per-host schedule (hosts), raw pages, articles and
-- their revisions. Only newspipe-store writes these tables; docs/psql users may read them freely.

-- One row per politeness key (host[:port]). The dispatcher owns the schedule: next_slot_at is the
-- host's next free request slot for the whole deployment.
CREATE TABLE hosts (
    host              text PRIMARY KEY,
    -- unknown: robots.txt must be fetched (again) before any page;
    -- pending: a robots job is out, robots_retry_at is its lease;
    -- ok: robots_status/robots_txt hold the rules in force.
    robots_state      text NOT NULL DEFAULT 'unknown'
                      CHECK (robots_state IN ('unknown', 'pending', 'ok')),
    robots_status     int,
    robots_txt        text COMPRESSION lz4,
    robots_fetched_at timestamptz,
    -- 'unknown': do not ask for robots.txt before this (5xx backoff); 'pending': lease expiry.
    robots_retry_at   timestamptz,
    crawl_delay_ms    int NOT NULL DEFAULT 0,
    next_slot_at      timestamptz NOT NULL DEFAULT now(),
    -- Retry-After: no request to the host before this.
    blocked_until     timestamptz,
    -- Consecutive failures (retryable fetches, robots.txt 5xx); reset by a stored page.
    error_streak      int NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- The dispatcher looks for hosts that need a robots.txt job on every pass.
CREATE INDEX hosts_robots_todo_idx ON hosts (robots_retry_at) WHERE robots_state <> 'ok';

-- The frontier: every URL we know, once (url is normalised by newspipe_model::normalize).
CREATE TABLE urls (
    id              bigserial PRIMARY KEY,
    url             text NOT NULL UNIQUE,
    host            text NOT NULL REFERENCES hosts (host),
    -- The seed's host: links are followed only within it.
    scope_host      text NOT NULL,
    depth           int NOT NULL DEFAULT 0 CHECK (depth >= 0),
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'dispatched', 'fetched', 'skipped', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    last_status     int,
    -- Why the URL was skipped or failed (or the last retryable error).
    last_error      text,
    is_article      boolean,
    discovered_at   timestamptz NOT NULL DEFAULT now(),
    fetched_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The dispatcher reads a host's due URLs in FIFO order (≈ breadth first); partial, so the index
-- stays as small as the queue rather than the archive.
CREATE INDEX urls_queued_idx ON urls (host, next_attempt_at, id) WHERE state = 'queued';
-- Lease expiry and the in-flight count.
CREATE INDEX urls_dispatched_idx ON urls (lease_until) WHERE state = 'dispatched';

-- Raw fetched pages, kept for re-parsing and provenance. A redelivered message carries the same
-- (url_id, fetched_at) and inserts nothing.
CREATE TABLE pages (
    id            bigserial PRIMARY KEY,
    url_id        bigint NOT NULL REFERENCES urls (id),
    final_url     text NOT NULL,
    status        int NOT NULL,
    content_type  text,
    etag          text,
    last_modified text,
    fetched_at    timestamptz NOT NULL,
    truncated     boolean NOT NULL DEFAULT false,
    -- Already zstd: TOAST compression would only burn CPU, so store it out of line, uncompressed.
    body_zstd     bytea NOT NULL,
    UNIQUE (url_id, fetched_at)
);
ALTER TABLE pages ALTER COLUMN body_zstd SET STORAGE EXTERNAL;
CREATE INDEX pages_fetched_at_idx ON pages (fetched_at);

-- One row per canonical URL, holding the newest content seen.
CREATE TABLE articles (
    id                 bigserial PRIMARY KEY,
    url                text NOT NULL,
    canonical_url      text NOT NULL UNIQUE,
    url_id             bigint REFERENCES urls (id),
    page_id            bigint REFERENCES pages (id),
    title              text,
    authors            text[] NOT NULL DEFAULT '{}',
    published_at       timestamptz,
    modified_at        timestamptz,
    section            text,
    site_name          text,
    language           text,
    lead_image_url     text,
    lead_image_caption text,
    description        text,
    tags               text[] NOT NULL DEFAULT '{}',
    body               text COMPRESSION lz4 NOT NULL,
    word_count         int NOT NULL DEFAULT 0,
    content_hash       text NOT NULL,
    first_seen         timestamptz NOT NULL,
    last_seen          timestamptz NOT NULL,
    revision_count     int NOT NULL DEFAULT 1,
    -- 'simple' (no stemming, no stop words): the archive is multilingual and a single stemmer
    -- would mangle every other language; exact words also make phrase search predictable.
    -- left() keeps a pathological body under tsvector's 1 MB limit instead of failing the insert.
    search             tsvector GENERATED ALWAYS AS (
                           setweight(to_tsvector('simple', coalesce(title, '')), 'A')
                           || setweight(to_tsvector('simple', left(body, 500000)), 'B')
                       ) STORED
);
CREATE INDEX articles_search_idx ON articles USING gin (search);
CREATE INDEX articles_published_at_idx ON articles (published_at);

-- A revision is kept only when what a reader sees changed (Article::content_hash).
CREATE TABLE article_revisions (
    id             bigserial PRIMARY KEY,
    article_id     bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    content_hash   text NOT NULL,
    fetched_at     timestamptz NOT NULL,
    page_id        bigint REFERENCES pages (id),
    url            text NOT NULL,
    title          text,
    authors        text[] NOT NULL DEFAULT '{}',
    published_at   timestamptz,
    modified_at    timestamptz,
    section            text,
    site_name          text,
    language           text,
    lead_image_url     text,
    lead_image_caption text,
    description        text,
    tags               text[] NOT NULL DEFAULT '{}',
    body               text COMPRESSION lz4 NOT NULL,
    word_count     int NOT NULL DEFAULT 0,
    UNIQUE (article_id, content_hash)
);
