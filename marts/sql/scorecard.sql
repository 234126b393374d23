-- model: mart.scorecard
-- depends: mart.budget_execution, mart.compliance_findings, core.fact_ledger_line, core.fact_claim, core.fact_audit
-- The supervision scorecard (clause 十三: 预算执行情况纳入考核体系), per
-- fiscal year and operator: a 0–100 score, the sum of four parts of 0–25
-- each (DOUBLE, rounded to 2 decimals; score is the sum of the rounded
-- parts, rounded again against binary noise), for the years the operator
-- has ledger lines or budget lines:
--
--   budget_part      25 × (1 − mean over the lines with a budget of
--                    min(|execution_rate − expected_rate|, 1), a line
--                    spent on without a budget (flag no_budget) counting
--                    the full error 1), from mart.budget_execution at the
--                    year's last as_of_month (December, or the latest
--                    month of the current year); 0 when no line has a
--                    budget
--   compliance_part  25 × 25 ÷ (25 + w), w the open findings of the
--                    operator in mart.compliance_findings weighted by
--                    severity (critical 5, major 2, minor 1, info 0): those
--                    of the year, and in the operator's latest year also
--                    those of earlier years still open (not put right) and
--                    those of no year (an account, an activity: the state
--                    now). 25 without findings, 12.5 at w = 25, 5 at 100:
--                    it never bottoms out, so that 30 findings and 60 still
--                    rank apart (25 − w, floored at 0, gave every operator
--                    of a bad year 0)
--   timeliness_part  from the median days decided_at → paid_at of the
--                    claims paid in the year: 25 at ≤ 15 days, 0 at ≥ 45,
--                    linear between; 25 when no claim was paid (nothing
--                    was paid late)
--   audit_part       the annual audit of the year (audit_type 'annual'
--                    whose period overlaps the year, as R16 reads it; the
--                    latest report if several): 25 unqualified, 15
--                    qualified, 5 adverse or disclaimer, 0 none once it is
--                    due (by the June 30 after the year, on or before the
--                    operator's as-of, the latest posted_on of its ledger,
--                    as R16 judges it); NULL while none is reported and it
--                    is not yet due
--
-- A year whose audit is not yet due is scored on the other three parts,
-- scaled to 0–100 (their sum × 4/3): before, it got 0 for an audit
-- nobody could have had, so every current year ranked 25 points low
-- against the years before it, and the site told members that no audit
-- report was seen.
--
-- rank_in_pool: rank by score within pool and year, 1 the best; equal
-- scores share a rank (1, 1, 3).
CREATE OR REPLACE TABLE mart.scorecard AS
WITH subjects AS (
    SELECT DISTINCT operator_code, year(posted_on) AS fiscal_year FROM core.fact_ledger_line
    UNION
    SELECT DISTINCT operator_code, fiscal_year FROM mart.budget_execution
), pools AS (
    SELECT operator_code, any_value(pool_code) AS pool_code
    FROM (
        SELECT operator_code, pool_code FROM core.fact_ledger_line WHERE pool_code IS NOT NULL
        UNION ALL
        SELECT operator_code, pool_code FROM mart.budget_execution WHERE pool_code IS NOT NULL
    )
    GROUP BY operator_code
), budget_month AS (
    SELECT operator_code, fiscal_year, max(as_of_month) AS as_of_month
    FROM mart.budget_execution
    GROUP BY ALL
), budget AS (
    SELECT b.operator_code, b.fiscal_year,
        avg(CASE WHEN b.flag = 'no_budget' THEN 1.0 ELSE least(abs(b.execution_rate - b.expected_rate), 1.0) END) AS mean_error
    FROM mart.budget_execution AS b
    JOIN budget_month AS m USING (operator_code, fiscal_year, as_of_month)
    WHERE b.execution_rate IS NOT NULL OR b.flag = 'no_budget'
    GROUP BY ALL
), latest AS (
    SELECT operator_code, max(fiscal_year) AS fiscal_year FROM subjects GROUP BY operator_code
), findings AS (
    SELECT s.operator_code, s.fiscal_year,
        sum(CASE f.severity WHEN 'critical' THEN 5 WHEN 'major' THEN 2 WHEN 'minor' THEN 1 ELSE 0 END) AS weight
    FROM subjects AS s
    JOIN latest AS l USING (operator_code)
    JOIN mart.compliance_findings AS f
        ON f.operator_code = s.operator_code AND f.status = 'open'
       AND (f.fiscal_year = s.fiscal_year
            OR (s.fiscal_year = l.fiscal_year AND (f.fiscal_year IS NULL OR f.fiscal_year < s.fiscal_year)))
    GROUP BY ALL
), timeliness AS (
    SELECT operator_code, year(beijing_day(paid_at)) AS fiscal_year,
        median((epoch(paid_at) - epoch(decided_at)) / 86400.0) AS median_days
    FROM core.fact_claim
    WHERE paid_at IS NOT NULL AND decided_at IS NOT NULL
    GROUP BY ALL
), op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of FROM core.fact_ledger_line GROUP BY operator_code
), audits AS (
    SELECT s.operator_code, s.fiscal_year,
        CASE au.opinion WHEN 'unqualified' THEN 25 WHEN 'qualified' THEN 15 WHEN 'adverse' THEN 5 WHEN 'disclaimer' THEN 5 ELSE 0 END AS points
    FROM subjects AS s
    JOIN core.fact_audit AS au ON au.operator_code = s.operator_code AND au.audit_type = 'annual'
        AND au.period_start <= make_date(CAST(s.fiscal_year AS INTEGER), 12, 31)
        AND au.period_end >= make_date(CAST(s.fiscal_year AS INTEGER), 1, 1)
    QUALIFY row_number() OVER (PARTITION BY s.operator_code, s.fiscal_year ORDER BY au.report_date DESC NULLS LAST, points DESC) = 1
), parts AS (
    SELECT s.fiscal_year, p.pool_code, s.operator_code,
        round(CASE WHEN b.mean_error IS NULL THEN 0.0 ELSE 25.0 * (1 - b.mean_error) END, 2) AS budget_part,
        round(25.0 * 25 / (25 + coalesce(f.weight, 0)), 2) AS compliance_part,
        round(CASE
            WHEN t.median_days IS NULL OR t.median_days <= 15 THEN 25.0
            WHEN t.median_days >= 45 THEN 0.0
            ELSE 25.0 * (45 - t.median_days) / 30
        END, 2) AS timeliness_part,
        CAST(CASE
            WHEN a.points IS NOT NULL THEN a.points
            WHEN make_date(CAST(s.fiscal_year AS INTEGER) + 1, 6, 30) <= d.as_of THEN 0
        END AS DOUBLE) AS audit_part
    FROM subjects AS s
    LEFT JOIN pools AS p USING (operator_code)
    LEFT JOIN budget AS b USING (operator_code, fiscal_year)
    LEFT JOIN findings AS f USING (operator_code, fiscal_year)
    LEFT JOIN timeliness AS t USING (operator_code, fiscal_year)
    LEFT JOIN audits AS a USING (operator_code, fiscal_year)
    LEFT JOIN op_asof AS d USING (operator_code)
), scored AS (
    SELECT *, round(CAST(CASE
        WHEN audit_part IS NULL THEN (budget_part + compliance_part + timeliness_part) * 4 / 3
        ELSE budget_part + compliance_part + timeliness_part + audit_part
    END AS DOUBLE), 2) AS score
    FROM parts
)
SELECT CAST(fiscal_year AS INTEGER) AS fiscal_year, pool_code, operator_code,
    CAST(NULL AS VARCHAR) AS activity_code, -- an operator's row: above the activity
    score,
    CAST(budget_part AS DOUBLE) AS budget_part, CAST(compliance_part AS DOUBLE) AS compliance_part,
    CAST(timeliness_part AS DOUBLE) AS timeliness_part, audit_part,
    CAST(rank() OVER (PARTITION BY pool_code, fiscal_year ORDER BY score DESC) AS INTEGER) AS rank_in_pool,
    getvariable('run_id') AS run_id
FROM scored
ORDER BY fiscal_year, pool_code, rank_in_pool, operator_code
