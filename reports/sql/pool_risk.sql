-- reads: mart.risk_indicators
-- Risk indicators of the pools (统筹), month by month: every operator of a
-- pool taken together (rules.md, "Risk indicators": per pool).
SELECT pool_code, strftime(month, '%Y-%m-%d'), indicator, value, threshold_yellow, threshold_red, level
FROM mart.risk_indicators
WHERE scope = 'pool' AND pool_code IS NOT NULL
ORDER BY pool_code, indicator, month
