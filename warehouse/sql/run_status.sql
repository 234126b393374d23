SELECT status FROM ops.runs WHERE run_id = ?;
