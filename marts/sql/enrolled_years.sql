-- model: work.enrolled_years
-- depends: core.fact_contribution
-- Distinct enrolled members per operator, activity and calendar year,
-- computed once for the two models that count them (a temporary table of
-- the marts run, never published). A member counts in a year when one of
-- their receipts (amount > 0, not itself a refund) has a period
-- overlapping it:
--   members_active     receipts never refunded at all (R14: the active
--                      members the law of large numbers needs)
--   members_enrolled   receipts not refunded in full (the disclosure's
--                      members_enrolled)
-- Refunds (few) are summed per receipt first and joined; each receipt is
-- expanded to the years its period overlaps (year(start) … year(end), the
-- same years as "starts by 31 Dec and ends from 1 Jan"); members are made
-- distinct by a GROUP BY, which spills to disk under the memory limit.
CREATE OR REPLACE TEMP TABLE enrolled_years AS
WITH refunds AS (
    SELECT operator_code, refund_of AS receipt_no, sum(amount) AS refunded
    FROM core.fact_contribution
    WHERE refund_of IS NOT NULL
    GROUP BY ALL
), receipts AS (
    SELECT e.operator_code, e.activity_code, e.member_ref, e.period_start, e.period_end,
        r.receipt_no IS NULL AS never_refunded,
        e.amount + coalesce(r.refunded, 0) > 0 AS kept
    FROM core.fact_contribution AS e
    LEFT JOIN refunds AS r ON r.operator_code = e.operator_code AND r.receipt_no = e.receipt_no
    WHERE e.refund_of IS NULL AND e.amount > 0
), per_member AS (
    SELECT operator_code, activity_code, y, member_ref,
        bool_or(never_refunded) AS active, bool_or(kept) AS enrolled
    FROM (SELECT *, unnest(range(year(period_start), year(period_end) + 1)) AS y FROM receipts)
    GROUP BY ALL
)
SELECT operator_code, activity_code, y,
    count(*) FILTER (WHERE active) AS members_active,
    count(*) FILTER (WHERE enrolled) AS members_enrolled
FROM per_member
GROUP BY ALL
