-- mart.disclosure_activity_year: money as text (parsed to money.Cents in
-- Go), suppressed figures NULL.
SELECT fiscal_year, operator_code, activity_code, members_enrolled,
    CAST(contributions AS VARCHAR), claims_paid, CAST(benefits_paid AS VARCHAR),
    payout_ratio, mgmt_fee_ratio, median_days_to_pay,
    CAST(fund_balance AS VARCHAR), CAST(reserve_balance AS VARCHAR), suppressed
FROM mart.disclosure_activity_year
ORDER BY operator_code, activity_code, fiscal_year
