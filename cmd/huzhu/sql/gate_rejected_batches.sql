-- The rejected_batches gate: per operator, the file batches run $1 refused whole.
SELECT operator_code, count(*) FROM ops.loads WHERE run_id = $1 AND status = 'rejected' GROUP BY ALL ORDER BY ALL
