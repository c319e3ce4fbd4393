-- newspipe schema v4: hubs are ranked by their yield (how often a visit found links never seen
-- before), and the best hubs' revisits go first. See ARCHITECTURE.md "Revisits".

-- A hub's yield, a moving average of "this revisit found a link never seen before" (0..1); NULL
-- for stories. `hot` (yield at or above `revisit::HOT_YIELD`) is written with it, so the
-- dispatcher reads the hot hubs of a host through a small partial index. Both columns have
-- constant defaults: adding them does not rewrite the table.
ALTER TABLE frontier
    ADD COLUMN hub_yield real,
    ADD COLUMN hot   boolean NOT NULL DEFAULT false;

-- Hubs fetched before this version start at the plain hubs' yield and earn their rank.
UPDATE frontier SET hub_yield = 0.25 WHERE hub AND revisit;

-- A host's hot hubs waiting for their revisit, in due order: read ahead of every other revisit.
CREATE INDEX frontier_hot_idx ON frontier (host_id, due_at, url_id)
    WHERE lease_until IS NULL AND revisit AND hot;
