-- Search documents are now tokenised by the store (newspipe-store/src/searchdoc.rs) and written
-- with the article, instead of by to_tsvector('simple') in the indexer; queries use the same
-- tokenizer. Documents built the old way split some words differently (`covid-19`), so every
-- existing one is queued for rebuilding; the store's maintenance pass works through the queue
-- (`search_backlog`) in the background, and articles stay searchable meanwhile.
INSERT INTO search_backlog (article_id)
SELECT article_id FROM article_search
ON CONFLICT DO NOTHING;

