-- model: rule.r06
-- depends: core.agg_contribution, core.dim_bank_account, core.fact_ledger_line
-- R06 (clause 十三: 设立独立账户，分别建账，分账核算): an activity with
-- enrollments but no open bank account (closed_on empty) of its own — subject
-- the activity; and a bank account used by ledger lines of two or more
-- activities (organisation-level lines count as one more "activity") —
-- subject the account number. Neither is tied to a year (fiscal_year NULL).
INSERT INTO rule_hits
SELECT 'R06', any_value(c.pool_code), c.operator_code, c.activity_code, NULL,
    'activity', c.activity_code, CAST(sum(c.amount) AS DECIMAL(38, 2)),
    '有缴费（' || sum(c.receipts) || ' 笔）但没有本活动在用的独立银行账户', NULL
FROM core.agg_contribution_month AS c
WHERE NOT EXISTS (
    SELECT 1 FROM core.dim_bank_account AS b
    WHERE b.operator_code = c.operator_code AND b.activity_code = c.activity_code AND b.closed_on IS NULL)
GROUP BY c.operator_code, c.activity_code;

INSERT INTO rule_hits
SELECT 'R06', any_value(pool_code), operator_code, NULL, NULL,
    'bank_account', bank_account_no, sum(debit),
    '一个银行账户用于 ' || count(DISTINCT coalesce(activity_code, '')) || ' 个活动：'
        || string_agg(DISTINCT coalesce(activity_code, '（组织层面）'), ', ' ORDER BY coalesce(activity_code, '（组织层面）')),
    NULL
FROM core.fact_ledger_line
WHERE bank_account_no IS NOT NULL
GROUP BY operator_code, bank_account_no
HAVING count(DISTINCT coalesce(activity_code, '')) >= 2
