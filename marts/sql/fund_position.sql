-- model: mart.fund_position
-- depends: core.fact_ledger_line, core.dim_account, core.dim_date
-- Month-end balances by operator, activity (NULL: organisation level) and
-- account: every month from the account's first posting to the operator's
-- last, the ledger's cumulative sum in the account's normal direction
-- (debit for assets and expenses, credit for liabilities, net assets and
-- income), so a fund's cash is positive and its income too.
CREATE OR REPLACE TABLE mart.fund_position AS
WITH lines AS (
    SELECT operator_code, coalesce(activity_code, '') AS act, account_code, pool_code,
        CAST(last_day(posted_on) AS DATE) AS month, debit - credit AS net_debit
    FROM core.fact_ledger_line
), monthly AS (
    SELECT operator_code, act, account_code, month, sum(net_debit) AS net_debit
    FROM lines
    GROUP BY ALL
), accounts AS (
    SELECT operator_code, act, account_code, any_value(pool_code) AS pool_code, min(month) AS first_month
    FROM lines
    GROUP BY ALL
), ends AS (
    SELECT operator_code, max(month) AS last_month
    FROM lines
    GROUP BY ALL
), grid AS (
    SELECT a.*, d.date AS month
    FROM accounts AS a
    JOIN ends AS e USING (operator_code)
    JOIN core.dim_date AS d ON d.is_month_end AND d.date BETWEEN a.first_month AND e.last_month
)
SELECT g.month, g.pool_code, g.operator_code, nullif(g.act, '') AS activity_code, g.account_code,
    CAST(sum(coalesce(m.net_debit, 0)) OVER (
            PARTITION BY g.operator_code, g.act, g.account_code ORDER BY g.month)
        * CASE WHEN c.debit_normal THEN 1 ELSE -1 END AS DECIMAL(18, 2)) AS balance,
    getvariable('run_id') AS run_id
FROM grid AS g
LEFT JOIN monthly AS m USING (operator_code, act, account_code, month)
JOIN core.dim_account AS c ON c.account_code = g.account_code
