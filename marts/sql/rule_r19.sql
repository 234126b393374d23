-- model: rule.r19
-- depends: core.fact_ledger_line
-- R19 (clause 十三: 收支两条线): a voucher with both a 4xxx (income) line
-- and a 5xxx (expense) line, i.e. income netted against expense. One hit a
-- voucher; amount: the smaller of the two sides' totals.
INSERT INTO rule_hits
WITH mixed AS (
    -- the vouchers with both sides first, by a cheap test, so that the
    -- account lists below are built for them alone
    SELECT operator_code, voucher_no
    FROM core.fact_ledger_line
    GROUP BY ALL
    HAVING bool_or(left(account_code, 1) = '4') AND bool_or(left(account_code, 1) = '5')
)
SELECT 'R19', any_value(pool_code), operator_code, any_value(activity_code), year(min(posted_on)), 'voucher', voucher_no,
    least(sum(CASE WHEN account_code LIKE '4%' THEN debit + credit ELSE 0 END),
          sum(CASE WHEN account_code LIKE '5%' THEN debit + credit ELSE 0 END)),
    '收入（' || string_agg(DISTINCT account_code, ', ' ORDER BY account_code) FILTER (WHERE account_code LIKE '4%')
        || '）与支出（' || string_agg(DISTINCT account_code, ', ' ORDER BY account_code) FILTER (WHERE account_code LIKE '5%')
        || '）记在同一张凭证', NULL
FROM core.fact_ledger_line AS l
SEMI JOIN mixed AS m ON m.operator_code = l.operator_code AND m.voucher_no = l.voucher_no
GROUP BY operator_code, voucher_no
