-- reads: mart.budget_execution
-- The cumulative curves: per operator, year, month and line class, the
-- year-to-date actual and the budget in force (adjusted, else original).
SELECT operator_code, fiscal_year, month(as_of_month) AS month_no, line_class,
    CAST(sum(actual_ytd) AS VARCHAR),
    CAST(coalesce(sum(coalesce(budget_adjusted, budget_original)), 0) AS VARCHAR)
FROM mart.budget_execution
WHERE line_class IN ('income', 'expense')
GROUP BY ALL
ORDER BY ALL
