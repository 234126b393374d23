-- model: rule.r02
-- depends: core.fact_ledger_line
-- R02 (clause 十二: 不得用于兴建、改建办公场所): any debit to 5401 (office
-- construction and renovation) or 1502 (construction in progress). One hit
-- a voucher, with the amount debited.
INSERT INTO rule_hits
SELECT 'R02', any_value(pool_code), operator_code, any_value(activity_code), year(min(posted_on)),
    'voucher', voucher_no, sum(debit),
    '借记 ' || string_agg(DISTINCT account_code, ', ' ORDER BY account_code) || '（办公场所建设）', NULL
FROM core.fact_ledger_line
WHERE account_code IN ('5401', '1502') AND debit > 0
GROUP BY operator_code, voucher_no
