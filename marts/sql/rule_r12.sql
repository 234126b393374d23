-- model: rule.r12
-- depends: core.fact_ledger_line
-- R12 (clause 三: 适度补偿): per activity and fiscal year, benefits paid
-- (debits to 5101 in the year) ÷ contribution income (credits to 4101 in
-- the year) outside [payout_band_low, payout_band_high]; and the same per
-- operator and year on the sums of its activities. Exactly at either end
-- is inside the band (compared in DECIMAL). Benefits paid with no
-- contribution income at all are outside it. Only complete years: those
-- whose 31 December is on or before the operator's as-of (its latest
-- posted_on); the last year is partial.
INSERT INTO rule_hits
WITH op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of, any_value(pool_code) AS pool_code
    FROM core.fact_ledger_line GROUP BY operator_code
), per_act AS (
    SELECT l.operator_code, a.pool_code, l.activity_code, year(l.posted_on) AS y,
        sum(CASE WHEN l.account_code = '5101' THEN l.debit ELSE 0 END) AS paid,
        sum(CASE WHEN l.account_code = '4101' THEN l.credit ELSE 0 END) AS income
    FROM core.fact_ledger_line AS l
    JOIN op_asof AS a USING (operator_code)
    WHERE l.activity_code IS NOT NULL AND l.account_code IN ('4101', '5101')
        AND make_date(year(l.posted_on), 12, 31) <= a.as_of
    GROUP BY ALL
), levels AS (
    SELECT operator_code, pool_code, activity_code, y, paid, income, 'activity' AS kind, activity_code AS ref FROM per_act
    UNION ALL
    SELECT operator_code, pool_code, NULL, y, sum(paid), sum(income), 'operator', operator_code FROM per_act GROUP BY operator_code, pool_code, y
)
SELECT 'R12', pool_code, operator_code, activity_code, y, kind, ref, paid,
    '给付 ' || paid || ' / 互助金收入（4101 贷方合计，未扣退费） ' || income
        || CASE WHEN income > 0 THEN ' = ' || round(paid / income, 4) ELSE '' END
        || CASE WHEN paid > income * CAST(getvariable('payout_band_high') AS DECIMAL(18, 6)) THEN '，高于' ELSE '，低于' END
        || '适度补偿区间（' || CASE kind WHEN 'activity' THEN '活动' ELSE '运营方' END || '，' || y || ' 年）', NULL
FROM levels
WHERE (income > 0 OR paid > 0)
    AND (paid < income * CAST(getvariable('payout_band_low') AS DECIMAL(18, 6))
        OR paid > income * CAST(getvariable('payout_band_high') AS DECIMAL(18, 6)))
