-- newspipe schema v7, cheaper writes.
--
-- Search documents are compressed with lz4 instead of pglz. A document with
-- positions is a few KB, so Postgres compresses every one it stores; pglz did it at ~2 % of
-- Postgres's CPU in the crawl bench (perf), lz4 at a fraction of that (BENCHMARKS.md, session 7).
-- Documents already stored keep their compression until they are rewritten; both read the same.
ALTER TABLE article_search ALTER COLUMN doc SET COMPRESSION lz4;

-- The store counts the pages, articles and revisions it inserts and appends the counts to
-- `counter_deltas` once per transaction (newspipe-store/src/archive.rs `Inserted`); a statement
-- trigger on each insert cost Postgres a trigger call, a transition table and a delta row three
-- times a page. Only the store inserts into these tables. The URL state counters keep their
-- triggers: several statements of the store and the dispatcher move URL states.
DROP TRIGGER articles_count ON articles;
DROP TRIGGER article_revisions_count ON article_revisions;
DROP TRIGGER pages_count ON pages;
DROP FUNCTION count_inserts();
