-- model: rule.r05
-- depends: core.fact_assistance, core.fact_ledger_line
-- R05 (clause 十二: 严格审批…并在一定范围内向会员公示): an assistance item
-- without approved_ref, without publicized_on, or whose voucher_no is no
-- posted voucher of the operator with a line on 5301/5302. One hit an item;
-- the year is its voucher's (else its publication's, else its record's).
INSERT INTO rule_hits
WITH v AS (
    SELECT operator_code, voucher_no, min(posted_on) AS posted_on
    FROM core.fact_ledger_line
    WHERE account_code IN ('5301', '5302')
    GROUP BY operator_code, voucher_no
)
SELECT 'R05', a.pool_code, a.operator_code, a.activity_code,
    coalesce(year(v.posted_on), year(a.publicized_on), year(beijing_day(a.updated_at))),
    'assistance', a.item_id, a.amount,
    concat_ws('; ',
        CASE WHEN a.approved_ref IS NULL THEN '无审批文号' END,
        CASE WHEN a.publicized_on IS NULL THEN '未公示' END,
        CASE WHEN v.voucher_no IS NULL THEN '无 5301/5302 的记账凭证（' || coalesce(a.voucher_no, '无') || '）' END),
    NULL
FROM core.fact_assistance AS a
LEFT JOIN v ON v.operator_code = a.operator_code AND v.voucher_no = a.voucher_no
WHERE a.approved_ref IS NULL OR a.publicized_on IS NULL OR v.voucher_no IS NULL
