-- model: core.fact_ledger_line
-- depends: core.v_ledger_entries, core.dim_org
-- The current version of each ledger_entries row (the latest updated_at of its
-- natural key), with its operator's pool.
CREATE OR REPLACE TABLE core.fact_ledger_line AS
SELECT v.* EXCLUDE (load_id, loaded_at, source_pos, pos_n, row_hash, source_operator), o.pool_code
FROM core.v_ledger_entries AS v
LEFT JOIN core.dim_org AS o ON o.org_code = v.operator_code AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.operator_code, v.voucher_no, v.line_no ORDER BY v.updated_at DESC) = 1
