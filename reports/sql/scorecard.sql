-- reads: mart.scorecard
SELECT fiscal_year, pool_code, operator_code, score, budget_part, compliance_part, timeliness_part, audit_part, rank_in_pool
FROM mart.scorecard
WHERE operator_code IS NOT NULL
ORDER BY fiscal_year, operator_code
