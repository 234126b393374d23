-- Activities with their terms (no person in any column).
SELECT operator_code, activity_code, name, category, CAST(start_date AS VARCHAR),
    coalesce(CAST(end_date AS VARCHAR), ''), CAST(contribution_per_member AS VARCHAR),
    period_months, CAST(benefit_cap AS VARCHAR), status
FROM core.dim_activity
WHERE is_current
ORDER BY operator_code, activity_code
