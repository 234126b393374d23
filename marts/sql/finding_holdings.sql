-- model: mart.finding_holdings
-- depends: mart.compliance_findings, core.fact_holding
-- The month-end states of every holding a finding names (subject_kind
-- 'holding': R01, open or resolved), so that a supervisor can go from the
-- finding to the investment itself: what it is (type, name, issuer), its
-- activity, when it started and matures, its rate, and month by month its
-- principal, market value, and income accrued and realised; and, for each
-- operator and year an R03 finding is about (investment income not all
-- booked as the fund's), the month-ends of that year of every holding of
-- the operator, whose realised income R03 adds up.
CREATE OR REPLACE TABLE mart.finding_holdings AS
WITH h AS (
    SELECT DISTINCT operator_code, subject_ref AS holding_id
    FROM mart.compliance_findings
    WHERE subject_kind = 'holding' AND operator_code IS NOT NULL
), r3 AS (
    SELECT DISTINCT operator_code, fiscal_year
    FROM mart.compliance_findings
    WHERE rule_id = 'R03' AND operator_code IS NOT NULL AND fiscal_year IS NOT NULL
)
SELECT f.pool_code, f.operator_code, f.holding_id, f.as_of AS month, CAST(year(f.as_of) AS INTEGER) AS fiscal_year, f.activity_code,
    f.instrument_type, f.instrument_name, f.issuer, f.start_date, f.maturity_date, CAST(f.rate_pct AS DOUBLE) AS rate_pct, f.principal,
    f.market_value, f.accrued_income, f.realized_income,
    getvariable('run_id') AS run_id
FROM core.fact_holding AS f
WHERE (f.operator_code, f.holding_id) IN (SELECT (operator_code, holding_id) FROM h)
   OR (f.operator_code, year(f.as_of)) IN (SELECT (operator_code, fiscal_year) FROM r3)
ORDER BY f.operator_code, f.holding_id, f.as_of
