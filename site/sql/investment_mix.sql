-- Where the money sits at each operator's latest month end.
SELECT operator_code, CAST(month AS VARCHAR), instrument_type, CAST(market_value AS VARCHAR), share, allowed, review
FROM mart.investment_mix
WHERE (operator_code, month) IN (SELECT (operator_code, max(month)) FROM mart.investment_mix GROUP BY operator_code)
ORDER BY operator_code, instrument_type
