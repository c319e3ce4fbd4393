-- newspipe schema v6: the dispatcher reads summaries instead of counting and probing the
-- frontier. Two facts are kept by statement triggers on `frontier`, in the writer's own
-- transaction, as appended rows only (no writer updates a shared row, so store replicas never
-- wait on one another), and folded by the dispatcher before each pass (`fold_frontier_facts()`):
--   * the in-flight count (leased frontier rows): the counter `frontier.leased`;
--   * per host and queue, a lower bound of when something is due (`host_due`), so a pass picks
--     its hosts without three frontier probes per host.
-- See ARCHITECTURE.md "Data model". Existing data is summarised at the end.

-- Per host, the earliest `due_at` of its waiting (unleased) frontier rows, per queue the
-- dispatcher reads apart: first fetches, hot hubs' revisits, other revisits. NULL: none. It is a
-- lower bound, never later than the truth: writers only add hints, the fold only lowers, and
-- only a dispatch pass that holds the host raises it, to the truth it reads.
CREATE TABLE host_due (
    host_id int PRIMARY KEY,
    new_at  timestamptz,
    hot_at  timestamptz,
    rest_at timestamptz
);

-- Hints appended by the frontier triggers: "host H has a waiting row of this queue due at T".
CREATE TABLE host_due_hints (
    host_id int NOT NULL,
    new_at  timestamptz,
    hot_at  timestamptz,
    rest_at timestamptz
);

-- Changes of the in-flight count, appended by the same triggers. Apart from `counter_deltas`
-- (folded by the maintenance task about once a second), so the dispatcher folds them itself and
-- reads a few rows whatever the maintenance is doing.
CREATE TABLE frontier_lease_deltas (
    n bigint NOT NULL
);

CREATE FUNCTION fold_frontier_facts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH d AS (DELETE FROM frontier_lease_deltas RETURNING n),
         s AS (SELECT coalesce(sum(n), 0)::bigint AS n FROM d)
    UPDATE counters SET n = counters.n + s.n FROM s
    WHERE counters.name = 'frontier.leased' AND s.n <> 0;

    -- A hint that lowers nothing is dropped after a plain read, without locking the summary,
    -- unless a pass may be raising that row right now (its xmax is set: locked or updated):
    -- that pass may not see the hint's row, so the hint waits for it and lowers what it wrote.
    -- A pass that locks the row after this read has a newer snapshot, which sees the row.
    WITH d AS (
        DELETE FROM host_due_hints RETURNING host_id, new_at, hot_at, rest_at
    ), m AS (
        SELECT host_id, min(new_at) AS new_at, min(hot_at) AS hot_at, min(rest_at) AS rest_at
        FROM d GROUP BY host_id
    ), todo AS (
        SELECT m.* FROM m LEFT JOIN host_due h USING (host_id)
        WHERE h.host_id IS NULL OR h.xmax <> '0'::xid
           OR m.new_at < coalesce(h.new_at, 'infinity')
           OR m.hot_at < coalesce(h.hot_at, 'infinity')
           OR m.rest_at < coalesce(h.rest_at, 'infinity')
    )
    -- Host order is the lock order of every writer of `host_due`. Rows are always rewritten
    -- (no WHERE), so a lock left on a row does not make every later fold lock it again.
    INSERT INTO host_due (host_id, new_at, hot_at, rest_at)
    SELECT host_id, new_at, hot_at, rest_at FROM todo ORDER BY host_id
    ON CONFLICT (host_id) DO UPDATE SET
        new_at = least(host_due.new_at, excluded.new_at),
        hot_at = least(host_due.hot_at, excluded.hot_at),
        rest_at = least(host_due.rest_at, excluded.rest_at);
END $$;

CREATE FUNCTION frontier_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO frontier_lease_deltas (n)
            SELECT count(*) FROM new_rows WHERE lease_until IS NOT NULL HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO frontier_lease_deltas (n)
            SELECT -count(*) FROM old_rows WHERE lease_until IS NOT NULL HAVING count(*) > 0;
        -- A row gone never makes anything due earlier.
        RETURN NULL;
    ELSE
        INSERT INTO frontier_lease_deltas (n)
            SELECT n FROM (
                SELECT (SELECT count(*) FROM new_rows WHERE lease_until IS NOT NULL)
                     - (SELECT count(*) FROM old_rows WHERE lease_until IS NOT NULL) AS n
            ) x WHERE n <> 0;
    END IF;
    -- Every waiting row written is a hint for its host's queue (a row that only moved later is
    -- a hint that lowers nothing).
    INSERT INTO host_due_hints (host_id, new_at, hot_at, rest_at)
        SELECT host_id,
               min(due_at) FILTER (WHERE NOT revisit),
               min(due_at) FILTER (WHERE revisit AND hot),
               min(due_at) FILTER (WHERE revisit AND NOT hot)
        FROM new_rows WHERE lease_until IS NULL
        GROUP BY host_id;
    RETURN NULL;
END $$;

CREATE TRIGGER frontier_facts_ins AFTER INSERT ON frontier
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION frontier_facts();
CREATE TRIGGER frontier_facts_upd AFTER UPDATE ON frontier
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION frontier_facts();
CREATE TRIGGER frontier_facts_del AFTER DELETE ON frontier
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION frontier_facts();

-- Existing data: the summaries start from the truth.
INSERT INTO host_due (host_id, new_at, hot_at, rest_at)
SELECT host_id,
       min(due_at) FILTER (WHERE NOT revisit),
       min(due_at) FILTER (WHERE revisit AND hot),
       min(due_at) FILTER (WHERE revisit AND NOT hot)
FROM frontier WHERE lease_until IS NULL
GROUP BY host_id
ORDER BY host_id;
INSERT INTO counters (name, n)
SELECT 'frontier.leased', count(*) FROM frontier WHERE lease_until IS NOT NULL
ON CONFLICT (name) DO UPDATE SET n = excluded.n;
