-- model: core.fact_budget_line
-- depends: core.v_budgets, core.dim_org
-- The current version of each budgets row (the latest updated_at of its
-- natural key), with its operator's pool.
CREATE OR REPLACE VIEW core.fact_budget_line AS
SELECT v.* EXCLUDE (load_no) RENAME (source_operator AS operator_code), o.pool_code
FROM core.v_budgets AS v
LEFT JOIN core.dim_org AS o ON o.org_code = v.source_operator AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.source_operator, v.activity_code, v.fiscal_year, v.line_code, v.version ORDER BY v.updated_at DESC) = 1
