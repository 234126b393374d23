-- reads: mart.risk_indicators
-- Risk indicators month by month: of operators and their activities, and
-- of pools (rules.md, "Risk indicators": every operator of a pool taken
-- together), which have no operator.
SELECT coalesce(pool_code, ''), coalesce(operator_code, ''), coalesce(activity_code, ''), strftime(month, '%Y-%m-%d'),
    indicator, value, threshold_yellow, threshold_red, level
FROM mart.risk_indicators
WHERE (scope IN ('operator', 'activity') AND operator_code IS NOT NULL) OR (scope = 'pool' AND pool_code IS NOT NULL)
-- (an operator's rows by month whatever pool each month names)
ORDER BY scope = 'pool', operator_code, activity_code NULLS FIRST, CASE WHEN scope = 'pool' THEN pool_code END, indicator, month
