-- reads: mart.finding_holdings
-- The holdings findings name, month by month.
SELECT operator_code, holding_id, strftime(month, '%Y-%m-%d'), coalesce(activity_code, ''), coalesce(instrument_type, ''),
    coalesce(instrument_name, ''), coalesce(issuer, ''), coalesce(strftime(start_date, '%Y-%m-%d'), ''),
    coalesce(strftime(maturity_date, '%Y-%m-%d'), ''), CAST(rate_pct AS DOUBLE),
    CAST(principal AS VARCHAR), CAST(market_value AS VARCHAR), CAST(accrued_income AS VARCHAR), CAST(realized_income AS VARCHAR)
FROM mart.finding_holdings
ORDER BY operator_code, holding_id, month
