-- The tables the transform keeps night by night (the three largest facts,
-- the members behind dim_member, the aggregates beside fact_contribution)
-- now learn which records changed from core.p_<entity>, which the settle
-- step fills, instead of ops.fact_loads: drop them once, so that the next
-- transform builds them whole, and the old bookkeeping with them.
DROP TABLE IF EXISTS core.fact_contribution;
DROP TABLE IF EXISTS core.fact_claim;
DROP TABLE IF EXISTS core.fact_ledger_line;
DROP TABLE IF EXISTS core.agg_contribution_month;
DROP TABLE IF EXISTS core.agg_member_year;
DROP TABLE IF EXISTS core.agg_enrolled_year;
DROP TABLE IF EXISTS ops.fact_loads;
