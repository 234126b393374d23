-- reads: mart.investment_mix
SELECT operator_code, strftime(month, '%Y-%m-%d'), instrument_type, CAST(market_value AS VARCHAR), share, allowed, review
FROM mart.investment_mix
WHERE operator_code IS NOT NULL
ORDER BY operator_code, month, instrument_type
