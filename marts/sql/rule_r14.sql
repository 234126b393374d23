-- model: rule.r14
-- depends: core.agg_contribution, core.fact_ledger_line, work.enrolled_years
-- R14 (clause 二: 大数法则): per activity and fiscal year, the active
-- enrolled members — distinct members with an enrolment (not a refund, not
-- refunded) whose period overlaps the year (work.enrolled_years'
-- members_active) — below min_members; exactly
-- min_members is not a finding. Years run from the activity's first
-- enrolment period to the year of the operator's latest payment (the
-- current, partial year counts the members enrolled so far), but not
-- before the year the operator's books begin (its first ledger line): a
-- year before it holds only the receipts of long terms that reach into
-- the data, never the year's whole enrolment. Severity info.
INSERT INTO rule_hits
WITH op_asof AS (
    SELECT operator_code, year(max(month)) AS y_max, any_value(pool_code) AS pool_code
    FROM core.agg_contribution_month GROUP BY operator_code
), op_books AS (
    SELECT operator_code, year(min(posted_on)) AS y_books
    FROM core.fact_ledger_line GROUP BY operator_code
), act_years AS (
    SELECT DISTINCT e.operator_code, e.activity_code, y.y
    FROM (SELECT operator_code, activity_code, min(y0) AS y0, max(y1) AS y1
          FROM core.agg_contribution_month WHERE NOT is_refund GROUP BY ALL) AS e
    JOIN op_asof AS a USING (operator_code)
    LEFT JOIN op_books AS b USING (operator_code),
    LATERAL (SELECT unnest(range(greatest(e.y0, coalesce(b.y_books, e.y0)), least(e.y1, a.y_max) + 1)) AS y) AS y
), counts AS (
    SELECT ay.operator_code, ay.activity_code, ay.y, coalesce(m.members_active, 0) AS members
    FROM act_years AS ay
    LEFT JOIN enrolled_years AS m USING (operator_code, activity_code, y)
)
SELECT 'R14', a.pool_code, c.operator_code, c.activity_code, c.y, 'activity', c.activity_code, NULL,
    c.y || ' 年有效参加人数 ' || c.members || ' 人（缴费未发生退费者），少于 ' || getvariable('min_members') || ' 人', NULL
FROM counts AS c
JOIN op_asof AS a USING (operator_code)
WHERE c.members < getvariable('min_members')
