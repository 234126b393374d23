-- The run's reconciliation of entity $1, summed over its operators: loads,
-- rows received, kept, quarantined and counted as duplicates.
SELECT count(*), coalesce(sum(received), 0), coalesce(sum(kept), 0), coalesce(sum(quarantined), 0), coalesce(sum(duplicates), 0)
FROM ops.reconciliation
WHERE run_id = getvariable('run_id') AND entity = $1 AND load_id IS NULL
