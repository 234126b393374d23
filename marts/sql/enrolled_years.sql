-- model: work.enrolled_years
-- depends: core.agg_contribution
-- Distinct enrolled members per operator, activity and calendar year, for
-- the two models that count them (a temporary table of the marts run,
-- never published): core.agg_enrolled_year, which the transform keeps
-- night by night beside core.fact_contribution (see
-- transform/sql/core/agg_contribution.sql). A member counts in a year when
-- one of their receipts (amount > 0, not itself a refund) has a period
-- overlapping it:
--   members_active     receipts never refunded at all (R14: the active
--                      members the law of large numbers needs)
--   members_enrolled   receipts not refunded in full (the disclosure's
--                      members_enrolled)
CREATE OR REPLACE TEMP TABLE enrolled_years AS
SELECT operator_code, activity_code, y, members_active, members_enrolled
FROM core.agg_enrolled_year
