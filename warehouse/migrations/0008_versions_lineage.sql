-- A version keeps the load it came in (load_id) but no longer its
-- position's text, the number ending it or the load's time (source_pos,
-- pos_n, loaded_at: a third of the cost of writing the versions); the
-- tables where new versions wait for the kept facts (core.p_<entity>) have
-- the versions' columns. Dropped from the tables a warehouse already has.
-- (core.k_<entity> now keeps only the keys of refused records; the keys an
-- older warehouse keeps there are keys sent all the same.)
ALTER TABLE IF EXISTS core.v_organizations DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_organizations DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_organizations DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_activities DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_activities DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_activities DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_members DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.p_members DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.p_members DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.p_members DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_bank_accounts DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_bank_accounts DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_bank_accounts DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_decisions DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_decisions DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_decisions DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_staff_roles DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_staff_roles DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_staff_roles DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_enrollments DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.p_enrollments DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.p_enrollments DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.p_enrollments DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_claims DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.p_claims DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.p_claims DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.p_claims DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_ledger_entries DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.p_ledger_entries DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.p_ledger_entries DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.p_ledger_entries DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_investments DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_investments DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_investments DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_budgets DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_budgets DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_budgets DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_audits DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_audits DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_audits DROP COLUMN IF EXISTS loaded_at;
ALTER TABLE IF EXISTS core.v_assistance DROP COLUMN IF EXISTS source_pos;
ALTER TABLE IF EXISTS core.v_assistance DROP COLUMN IF EXISTS pos_n;
ALTER TABLE IF EXISTS core.v_assistance DROP COLUMN IF EXISTS loaded_at;
