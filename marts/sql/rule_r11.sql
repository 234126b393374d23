-- model: rule.r11
-- depends: core.fact_ledger_line
-- R11 (clause 十: 建立风险准备金制度): per activity and fiscal year, the
-- reserve at year end (credit balance of 3102 up to 31 December) ÷ the
-- year's contribution income (credits to 4101 in the year) below
-- reserve_ratio_min, or no reserve at all; and the same per operator and
-- year on the sums of its activities. Only years with contribution income,
-- and only complete years: those whose 31 December is on or before the
-- operator's as-of (its latest posted_on); the last year is partial.
-- Exactly at the threshold is not a finding (compared in DECIMAL).
INSERT INTO rule_hits
WITH op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of, min(year(posted_on)) AS y0, any_value(pool_code) AS pool_code
    FROM core.fact_ledger_line GROUP BY operator_code
), years AS (
    SELECT a.operator_code, a.pool_code, y.y
    FROM op_asof AS a, LATERAL (SELECT unnest(range(a.y0, year(a.as_of) + 1)) AS y) AS y
    WHERE make_date(y.y, 12, 31) <= a.as_of
), per_act AS (
    SELECT y.operator_code, y.pool_code, l.activity_code, y.y,
        sum(CASE WHEN l.account_code = '3102' AND l.posted_on <= make_date(y.y, 12, 31) THEN l.credit - l.debit ELSE 0 END) AS reserve,
        sum(CASE WHEN l.account_code = '4101' AND year(l.posted_on) = y.y THEN l.credit ELSE 0 END) AS income
    FROM years AS y
    JOIN core.fact_ledger_line AS l ON l.operator_code = y.operator_code AND l.activity_code IS NOT NULL
    GROUP BY ALL
), levels AS (
    SELECT operator_code, pool_code, activity_code, y, reserve, income, 'activity' AS kind, activity_code AS ref FROM per_act
    UNION ALL
    SELECT operator_code, pool_code, NULL, y, sum(reserve), sum(income), 'operator', operator_code FROM per_act GROUP BY operator_code, pool_code, y
)
SELECT 'R11', pool_code, operator_code, activity_code, y, kind, ref, reserve,
    CASE WHEN reserve <= 0 THEN '年末无风险准备金；互助金收入（4101 贷方合计，未扣退费） ' || income
        ELSE '风险准备金 ' || reserve || ' / 互助金收入（4101 贷方合计，未扣退费） ' || income || ' = ' || round(reserve / income, 4) END
        || '（' || CASE kind WHEN 'operator' THEN '运营方合计' ELSE '本活动' END || '，' || y || ' 年）', NULL
FROM levels
WHERE income > 0
    AND (reserve <= 0 OR reserve < income * CAST(getvariable('reserve_ratio_min') AS DECIMAL(18, 6)))
