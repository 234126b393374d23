-- model: stage_staff_roles
-- depends: new_loads
-- Types and checks key positions (clauses 五, 十六, 十七; shape: see
-- stage_organizations.sql). The name is personal data: it becomes an HMAC
-- pseudonym here (name_pseudo, as in stage_members) and is masked in the
-- quarantined record; scrub_staff_roles.sql replaces it in raw afterwards, and a raw
-- name already replaced ("HZ1:<pseudonym>") yields the same pseudonym.
-- start_date and end_date are the term and may lie ahead of the batch.
CREATE OR REPLACE TEMP TABLE stage_staff_roles AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.staff_roles AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_ref_pseudo(hz_code(staff_id)) AS staff_id,
        hz_pseudo(hz_text(name)) AS name_pseudo,
        hz_ref_pseudo(role) AS role,
        hz_date(start_date) AS start_date,
        hz_date(end_date) AS end_date,
        hz_ts(updated_at) AS updated_at,
        struct_pack(operator_code, staff_id, name, role, start_date, end_date, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN staff_id IS NULL THEN 'staff_id' END,
            CASE WHEN nullif(recv.name, '') IS NULL THEN 'name' END,
            CASE WHEN recv.role IS NULL THEN 'role' END,
            CASE WHEN recv.start_date IS NULL THEN 'start_date' END,
            CASE WHEN recv.updated_at IS NULL THEN 'updated_at' END) AS missing
    FROM t
)
SELECT m.* EXCLUDE (recv, missing),
    CASE
        WHEN missing <> '' THEN 'missing_field:required field empty: ' || missing
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN start_date IS NULL THEN 'bad_date:start_date is not a date'
        WHEN hz_sent(recv.end_date) AND end_date IS NULL THEN 'bad_date:end_date is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN role NOT IN ('leader', 'finance_head', 'cashier', 'accountant', 'claims_officer', 'other')
            THEN 'bad_enum:role is not a contract value'
        WHEN end_date < start_date THEN 'bad_period:end_date is before start_date'
    END AS verdict
FROM m
