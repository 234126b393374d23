-- model: core.fact_contribution
-- depends: core.v_enrollments, core.dim_org
-- The current version of each enrollments row (the latest updated_at of its
-- natural key), with its operator's pool.
--
-- The largest fact (a row per receipt), so a table maintained night by
-- night rather than rebuilt: built whole the first time (and after a full
-- rebuild or a backfill, which drop it), then each night only the receipts
-- with a version from a load it does not hold yet (ops.fact_loads) are
-- taken out and put back, and an operator whose pool changed gets it on
-- every row. The statements run in one transaction: the table and
-- ops.fact_loads move together.
CREATE OR REPLACE TEMP TABLE fc_fresh AS
SELECT NOT EXISTS (SELECT 1 FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'fact_contribution') AS fresh;

CREATE TABLE IF NOT EXISTS core.fact_contribution AS
SELECT v.* EXCLUDE (load_id, loaded_at, source_pos, pos_n, row_hash, source_operator), o.pool_code
FROM core.v_enrollments AS v
LEFT JOIN core.dim_org AS o ON o.org_code = v.operator_code AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.operator_code, v.receipt_no ORDER BY v.updated_at DESC) = 1;

-- The receipts with a version the table does not hold yet (none when it
-- was just built whole).
CREATE OR REPLACE TEMP TABLE fc_keys AS
SELECT DISTINCT operator_code, receipt_no
FROM core.v_enrollments
WHERE NOT (SELECT fresh FROM fc_fresh)
    AND load_id NOT IN (SELECT load_id FROM ops.fact_loads WHERE fact = 'fact_contribution');

DELETE FROM core.fact_contribution AS f
USING fc_keys AS k
WHERE f.operator_code = k.operator_code AND f.receipt_no = k.receipt_no;

INSERT INTO core.fact_contribution
SELECT v.* EXCLUDE (load_id, loaded_at, source_pos, pos_n, row_hash, source_operator), o.pool_code
FROM core.v_enrollments AS v
SEMI JOIN fc_keys AS k ON k.operator_code = v.operator_code AND k.receipt_no = v.receipt_no
LEFT JOIN core.dim_org AS o ON o.org_code = v.operator_code AND o.is_current
QUALIFY row_number() OVER (PARTITION BY v.operator_code, v.receipt_no ORDER BY v.updated_at DESC) = 1;

INSERT INTO ops.fact_loads
SELECT 'fact_contribution', load_id
FROM (SELECT DISTINCT load_id FROM core.v_enrollments)
WHERE load_id NOT IN (SELECT load_id FROM ops.fact_loads WHERE fact = 'fact_contribution');

-- An operator whose current organisation row names another pool.
UPDATE core.fact_contribution AS f
SET pool_code = o.pool_code
FROM core.dim_org AS o
WHERE o.org_code = f.operator_code AND o.is_current AND f.pool_code IS DISTINCT FROM o.pool_code
