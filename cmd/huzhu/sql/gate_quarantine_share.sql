-- The max_quarantine_share gate: per operator, the rows quarantined and
-- received by the runs after the served release's run $1 ('' for none):
-- every run whose data is not yet published, so that a run stopped by the
-- gate does not pass when it is simply run again.
SELECT operator_code, sum(quarantined), sum(received)
FROM ops.reconciliation
WHERE run_id > $1 AND load_id IS NULL
GROUP BY ALL
HAVING sum(received) > 0
ORDER BY ALL
