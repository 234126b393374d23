-- model: rule.r17
-- depends: core.fact_claim, core.fact_contribution, core.dim_activity
-- R17 (clause 八: 业务管理): a paid claim (status 'paid') that takes its
-- member's benefits in the period above the benefit_cap of its activity
-- (current version; the cap is per member per period: the paid claims of
-- one member, activity and enrolment period — the covering receipt's, the
-- latest one when two cover the event — are added up in the order they
-- were paid, and each claim that brings the sum above the cap is a hit; a
-- claim without a covering receipt is its own period), or whose member has
-- no enrolment in the activity (a receipt that is not a refund) with a
-- period covering event_date, or whose paid_amount exceeds medical_total −
-- insurance_paid (exactly equal is not a finding). One hit a claim, naming
-- each failure.
INSERT INTO rule_hits
WITH claims AS (
    SELECT c.*, a.benefit_cap
    FROM core.fact_claim AS c
    LEFT JOIN core.dim_activity AS a ON a.operator_code = c.operator_code AND a.activity_code = c.activity_code AND a.is_current
    WHERE c.status = 'paid' AND c.paid_amount IS NOT NULL
), enrolled AS (
    -- the paid claims whose member has a covering receipt, with the
    -- period it covers: the claims (the smaller side) are hashed and the
    -- receipts stream past them
    SELECT c.operator_code, c.claim_no, max(e.period_start) AS period_start
    FROM claims AS c
    JOIN core.fact_contribution AS e
        ON e.operator_code = c.operator_code AND e.activity_code = c.activity_code AND e.member_ref = c.member_ref
    WHERE e.refund_of IS NULL AND e.period_start <= c.event_date AND c.event_date <= e.period_end
    GROUP BY c.operator_code, c.claim_no
), paid AS (
    SELECT c.*,
        en.claim_no IS NULL AS not_enrolled,
        en.period_start,
        sum(c.paid_amount) OVER (
            PARTITION BY c.operator_code, c.activity_code, c.member_ref, en.period_start,
                CASE WHEN en.claim_no IS NULL THEN c.claim_no END
            ORDER BY c.paid_at, c.claim_no ROWS UNBOUNDED PRECEDING) AS paid_in_period
    FROM claims AS c
    LEFT JOIN enrolled AS en ON en.operator_code = c.operator_code AND en.claim_no = c.claim_no
), judged AS (
    SELECT *,
        paid_in_period > benefit_cap AS over_cap,
        paid_amount > medical_total - insurance_paid AS over_oop
    FROM paid
)
SELECT 'R17', pool_code, operator_code, activity_code, year(beijing_day(paid_at)), 'claim', claim_no, paid_amount,
    concat_ws('; ',
        CASE WHEN over_cap AND paid_in_period > paid_amount
                THEN '本期（' || strftime(period_start, '%Y-%m-%d') || ' 起）累计给付 ' || paid_in_period || '（含本次 ' || paid_amount || '）超过给付上限 ' || benefit_cap
             WHEN over_cap THEN '给付 ' || paid_amount || ' 超过给付上限 ' || benefit_cap END,
        CASE WHEN not_enrolled THEN '会员在 ' || strftime(event_date, '%Y-%m-%d') || ' 未参加 ' || activity_code END,
        CASE WHEN over_oop THEN '给付 ' || paid_amount || ' 超过医疗总费用减医保报销后的 ' || (medical_total - insurance_paid) END),
    NULL
FROM judged
WHERE coalesce(over_cap, false) OR not_enrolled OR coalesce(over_oop, false)
