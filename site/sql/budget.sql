-- Budget against actual at each year's last month end (the operator's own:
-- its books may end earlier than another's), per operator,
-- activity ('' = organisation level) and line.
SELECT fiscal_year, CAST(as_of_month AS VARCHAR), operator_code, coalesce(activity_code, ''), line_code, line_name, line_class,
    CAST(coalesce(budget_adjusted, budget_original) AS VARCHAR), CAST(actual_ytd AS VARCHAR), execution_rate, flag
FROM mart.budget_execution
WHERE (operator_code, fiscal_year, as_of_month) IN
    (SELECT (operator_code, fiscal_year, max(as_of_month)) FROM mart.budget_execution GROUP BY operator_code, fiscal_year)
ORDER BY operator_code, fiscal_year, activity_code NULLS FIRST, line_code
