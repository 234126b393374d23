-- model: stage_bank_accounts
-- depends: new_loads, known_activities
-- Types and checks bank accounts (shape: see stage_organizations.sql).
-- account_no is text, not a code: kept as received, only trimmed of
-- surrounding white space (ASCII and ideographic). An account of an activity
-- names an activity its operator has sent; activity_code NULL is an
-- organisation-level account. closed_on may lie ahead (an announced closing).
CREATE OR REPLACE TEMP TABLE stage_bank_accounts AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.bank_accounts AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        nullif(trim(hz_text(account_no), ' ' || chr(9) || chr(10) || chr(13) || '　'), '') AS account_no,
        hz_code(activity_code) AS activity_code,
        hz_text(bank_name) AS bank_name,
        purpose,
        hz_date(opened_on) AS opened_on,
        hz_date(closed_on) AS closed_on,
        hz_ts(updated_at) AS updated_at,
        struct_pack(operator_code, account_no, activity_code, bank_name, purpose, opened_on, closed_on, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN account_no IS NULL THEN 'account_no' END,
            CASE WHEN nullif(recv.bank_name, '') IS NULL THEN 'bank_name' END,
            CASE WHEN recv.purpose IS NULL THEN 'purpose' END,
            CASE WHEN recv.opened_on IS NULL THEN 'opened_on' END,
            CASE WHEN recv.updated_at IS NULL THEN 'updated_at' END) AS missing,
        a.found IS NOT NULL AS activity_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
)
SELECT m.* EXCLUDE (recv, missing, activity_known),
    CASE
        WHEN missing <> '' THEN 'missing_field:required field empty: ' || missing
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN opened_on IS NULL THEN 'bad_date:opened_on is not a date'
        WHEN hz_sent(recv.closed_on) AND closed_on IS NULL THEN 'bad_date:closed_on is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN purpose NOT IN ('activity_fund', 'reserve', 'general', 'other') THEN 'bad_enum:purpose is not a contract value'
        WHEN closed_on < opened_on THEN 'bad_period:closed_on is before opened_on'
        WHEN opened_on > batch_day THEN 'future_date:opened_on is after the batch date'
        WHEN activity_code IS NOT NULL AND NOT activity_known THEN 'unknown_ref:activity_code is no activity of the operator'
    END AS verdict
FROM m
