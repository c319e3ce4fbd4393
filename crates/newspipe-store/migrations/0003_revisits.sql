-- newspipe schema v3: the frontier carries what the dispatcher needs (so a dispatch pass never
-- reads or writes `urls`), and fetched URLs keep a frontier row with their next visit (revisits).
-- Existing data is kept; see ARCHITECTURE.md "Data model" and "Revisits".

-- What a crawl job needs, copied from `urls` once; `attempts` is the live count while the URL is
-- in the frontier (urls.attempts is written when it settles).
ALTER TABLE frontier
    ADD COLUMN url           text,
    ADD COLUMN depth         int NOT NULL DEFAULT 0,
    ADD COLUMN attempts      int NOT NULL DEFAULT 0,
    -- false: waiting for its first fetch; true: fetched before, waiting for a revisit.
    ADD COLUMN revisit       boolean NOT NULL DEFAULT false,
    -- Validators of the last full fetch, sent as If-None-Match / If-Modified-Since.
    ADD COLUMN etag          text,
    ADD COLUMN last_modified text,
    -- The last visit (full fetch or 304) and the last one that saw a change.
    ADD COLUMN visited_at    timestamptz,
    ADD COLUMN changed_at    timestamptz,
    -- What the last full fetch saw (article content hash, or a hash of a hub's links).
    ADD COLUMN content_hash  text,
    -- A hub (home, section, feed, sitemap) adapts its interval; a story decays by age.
    ADD COLUMN hub           boolean NOT NULL DEFAULT false,
    ADD COLUMN interval_secs int;

UPDATE frontier f SET url = u.url, depth = u.depth, attempts = u.attempts
FROM urls u WHERE u.id = f.url_id;
ALTER TABLE frontier ALTER COLUMN url SET NOT NULL;

-- "Dispatched" is the frontier's lease now; the URL itself stays queued until it settles.
UPDATE urls SET state = 'queued' WHERE state = 'dispatched';

DROP INDEX frontier_due_idx;
-- A host's due URLs in order, first fetches and revisits apart (revisit.max_share).
CREATE INDEX frontier_due_idx ON frontier (host_id, revisit, due_at, url_id)
    WHERE lease_until IS NULL;
-- First fetches still waiting: "is the crawl idle" without walking the revisit rows.
CREATE INDEX frontier_first_idx ON frontier (host_id) WHERE NOT revisit;

-- Visits per host and minute, for `status` (revisits in the last hour); old rows are pruned by
-- the store's maintenance. One row per host and minute, written once per store batch.
CREATE TABLE host_visits (
    host_id      int NOT NULL,
    minute       timestamptz NOT NULL,
    revisits     int NOT NULL DEFAULT 0,
    not_modified int NOT NULL DEFAULT 0,
    changed      int NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, minute)
);
ALTER TABLE hosts ADD COLUMN last_change_at timestamptz;

-- URLs fetched in the last 30 days regain a frontier row: due for a revisit (the schedule takes
-- over from their first visit). Older stories are past the default schedule's end.
INSERT INTO frontier (url_id, host_id, due_at, url, depth, revisit, visited_at, changed_at, hub)
SELECT u.id, u.host_id, u.fetched_at + interval '15 minutes', u.url, u.depth, true, u.fetched_at,
       u.fetched_at, NOT coalesce(u.is_article, false)
FROM urls u
WHERE u.state = 'fetched' AND u.fetched_at > now() - interval '30 days'
ORDER BY u.id
ON CONFLICT (url_id) DO NOTHING;
