-- mart.disclosure_operator_year: an operator's totals of a year over all
-- its activities, money as text, suppressed totals NULL.
SELECT fiscal_year, operator_code, CAST(contributions AS VARCHAR), CAST(fund_balance AS VARCHAR),
    CAST(reserve_balance AS VARCHAR), mgmt_fee_ratio, suppressed
FROM mart.disclosure_operator_year
ORDER BY operator_code, fiscal_year
