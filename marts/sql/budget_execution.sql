-- model: mart.budget_execution
-- depends: core.fact_budget_line, core.fact_ledger_line, core.dim_account, core.dim_org, core.dim_date
-- Budget against actuals (clause 十三: 全面预算管理), per fiscal year,
-- operator, activity (NULL: organisation level), income or expense line and
-- month end, from January to the month the operator's own books reach (its
-- latest posting: an operator whose data lags is not judged on months it
-- has not sent, which would read as spending behind). The budget in
-- force is the adjusted one when there is one. actual_ytd is the year's
-- ledger movement on the line up to the month end in the line's normal
-- direction; expected_rate the elapsed share of the year; variance the
-- actual less the budget's expected share; flag over (expense beyond the
-- expected share by more than budget_overrun_max), short (income short of
-- it by more), no_budget (spending on an expense line without a budget)
-- or ok.
CREATE OR REPLACE TABLE mart.budget_execution AS
WITH data_end AS (
    SELECT operator_code, max(posted_on) AS d FROM core.fact_ledger_line GROUP BY operator_code
), budgets AS (
    SELECT operator_code, coalesce(activity_code, '') AS act, fiscal_year, line_code,
        sum(amount) FILTER (WHERE version = 'original') AS budget_original,
        sum(amount) FILTER (WHERE version = 'adjusted') AS budget_adjusted
    FROM core.fact_budget_line
    GROUP BY ALL
), actual AS (
    SELECT l.operator_code, coalesce(l.activity_code, '') AS act, year(l.posted_on) AS fiscal_year, l.account_code AS line_code,
        CAST(last_day(l.posted_on) AS DATE) AS month,
        sum(CASE WHEN a.debit_normal THEN l.debit - l.credit ELSE l.credit - l.debit END) AS movement
    FROM core.fact_ledger_line AS l
    JOIN core.dim_account AS a ON a.account_code = l.account_code
    WHERE a.class IN ('income', 'expense')
    GROUP BY ALL
), lines AS (
    SELECT operator_code, act, fiscal_year, line_code FROM budgets
    UNION
    SELECT operator_code, act, fiscal_year, line_code FROM actual
), grid AS (
    SELECT l.*, d.date AS as_of_month, d.month AS month_no
    FROM lines AS l
    JOIN core.dim_date AS d ON d.is_month_end AND d.year = l.fiscal_year
    JOIN data_end AS e ON e.operator_code = l.operator_code
    WHERE d.date <= CAST(last_day(e.d) AS DATE)
), ytd AS (
    SELECT g.*, coalesce(sum(a.movement), 0) AS actual_ytd
    FROM grid AS g
    LEFT JOIN actual AS a
        ON a.operator_code = g.operator_code AND a.act = g.act AND a.fiscal_year = g.fiscal_year
       AND a.line_code = g.line_code AND a.month <= g.as_of_month
    GROUP BY ALL
)
SELECT CAST(y.fiscal_year AS INTEGER) AS fiscal_year, y.as_of_month, o.pool_code, y.operator_code, nullif(y.act, '') AS activity_code,
    y.line_code, c.name_zh AS line_name, c.class AS line_class,
    CAST(b.budget_original AS DECIMAL(18, 2)) AS budget_original,
    CAST(b.budget_adjusted AS DECIMAL(18, 2)) AS budget_adjusted,
    CAST(y.actual_ytd AS DECIMAL(18, 2)) AS actual_ytd,
    CAST(y.actual_ytd AS DOUBLE) / nullif(CAST(coalesce(b.budget_adjusted, b.budget_original) AS DOUBLE), 0) AS execution_rate,
    y.month_no / 12.0 AS expected_rate,
    CAST(y.actual_ytd - coalesce(b.budget_adjusted, b.budget_original, 0) * y.month_no / 12 AS DECIMAL(18, 2)) AS variance,
    CASE
        WHEN coalesce(b.budget_adjusted, b.budget_original) IS NULL THEN CASE WHEN c.class = 'expense' AND y.actual_ytd <> 0 THEN 'no_budget' ELSE 'ok' END
        WHEN c.class = 'expense' AND y.actual_ytd > coalesce(b.budget_adjusted, b.budget_original) * y.month_no / 12 * (1 + getvariable('budget_overrun_max')) THEN 'over'
        WHEN c.class = 'income' AND y.actual_ytd < coalesce(b.budget_adjusted, b.budget_original) * y.month_no / 12 * (1 - getvariable('budget_overrun_max')) THEN 'short'
        ELSE 'ok'
    END AS flag,
    getvariable('run_id') AS run_id
FROM ytd AS y
LEFT JOIN budgets AS b USING (operator_code, act, fiscal_year, line_code)
JOIN core.dim_account AS c ON c.account_code = y.line_code
LEFT JOIN core.dim_org AS o ON o.org_code = y.operator_code AND o.is_current
