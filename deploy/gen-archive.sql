-- Synthetic v2 archive for the read benchmarks of issue 9 (deploy/bench-api.sh):
--   psql -v n=100000 -v page_hex="$(zstd -c page.html | xxd -p | tr -d '\n')" -f deploy/gen-archive.sql DB
-- Fills hosts, urls, pages, article_revisions (10 % of articles get a second revision),
-- articles and article_search directly, in a migrated, empty database. Bodies are ~330 words
-- drawn from a 6,000-word vocabulary with a skewed (Zipf-like) frequency, so common words match
-- many documents and rare ones few, as in news text. Every page shares one raw body.
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.42);
SELECT ensure_month_partitions('pages', '2025-01-01', '2025-07-01');
SELECT ensure_month_partitions('article_revisions', '2025-01-01', '2025-07-01');

CREATE TEMP TABLE vocab AS
SELECT i, CASE i
    WHEN 17 THEN 'storm' WHEN 40 THEN 'election' WHEN 90 THEN 'harbour'
    WHEN 400 THEN 'minister' WHEN 2500 THEN 'referendum' WHEN 5000 THEN 'volcano'
    ELSE (SELECT string_agg(substr('bcdfghklmnprstvz', 1 + (random() * 15)::int, 1)
                            || substr('aeiou', 1 + (random() * 4)::int, 1), '')
          FROM generate_series(1, 2 + (i % 3)) WHERE i > 0)
    END AS w
FROM generate_series(0, 5999) i;
-- 20,000 sentences of 15 words; each body strings 22 of them together (chosen by a hash of
-- the article number, so the generator needs no per-word work per article).
CREATE TEMP TABLE sentences AS
SELECT s AS id, string_agg(v.w, ' ' ORDER BY t.k) || '.' AS text
FROM (SELECT s, k, floor(6000 * power(random(), 3))::int AS i
      FROM generate_series(0, 19999) s, generate_series(1, 15) k) t
JOIN vocab v USING (i)
GROUP BY s;
ALTER TABLE sentences ADD PRIMARY KEY (id);

INSERT INTO hosts (host, robots_state)
SELECT 'site' || h || '.example', 'ok' FROM generate_series(1, 20) h;

CREATE TEMP TABLE gen AS
SELECT g AS n,
       'https://site' || (1 + g % 20) || '.example/news/' || g AS url,
       1 + g % 20 AS host_no,
       timestamptz '2025-01-01' + (g::float / :n) * interval '150 days' AS fetched_at
FROM generate_series(1, :n) g;

INSERT INTO urls (id, url, host_id, state, fetched_at)
SELECT url_key(g.url), g.url, h.id, 'fetched', g.fetched_at
FROM gen g JOIN hosts h ON h.host = 'site' || g.host_no || '.example';

INSERT INTO pages (url_id, final_url, status, content_type, charset, fetched_at, body_zstd)
SELECT url_key(url), url, 200, 'text/html; charset=utf-8', 'utf-8', fetched_at,
       decode(:'page_hex', 'hex')
FROM gen;
-- A second fetch a day later for every tenth article.
INSERT INTO pages (url_id, final_url, status, content_type, charset, fetched_at, body_zstd)
SELECT url_key(url), url, 200, 'text/html; charset=utf-8', 'utf-8',
       fetched_at + interval '1 day', decode(:'page_hex', 'hex')
FROM gen WHERE n % 10 = 0;

CREATE TEMP TABLE body AS
SELECT g.n,
       (SELECT string_agg(x.text, ' ' ORDER BY k)
        FROM generate_series(1, 22) k,
             LATERAL (SELECT text FROM sentences
                      WHERE id = (g.n::int8 * 7919 + k * 104729) % 20000) x) AS text,
       (SELECT text FROM sentences WHERE id = (g.n::int8 * 15485863) % 20000) AS title
FROM gen g;

INSERT INTO articles (id, canonical_url, url, url_id, page_id, current_revision_id,
                      current_fetched_at, title, authors, published_at, section, site_name,
                      language, tags, word_count, content_hash, first_seen, last_seen,
                      revision_count)
SELECT g.n, g.url, g.url, url_key(g.url), p.id,
       CASE WHEN g.n % 10 = 0 THEN 1000000 + g.n ELSE g.n END,
       CASE WHEN g.n % 10 = 0 THEN g.fetched_at + interval '1 day' ELSE g.fetched_at END,
       initcap(b.title), ARRAY['Author ' || (g.n % 500)], g.fetched_at - interval '1 hour',
       (ARRAY['world', 'politics', 'sport', 'local', 'culture'])[1 + g.n % 5],
       'Site ' || g.host_no, CASE WHEN g.n % 7 = 0 THEN 'fr' ELSE 'en' END, ARRAY['news'],
       array_length(string_to_array(b.text, ' '), 1), md5(b.text || 'v' || (g.n % 10 = 0)),
       g.fetched_at,
       CASE WHEN g.n % 10 = 0 THEN g.fetched_at + interval '1 day' ELSE g.fetched_at END,
       CASE WHEN g.n % 10 = 0 THEN 2 ELSE 1 END
FROM gen g JOIN body b ON b.n = g.n
JOIN pages p ON p.url_id = url_key(g.url) AND p.fetched_at = g.fetched_at;

INSERT INTO article_revisions (id, article_id, fetched_at, page_id, url, content_hash, title,
                               authors, published_at, section, site_name, language, tags, body,
                               word_count)
SELECT g.n, g.n, g.fetched_at, a.page_id, g.url, md5(b.text || 'vfalse'), a.title, a.authors,
       a.published_at, a.section, a.site_name, a.language, a.tags, b.text, a.word_count
FROM gen g JOIN body b ON b.n = g.n JOIN articles a ON a.id = g.n
UNION ALL
SELECT 1000000 + g.n, g.n, g.fetched_at + interval '1 day', p.id, g.url, a.content_hash,
       a.title, a.authors, a.published_at, a.section, a.site_name, a.language, a.tags,
       b.text || ' Update: the minister said more.', a.word_count + 5
FROM gen g JOIN body b ON b.n = g.n JOIN articles a ON a.id = g.n
JOIN pages p ON p.url_id = url_key(g.url) AND p.fetched_at = g.fetched_at + interval '1 day'
WHERE g.n % 10 = 0;

INSERT INTO article_search (article_id, doc)
SELECT a.id, setweight(to_tsvector('simple', coalesce(a.title, '')), 'A')
             || setweight(to_tsvector('simple', r.body), 'B')
FROM articles a
JOIN article_revisions r ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at;

SELECT setval(pg_get_serial_sequence('articles', 'id'), (SELECT max(id) FROM articles));
SELECT setval(pg_get_serial_sequence('article_revisions', 'id'),
              (SELECT max(id) FROM article_revisions));
COMMIT;
ANALYZE;
