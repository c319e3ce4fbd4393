-- The SQL of Store::search_archive (crates/newspipe-store/src/read.rs) for pgbench, no filters,
-- limit 20 (+1 to detect a next page), the query rotating over the load client's list.
\set i random(1, 10)
SELECT a.id, a.url, a.canonical_url, h.host AS site, a.title, a.authors, a.description,
       a.language, a.lead_image_url, a.lead_image_caption, a.section, a.site_name, a.tags,
       a.published_at, a.modified_at, a.current_fetched_at AS fetched_at, a.first_seen,
       a.last_seen, a.word_count, a.content_hash, a.revision_count, r.body, hit.rank,
       ts_headline('simple', r.body, hit.q,
           'StartSel=' || chr(57344) || ', StopSel=' || chr(57345)
           || ', MaxFragments=2, MinWords=8, MaxWords=25, FragmentDelimiter=" … "') AS snippet
FROM (
    SELECT s.article_id, ts_rank(s.doc, q) AS rank, q
    FROM websearch_to_tsquery('simple', (ARRAY['storm', 'election', 'minister', 'harbour',
             'referendum', 'volcano', 'storm minister', '"storm election"', 'harbour -storm',
             'referendum or volcano'])[:i]) AS q
    JOIN article_search s ON s.doc @@ q
    ORDER BY rank DESC, s.article_id DESC
    LIMIT 21
) hit
JOIN articles a ON a.id = hit.article_id
LEFT JOIN urls u ON u.id = a.url_id
LEFT JOIN hosts h ON h.id = u.host_id
JOIN article_revisions r ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
ORDER BY hit.rank DESC, a.id DESC;
