-- model: rule.r03
-- depends: core.fact_holding, core.fact_ledger_line
-- R03 (clause 十二: 资金增值部分要全部纳入互助资金收入管理): per activity and
-- year, the realised income of its holdings (Σ realized_income of the
-- holding rows as of that year) vs the credits (net of debits) to 4201/4202
-- of that activity in that year; a finding when the gap exceeds
-- income_gap_ratio × realised income or income_gap_yuan (rules.md: "gap >
-- 1% or > 1,000 yuan"), or when the activity had realised income and
-- credited anything to 4901 (investment income booked as other income). Organisation level is a unit of its own
-- (activity NULL, subject ''); per rules.md the same test runs again per
-- operator and year on the sums (subject the operator). The amount is the gap.
INSERT INTO rule_hits
WITH realized AS (
    SELECT operator_code, activity_code, year(as_of) AS fiscal_year, sum(realized_income) AS realized
    FROM core.fact_holding
    GROUP BY ALL
), booked AS (
    SELECT operator_code, activity_code, year(posted_on) AS fiscal_year,
        coalesce(sum(credit - debit) FILTER (WHERE account_code IN ('4201', '4202')), 0) AS booked,
        coalesce(sum(credit - debit) FILTER (WHERE account_code = '4901'), 0) AS other
    FROM core.fact_ledger_line
    WHERE account_code IN ('4201', '4202', '4901')
    GROUP BY ALL
), act AS (
    SELECT coalesce(r.operator_code, b.operator_code) AS operator_code,
        coalesce(r.activity_code, b.activity_code) AS activity_code,
        coalesce(r.fiscal_year, b.fiscal_year) AS fiscal_year,
        coalesce(r.realized, 0) AS realized, coalesce(b.booked, 0) AS booked, coalesce(b.other, 0) AS other
    FROM realized AS r
    FULL JOIN booked AS b ON b.operator_code = r.operator_code AND b.activity_code IS NOT DISTINCT FROM r.activity_code
        AND b.fiscal_year = r.fiscal_year
), units AS (
    SELECT operator_code, activity_code, fiscal_year, 'activity' AS subject_kind, coalesce(activity_code, '') AS subject_ref,
        realized, booked, other
    FROM act
    UNION ALL
    SELECT operator_code, NULL, fiscal_year, 'operator', operator_code, sum(realized), sum(booked), sum(other)
    FROM act
    GROUP BY operator_code, fiscal_year
)
SELECT 'R03', o.pool_code, u.operator_code, u.activity_code, u.fiscal_year, u.subject_kind, u.subject_ref,
    abs(u.realized - u.booked),
    CASE WHEN u.subject_kind = 'operator' THEN '运营方合计：' WHEN u.activity_code IS NULL THEN '组织层面：' ELSE '' END
        || '投资实现收益 ' || u.realized || '，计入 4201/4202 ' || u.booked
        || CASE WHEN u.other <> 0 AND u.realized > 0 THEN '，另有 ' || u.other || ' 计入 4901' ELSE '' END,
    NULL
FROM units AS u
LEFT JOIN (SELECT org_code, any_value(pool_code) AS pool_code FROM core.dim_org WHERE is_current GROUP BY org_code) AS o
    ON o.org_code = u.operator_code
WHERE (abs(u.realized - u.booked) > abs(u.realized) * CAST(getvariable('income_gap_ratio') AS DECIMAL(18, 6))
        OR abs(u.realized - u.booked) > CAST(getvariable('income_gap_yuan') AS DECIMAL(18, 2)))
    OR (u.other <> 0 AND u.realized > 0)
