-- model: rule.r18
-- depends: core.fact_claim
-- R18 (clause 十二: 专款专用): two or more paid claims (status 'paid') of the
-- same operator, member, event_date and paid amount. Subject: their claim
-- numbers in claim_no order joined by '|'; amount: what was paid beyond
-- the first.
INSERT INTO rule_hits
WITH paid AS (
    SELECT * FROM core.fact_claim WHERE status = 'paid' AND paid_amount IS NOT NULL
), twins AS (
    -- the repeated (member, event, amount) first, by a cheap count, so that
    -- the claim lists below are built for them alone
    SELECT operator_code, member_ref, event_date, paid_amount
    FROM paid
    GROUP BY ALL
    HAVING count(*) >= 2
)
SELECT 'R18', any_value(pool_code), operator_code, min(activity_code), year(beijing_day(max(paid_at))), 'claims',
    string_agg(claim_no, '|' ORDER BY claim_no), paid_amount * (count(*) - 1),
    '同一会员同一事件（' || strftime(event_date, '%Y-%m-%d') || '）给付 ' || paid_amount || ' 共 ' || count(*) || ' 次', NULL
FROM paid AS c
SEMI JOIN twins AS t ON t.operator_code = c.operator_code AND t.member_ref = c.member_ref
    AND t.event_date = c.event_date AND t.paid_amount = c.paid_amount
GROUP BY operator_code, member_ref, event_date, paid_amount
