-- The critical findings first seen in run $1, for the alert's payload (at most 100).
SELECT finding_id, rule_id, clause, coalesce(pool_code, ''), coalesce(operator_code, ''),
    coalesce(activity_code, ''), coalesce(fiscal_year, 0), coalesce(CAST(amount AS VARCHAR), '')
FROM mart.compliance_findings
WHERE first_seen_run = $1 AND status = 'open' AND severity = 'critical'
ORDER BY finding_id
LIMIT 100
