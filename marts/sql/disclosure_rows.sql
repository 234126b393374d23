-- model: work.disclosure_rows
-- depends: core.fact_ledger_line, core.fact_contribution, core.fact_claim, core.dim_activity, work.enrolled_years
-- The figures of mart.disclosure_activity_year before suppression, with
-- the suppression decided (a temporary table of the marts run, never
-- published), from which mart.disclosure_activity_year hides the
-- suppressed figures and mart.disclosure_operator_year sums an operator's
-- year. A row per fiscal (calendar) year and activity: no person in any
-- row, only counts and sums (../shared/spec/marts.md, "Disclosure
-- rules"). The years of an operator run from the first year of its
-- ledger (its books: a year before them would show a few claims and the
-- members of long terms reaching back, and no money) to the year of its
-- as-of (its latest posted_on); an activity (current name and category of
-- core.dim_activity) has a row for a year in which it had enrolled
-- members, ledger lines or paid claims.
--   members_enrolled  distinct members with an enrolment (amount > 0, not
--                     refunded in full) whose period overlaps the year
--   contributions     net credits (credit − debit) to 4101 of the activity
--   claims_paid       claims with status 'paid' whose paid_at (Beijing
--                     time) falls in the year; benefits_paid their paid_amount
--   payout_ratio      benefits_paid ÷ contributions (NULL without contributions)
--   mgmt_fee_ratio    the OPERATOR's management expenses (debits − credits to
--                     5201 on all its lines, organisation level included) ÷ its
--                     contribution income (credits to 4101), as rule R04
--                     computes it: the same value on every activity of the
--                     operator and year
--   median_days_to_pay median of (paid_at − decided_at) in days (DOUBLE)
--                     over the year's paid claims
--   fund_balance      the activity's assets less liabilities (debit − credit
--                     on 1xxx and 2xxx lines) less its reserve, at the year's
--                     end or the operator's as-of if earlier
--   reserve_balance   credit balance of 3102 of the activity at that date
-- Suppression (k = getvariable('k_anonymity')), suppressed true:
--   primary        members_enrolled < k or claims_paid < k;
--   complementary  when exactly one row of an operator's year is primary,
--                  also its other row with the smallest contributions
--                  (then activity_code), so that the operator's totals
--                  of the year (mart.disclosure_operator_year) less the
--                  shown rows give the sum of two hidden rows, never one.
CREATE OR REPLACE TEMP TABLE disclosure_rows AS
WITH op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of, min(year(posted_on)) AS y0
    FROM core.fact_ledger_line
    GROUP BY operator_code
), paid AS (
    SELECT operator_code, activity_code, paid_amount,
        year(beijing_day(paid_at)) AS fiscal_year,
        (epoch(paid_at) - epoch(decided_at)) / 86400.0 AS days_to_pay
    FROM core.fact_claim
    WHERE status = 'paid' AND paid_at IS NOT NULL
), op_years AS (
    SELECT operator_code, y0, year(as_of) AS y1, as_of
    FROM op_asof
), acts AS (
    SELECT operator_code, activity_code, pool_code, name AS activity_name, category
    FROM core.dim_activity
    WHERE is_current
), grid AS (
    SELECT a.*, y.fiscal_year, least(make_date(y.fiscal_year, 12, 31), o.as_of) AS period_end
    FROM acts AS a
    JOIN op_years AS o USING (operator_code)
    CROSS JOIN LATERAL (SELECT unnest(range(o.y0, o.y1 + 1)) AS fiscal_year) AS y
), members AS (
    SELECT g.operator_code, g.activity_code, g.fiscal_year, e.members_enrolled
    FROM grid AS g
    JOIN enrolled_years AS e ON e.operator_code = g.operator_code AND e.activity_code = g.activity_code AND e.y = g.fiscal_year
    WHERE e.members_enrolled > 0
), claims AS (
    SELECT operator_code, activity_code, fiscal_year, count(*) AS claims_paid,
        sum(paid_amount) AS benefits_paid, median(days_to_pay) AS median_days_to_pay
    FROM paid
    GROUP BY ALL
), ledger AS (
    SELECT g.operator_code, g.activity_code, g.fiscal_year, count(*) AS n_lines,
        sum(l.credit - l.debit) FILTER (WHERE l.account_code = '4101' AND year(l.posted_on) = g.fiscal_year) AS contributions,
        sum(l.debit - l.credit) FILTER (WHERE left(l.account_code, 1) IN ('1', '2')) AS net_assets,
        sum(l.credit - l.debit) FILTER (WHERE l.account_code = '3102') AS reserve_balance,
        count(*) FILTER (WHERE year(l.posted_on) = g.fiscal_year) AS n_year_lines
    FROM grid AS g
    JOIN core.fact_ledger_line AS l ON l.operator_code = g.operator_code AND l.activity_code = g.activity_code
        AND l.posted_on <= g.period_end
    GROUP BY ALL
), mgmt AS (
    SELECT operator_code, year(posted_on) AS fiscal_year,
        coalesce(sum(debit - credit) FILTER (WHERE account_code = '5201'), 0) AS fees,
        coalesce(sum(credit) FILTER (WHERE account_code = '4101'), 0) AS income
    FROM core.fact_ledger_line
    WHERE account_code IN ('5201', '4101')
    GROUP BY ALL
), act_rows AS (
    SELECT g.*,
        coalesce(m.members_enrolled, 0) AS members_enrolled,
        coalesce(l.contributions, 0) AS contributions,
        coalesce(c.claims_paid, 0) AS claims_paid,
        coalesce(c.benefits_paid, 0) AS benefits_paid,
        c.median_days_to_pay,
        CAST(f.fees AS DOUBLE) / nullif(CAST(f.income AS DOUBLE), 0) AS mgmt_fee_ratio,
        coalesce(l.net_assets, 0) - coalesce(l.reserve_balance, 0) AS fund_balance,
        coalesce(l.reserve_balance, 0) AS reserve_balance,
        coalesce(m.members_enrolled, 0) < getvariable('k_anonymity')
            OR coalesce(c.claims_paid, 0) < getvariable('k_anonymity') AS is_primary
    FROM grid AS g
    LEFT JOIN members AS m USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN claims AS c USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN ledger AS l USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN mgmt AS f USING (operator_code, fiscal_year)
    WHERE m.members_enrolled > 0 OR c.claims_paid > 0 OR l.n_year_lines > 0
), ranked AS (
    SELECT *,
        count(*) FILTER (WHERE is_primary) OVER op_year AS n_primary,
        row_number() OVER (PARTITION BY operator_code, fiscal_year, is_primary ORDER BY contributions, activity_code) AS rank_in_kind
    FROM act_rows
    WINDOW op_year AS (PARTITION BY operator_code, fiscal_year)
)
SELECT * EXCLUDE (n_primary, rank_in_kind),
    is_primary OR (n_primary = 1 AND NOT is_primary AND rank_in_kind = 1) AS suppressed
FROM ranked
