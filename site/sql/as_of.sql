-- The data's as-of date: the latest month end the marts reach.
SELECT coalesce(CAST(max(month) AS VARCHAR), '') FROM mart.fund_position
