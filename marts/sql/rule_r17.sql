-- model: rule.r17
-- depends: core.fact_claim, core.fact_contribution, core.dim_activity
-- R17 (clause 八: 业务管理): a paid claim (status 'paid') whose paid_amount
-- is above the benefit_cap of its activity (current version; the cap is
-- compared claim by claim), or whose member has no enrolment in the
-- activity (a receipt that is not a refund) with a period covering
-- event_date, or whose paid_amount exceeds medical_total − insurance_paid
-- (exactly equal is not a finding). One hit a claim, naming each failure.
INSERT INTO rule_hits
WITH claims AS (
    SELECT c.*, a.benefit_cap
    FROM core.fact_claim AS c
    LEFT JOIN core.dim_activity AS a ON a.operator_code = c.operator_code AND a.activity_code = c.activity_code AND a.is_current
    WHERE c.status = 'paid' AND c.paid_amount IS NOT NULL
), enrolled AS (
    -- the paid claims whose member has a covering receipt: the claims (the
    -- smaller side) are hashed and the receipts stream past them
    SELECT DISTINCT c.operator_code, c.claim_no
    FROM claims AS c
    JOIN core.fact_contribution AS e
        ON e.operator_code = c.operator_code AND e.activity_code = c.activity_code AND e.member_ref = c.member_ref
    WHERE e.refund_of IS NULL AND e.period_start <= c.event_date AND c.event_date <= e.period_end
), paid AS (
    SELECT c.*,
        c.paid_amount > c.benefit_cap AS over_cap,
        en.claim_no IS NULL AS not_enrolled,
        c.paid_amount > c.medical_total - c.insurance_paid AS over_oop
    FROM claims AS c
    LEFT JOIN enrolled AS en ON en.operator_code = c.operator_code AND en.claim_no = c.claim_no
)
SELECT 'R17', pool_code, operator_code, activity_code, year(beijing_day(paid_at)), 'claim', claim_no, paid_amount,
    concat_ws('; ',
        CASE WHEN over_cap THEN '给付 ' || paid_amount || ' 超过给付上限 ' || benefit_cap END,
        CASE WHEN not_enrolled THEN '会员在 ' || strftime(event_date, '%Y-%m-%d') || ' 未参加 ' || activity_code END,
        CASE WHEN over_oop THEN '给付 ' || paid_amount || ' 超过医疗总费用减医保报销后的 ' || (medical_total - insurance_paid) END),
    NULL
FROM paid
WHERE coalesce(over_cap, false) OR not_enrolled OR coalesce(over_oop, false)
