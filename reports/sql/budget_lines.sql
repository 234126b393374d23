-- reads: mart.budget_execution
-- Budget against actual by line, for each operator and year at the year's
-- last as_of_month (December, or the month the data reaches).
WITH last AS (
    SELECT operator_code, fiscal_year, max(as_of_month) AS as_of_month
    FROM mart.budget_execution
    GROUP BY ALL
)
SELECT b.operator_code, b.fiscal_year, strftime(b.as_of_month, '%Y-%m-%d'), month(b.as_of_month),
    coalesce(b.activity_code, ''), b.line_code, coalesce(b.line_name, ''), coalesce(b.line_class, ''),
    CAST(b.budget_original AS VARCHAR), CAST(b.budget_adjusted AS VARCHAR), CAST(b.actual_ytd AS VARCHAR),
    b.execution_rate, b.expected_rate, CAST(b.variance AS VARCHAR), coalesce(b.flag, '')
FROM mart.budget_execution AS b
JOIN last AS l USING (operator_code, fiscal_year, as_of_month)
ORDER BY b.operator_code, b.fiscal_year, b.activity_code NULLS FIRST, b.line_code
