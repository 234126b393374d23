-- model: core.dim_staff
-- depends: core.v_staff_roles
-- Key staff by role (clauses 五, 十六, 十七) with their history (SCD2): a
-- row per version of each (staff_id, role, start_date), valid from its
-- updated_at to the next one's — a term's end is recorded as a new version.
-- Names as pseudonyms only.
CREATE OR REPLACE VIEW core.dim_staff AS
SELECT * EXCLUDE (load_no) RENAME (source_operator AS operator_code),
    updated_at AS valid_from,
    lead(updated_at) OVER (PARTITION BY source_operator, staff_id, role, start_date ORDER BY updated_at) AS valid_to,
    lead(updated_at) OVER (PARTITION BY source_operator, staff_id, role, start_date ORDER BY updated_at) IS NULL AS is_current
FROM core.v_staff_roles
