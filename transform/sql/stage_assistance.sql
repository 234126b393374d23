-- model: stage_assistance
-- depends: new_loads, known_activities
-- Types and checks assistance items (shape: see stage_organizations.sql).
-- approved_ref, publicized_on and a voucher_no that no ledger line carries
-- are rule R05's findings, not data errors: voucher_no need not resolve.
CREATE OR REPLACE TEMP TABLE stage_assistance AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.assistance AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(item_id) AS item_id,
        hz_code(activity_code) AS activity_code,
        kind,
        hz_text(description) AS description,
        hz_money(amount) AS amount,
        hz_code(approved_ref) AS approved_ref,
        hz_date(publicized_on) AS publicized_on,
        hz_code(voucher_no) AS voucher_no,
        hz_ts(updated_at) AS updated_at,
        r.description AS description_raw, r.amount AS amount_raw, r.publicized_on AS publicized_on_raw,
        r.updated_at AS updated_at_raw
    FROM r
), c AS (
    -- References as left joins to the distinct keys sent (known_*), not
    -- correlated NOT EXISTS in the CASE: see stage_enrollments.sql.
    SELECT t.*, a.found AS activity_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
)
SELECT c.* EXCLUDE (activity_known, description_raw, amount_raw, publicized_on_raw, updated_at_raw),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_code IS NULL OR item_id IS NULL OR kind IS NULL OR nullif(description_raw, '') IS NULL
          OR amount_raw IS NULL OR voucher_no IS NULL OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_code IS NULL THEN 'operator_code' END,
                CASE WHEN item_id IS NULL THEN 'item_id' END,
                CASE WHEN kind IS NULL THEN 'kind' END,
                CASE WHEN nullif(description_raw, '') IS NULL THEN 'description' END,
                CASE WHEN amount_raw IS NULL THEN 'amount' END,
                CASE WHEN voucher_no IS NULL THEN 'voucher_no' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN hz_sent(publicized_on_raw) AND publicized_on IS NULL THEN 'bad_date:publicized_on is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN amount IS NULL THEN 'bad_money:amount is not a money amount'
        WHEN kind NOT IN ('member_activity', 'hardship_assistance') THEN 'bad_enum:kind is not a contract value'
        WHEN amount <= 0 THEN 'negative_amount:amount is not above zero'
        WHEN publicized_on > batch_day THEN 'future_date:publicized_on is after the batch date'
        WHEN activity_code IS NOT NULL AND activity_known IS NULL
            THEN 'unknown_ref:activity_code is no activity of the operator'
    END AS verdict
FROM c
