-- The open findings by severity (the marts stage's summary, the run manifest).
SELECT severity, count(*) FROM mart.compliance_findings WHERE status = 'open' GROUP BY ALL ORDER BY ALL
