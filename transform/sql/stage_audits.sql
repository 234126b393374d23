-- model: stage_audits
-- depends: new_loads, known_staff_roles
-- Types and checks audits (clauses 十四, 十七; shape: see
-- stage_organizations.sql). A subject_staff names a staff member its
-- operator has sent in staff_roles; the report may not be dated after the
-- batch.
CREATE OR REPLACE TEMP TABLE stage_audits AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.audits AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(audit_id) AS audit_id,
        audit_type,
        hz_ref_pseudo(hz_code(subject_staff)) AS subject_staff,
        hz_date(period_start) AS period_start,
        hz_date(period_end) AS period_end,
        hz_date(report_date) AS report_date,
        opinion,
        hz_int(findings) AS findings,
        hz_ts(updated_at) AS updated_at,
        struct_pack(operator_code, audit_id, audit_type, subject_staff, period_start, period_end, report_date,
            opinion, findings, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN audit_id IS NULL THEN 'audit_id' END,
            CASE WHEN recv.audit_type IS NULL THEN 'audit_type' END,
            CASE WHEN recv.period_start IS NULL THEN 'period_start' END,
            CASE WHEN recv.period_end IS NULL THEN 'period_end' END,
            CASE WHEN recv.report_date IS NULL THEN 'report_date' END,
            CASE WHEN recv.opinion IS NULL THEN 'opinion' END,
            CASE WHEN recv.findings IS NULL THEN 'findings' END,
            CASE WHEN recv.updated_at IS NULL THEN 'updated_at' END) AS missing,
        s.found IS NOT NULL AS staff_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, staff_id, true AS found FROM known_staff_roles) AS s
        ON s.source_operator = t.source_operator AND s.staff_id = t.subject_staff
)
SELECT m.* EXCLUDE (recv, missing, staff_known),
    CASE
        WHEN missing <> '' THEN 'missing_field:required field empty: ' || missing
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN period_start IS NULL THEN 'bad_date:period_start is not a date'
        WHEN period_end IS NULL THEN 'bad_date:period_end is not a date'
        WHEN report_date IS NULL THEN 'bad_date:report_date is not a date'
        WHEN findings IS NULL THEN 'bad_int:findings is not an integer'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN audit_type NOT IN ('annual', 'special', 'tenure', 'departure') THEN 'bad_enum:audit_type is not a contract value'
        WHEN opinion NOT IN ('unqualified', 'qualified', 'adverse', 'disclaimer') THEN 'bad_enum:opinion is not a contract value'
        WHEN period_end < period_start THEN 'bad_period:period_end is before period_start'
        WHEN findings < 0 THEN 'bad_int:findings is negative'
        WHEN report_date > batch_day THEN 'future_date:report_date is after the batch date'
        WHEN subject_staff IS NOT NULL AND NOT staff_known THEN 'unknown_ref:subject_staff is no staff member of the operator'
    END AS verdict
FROM m
