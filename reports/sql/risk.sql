-- reads: mart.risk_indicators
-- Risk indicators of operators and their activities, month by month.
SELECT operator_code, coalesce(activity_code, ''), strftime(month, '%Y-%m-%d'), indicator, value,
    threshold_yellow, threshold_red, level
FROM mart.risk_indicators
WHERE scope IN ('operator', 'activity') AND operator_code IS NOT NULL
ORDER BY operator_code, activity_code NULLS FIRST, indicator, month
