-- model: mart.disclosure_activity_year
-- depends: core.fact_ledger_line, core.fact_contribution, core.fact_claim, core.dim_activity, work.enrolled_years
-- Public disclosure (信息公开) per fiscal (calendar) year and activity: no
-- person in any row, only counts and sums (../shared/spec/marts.md,
-- "Disclosure rules"). The years of an operator run from the first year of
-- its ledger or of its paid claims to the year of its as-of (its latest
-- posted_on); an activity (current name and category of core.dim_activity)
-- has a row for a year in which it had enrolled members, ledger lines or
-- paid claims.
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
-- Suppression (k = getvariable('k_anonymity')): suppressed is true when
-- members_enrolled < k or claims_paid < k. members_enrolled is NULL when it
-- is below k; claims_paid, benefits_paid, payout_ratio (which with the
-- shown contributions would give benefits_paid back) and
-- median_days_to_pay are NULL whenever the row is suppressed. The ledger
-- figures (contributions, mgmt_fee_ratio, fund_balance, reserve_balance)
-- are fund totals, not about persons, and stay shown. There is no
-- operator-level row in this table, so no suppressed figure can be
-- recovered by subtraction from a total here; mart.disclosure_breakdown
-- suppresses every cell of a suppressed row's year and activity.
CREATE OR REPLACE TABLE mart.disclosure_activity_year AS
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
    SELECT o.operator_code, least(any_value(o.y0), coalesce(min(p.fiscal_year), any_value(o.y0))) AS y0,
        year(any_value(o.as_of)) AS y1, any_value(o.as_of) AS as_of
    FROM op_asof AS o
    LEFT JOIN paid AS p ON p.operator_code = o.operator_code AND p.fiscal_year <= year(o.as_of)
    GROUP BY o.operator_code
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
            OR coalesce(c.claims_paid, 0) < getvariable('k_anonymity') AS suppressed
    FROM grid AS g
    LEFT JOIN members AS m USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN claims AS c USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN ledger AS l USING (operator_code, activity_code, fiscal_year)
    LEFT JOIN mgmt AS f USING (operator_code, fiscal_year)
    WHERE m.members_enrolled > 0 OR c.claims_paid > 0 OR l.n_year_lines > 0
)
SELECT CAST(fiscal_year AS INTEGER) AS fiscal_year, pool_code, operator_code, activity_code, activity_name, category,
    CASE WHEN members_enrolled >= getvariable('k_anonymity') THEN members_enrolled END AS members_enrolled,
    CAST(contributions AS DECIMAL(18, 2)) AS contributions,
    CASE WHEN NOT suppressed THEN claims_paid END AS claims_paid,
    CASE WHEN NOT suppressed THEN CAST(benefits_paid AS DECIMAL(18, 2)) END AS benefits_paid,
    CASE WHEN NOT suppressed THEN CAST(benefits_paid AS DOUBLE) / nullif(CAST(contributions AS DOUBLE), 0) END AS payout_ratio,
    mgmt_fee_ratio,
    CASE WHEN NOT suppressed THEN median_days_to_pay END AS median_days_to_pay,
    CAST(fund_balance AS DECIMAL(18, 2)) AS fund_balance,
    CAST(reserve_balance AS DECIMAL(18, 2)) AS reserve_balance,
    suppressed,
    getvariable('run_id') AS run_id
FROM act_rows
