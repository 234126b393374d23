-- The max_quarantine_share gate: per operator, the rows run $1 quarantined
-- and the rows it received.
SELECT operator_code, sum(quarantined), sum(received)
FROM ops.reconciliation
WHERE run_id = $1 AND load_id IS NULL
GROUP BY ALL
HAVING sum(received) > 0
ORDER BY ALL
