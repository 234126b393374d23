-- model: stage_budgets
-- depends: new_loads, known_activities, core.dim_account
-- Types and checks budget lines (shape: see stage_organizations.sql). A line
-- is an income (4xxx) or expense (5xxx) account of the chart; activity_code
-- NULL is an organisation-level line, else an activity its operator has sent.
CREATE OR REPLACE TEMP TABLE stage_budgets AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.budgets AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(activity_code) AS activity_code,
        hz_int(fiscal_year) AS fiscal_year,
        hz_code(line_code) AS line_code,
        version,
        hz_money(amount) AS amount,
        hz_date(approved_on) AS approved_on,
        hz_ts(updated_at) AS updated_at,
        struct_pack(operator_code, activity_code, fiscal_year, line_code, version, amount, approved_on, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN recv.fiscal_year IS NULL THEN 'fiscal_year' END,
            CASE WHEN line_code IS NULL THEN 'line_code' END,
            CASE WHEN recv.version IS NULL THEN 'version' END,
            CASE WHEN recv.amount IS NULL THEN 'amount' END,
            CASE WHEN recv.approved_on IS NULL THEN 'approved_on' END,
            CASE WHEN recv.updated_at IS NULL THEN 'updated_at' END) AS missing,
        a.found IS NOT NULL AS activity_known,
        c.class AS line_class
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
    LEFT JOIN core.dim_account AS c ON c.account_code = t.line_code
)
SELECT m.* EXCLUDE (recv, missing, activity_known, line_class),
    CASE
        WHEN missing <> '' THEN 'missing_field:required field empty: ' || missing
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN fiscal_year IS NULL THEN 'bad_int:fiscal_year is not an integer'
        WHEN amount IS NULL THEN 'bad_money:amount is not an amount'
        WHEN approved_on IS NULL THEN 'bad_date:approved_on is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN version NOT IN ('original', 'adjusted') THEN 'bad_enum:version is not original or adjusted'
        WHEN line_class IS NOT NULL AND line_class NOT IN ('income', 'expense')
            THEN 'bad_enum:line_code is not an income or expense account'
        WHEN fiscal_year NOT BETWEEN 1900 AND 2999 THEN 'bad_int:fiscal_year is not a plausible year'
        WHEN approved_on > batch_day THEN 'future_date:approved_on is after the batch date'
        WHEN line_class IS NULL THEN 'unknown_ref:line_code is not in the chart of accounts'
        WHEN activity_code IS NOT NULL AND NOT activity_known THEN 'unknown_ref:activity_code is no activity of the operator'
    END AS verdict
FROM m
