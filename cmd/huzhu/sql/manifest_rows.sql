-- The run manifest's raw rows by entity: what run $1 loaded.
SELECT entity, sum(rows_loaded) FROM ops.loads WHERE run_id = $1 AND status = 'loaded' GROUP BY ALL
