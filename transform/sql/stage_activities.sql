-- model: stage_activities
-- depends: new_loads
-- Types and checks activities (保障项目; shape: see stage_organizations.sql).
-- approval_ref and filing_ref may be absent: an activity without them is a
-- compliance finding (R13), not a data error. start_date and end_date are
-- the activity's term and may lie ahead of the batch.
CREATE OR REPLACE TEMP TABLE stage_activities AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.activities AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(activity_code) AS activity_code,
        hz_text(name) AS name,
        category,
        hz_text(approval_ref) AS approval_ref,
        hz_text(filing_ref) AS filing_ref,
        hz_date(start_date) AS start_date,
        hz_date(end_date) AS end_date,
        hz_money(contribution_per_member) AS contribution_per_member,
        hz_int(period_months) AS period_months,
        hz_money(benefit_cap) AS benefit_cap,
        status,
        hz_ts(updated_at) AS updated_at,
        -- the record as received, for the checks
        struct_pack(operator_code, activity_code, name, category, approval_ref, filing_ref, start_date, end_date,
            contribution_per_member, period_months, benefit_cap, status, updated_at) AS recv
    FROM r
), m AS (
    SELECT t.*,
        concat_ws(', ',
            CASE WHEN operator_code IS NULL THEN 'operator_code' END,
            CASE WHEN activity_code IS NULL THEN 'activity_code' END,
            CASE WHEN nullif(recv.name, '') IS NULL THEN 'name' END,
            CASE WHEN recv.category IS NULL THEN 'category' END,
            CASE WHEN recv.start_date IS NULL THEN 'start_date' END,
            CASE WHEN recv.contribution_per_member IS NULL THEN 'contribution_per_member' END,
            CASE WHEN recv.period_months IS NULL THEN 'period_months' END,
            CASE WHEN recv.benefit_cap IS NULL THEN 'benefit_cap' END,
            CASE WHEN recv.status IS NULL THEN 'status' END,
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
        WHEN contribution_per_member IS NULL THEN 'bad_money:contribution_per_member is not an amount'
        WHEN period_months IS NULL THEN 'bad_int:period_months is not an integer'
        WHEN benefit_cap IS NULL THEN 'bad_money:benefit_cap is not an amount'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN category NOT IN ('inpatient', 'critical_illness', 'accident', 'female_special', 'retiree', 'other')
            THEN 'bad_enum:category is not a contract value'
        WHEN status NOT IN ('active', 'suspended', 'closed') THEN 'bad_enum:status is not a contract value'
        WHEN end_date < start_date THEN 'bad_period:end_date is before start_date'
        WHEN contribution_per_member < 0 THEN 'negative_amount:contribution_per_member is negative'
        WHEN benefit_cap < 0 THEN 'negative_amount:benefit_cap is negative'
        WHEN period_months <= 0 THEN 'bad_int:period_months is not a positive number of months'
    END AS verdict
FROM m
