-- The max_warnings gate: the open findings first seen in the runs after
-- the served release's run $1 ('' for none).
SELECT count(*) FROM mart.compliance_findings WHERE first_seen_run > $1 AND status = 'open'
