-- The SQL of Store::article (crates/newspipe-store/src/read.rs) for pgbench: a random id.
\set id random(1, 100000)
SELECT a.id, a.url, a.canonical_url, h.host AS site, a.title, a.authors, a.description,
       a.language, a.lead_image_url, a.lead_image_caption, a.section, a.site_name, a.tags,
       a.published_at, a.modified_at, a.current_fetched_at AS fetched_at, a.first_seen,
       a.last_seen, a.word_count, a.content_hash, a.revision_count, r.body
FROM articles a
LEFT JOIN urls u ON u.id = a.url_id
LEFT JOIN hosts h ON h.id = u.host_id
JOIN article_revisions r ON r.id = a.current_revision_id AND r.fetched_at = a.current_fetched_at
WHERE a.id = :id;
