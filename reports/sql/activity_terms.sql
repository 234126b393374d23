-- reads: core.dim_activity
-- Each activity's current registration and terms: the union's approval
-- and the filing (clauses 四、五: R13), dates, contribution, period, cap.
SELECT operator_code, activity_code, coalesce(name, ''), coalesce(category, ''), coalesce(approval_ref, ''), coalesce(filing_ref, ''),
    coalesce(strftime(start_date, '%Y-%m-%d'), ''), coalesce(strftime(end_date, '%Y-%m-%d'), ''),
    CAST(contribution_per_member AS VARCHAR), period_months, CAST(benefit_cap AS VARCHAR), coalesce(status, '')
FROM core.dim_activity
WHERE is_current AND operator_code IS NOT NULL AND activity_code IS NOT NULL
ORDER BY operator_code, activity_code
