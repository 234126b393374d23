-- A version no longer keeps the hash of its content (row_hash): only
-- judging read it, to order the rows of one position sent more than once,
-- and it computes it for those rows (transform.settleData.RowHash); writing
-- it with every version cost 0.2 s of 4.8 M receipts at 1 M members.
-- Dropped from the versions a warehouse already has. The views of the
-- current versions excluded it by name, and go with what is kept beside
-- them night by night (as transform.dropKept drops them), so that the next
-- transform defines them again and builds the aggregates whole.
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
ALTER TABLE IF EXISTS core.v_organizations DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_activities DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_bank_accounts DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_decisions DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_staff_roles DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_investments DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_budgets DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_audits DROP COLUMN IF EXISTS row_hash;
ALTER TABLE IF EXISTS core.v_assistance DROP COLUMN IF EXISTS row_hash;
