-- model: rule.r15
-- depends: core.fact_ledger_line
-- R15 (clause 十三: 控制资金合理结余): per activity and fiscal year, net
-- assets at year end (Σ credit − Σ debit over 3xxx, 4xxx and 5xxx lines up
-- to 31 December) ÷ the year's benefits paid (debits to 5101 in the year)
-- above balance_years_max or below balance_years_min; and the same per
-- operator and year on the sums of its activities. Exactly at either
-- threshold is not a finding (compared in DECIMAL). Positive net assets
-- with no benefits paid count as above the ceiling; a year with neither is
-- skipped. Only complete years (31 December on or before the operator's
-- latest posted_on).
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
        sum(CASE WHEN l.posted_on <= make_date(y.y, 12, 31) THEN l.credit - l.debit ELSE 0 END) AS net_assets,
        sum(CASE WHEN l.account_code = '5101' AND year(l.posted_on) = y.y THEN l.debit ELSE 0 END) AS paid
    FROM years AS y
    JOIN core.fact_ledger_line AS l ON l.operator_code = y.operator_code AND l.activity_code IS NOT NULL
        AND left(l.account_code, 1) IN ('3', '4', '5')
    GROUP BY ALL
), levels AS (
    SELECT operator_code, pool_code, activity_code, y, net_assets, paid, 'activity' AS kind, activity_code AS ref FROM per_act
    UNION ALL
    SELECT operator_code, pool_code, NULL, y, sum(net_assets), sum(paid), 'operator', operator_code FROM per_act GROUP BY operator_code, pool_code, y
)
SELECT 'R15', pool_code, operator_code, activity_code, y, kind, ref, net_assets,
    '净资产 ' || net_assets || ' / 给付 ' || paid
        || CASE WHEN paid > 0 THEN ' = ' || round(net_assets / paid, 2) || ' 年' ELSE '' END
        || CASE WHEN net_assets > paid * CAST(getvariable('balance_years_max') AS DECIMAL(18, 6)) THEN '，高于' ELSE '，低于' END
        || '合理结余（' || CASE kind WHEN 'activity' THEN '活动' ELSE '运营方' END || '，' || y || ' 年）', NULL
FROM levels
WHERE (paid > 0 OR net_assets <> 0)
    AND (net_assets > paid * CAST(getvariable('balance_years_max') AS DECIMAL(18, 6))
        OR (paid > 0 AND net_assets < paid * CAST(getvariable('balance_years_min') AS DECIMAL(18, 6))))
