-- reads: mart.fund_flow
-- Sankey edges per operator, year and activity ('' = organisation level),
-- in the mart's own order: brought forward, income, capital, expenses,
-- reserve, carried forward.
SELECT operator_code, fiscal_year, coalesce(activity_code, ''), source_node, target_node, CAST(amount AS VARCHAR)
FROM mart.fund_flow
ORDER BY operator_code, fiscal_year, activity_code NULLS FIRST,
    CASE
        WHEN source_node = 'balance brought forward' THEN 1
        WHEN target_node = 'fund' AND source_node <> 'capital' THEN 2
        WHEN source_node = 'capital' THEN 3
        WHEN target_node = 'reserve' THEN 5
        WHEN target_node = 'balance carried forward' THEN 6
        ELSE 4
    END,
    source_node, target_node
