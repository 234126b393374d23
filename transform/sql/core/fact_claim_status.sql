-- model: core.fact_claim_status
-- depends: core.v_claims
-- Each claim's status history (SCD2): a row per version, valid from its
-- updated_at to the next one's.
CREATE OR REPLACE VIEW core.fact_claim_status AS
SELECT operator_code, claim_no, status, approved_amount, paid_amount, decided_at, paid_at,
    updated_at AS valid_from,
    lead(updated_at) OVER (PARTITION BY operator_code, claim_no ORDER BY updated_at) AS valid_to,
    lead(updated_at) OVER (PARTITION BY operator_code, claim_no ORDER BY updated_at) IS NULL AS is_current
FROM core.v_claims
