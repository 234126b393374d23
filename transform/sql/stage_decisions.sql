-- model: stage_decisions
-- depends: new_loads
-- Types and checks collective decisions (集体决策记录, clause 十三; shape: see
-- stage_organizations.sql). A meeting without quorum is a compliance matter
-- (R07), not a data error; a meeting dated after the batch is.
CREATE OR REPLACE TEMP TABLE stage_decisions AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.decisions AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(decision_ref) AS decision_ref,
        hz_date(meeting_date) AS meeting_date,
        body,
        hz_int(attendees) AS attendees,
        hz_bool(quorum_met) AS quorum_met,
        hz_text(subject) AS subject,
        hz_money(amount_limit) AS amount_limit,
        hz_ts(updated_at) AS updated_at,
        struct_pack(operator_code, decision_ref, meeting_date, body, attendees, quorum_met, subject, amount_limit, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN decision_ref IS NULL THEN 'decision_ref' END,
            CASE WHEN recv.meeting_date IS NULL THEN 'meeting_date' END,
            CASE WHEN recv.body IS NULL THEN 'body' END,
            CASE WHEN recv.attendees IS NULL THEN 'attendees' END,
            CASE WHEN recv.quorum_met IS NULL THEN 'quorum_met' END,
            CASE WHEN nullif(recv.subject, '') IS NULL THEN 'subject' END,
            CASE WHEN recv.updated_at IS NULL THEN 'updated_at' END) AS missing
    FROM t
)
SELECT m.* EXCLUDE (recv, missing),
    CASE
        WHEN missing <> '' THEN 'missing_field:required field empty: ' || missing
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN meeting_date IS NULL THEN 'bad_date:meeting_date is not a date'
        WHEN attendees IS NULL THEN 'bad_int:attendees is not an integer'
        WHEN quorum_met IS NULL THEN 'bad_bool:quorum_met is not true or false'
        WHEN hz_sent(recv.amount_limit) AND amount_limit IS NULL THEN 'bad_money:amount_limit is not an amount'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN body NOT IN ('council', 'board', 'office_meeting', 'other') THEN 'bad_enum:body is not a contract value'
        WHEN attendees < 0 THEN 'bad_int:attendees is negative'
        WHEN amount_limit < 0 THEN 'negative_amount:amount_limit is negative'
        WHEN meeting_date > batch_day THEN 'future_date:meeting_date is after the batch date'
    END AS verdict
FROM m
