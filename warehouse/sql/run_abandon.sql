-- Runs left running by a process that is gone (the new run's caller holds
-- the writer lock, so no other is running): abandoned, finished now.
UPDATE ops.runs SET status = 'abandoned', finished_at = ?
WHERE status = 'running' AND run_id <> ?;
