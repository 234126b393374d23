-- Open compliance findings as counts by rule and severity only: never the
-- subject, the amount or the detail text.
SELECT operator_code, coalesce(activity_code, ''), coalesce(fiscal_year, 0), rule_id, severity, count(*)
FROM mart.compliance_findings
WHERE status = 'open' AND operator_code IS NOT NULL
GROUP BY ALL
ORDER BY ALL
