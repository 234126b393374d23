-- model: rule.r08
-- depends: core.fact_ledger_line
-- R08 (clause 十三: 分离不相容岗位): a voucher prepared and approved by the
-- same person, or approved and paid by the same person (preparing and paying
-- is not an incompatible pair here). One hit a voucher; the amount is its
-- debits. The detail says which pair, not who: a staff id is the
-- operator's own code of a person, which no report shows.
INSERT INTO rule_hits
SELECT 'R08', any_value(pool_code), operator_code, any_value(activity_code), year(min(posted_on)),
    'voucher', voucher_no, sum(debit),
    concat_ws('; ',
        CASE WHEN bool_or(prepared_by = approved_by) THEN '制单与审核为同一人' END,
        CASE WHEN bool_or(approved_by = paid_by) THEN '审核与支付为同一人' END),
    NULL
FROM core.fact_ledger_line
GROUP BY operator_code, voucher_no
HAVING bool_or(prepared_by = approved_by) OR bool_or(approved_by = paid_by)
