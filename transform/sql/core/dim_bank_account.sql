-- model: core.dim_bank_account
-- depends: core.v_bank_accounts, core.dim_org
-- The current version of each bank_accounts row (the latest updated_at of its
-- natural key), with its operator's pool.
CREATE OR REPLACE VIEW core.dim_bank_account AS
SELECT v.* EXCLUDE (load_no) RENAME (source_operator AS operator_code), o.pool_code
FROM core.v_bank_accounts AS v
LEFT JOIN core.dim_org AS o ON o.org_code = v.source_operator AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.source_operator, v.account_no ORDER BY v.updated_at DESC) = 1
