-- reads: mart.finding_departures
-- The roles findings about a departure audit name, finding by finding.
SELECT finding_id, operator_code, coalesce(role, ''), coalesce(strftime(start_date, '%Y-%m-%d'), ''),
    coalesce(strftime(end_date, '%Y-%m-%d'), ''), coalesce(strftime(audit_due_by, '%Y-%m-%d'), ''),
    coalesce(audit_id, ''), coalesce(strftime(audit_report_date, '%Y-%m-%d'), ''), audit_days_after_end
FROM mart.finding_departures
ORDER BY operator_code, finding_id
