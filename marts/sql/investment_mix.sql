-- model: mart.investment_mix
-- depends: core.fact_holding
-- Where the money sits, month end by month end: market value by operator
-- and instrument type, its share of the operator's holdings that month, and
-- whether clause 十二 allows it (deposits and treasury bonds, and the review
-- bonds [rules] allowed_instruments lists; rule R01 reports the others), and
-- whether one not allowed is for review (a policy-bank or local-government
-- bond: R01's minor finding) rather than forbidden.
CREATE OR REPLACE TABLE mart.investment_mix AS
SELECT as_of AS month, any_value(pool_code) AS pool_code, operator_code,
    CAST(NULL AS VARCHAR) AS activity_code, -- the operator's holdings: above the activity
    instrument_type,
    CAST(sum(market_value) AS DECIMAL(18, 2)) AS market_value,
    CAST(sum(market_value) AS DOUBLE)
        / nullif(CAST(sum(sum(market_value)) OVER (PARTITION BY operator_code, as_of) AS DOUBLE), 0) AS share,
    list_contains(string_split(getvariable('allowed_instruments'), ','), instrument_type) AS allowed,
    NOT list_contains(string_split(getvariable('allowed_instruments'), ','), instrument_type)
        AND list_contains(string_split(getvariable('review_instruments'), ','), instrument_type) AS review,
    getvariable('run_id') AS run_id
FROM core.fact_holding
GROUP BY as_of, operator_code, instrument_type
