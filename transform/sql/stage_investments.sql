-- model: stage_investments
-- depends: new_loads, known_activities
-- Types and checks month-end holdings (shape: see stage_organizations.sql).
-- Every instrument type of the contract is a valid value: that stocks,
-- funds and the like are prohibited is rule R01's finding, not a data
-- error. A maturity may lie ahead of the batch date; the holding's as_of
-- may not. Amounts may be negative (an overdrawn demand deposit, a
-- realised loss): what that means is for the rules.
CREATE OR REPLACE TEMP TABLE stage_investments AS
WITH r AS (
    SELECT r.*, r.rowid AS raw_row, n.load_no, n.loaded_at, n.batch_day
    FROM raw.investments AS r
    JOIN new_loads AS n USING (load_id)
    WHERE list_contains(getvariable('new_load_ids'), r.load_id)
), t AS (
    SELECT load_id, load_no, loaded_at, source_pos, raw_row, source_operator, batch_day,
        hz_operator(operator_code, source_operator) AS operator_code,
        hz_code(holding_id) AS holding_id,
        hz_date(as_of) AS as_of,
        hz_code(activity_code) AS activity_code,
        instrument_type,
        hz_text(issuer) AS issuer,
        hz_text(instrument_name) AS instrument_name,
        hz_money(principal) AS principal,
        hz_money(market_value) AS market_value,
        hz_date(start_date) AS start_date,
        hz_date(maturity_date) AS maturity_date,
        hz_decimal(rate_pct) AS rate_pct,
        hz_money(accrued_income) AS accrued_income,
        hz_money(realized_income) AS realized_income,
        hz_ts(updated_at) AS updated_at,
        r.as_of AS as_of_raw, r.issuer AS issuer_raw, r.instrument_name AS instrument_name_raw,
        r.principal AS principal_raw, r.market_value AS market_value_raw, r.start_date AS start_date_raw,
        r.maturity_date AS maturity_date_raw, r.rate_pct AS rate_pct_raw, r.accrued_income AS accrued_income_raw,
        r.realized_income AS realized_income_raw, r.updated_at AS updated_at_raw
    FROM r
), c AS (
    -- References as left joins to the distinct keys sent (known_*), not
    -- correlated NOT EXISTS in the CASE: see stage_enrollments.sql.
    SELECT t.*, a.found AS activity_known
    FROM t
    LEFT JOIN (SELECT DISTINCT source_operator, activity_code, true AS found FROM known_activities) AS a
        ON a.source_operator = t.source_operator AND a.activity_code = t.activity_code
)
SELECT c.* EXCLUDE (activity_known, as_of_raw, issuer_raw, instrument_name_raw, principal_raw, market_value_raw, start_date_raw,
        maturity_date_raw, rate_pct_raw, accrued_income_raw, realized_income_raw, updated_at_raw),
    CASE
        -- The OR chain tests every row cheaply; the fields are named only for
        -- the rows it refuses (a list made for every row cost 0.08 s of 4.8 M
        -- receipts).
        WHEN operator_code IS NULL OR holding_id IS NULL OR as_of_raw IS NULL OR instrument_type IS NULL
          OR nullif(issuer_raw, '') IS NULL OR nullif(instrument_name_raw, '') IS NULL OR principal_raw IS NULL OR market_value_raw IS NULL
          OR start_date_raw IS NULL OR accrued_income_raw IS NULL OR realized_income_raw IS NULL
          OR updated_at_raw IS NULL THEN 'missing_field:required field empty: ' || concat_ws(', ',
                CASE WHEN operator_code IS NULL THEN 'operator_code' END,
                CASE WHEN holding_id IS NULL THEN 'holding_id' END,
                CASE WHEN as_of_raw IS NULL THEN 'as_of' END,
                CASE WHEN instrument_type IS NULL THEN 'instrument_type' END,
                CASE WHEN nullif(issuer_raw, '') IS NULL THEN 'issuer' END,
                CASE WHEN nullif(instrument_name_raw, '') IS NULL THEN 'instrument_name' END,
                CASE WHEN principal_raw IS NULL THEN 'principal' END,
                CASE WHEN market_value_raw IS NULL THEN 'market_value' END,
                CASE WHEN start_date_raw IS NULL THEN 'start_date' END,
                CASE WHEN accrued_income_raw IS NULL THEN 'accrued_income' END,
                CASE WHEN realized_income_raw IS NULL THEN 'realized_income' END,
                CASE WHEN updated_at_raw IS NULL THEN 'updated_at' END)
        WHEN operator_code IS DISTINCT FROM source_operator THEN 'operator_mismatch:operator_code is not the source''s operator'
        WHEN NOT list_contains(getvariable('valid_operators'), operator_code) AND NOT hz_uscc_ok(operator_code) THEN 'bad_uscc:operator_code is not a valid USCC'
        WHEN as_of IS NULL THEN 'bad_date:as_of is not a date'
        WHEN start_date IS NULL THEN 'bad_date:start_date is not a date'
        WHEN hz_sent(maturity_date_raw) AND maturity_date IS NULL THEN 'bad_date:maturity_date is not a date'
        WHEN updated_at IS NULL THEN 'bad_ts:updated_at is not a timestamp'
        WHEN principal IS NULL THEN 'bad_money:principal is not a money amount'
        WHEN market_value IS NULL THEN 'bad_money:market_value is not a money amount'
        WHEN accrued_income IS NULL THEN 'bad_money:accrued_income is not a money amount'
        WHEN realized_income IS NULL THEN 'bad_money:realized_income is not a money amount'
        WHEN hz_sent(rate_pct_raw) AND rate_pct IS NULL THEN 'bad_decimal:rate_pct is not a decimal number'
        WHEN instrument_type NOT IN ('demand_deposit', 'time_deposit', 'treasury_bond', 'policy_bank_bond',
                'local_gov_bond', 'corporate_bond', 'stock', 'mutual_fund', 'wealth_management', 'futures', 'trust', 'other')
            THEN 'bad_enum:instrument_type is not a contract value'
        WHEN as_of > batch_day THEN 'future_date:as_of is after the batch date'
        WHEN activity_code IS NOT NULL AND activity_known IS NULL
            THEN 'unknown_ref:activity_code is no activity of the operator'
    END AS verdict
FROM c
