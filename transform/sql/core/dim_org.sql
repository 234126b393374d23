-- model: core.dim_org
-- depends: core.v_organizations
-- Organisations with their history (SCD2): one row a version, valid from its
-- updated_at until the next version's. Several operators report the same
-- federation; a version is taken once (from the operator first in code
-- order) — their copies agree or they would be separate versions.
CREATE OR REPLACE TABLE core.dim_org AS
WITH versions AS (
    SELECT * EXCLUDE (load_no, source_operator)
    FROM core.v_organizations
    QUALIFY row_number() OVER (PARTITION BY org_code, updated_at ORDER BY source_operator) = 1
)
SELECT *,
    updated_at AS valid_from,
    lead(updated_at) OVER (PARTITION BY org_code ORDER BY updated_at) AS valid_to,
    lead(updated_at) OVER (PARTITION BY org_code ORDER BY updated_at) IS NULL AS is_current
FROM versions
