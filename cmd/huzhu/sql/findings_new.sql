-- The open findings first seen in run $1: all of them (the max_warnings
-- gate) and the critical ones (the manifest's new_critical, the alert).
SELECT count(*), count(*) FILTER (WHERE severity = 'critical')
FROM mart.compliance_findings WHERE first_seen_run = $1 AND status = 'open'
