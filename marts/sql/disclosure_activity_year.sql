-- model: mart.disclosure_activity_year
-- depends: work.disclosure_rows
-- Public disclosure (信息公开) per fiscal (calendar) year and activity:
-- the rows of work.disclosure_rows (which defines the figures and decides
-- the suppression), no person in any row, only counts and sums
-- (../shared/spec/marts.md, "Disclosure rules"). A suppressed row
-- (suppressed true: a count below k = getvariable('k_anonymity'), or the
-- complementary row of its operator's year) shows no money figure of its
-- own — contributions, benefits_paid, payout_ratio, fund_balance,
-- reserve_balance all NULL — and neither claims_paid nor
-- median_days_to_pay: with the contributions and the change of the fund
-- and reserve shown, the hidden benefits would follow by subtraction.
-- members_enrolled is NULL when it is below k (it has no total above the
-- activity anywhere). mgmt_fee_ratio is the operator's, the same on each
-- of its activities, and stays shown. The totals above the activity are
-- mart.disclosure_operator_year's; mart.disclosure_breakdown suppresses
-- every cell of a suppressed row's year and activity.
CREATE OR REPLACE TABLE mart.disclosure_activity_year AS
SELECT CAST(fiscal_year AS INTEGER) AS fiscal_year, pool_code, operator_code, activity_code, activity_name, category,
    CASE WHEN members_enrolled >= getvariable('k_anonymity') THEN members_enrolled END AS members_enrolled,
    CASE WHEN NOT suppressed THEN CAST(contributions AS DECIMAL(18, 2)) END AS contributions,
    CASE WHEN NOT suppressed THEN claims_paid END AS claims_paid,
    CASE WHEN NOT suppressed THEN CAST(benefits_paid AS DECIMAL(18, 2)) END AS benefits_paid,
    CASE WHEN NOT suppressed THEN CAST(benefits_paid AS DOUBLE) / nullif(CAST(contributions AS DOUBLE), 0) END AS payout_ratio,
    mgmt_fee_ratio,
    CASE WHEN NOT suppressed THEN median_days_to_pay END AS median_days_to_pay,
    CASE WHEN NOT suppressed THEN CAST(fund_balance AS DECIMAL(18, 2)) END AS fund_balance,
    CASE WHEN NOT suppressed THEN CAST(reserve_balance AS DECIMAL(18, 2)) END AS reserve_balance,
    suppressed,
    getvariable('run_id') AS run_id
FROM disclosure_rows
