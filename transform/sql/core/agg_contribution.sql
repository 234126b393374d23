-- model: core.agg_contribution
-- depends: core.fact_contribution, core.dim_org
-- Aggregates of the receipts kept beside core.fact_contribution, so that
-- the marts need not read every receipt every night:
--
--   agg_contribution_month  operator (and its pool) × activity × month paid
--                           (Beijing) × first and last year of the period ×
--                           refund or not: receipts, amount, receipts with
--                           a non-zero amount
--   agg_enrolled_year       operator × activity × calendar year: members
--                           with a receipt (amount > 0, not a refund) whose
--                           period overlaps the year that was never refunded
--                           (members_active, R14's active members), and
--                           with one not refunded in full (members_enrolled,
--                           the disclosure's); a year with neither is left
--                           out
--
-- Each is built whole when it does not exist (the first night, and after a
-- full rebuild or a backfill, which drop them with the fact). On the other
-- nights every count is a sum, so the night's change is added to it: what
-- fact_contribution took out (fact_contribution_removed) counts negative,
-- what it put back (fact_contribution_added) positive. A refund changes the
-- state of the receipt it names, so the receipts touched are those taken
-- out or put back and those their refunds name; their state before the
-- night is their state now with the night's refunds taken back out. The
-- change of each member-year the touched receipts meet (how many of its
-- receipts were never refunded, how many are not refunded in full) gives
-- its counts before the night from its counts now, which its receipts give
-- (a few, found by member); a member-year whose counts go from 0 to more,
-- or back, moves agg_enrolled_year by one. (A table of the counts of every
-- member-year, 6.4 M rows at 1 M members, cost 2.1 s to build; counted in
-- passing they cost 1.1 s; as a mask of years a member of an activity,
-- 0.85 s; those masks counted by pattern, 0.7 s; one mask a member of an
-- operator, its activities side by side, 0.55 s.) The five-night test
-- holds these equal to a whole build, and TestEnrolledYearsBuiltWhole the
-- whole build to the counts' definition. The receipts are read through
-- fact_contribution_bare, the fact without the pool its view joins for
-- every row (sql/current_fact.sql.tmpl); the pool is joined once a group.
SET VARIABLE agg_fresh = (
    SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core'
        AND table_name IN ('agg_contribution_month', 'agg_enrolled_year')) < 2;

-- Built whole; the pool once a group.
CREATE TABLE IF NOT EXISTS core.agg_contribution_month AS
SELECT o.pool_code, a.*
FROM (
    SELECT operator_code, activity_code, last_day(beijing_day(paid_at)) AS month,
        year(period_start) AS y0, year(period_end) AS y1, refund_of IS NOT NULL AS is_refund,
        count(*) AS receipts, sum(amount) AS amount, count(*) FILTER (WHERE amount <> 0) AS nonzero
    FROM fact_contribution_bare
    GROUP BY ALL
) AS a
LEFT JOIN core.dim_org AS o ON o.org_code = a.operator_code AND o.is_current;

-- The years of the receipts' periods when the aggregates are built whole,
-- from the first (b) to the last (z), the receipts' activity codes (acts)
-- and operators (ops), each in code order, and w, the years of a window
-- from b that a 64-bit mask holds for every activity (64 divided by the
-- number of activities: 10 years for 6). Each member of an operator gets
-- one such mask below, activity i's years at bits i * w to i * w + w - 1:
-- a member of 6 activities grouped once, not six times (2.6 M members of
-- activities at 1 M members, 0.96 M members: 0.77–1.0 thread-s against
-- 0.48), and by the operator's place in ops, not its 18-character code
-- (0.25 thread-s more in the key). Constants, so that the receipts past the
-- window (none at 1 M members: a period that ends in 9999, a fund of more
-- years than w) are picked out in the scan of the receipts; a one-row
-- table joined to them made every receipt go through the join with its
-- refunds first (0.45 thread-s at 1 M members).
-- Read from agg_contribution_month, whose groups not of refunds are the
-- receipts counted below (a kept receipt that is no refund has an amount
-- above 0: stage_enrollments.sql refuses the others), and not from the
-- receipts again (0.11 thread-s at 1 M members). A group a night brought
-- to 0 receipts is left out.
SET VARIABLE agg_span = (
    SELECT {'b': min(y0), 'z': max(y1),
            'ops': list(DISTINCT operator_code ORDER BY operator_code),
            'acts': list(DISTINCT activity_code ORDER BY activity_code),
            'w': 64 // greatest(count(DISTINCT activity_code), 1)}
    FROM core.agg_contribution_month
    WHERE NOT is_refund AND receipts > 0 AND getvariable('agg_fresh'));

CREATE TABLE IF NOT EXISTS core.agg_enrolled_year AS
WITH refunds AS (
    SELECT operator_code, refund_of AS receipt_no, sum(amount) AS refunded
    FROM fact_contribution_bare
    WHERE refund_of IS NOT NULL
    GROUP BY ALL
), receipts AS NOT MATERIALIZED (
    SELECT e.operator_code, list_position(getvariable('agg_span').ops, e.operator_code) AS op,
        list_position(getvariable('agg_span').acts, e.activity_code) - 1 AS act,
        e.activity_code, e.member_ref,
        year(e.period_start) AS y0, year(e.period_end) AS y1,
        r.receipt_no IS NULL AS never_refunded,
        e.amount + coalesce(r.refunded, 0) > 0 AS kept
    FROM fact_contribution_bare AS e
    LEFT JOIN refunds AS r ON r.operator_code = e.operator_code AND r.receipt_no = e.receipt_no
    WHERE e.refund_of IS NULL AND e.amount > 0
), span AS (
    -- with wmask, the low w bits: an activity's years once shifted down
    SELECT b, z, w,
        CASE WHEN w = 64 THEN CAST(18446744073709551615 AS UBIGINT)
             ELSE (CAST(1 AS UBIGINT) << CAST(w AS UBIGINT)) - 1 END AS wmask
    FROM (SELECT getvariable('agg_span').b AS b, getvariable('agg_span').z AS z, getvariable('agg_span').w AS w)
), masks AS (
    -- Each member of an operator once, with the years of each activity its
    -- receipts cover as bits (year b + k of activity i is bit i * w + k; a
    -- receipt covers bits y0 - b to y1 - b of its activity's w).
    SELECT op, member_ref,
        bit_or(CASE WHEN never_refunded THEN m END) AS active,
        bit_or(CASE WHEN kept THEN m END) AS enrolled
    FROM (
        SELECT r.*,
            ((CAST(18446744073709551615 AS UBIGINT) >> CAST(63 - (least(y1, b + w - 1) - b) AS UBIGINT))
                & ~((CAST(1 AS UBIGINT) << CAST(y0 - b AS UBIGINT)) - 1)) << CAST(act * w AS UBIGINT) AS m
        FROM receipts AS r, span
        WHERE y0 <= b + w - 1
    )
    GROUP BY ALL
), member_patterns AS (
    -- The members with the same masks, counted: some ten thousand
    -- patterns at 1 M members.
    SELECT op, active, enrolled, count(*) AS n
    FROM masks
    GROUP BY ALL
), patterns AS (
    -- Each pattern's masks per activity, counted again: a few hundred.
    SELECT op, act, active, enrolled, sum(n) AS n
    FROM (
        SELECT p.op, a.act,
            (p.active >> CAST(a.act * s.w AS UBIGINT)) & s.wmask AS active,
            (p.enrolled >> CAST(a.act * s.w AS UBIGINT)) & s.wmask AS enrolled,
            p.n
        FROM member_patterns AS p, span AS s,
            (SELECT unnest(range(len(getvariable('agg_span').acts))) AS act) AS a
    )
    WHERE active <> 0 OR enrolled <> 0
    GROUP BY ALL
), counted AS (
    SELECT getvariable('agg_span').ops[m.op] AS operator_code, getvariable('agg_span').acts[m.act + 1] AS activity_code, y,
        CAST(coalesce(sum(m.n) FILTER (WHERE (m.active >> CAST(y - b AS UBIGINT)) & 1 = 1), 0) AS BIGINT) AS members_active,
        CAST(coalesce(sum(m.n) FILTER (WHERE (m.enrolled >> CAST(y - b AS UBIGINT)) & 1 = 1), 0) AS BIGINT) AS members_enrolled
    FROM patterns AS m, span, (SELECT unnest(range(b, least(z, b + w - 1) + 1)) AS y FROM span)
    GROUP BY ALL
), beyond AS (
    -- The member-years past the window (none at 1 M members), each once.
    SELECT operator_code, activity_code, y, member_ref, bool_or(never_refunded) AS active, bool_or(kept) AS enrolled
    FROM (
        SELECT operator_code, activity_code, member_ref, never_refunded, kept, unnest(range(greatest(y0, b + w), y1 + 1)) AS y
        FROM receipts, span
        WHERE y1 >= getvariable('agg_span').b + getvariable('agg_span').w
    )
    GROUP BY ALL
)
SELECT operator_code, activity_code, y, members_active, members_enrolled
FROM counted
WHERE members_active > 0 OR members_enrolled > 0
UNION ALL
SELECT operator_code, activity_code, y,
    count(*) FILTER (WHERE active) AS members_active,
    count(*) FILTER (WHERE enrolled) AS members_enrolled
FROM beyond
GROUP BY ALL
HAVING count(*) FILTER (WHERE active) > 0 OR count(*) FILTER (WHERE enrolled) > 0;

-- The night's change (nothing when just built whole).
CREATE OR REPLACE TEMP TABLE agg_removed AS
SELECT * FROM fact_contribution_removed WHERE NOT getvariable('agg_fresh');

CREATE OR REPLACE TEMP TABLE agg_added AS
SELECT * FROM fact_contribution_added WHERE NOT getvariable('agg_fresh');

-- The night's change added to the sums; an operator whose current
-- organisation row names another pool (as in fact_contribution) has its
-- groups merged under that pool.
CREATE OR REPLACE TABLE core.agg_contribution_month AS
SELECT coalesce(o.pool_code, CASE WHEN o.org_code IS NULL THEN a.pool_code END) AS pool_code,
    a.operator_code, a.activity_code, a.month, a.y0, a.y1, a.is_refund,
    CAST(sum(a.receipts) AS BIGINT) AS receipts, CAST(sum(a.amount) AS DECIMAL(38, 2)) AS amount, CAST(sum(a.nonzero) AS BIGINT) AS nonzero
FROM (
    SELECT * FROM core.agg_contribution_month
    UNION ALL BY NAME
    SELECT pool_code, operator_code, activity_code, last_day(beijing_day(paid_at)) AS month,
        year(period_start) AS y0, year(period_end) AS y1, refund_of IS NOT NULL AS is_refund,
        sum(sign) AS receipts, sum(sign * amount) AS amount, sum(sign * CAST(amount <> 0 AS INTEGER)) AS nonzero
    FROM (SELECT *, -1 AS sign FROM agg_removed UNION ALL BY NAME SELECT *, 1 AS sign FROM agg_added)
    GROUP BY ALL
) AS a
LEFT JOIN core.dim_org AS o ON o.org_code = a.operator_code AND o.is_current
GROUP BY ALL
HAVING sum(a.receipts) <> 0;

CREATE OR REPLACE TEMP TABLE agg_touched AS
SELECT DISTINCT operator_code, coalesce(refund_of, receipt_no) AS receipt_no
FROM (SELECT * FROM agg_removed UNION ALL BY NAME SELECT * FROM agg_added);

-- Refunds of the touched receipts now, and before the night.
CREATE OR REPLACE TEMP TABLE agg_refunds_now AS
SELECT f.operator_code, f.refund_of AS receipt_no, sum(f.amount) AS refunded, count(*) AS n
FROM fact_contribution_bare AS f
SEMI JOIN agg_touched AS t ON t.operator_code = f.operator_code AND t.receipt_no = f.refund_of
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE agg_refunds_then AS
SELECT operator_code, receipt_no, sum(refunded) AS refunded, sum(n) AS n
FROM (
    SELECT * FROM agg_refunds_now
    UNION ALL
    SELECT operator_code, refund_of, -sum(amount), -count(*) FROM agg_added WHERE refund_of IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT operator_code, refund_of, sum(amount), count(*) FROM agg_removed WHERE refund_of IS NOT NULL GROUP BY ALL
)
GROUP BY ALL;

-- The touched receipts now, and before the night (the rows taken out, and
-- the rows now that were not put back tonight).
CREATE OR REPLACE TEMP TABLE agg_receipts_now AS
SELECT f.*
FROM fact_contribution_bare AS f
SEMI JOIN agg_touched AS t ON t.operator_code = f.operator_code AND t.receipt_no = f.receipt_no
WHERE f.refund_of IS NULL AND f.amount > 0;

CREATE OR REPLACE TEMP TABLE agg_member_delta AS
WITH states AS (
    SELECT 1 AS sign, e.operator_code, e.activity_code, e.member_ref, e.period_start, e.period_end,
        coalesce(r.n, 0) = 0 AS never_refunded, e.amount + coalesce(r.refunded, 0) > 0 AS kept
    FROM agg_receipts_now AS e
    LEFT JOIN agg_refunds_now AS r USING (operator_code, receipt_no)
    UNION ALL
    SELECT -1, e.operator_code, e.activity_code, e.member_ref, e.period_start, e.period_end,
        coalesce(r.n, 0) = 0, e.amount + coalesce(r.refunded, 0) > 0
    FROM (
        SELECT * FROM agg_removed WHERE refund_of IS NULL AND amount > 0
        UNION ALL BY NAME
        SELECT n.* FROM agg_receipts_now AS n
        ANTI JOIN agg_added AS a ON a.operator_code = n.operator_code AND a.receipt_no = n.receipt_no
    ) AS e
    LEFT JOIN agg_refunds_then AS r USING (operator_code, receipt_no)
)
SELECT operator_code, activity_code, y, member_ref,
    CAST(sum(sign * CAST(never_refunded AS INTEGER)) AS BIGINT) AS d_active,
    CAST(sum(sign * CAST(kept AS INTEGER)) AS BIGINT) AS d_enrolled
FROM (SELECT *, unnest(range(year(period_start), year(period_end) + 1)) AS y FROM states)
GROUP BY ALL
HAVING sum(sign * CAST(never_refunded AS INTEGER)) <> 0 OR sum(sign * CAST(kept AS INTEGER)) <> 0;

-- The member-years the change meets, now (from their receipts), then
-- before it (now less the change).
CREATE OR REPLACE TEMP TABLE agg_member_now AS
WITH members AS (
    SELECT DISTINCT operator_code, activity_code, member_ref FROM agg_member_delta
), receipts AS (
    SELECT f.operator_code, f.receipt_no, f.activity_code, f.member_ref, f.period_start, f.period_end, f.amount
    FROM fact_contribution_bare AS f
    SEMI JOIN members AS m
        ON m.operator_code = f.operator_code AND m.activity_code = f.activity_code AND m.member_ref = f.member_ref
    WHERE f.refund_of IS NULL AND f.amount > 0
), refunds AS (
    SELECT f.operator_code, f.refund_of AS receipt_no, sum(f.amount) AS refunded
    FROM fact_contribution_bare AS f
    SEMI JOIN receipts AS r ON r.operator_code = f.operator_code AND r.receipt_no = f.refund_of
    GROUP BY ALL
), years AS (
    SELECT e.operator_code, e.activity_code, e.member_ref,
        unnest(range(year(e.period_start), year(e.period_end) + 1)) AS y,
        r.receipt_no IS NULL AS never_refunded, e.amount + coalesce(r.refunded, 0) > 0 AS kept
    FROM receipts AS e
    LEFT JOIN refunds AS r USING (operator_code, receipt_no)
)
SELECT y.operator_code, y.activity_code, y.y, y.member_ref,
    count(*) FILTER (WHERE y.never_refunded) AS n_active, count(*) FILTER (WHERE y.kept) AS n_enrolled
FROM years AS y
SEMI JOIN agg_member_delta AS d
    ON d.operator_code = y.operator_code AND d.activity_code = y.activity_code AND d.y = y.y AND d.member_ref = y.member_ref
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE agg_member_then AS
SELECT d.operator_code, d.activity_code, d.y, d.member_ref,
    coalesce(n.n_active, 0) - d.d_active AS n_active, coalesce(n.n_enrolled, 0) - d.d_enrolled AS n_enrolled
FROM agg_member_delta AS d
LEFT JOIN agg_member_now AS n USING (operator_code, activity_code, y, member_ref);

CREATE OR REPLACE TABLE core.agg_enrolled_year AS
SELECT operator_code, activity_code, y,
    CAST(sum(members_active) AS BIGINT) AS members_active, CAST(sum(members_enrolled) AS BIGINT) AS members_enrolled
FROM (
    SELECT * FROM core.agg_enrolled_year
    UNION ALL
    SELECT operator_code, activity_code, y, -count(*) FILTER (WHERE n_active > 0), -count(*) FILTER (WHERE n_enrolled > 0)
    FROM agg_member_then
    GROUP BY ALL
    UNION ALL
    SELECT operator_code, activity_code, y, count(*) FILTER (WHERE n_active > 0), count(*) FILTER (WHERE n_enrolled > 0)
    FROM agg_member_now
    GROUP BY ALL
)
GROUP BY ALL
HAVING sum(members_active) > 0 OR sum(members_enrolled) > 0
