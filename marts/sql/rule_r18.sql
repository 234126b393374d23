-- model: rule.r18
-- depends: core.fact_claim
-- R18 (clause 十二: 专款专用): two or more paid claims (status 'paid') of the
-- same operator, member, event_date and paid amount. Subject: their claim
-- numbers in claim_no order joined by '|'; amount: what was paid beyond
-- the first.
INSERT INTO rule_hits
SELECT 'R18', any_value(pool_code), operator_code, min(activity_code), year(max(paid_at)), 'claims',
    string_agg(claim_no, '|' ORDER BY claim_no), paid_amount * (count(*) - 1),
    count(*) || ' payments of ' || paid_amount || ' to the same member for the event of ' || strftime(event_date, '%Y-%m-%d'), NULL
FROM core.fact_claim
WHERE status = 'paid' AND paid_amount IS NOT NULL
GROUP BY operator_code, member_ref, event_date, paid_amount
HAVING count(*) >= 2
