UPDATE ops.runs
SET finished_at = ?, status = ?, exit_code = ?, stages = ?
WHERE run_id = ? AND status = 'running';
