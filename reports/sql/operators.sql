-- reads: mart.scorecard, mart.budget_execution, mart.fund_flow, core.dim_org
-- The operators the marts cover, each with its pool (the smallest code if
-- the marts disagree) and its current name and region.
WITH ops AS (
    SELECT operator_code, min(pool_code) AS pool_code
    FROM (
        SELECT operator_code, pool_code FROM mart.scorecard
        UNION ALL
        SELECT operator_code, pool_code FROM mart.budget_execution
        UNION ALL
        SELECT operator_code, pool_code FROM mart.fund_flow
    )
    WHERE operator_code IS NOT NULL AND pool_code IS NOT NULL
    GROUP BY operator_code
)
SELECT o.operator_code, o.pool_code, coalesce(d.name, o.operator_code) AS name, coalesce(d.region_code, '') AS region_code
FROM ops AS o
LEFT JOIN core.dim_org AS d ON d.org_code = o.operator_code AND d.is_current
ORDER BY o.operator_code
