-- The three largest facts (fact_contribution, fact_claim, fact_ledger_line)
-- became tables, materialised once per transform, instead of views that
-- every mart model re-evaluated (a window over every version each time).
-- CREATE OR REPLACE TABLE cannot replace a view: drop the old views once.
DROP VIEW IF EXISTS core.fact_contribution;
DROP VIEW IF EXISTS core.fact_claim;
DROP VIEW IF EXISTS core.fact_ledger_line;
