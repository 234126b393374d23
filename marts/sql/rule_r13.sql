-- model: rule.r13
-- depends: core.dim_activity, core.agg_contribution
-- R13 (clauses 四, 五: 审批, 备案): an activity with enrolments whose current
-- version has no approval_ref or no filing_ref (NULL or blank). One hit an
-- activity; not tied to a fiscal year.
INSERT INTO rule_hits
SELECT 'R13', a.pool_code, a.operator_code, a.activity_code, NULL, 'activity', a.activity_code, NULL,
    '已有会员缴费，但' || concat_ws('、',
        CASE WHEN coalesce(trim(a.approval_ref), '') = '' THEN '无审批文号' END,
        CASE WHEN coalesce(trim(a.filing_ref), '') = '' THEN '无备案号' END), NULL
FROM core.dim_activity AS a
WHERE a.is_current
    AND (coalesce(trim(a.approval_ref), '') = '' OR coalesce(trim(a.filing_ref), '') = '')
    -- the activities with enrolments: the receipts summed per month
    AND EXISTS (SELECT 1 FROM core.agg_contribution_month AS c
        WHERE c.operator_code = a.operator_code AND c.activity_code = a.activity_code)
