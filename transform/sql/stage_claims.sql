-- model: stage_claims
-- depends: new_loads, known_activities, known_members
-- Types and checks claims (shape: see stage_organizations.sql). The
-- diagnosis group is free text, kept as is. What a paid claim may not be
-- (above the benefit cap or the out-of-pocket cost, paid twice) is for the
-- compliance rules (R17, R18), not a reason to refuse the row here. An
-- event dated after the batch, or after the claim was filed, is a
-- future_date.
CREATE OR REPLACE TEMP TABLE stage_claims AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day,
        -- once here: hz_ref_pseudo names its argument five times
        hz_code(r.member_ref) AS member_c
    FROM raw.claims AS r
    -- the new loads' rows, by the join alone (no WHERE: see stage_enrollments.sql)
    JOIN new_loads AS n USING (load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(claim_no) AS claim_no,
        hz_code(activity_code) AS activity_code,
        hz_ref_pseudo(member_c) AS member_ref,
        hz_date(event_date) AS event_date,
        hz_ts(filed_at) AS filed_at,
        hz_text(diagnosis_group) AS diagnosis_group,
        hospital_level,
        hz_money(medical_total) AS medical_total,
        hz_money(insurance_paid) AS insurance_paid,
        hz_money(claimed_amount) AS claimed_amount,
        hz_money(approved_amount) AS approved_amount,
        status,
        hz_ts(decided_at) AS decided_at,
        hz_ts(paid_at) AS paid_at,
        hz_money(paid_amount) AS paid_amount,
        hz_code(payment_voucher_no) AS payment_voucher_no,
        hz_ts(updated_at) AS updated_at,
        r.event_date AS event_date_raw, r.filed_at AS filed_at_raw, r.diagnosis_group AS diagnosis_group_raw,
        r.medical_total AS medical_total_raw, r.insurance_paid AS insurance_paid_raw,
        r.claimed_amount AS claimed_amount_raw, r.approved_amount AS approved_amount_raw,
        r.decided_at AS decided_at_raw, r.paid_at AS paid_at_raw, r.paid_amount AS paid_amount_raw,
        r.updated_at AS updated_at_raw
    FROM r
), c AS (
    -- References as left joins to the distinct keys sent (known_*), not
    -- correlated NOT EXISTS in the CASE: see stage_enrollments.sql.
    SELECT t.*, a.found AS activity_known,
        -- the members' key as an EXISTS, and r without a WHERE: see
        -- stage_enrollments.sql
        EXISTS (SELECT 1 FROM known_members AS k
                WHERE k.source_operator = t.source_operator AND k.member_ref = t.member_ref) AS member_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
)
SELECT c.* EXCLUDE (activity_known, member_known, event_date_raw, filed_at_raw, diagnosis_group_raw, medical_total_raw, insurance_paid_raw,
        claimed_amount_raw, approved_amount_raw, decided_at_raw, paid_at_raw, paid_amount_raw, updated_at_raw),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_code IS NULL OR claim_no IS NULL OR activity_code IS NULL OR member_ref IS NULL
          OR event_date_raw IS NULL OR filed_at_raw IS NULL OR nullif(diagnosis_group_raw, '') IS NULL OR hospital_level IS NULL
          OR medical_total_raw IS NULL OR insurance_paid_raw IS NULL OR claimed_amount_raw IS NULL
          OR status IS NULL OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_code IS NULL THEN 'operator_code' END,
                CASE WHEN claim_no IS NULL THEN 'claim_no' END,
                CASE WHEN activity_code IS NULL THEN 'activity_code' END,
                CASE WHEN member_ref IS NULL THEN 'member_ref' END,
                CASE WHEN event_date_raw IS NULL THEN 'event_date' END,
                CASE WHEN filed_at_raw IS NULL THEN 'filed_at' END,
                CASE WHEN nullif(diagnosis_group_raw, '') IS NULL THEN 'diagnosis_group' END,
                CASE WHEN hospital_level IS NULL THEN 'hospital_level' END,
                CASE WHEN medical_total_raw IS NULL THEN 'medical_total' END,
                CASE WHEN insurance_paid_raw IS NULL THEN 'insurance_paid' END,
                CASE WHEN claimed_amount_raw IS NULL THEN 'claimed_amount' END,
                CASE WHEN status IS NULL THEN 'status' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN event_date IS NULL THEN 'bad_date:event_date is not a date'
        WHEN filed_at IS NULL THEN 'bad_ts:filed_at is not a timestamp'
        WHEN hz_sent(decided_at_raw) AND decided_at IS NULL THEN 'bad_ts:decided_at is not a timestamp'
        WHEN hz_sent(paid_at_raw) AND paid_at IS NULL THEN 'bad_ts:paid_at is not a timestamp'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN medical_total IS NULL THEN 'bad_money:medical_total is not a money amount'
        WHEN insurance_paid IS NULL THEN 'bad_money:insurance_paid is not a money amount'
        WHEN claimed_amount IS NULL THEN 'bad_money:claimed_amount is not a money amount'
        WHEN hz_sent(approved_amount_raw) AND approved_amount IS NULL THEN 'bad_money:approved_amount is not a money amount'
        WHEN hz_sent(paid_amount_raw) AND paid_amount IS NULL THEN 'bad_money:paid_amount is not a money amount'
        WHEN hospital_level NOT IN ('tertiary', 'secondary', 'primary', 'other') THEN 'bad_enum:hospital_level is not a contract value'
        WHEN status NOT IN ('filed', 'approved', 'rejected', 'paid', 'reversed') THEN 'bad_enum:status is not a contract value'
        WHEN medical_total < 0 THEN 'negative_amount:medical_total is negative'
        WHEN insurance_paid < 0 THEN 'negative_amount:insurance_paid is negative'
        WHEN claimed_amount < 0 THEN 'negative_amount:claimed_amount is negative'
        WHEN event_date > batch_day THEN 'future_date:event_date is after the batch date'
        WHEN event_date > beijing_day(filed_at) THEN 'future_date:event_date is after filed_at'
        WHEN beijing_day(filed_at) > batch_day THEN 'future_date:filed_at is after the batch date'
        WHEN beijing_day(decided_at) > batch_day THEN 'future_date:decided_at is after the batch date'
        WHEN beijing_day(paid_at) > batch_day THEN 'future_date:paid_at is after the batch date'
        WHEN activity_known IS NULL
            THEN 'unknown_ref:activity_code is no activity of the operator'
        WHEN NOT member_known
            THEN 'unknown_ref:member_ref is no member of the operator'
    END AS verdict
FROM c
