-- The run manifest's quarantined rows by entity: those of run $1's loads
-- and those its transform refused.
SELECT q.entity, count(*)
FROM ops.quarantine AS q
JOIN ops.loads AS l USING (load_id)
WHERE l.run_id = $1 OR q.load_id IN (SELECT load_id FROM ops.transform_loads WHERE run_id = $1)
GROUP BY ALL
