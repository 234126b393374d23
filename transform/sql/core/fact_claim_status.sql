-- model: core.fact_claim_status
-- depends: core.v_claims, core.fact_claim
-- Each claim's status history (SCD2): a row per version, valid from its
-- updated_at to the next one's (valid_to, which sql/current_fact.sql.tmpl
-- sets on the versions; null for the current one).
CREATE OR REPLACE VIEW core.fact_claim_status AS
SELECT source_operator AS operator_code, claim_no, status, approved_amount, paid_amount, decided_at, paid_at,
    updated_at AS valid_from, valid_to, valid_to IS NULL AS is_current
FROM core.v_claims
