-- model: rule.r07
-- depends: core.fact_ledger_line, core.fact_decision
-- R07 (clause 十三: 大额资金使用必须集体决策并保留记录): a voucher paying out —
-- its credits to 1002/1003 exceed its debits to 1002/1003 (money leaving the
-- bank) by at least large_payment_yuan — without a decision_ref, or whose
-- decision (same operator) is missing, lacks quorum, was met after the
-- voucher's posting date, or has an amount_limit below the amount paid out.
-- One hit a voucher; the amount is the net paid out.
INSERT INTO rule_hits
WITH v AS (
    SELECT operator_code, voucher_no, any_value(pool_code) AS pool_code, any_value(activity_code) AS activity_code,
        min(posted_on) AS posted_on, max(decision_ref) AS decision_ref,
        coalesce(sum(credit) FILTER (WHERE account_code IN ('1002', '1003')), 0)
            - coalesce(sum(debit) FILTER (WHERE account_code IN ('1002', '1003')), 0) AS paid_out
    FROM core.fact_ledger_line
    GROUP BY operator_code, voucher_no
), large AS (
    SELECT * FROM v WHERE paid_out >= CAST(getvariable('large_payment_yuan') AS DECIMAL(18, 2))
)
SELECT 'R07', l.pool_code, l.operator_code, l.activity_code, year(l.posted_on), 'voucher', l.voucher_no, l.paid_out,
    CASE
        WHEN l.decision_ref IS NULL THEN '支付 ' || l.paid_out || ' 元，未经集体决策'
        WHEN d.decision_ref IS NULL THEN '决策 ' || l.decision_ref || ' 不存在'
        WHEN NOT coalesce(d.quorum_met, false) THEN '决策 ' || l.decision_ref || ' 未达法定人数'
        WHEN d.meeting_date > l.posted_on THEN '决策 ' || l.decision_ref || ' 于 ' || d.meeting_date || ' 作出，晚于支付'
        ELSE '决策 ' || l.decision_ref || ' 限额 ' || d.amount_limit || '，低于支付金额'
    END,
    NULL
FROM large AS l
LEFT JOIN core.fact_decision AS d ON d.operator_code = l.operator_code AND d.decision_ref = l.decision_ref
WHERE l.decision_ref IS NULL OR d.decision_ref IS NULL OR NOT coalesce(d.quorum_met, false)
    OR d.meeting_date IS NULL OR d.meeting_date > l.posted_on
    OR (d.amount_limit IS NOT NULL AND d.amount_limit < l.paid_out)
