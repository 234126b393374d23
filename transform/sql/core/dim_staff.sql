-- model: core.dim_staff
-- depends: core.v_staff_roles
-- Key staff by role and period (clauses 五, 十六, 十七): the current version
-- of each (staff_id, role, start_date); names as pseudonyms only.
CREATE OR REPLACE TABLE core.dim_staff AS
SELECT * EXCLUDE (load_id, loaded_at, source_pos, pos_n, row_hash, source_operator)
FROM core.v_staff_roles
QUALIFY row_number() OVER (PARTITION BY operator_code, staff_id, role, start_date ORDER BY updated_at DESC) = 1
