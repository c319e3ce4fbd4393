-- Search documents are now tokenised by the store (newspipe-store/src/searchdoc.rs) and written
-- with the article, instead of by to_tsvector('simple') in the indexer; queries use the same
-- tokenizer. Documents built the old way split some words differently (`covid-19`), so every
-- existing one is queued for rebuilding; the store's maintenance pass works through the queue
-- (`search_backlog`) in the background, and articles stay searchable meanwhile.
INSERT INTO search_backlog (article_id)
SELECT article_id FROM article_search
ON CONFLICT DO NOTHING;

-- New documents go to the GIN index's pending list (fastupdate) and are merged into the index in
-- sorted batches when the list passes this size (or by autovacuum). 16 MB (~2,000 articles)
-- instead of the default 4 MB: the merge costs less per document the more documents it sorts
-- together (0.5 → 0.3 ms an article measured in BENCHMARKS.md), and a search scans at most 16 MB
-- of pending entries.
ALTER INDEX article_search_doc_idx SET (gin_pending_list_limit = 16384);
