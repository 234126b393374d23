-- model: mart.disclosure_operator_year
-- depends: work.disclosure_rows
-- Public disclosure per fiscal (calendar) year and operator: the sums of
-- its activities' rows of mart.disclosure_activity_year (work.disclosure_rows,
-- hidden rows included), so that the site can show an operator's and a
-- pool's totals without adding up what the activity rows show.
--   activities             the activity rows of the year
--   activities_suppressed  how many of them are suppressed
--   contributions, fund_balance, reserve_balance  their sums
--   mgmt_fee_ratio         the operator's (as on each activity row)
-- The activity rows are this table's cells: a year with suppressed rows
-- has at least two of them (the complementary suppression of
-- work.disclosure_rows), so these totals less the shown rows give the sum
-- of two or more hidden rows, never one — except for an operator's year
-- with a single activity row, which is suppressed: its totals are that
-- row's figures, and they are NULL too (suppressed true). So are the
-- totals of a year whose every row is hidden: they would tell only what
-- the rows hide (a total of 0 that each hidden row is 0). A pool's total
-- is the sum of its operators' rows; one with a suppressed operator row
-- is hidden likewise by whoever adds them up (the site does).
CREATE OR REPLACE TABLE mart.disclosure_operator_year AS
WITH t AS (
    SELECT CAST(fiscal_year AS INTEGER) AS fiscal_year, any_value(pool_code) AS pool_code, operator_code,
        count(*) AS activities, count(*) FILTER (WHERE suppressed) AS activities_suppressed,
        sum(contributions) AS contributions, sum(fund_balance) AS fund_balance, sum(reserve_balance) AS reserve_balance,
        any_value(mgmt_fee_ratio) AS mgmt_fee_ratio
    FROM disclosure_rows
    GROUP BY fiscal_year, operator_code
)
SELECT fiscal_year, pool_code, operator_code, CAST(NULL AS VARCHAR) AS activity_code, activities, activities_suppressed,
    CASE WHEN NOT hidden THEN CAST(contributions AS DECIMAL(18, 2)) END AS contributions,
    CASE WHEN NOT hidden THEN CAST(fund_balance AS DECIMAL(18, 2)) END AS fund_balance,
    CASE WHEN NOT hidden THEN CAST(reserve_balance AS DECIMAL(18, 2)) END AS reserve_balance,
    mgmt_fee_ratio,
    hidden AS suppressed,
    getvariable('run_id') AS run_id
FROM (SELECT *, activities_suppressed = 1 OR activities_suppressed = activities AS hidden FROM t)
ORDER BY operator_code, fiscal_year
