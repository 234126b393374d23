-- model: mart.disclosure_breakdown
-- depends: core.fact_claim, core.dim_member, mart.disclosure_activity_year
-- Public disclosure of the paid claims of each row of
-- mart.disclosure_activity_year (status 'paid', paid_at in the fiscal year,
-- Beijing time) by one dimension at a time: the member's age_band and
-- gender (core.dim_member; 'unknown' when the member is not there),
-- diagnosis_group (the claim's group when it is a code — a letter,
-- optionally two digits, e.g. an ICD-10 chapter letter — upper-cased; any
-- other text is 'other', so no free text of a claim is ever published),
-- hospital_level and month (of payment, 'YYYY-MM'). A bucket without paid
-- claims has no row (a zero is shown by absence). The cells of each
-- margin (fiscal_year, operator, activity, dimension) add up to the row's
-- claims_paid and benefits_paid in mart.disclosure_activity_year, which
-- is the margin's total.
-- Suppression (k = getvariable('k_anonymity')), claims_paid and
-- benefits_paid NULL and suppressed true:
--   primary        claims_paid < k;
--   total hidden   a margin whose total (the activity-year row) is
--                  suppressed is one row, bucket NULL (the whole margin),
--                  for each dimension, whether or not it had paid claims:
--                  its buckets are not listed even as hidden cells, since
--                  which buckets hold a claim is itself the profile of the
--                  few claimants (one claim: the one person's age band,
--                  gender, diagnosis, hospital and month), and the hidden
--                  total cannot be had by adding up cells;
--   complementary  when the total is shown and exactly one cell of the
--                  margin is suppressed, also the margin's smallest other
--                  cell (by claims_paid, then bucket), so that the shown
--                  total less the shown cells gives only the sum of two
--                  hidden cells, never one. Margins share only their total,
--                  so two hidden cells in each margin are enough.
CREATE OR REPLACE TABLE mart.disclosure_breakdown AS
WITH claims AS (
    SELECT c.operator_code, c.activity_code, c.paid_amount, c.hospital_level,
        beijing_day(c.paid_at) AS paid_on,
        upper(trim(c.diagnosis_group)) AS dg,
        m.age_band, m.gender
    FROM core.fact_claim AS c
    LEFT JOIN core.dim_member AS m ON m.operator_code = c.operator_code AND m.member_ref = c.member_ref
    WHERE c.status = 'paid' AND c.paid_at IS NOT NULL
), base AS (
    SELECT a.fiscal_year, a.pool_code, a.operator_code, a.activity_code, a.suppressed AS total_suppressed, c.*
        EXCLUDE (operator_code, activity_code)
    FROM claims AS c
    JOIN mart.disclosure_activity_year AS a
        ON a.operator_code = c.operator_code AND a.activity_code = c.activity_code AND a.fiscal_year = year(c.paid_on)
), long AS (
    SELECT *, 'age_band' AS dimension, coalesce(age_band, 'unknown') AS bucket FROM base
    UNION ALL
    SELECT *, 'gender', coalesce(gender, 'unknown') FROM base
    UNION ALL
    SELECT *, 'diagnosis_group', CASE WHEN regexp_full_match(coalesce(dg, ''), '[A-Z]([0-9]{2})?') THEN dg ELSE 'other' END FROM base
    UNION ALL
    SELECT *, 'hospital_level', coalesce(hospital_level, 'unknown') FROM base
    UNION ALL
    SELECT *, 'month', strftime(paid_on, '%Y-%m') FROM base
), cells AS (
    SELECT fiscal_year, pool_code, operator_code, activity_code, dimension, bucket,
        any_value(total_suppressed) AS total_suppressed,
        count(*) AS n, sum(paid_amount) AS amount,
        count(*) < getvariable('k_anonymity') AS is_primary
    FROM long
    GROUP BY ALL
), ranked AS (
    SELECT *,
        count(*) FILTER (WHERE is_primary) OVER margin AS n_primary,
        row_number() OVER (PARTITION BY fiscal_year, operator_code, activity_code, dimension, is_primary
            ORDER BY n, bucket) AS rank_in_kind
    FROM cells
    WINDOW margin AS (PARTITION BY fiscal_year, operator_code, activity_code, dimension)
), flagged AS (
    SELECT *,
        is_primary OR total_suppressed
            OR (n_primary = 1 AND NOT is_primary AND rank_in_kind = 1) AS hide
    FROM ranked
)
SELECT fiscal_year, pool_code, operator_code, activity_code, dimension, bucket,
    CASE WHEN NOT hide THEN n END AS claims_paid,
    CASE WHEN NOT hide THEN CAST(amount AS DECIMAL(18, 2)) END AS benefits_paid,
    hide AS suppressed,
    getvariable('run_id') AS run_id
FROM flagged
WHERE NOT total_suppressed
UNION ALL
SELECT a.fiscal_year, a.pool_code, a.operator_code, a.activity_code, d.dimension, NULL, NULL, NULL, true, getvariable('run_id')
FROM mart.disclosure_activity_year AS a
CROSS JOIN (VALUES ('age_band'), ('gender'), ('diagnosis_group'), ('hospital_level'), ('month')) AS d(dimension)
WHERE a.suppressed
