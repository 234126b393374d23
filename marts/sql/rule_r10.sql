-- model: rule.r10
-- depends: core.fact_ledger_line
-- R10 (clause 十三: 加强财务基础工作): a voucher whose debits differ from its
-- credits (threshold 0.00: any difference), or with a line carrying both or
-- neither of debit and credit. Lines the transform refused are not in core,
-- so a voucher that lost such a line is unbalanced here. One hit a voucher;
-- the amount is the difference.
INSERT INTO rule_hits
SELECT 'R10', any_value(pool_code), operator_code, any_value(activity_code), year(min(posted_on)),
    'voucher', voucher_no, abs(sum(debit) - sum(credit)),
    '借方合计 ' || sum(debit) || '，贷方合计 ' || sum(credit)
        || CASE WHEN bool_or((debit > 0) = (credit > 0)) THEN '; a line with both or neither side' ELSE '' END,
    NULL
FROM core.fact_ledger_line
GROUP BY operator_code, voucher_no
HAVING sum(debit) <> sum(credit) OR bool_or((debit > 0) = (credit > 0))
