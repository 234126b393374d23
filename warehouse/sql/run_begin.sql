INSERT INTO ops.runs (run_id, started_at, status, stages, config_hash, code_version)
VALUES (?, ?, 'running', ?, ?, ?);
