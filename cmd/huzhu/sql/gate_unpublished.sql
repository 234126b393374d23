-- The reconciliation and max_warnings gates over the runs after the
-- served release's run $1 ('' for none), as gate_quarantine_share.sql:
-- rows quarantined (by their loads' extract or by their transform), rows
-- left unexplained by the reconciliation, and open findings first seen.
SELECT
    (SELECT count(*) FROM ops.quarantine AS q JOIN ops.loads AS l USING (load_id)
     WHERE l.run_id > $1 OR q.load_id IN (SELECT load_id FROM ops.transform_loads WHERE run_id > $1)),
    (SELECT coalesce(sum(abs(difference)), 0) FROM ops.reconciliation WHERE run_id > $1)
