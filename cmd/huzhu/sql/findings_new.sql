-- The critical open findings first seen in run $1 (the manifest's
-- new_critical, which the alert is sent for).
SELECT count(*) FROM mart.compliance_findings WHERE first_seen_run = $1 AND status = 'open' AND severity = 'critical'
