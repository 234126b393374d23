-- A version no longer keeps the operator its record names (operator_code),
-- which its checks held equal to the source's (source_operator), nor, for
-- the four entities with a current fact, its operator's pool (pool_code):
-- the views of the versions give source_operator that name and read the
-- pool of the operator's current organisation through a join. Writing
-- both cost DuckDB's writer about a thread-second of 4.8 M receipts at
-- 1 M members. Dropped from the versions a warehouse already has, and from
-- what waits for the current facts; the views that read them, and what is
-- kept beside the current facts night by night, go too, so that the next
-- transform defines them again and builds the aggregates whole (as 0012).
DROP TABLE IF EXISTS core.agg_contribution_month;
DROP TABLE IF EXISTS core.agg_enrolled_year;
DROP VIEW IF EXISTS core.fact_contribution;
DROP TABLE IF EXISTS core.p_enrollments;
DROP VIEW IF EXISTS core.fact_claim;
DROP TABLE IF EXISTS core.p_claims;
DROP VIEW IF EXISTS core.fact_ledger_line;
DROP TABLE IF EXISTS core.p_ledger_entries;
DROP VIEW IF EXISTS core.member_current;
DROP TABLE IF EXISTS core.p_members;
DROP VIEW IF EXISTS core.dim_member;
DROP VIEW IF EXISTS core.dim_activity;
DROP VIEW IF EXISTS core.dim_staff;
DROP VIEW IF EXISTS core.dim_bank_account;
DROP VIEW IF EXISTS core.fact_claim_status;
DROP VIEW IF EXISTS core.fact_audit;
DROP VIEW IF EXISTS core.fact_assistance;
DROP VIEW IF EXISTS core.fact_budget_line;
DROP VIEW IF EXISTS core.fact_decision;
DROP VIEW IF EXISTS core.fact_holding;
ALTER TABLE IF EXISTS core.v_activities DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_bank_accounts DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_decisions DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_staff_roles DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_investments DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_budgets DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_audits DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_assistance DROP COLUMN IF EXISTS operator_code;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS pool_code;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS pool_code;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS pool_code;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS pool_code;
