-- What a search document costs Postgres at ingest, per part (BENCHMARKS.md, "Search documents").
--   psql -h 127.0.0.1 -U postgres -q -f deploy/bench-search-ingest.sql test
-- 4,000 documents of 600 words drawn from a 20,000-word vocabulary, one INSERT each (as the store
-- writes them). Prints wall times; divide by 4,000 for a document. Creates and drops bench_si_*.
\set ON_ERROR_STOP on
CREATE TEMP TABLE src AS
SELECT g AS id,
       (SELECT string_agg(left(md5(((g * 1000 + i) % 20000)::text), 6), ' ')
        FROM generate_series(1, 600) i) AS body
FROM generate_series(1, 4000) g;
CREATE TEMP TABLE lit AS SELECT id, to_tsvector('simple', body)::text AS doc FROM src;
CREATE TABLE bench_si_plain (id int PRIMARY KEY, doc tsvector);
CREATE TABLE bench_si_gin4 (id int PRIMARY KEY, doc tsvector);
CREATE INDEX ON bench_si_gin4 USING gin (doc);
CREATE TABLE bench_si_gin16 (id int PRIMARY KEY, doc tsvector);
CREATE INDEX ON bench_si_gin16 USING gin (doc) WITH (gin_pending_list_limit = 16384);
CREATE TABLE bench_si_nofast (id int PRIMARY KEY, doc tsvector);
CREATE INDEX ON bench_si_nofast USING gin (doc) WITH (fastupdate = off);
\timing on
\echo to_tsvector('simple') of every body
SELECT sum(length(to_tsvector('simple', body))) FROM src;
\echo parsing every document from tsvector text
SELECT sum(length(doc::tsvector)) FROM lit;
\echo one insert a document, no index
DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM lit LOOP INSERT INTO bench_si_plain VALUES (r.id, r.doc::tsvector); END LOOP; END $$;
\echo one insert a document, GIN with the default 4 MB pending list
DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM lit LOOP INSERT INTO bench_si_gin4 VALUES (r.id, r.doc::tsvector); END LOOP; END $$;
\echo one insert a document, GIN with a 16 MB pending list, then merging what is left of it
DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM lit LOOP INSERT INTO bench_si_gin16 VALUES (r.id, r.doc::tsvector); END LOOP; END $$;
SELECT gin_clean_pending_list('bench_si_gin16_doc_idx'::regclass);
\echo one insert a document, GIN without fastupdate
DO $$ DECLARE r record; BEGIN FOR r IN SELECT * FROM lit LOOP INSERT INTO bench_si_nofast VALUES (r.id, r.doc::tsvector); END LOOP; END $$;
\timing off
DROP TABLE bench_si_plain, bench_si_gin4, bench_si_gin16, bench_si_nofast;
