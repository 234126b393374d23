-- The run manifest's reconciliation: the rows run $1 left unexplained.
SELECT coalesce(sum(abs(difference)), 0) FROM ops.reconciliation WHERE run_id = $1
