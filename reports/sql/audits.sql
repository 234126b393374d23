-- reads: mart.audits
-- Every audit of every operator, by the end of the period it covers.
SELECT operator_code, audit_id, audit_type, coalesce(subject_roles, ''), strftime(period_start, '%Y-%m-%d'),
    strftime(period_end, '%Y-%m-%d'), fiscal_year, coalesce(strftime(report_date, '%Y-%m-%d'), ''),
    coalesce(opinion, ''), findings
FROM mart.audits
ORDER BY operator_code, period_end, audit_type, audit_id
