-- model: rule.r04
-- depends: core.fact_ledger_line
-- R04 (clause 十二: 规范…管理费提取工作，严格控制比例): per operator and year,
-- management expenses (debits − credits to 5201 on every line of the
-- operator, organisation level included, so the organisation-level share is
-- in whatever way it is allocated) ÷ contribution income (credits to 4101)
-- above mgmt_fee_ratio_max; exactly at the ratio is not a finding. A year
-- without contribution income is not judged. Compared in decimals, so the
-- boundary is exact. The amount is the management expenses.
INSERT INTO rule_hits
WITH y AS (
    SELECT operator_code, any_value(pool_code) AS pool_code, year(posted_on) AS fiscal_year,
        coalesce(sum(debit - credit) FILTER (WHERE account_code = '5201'), 0) AS fees,
        coalesce(sum(credit) FILTER (WHERE account_code = '4101'), 0) AS income
    FROM core.fact_ledger_line
    WHERE account_code IN ('5201', '4101')
    GROUP BY operator_code, year(posted_on)
)
SELECT 'R04', pool_code, operator_code, NULL, fiscal_year, 'operator', operator_code, fees,
    '管理费用 ' || fees || ' ÷ 互助金收入（4101 贷方合计，未扣退费） ' || income || ' = '
        || round(fees / income, 4) || ' > ' || getvariable('mgmt_fee_ratio_max'),
    NULL
FROM y
WHERE income > 0 AND fees > income * CAST(getvariable('mgmt_fee_ratio_max') AS DECIMAL(18, 6))
