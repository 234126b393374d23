-- The supervision scorecard; audit_part encodes the annual audit opinion
-- (25 unqualified, 15 qualified, 5 adverse or disclaimer, 0 none).
SELECT fiscal_year, operator_code, score, budget_part, compliance_part, timeliness_part, audit_part, rank_in_pool
FROM mart.scorecard
ORDER BY operator_code, fiscal_year
