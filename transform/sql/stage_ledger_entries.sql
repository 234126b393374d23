-- model: stage_ledger_entries
-- depends: new_loads, core.dim_account, known_activities
-- Types and checks ledger lines (shape: see stage_organizations.sql). A
-- line has one side: debit or credit above zero, the other zero. What
-- only the voucher or other entities can tell (an unbalanced voucher, a
-- payment from the wrong bank account, a missing decision) is for the
-- compliance rules (R10, R06, R07): bank_account_no and decision_ref need
-- not resolve here.
CREATE OR REPLACE TEMP TABLE stage_ledger_entries AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day,
        -- once here: hz_ref_pseudo names its argument five times
        hz_code(r.prepared_by) AS prepared_c, hz_code(r.approved_by) AS approved_c, hz_code(r.paid_by) AS paid_c
    FROM raw.ledger_entries AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(voucher_no) AS voucher_no,
        hz_int(line_no) AS line_no,
        hz_code(activity_code) AS activity_code,
        hz_date(posted_on) AS posted_on,
        hz_code(account_code) AS account_code,
        hz_money(debit) AS debit,
        hz_money(credit) AS credit,
        hz_text(bank_account_no) AS bank_account_no,
        hz_text(counterparty) AS counterparty,
        hz_text(summary) AS summary,
        hz_ref_pseudo(prepared_c) AS prepared_by,
        hz_ref_pseudo(approved_c) AS approved_by,
        hz_ref_pseudo(paid_c) AS paid_by,
        hz_code(decision_ref) AS decision_ref,
        hz_ts(updated_at) AS updated_at,
        r.line_no AS line_no_raw, r.posted_on AS posted_on_raw, r.debit AS debit_raw, r.credit AS credit_raw,
        r.summary AS summary_raw, r.updated_at AS updated_at_raw
    FROM r
), c AS (
    -- References as left joins to the distinct keys sent (known_*), not
    -- correlated NOT EXISTS in the CASE: see stage_enrollments.sql.
    SELECT t.*, a.found AS activity_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
)
SELECT c.* EXCLUDE (activity_known, line_no_raw, posted_on_raw, debit_raw, credit_raw, summary_raw, updated_at_raw),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_code IS NULL OR voucher_no IS NULL OR line_no_raw IS NULL OR posted_on_raw IS NULL
          OR account_code IS NULL OR debit_raw IS NULL OR credit_raw IS NULL OR nullif(summary_raw, '') IS NULL
          OR prepared_by IS NULL OR approved_by IS NULL OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_code IS NULL THEN 'operator_code' END,
                CASE WHEN voucher_no IS NULL THEN 'voucher_no' END,
                CASE WHEN line_no_raw IS NULL THEN 'line_no' END,
                CASE WHEN posted_on_raw IS NULL THEN 'posted_on' END,
                CASE WHEN account_code IS NULL THEN 'account_code' END,
                CASE WHEN debit_raw IS NULL THEN 'debit' END,
                CASE WHEN credit_raw IS NULL THEN 'credit' END,
                CASE WHEN nullif(summary_raw, '') IS NULL THEN 'summary' END,
                CASE WHEN prepared_by IS NULL THEN 'prepared_by' END,
                CASE WHEN approved_by IS NULL THEN 'approved_by' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN posted_on IS NULL THEN 'bad_date:posted_on is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN debit IS NULL THEN 'bad_money:debit is not a money amount'
        WHEN credit IS NULL THEN 'bad_money:credit is not a money amount'
        WHEN line_no IS NULL THEN 'bad_int:line_no is not an integer'
        WHEN debit < 0 THEN 'negative_amount:debit is negative'
        WHEN credit < 0 THEN 'negative_amount:credit is negative'
        WHEN debit > 0 AND credit > 0 THEN 'debit_credit_both:debit and credit are both above zero'
        WHEN debit = 0 AND credit = 0 THEN 'debit_credit_both:debit and credit are both zero'
        WHEN posted_on > batch_day THEN 'future_date:posted_on is after the batch date'
        WHEN account_code NOT IN (SELECT account_code FROM core.dim_account)
            THEN 'unknown_ref:account_code is not in the chart of accounts'
        WHEN activity_code IS NOT NULL AND activity_known IS NULL
            THEN 'unknown_ref:activity_code is no activity of the operator'
    END AS verdict
FROM c
