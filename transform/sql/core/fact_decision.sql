-- model: core.fact_decision
-- depends: core.v_decisions, core.dim_org
-- The current version of each decisions row (the latest updated_at of its
-- natural key), with its operator's pool.
CREATE OR REPLACE VIEW core.fact_decision AS
SELECT v.* EXCLUDE (load_no) RENAME (source_operator AS operator_code), o.pool_code
FROM core.v_decisions AS v
LEFT JOIN core.dim_org AS o ON o.org_code = v.source_operator AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.source_operator, v.decision_ref ORDER BY v.updated_at DESC) = 1
