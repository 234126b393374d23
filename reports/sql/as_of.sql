-- reads: mart.scorecard, mart.budget_execution, mart.fund_position
-- The marts' run id and the data's as-of date (the last month end).
SELECT coalesce((SELECT max(run_id) FROM mart.scorecard), ''),
    coalesce(strftime(greatest(
        (SELECT max(as_of_month) FROM mart.budget_execution),
        (SELECT max(month) FROM mart.fund_position)), '%Y-%m-%d'), '')
