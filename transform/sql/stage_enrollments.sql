-- model: stage_enrollments
-- depends: new_loads, known_organizations, known_activities, known_members, known_enrollments
-- Types and checks enrolments (contributions; shape: see
-- stage_organizations.sql). A refund is its own row: a negative amount
-- with refund_of naming the receipt it refunds, which must be known (in
-- core or among this batch's good rows). A zero amount is refused like a
-- negative one (the contract says amount > 0). A full-width member_ref or
-- receipt_no is folded to ASCII by hz_code and kept.
CREATE OR REPLACE TEMP TABLE stage_enrollments AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day,
        -- once here: hz_ref_pseudo names its argument five times
        hz_code(r.member_ref) AS member_c
    FROM raw.enrollments AS r
    -- the new loads' rows, by the join alone (no WHERE: see c below)
    JOIN new_loads AS n USING (load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(receipt_no) AS receipt_no,
        hz_code(activity_code) AS activity_code,
        hz_ref_pseudo(member_c) AS member_ref,
        hz_date(period_start) AS period_start,
        hz_date(period_end) AS period_end,
        hz_money(amount) AS amount,
        hz_code(refund_of) AS refund_of,
        hz_ts(paid_at) AS paid_at,
        hz_code(payer_union_code) AS payer_union_code,
        hz_ts(updated_at) AS updated_at,
        r.period_start AS period_start_raw, r.period_end AS period_end_raw, r.amount AS amount_raw,
        r.paid_at AS paid_at_raw, r.updated_at AS updated_at_raw
    FROM r
), c AS (
    -- References as left joins to the distinct keys sent (known_*): a
    -- correlated NOT EXISTS in the CASE below took 4 s at 1 M members
    -- (4.8 M rows), the joins 0.4 s. The members' key (operator, member)
    -- as an EXISTS here, outside the CASE: DuckDB makes it one hash join
    -- on both columns that marks each row, without the distinct keys
    -- first (at 1 M members 0.46 thread-s; 0.85 as a struct IN the keys
    -- sent, 1.0 as a left join to the distinct keys). Only while nothing
    -- filters r: with a WHERE on raw (the list of new loads the other
    -- stage models filter by in the scan) DuckDB groups the 962 k keys of
    -- the rows first (1.8–2.0 thread-s). Here the join to new_loads alone
    -- picks the new loads' rows; DuckDB passes its load ids to the scan,
    -- which skips the row groups of other loads (a night's stage took no
    -- longer without the filter).
    SELECT t.*, a.found AS activity_known, o.found AS payer_known, o.valid AS payer_valid,
        EXISTS (SELECT 1 FROM known_members AS k
                WHERE k.source_operator = t.source_operator AND k.member_ref = t.member_ref) AS member_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
    -- the payer among the organisations sent, with whether its code is a
    -- valid USCC: one join for both checks (a second, to a table of the
    -- valid codes, cost 0.08 thread-s of 4.8 M receipts); the USCC check
    -- runs where it stands only for a payer no organisation sent
    LEFT JOIN (SELECT org_code, true AS found, hz_uscc_ok(org_code) AS valid
               FROM known_organizations GROUP BY org_code) AS o
        ON o.org_code = t.payer_union_code
)
SELECT c.* EXCLUDE (period_start_raw, period_end_raw, amount_raw, paid_at_raw, updated_at_raw,
        activity_known, member_known, payer_known, payer_valid),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_code IS NULL OR receipt_no IS NULL OR activity_code IS NULL OR member_ref IS NULL
          OR period_start_raw IS NULL OR period_end_raw IS NULL OR amount_raw IS NULL OR paid_at_raw IS NULL
          OR payer_union_code IS NULL OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_code IS NULL THEN 'operator_code' END,
                CASE WHEN receipt_no IS NULL THEN 'receipt_no' END,
                CASE WHEN activity_code IS NULL THEN 'activity_code' END,
                CASE WHEN member_ref IS NULL THEN 'member_ref' END,
                CASE WHEN period_start_raw IS NULL THEN 'period_start' END,
                CASE WHEN period_end_raw IS NULL THEN 'period_end' END,
                CASE WHEN amount_raw IS NULL THEN 'amount' END,
                CASE WHEN paid_at_raw IS NULL THEN 'paid_at' END,
                CASE WHEN payer_union_code IS NULL THEN 'payer_union_code' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN payer_valid IS NOT TRUE AND NOT hz_uscc_ok(payer_union_code) THEN 'bad_uscc:payer_union_code is not a valid USCC'
        WHEN period_start IS NULL THEN 'bad_date:period_start is not a date'
        WHEN period_end IS NULL THEN 'bad_date:period_end is not a date'
        WHEN paid_at IS NULL THEN 'bad_ts:paid_at is not a timestamp'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN amount IS NULL THEN 'bad_money:amount is not a money amount'
        WHEN period_end < period_start THEN 'bad_period:period_end is before period_start'
        WHEN amount = 0 THEN 'negative_amount:amount is zero'
        WHEN amount < 0 AND refund_of IS NULL THEN 'negative_amount:amount is negative without refund_of'
        WHEN amount > 0 AND refund_of IS NOT NULL THEN 'negative_amount:a refund''s amount is not negative'
        WHEN beijing_day(paid_at) > batch_day THEN 'future_date:paid_at is after the batch date'
        WHEN activity_known IS NULL THEN 'unknown_ref:activity_code is no activity of the operator'
        WHEN NOT member_known THEN 'unknown_ref:member_ref is no member of the operator'
        WHEN payer_known IS NULL THEN 'unknown_ref:payer_union_code is no known organisation'
    END AS verdict
FROM c;

-- The last check: a refund refunds a receipt the operator has sent, before
-- (known_enrollments) or in this batch.
UPDATE stage_enrollments AS s
SET verdict = 'unknown_ref:refund_of is no known receipt of the operator'
WHERE s.verdict IS NULL AND s.refund_of IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM known_enrollments AS v
                  WHERE v.source_operator = s.source_operator AND v.receipt_no = s.refund_of)
  AND NOT EXISTS (SELECT 1 FROM stage_enrollments AS o
                  WHERE o.source_operator = s.source_operator AND o.receipt_no = s.refund_of);
