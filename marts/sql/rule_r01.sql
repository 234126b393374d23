-- model: rule.r01
-- depends: core.fact_holding, core.fact_ledger_line
-- R01 (clause 十二: 不得购买股票、基金、债券、期货、理财等金融产品): a holding
-- whose instrument is not an allowed one (demand_deposit, time_deposit,
-- treasury_bond, and the review bonds [rules] allowed_instruments lists:
-- getvariable('allowed_instruments')), one hit a holding (not a month), in
-- the year it was first held, with its largest market value;
-- policy_bank_bond and local_gov_bond not allow-listed are 'minor' review
-- findings. And any debit to 1109 (other investments): one hit a
-- voucher (subject kind voucher, so it never collides with a holding).
INSERT INTO rule_hits
SELECT 'R01', any_value(pool_code), operator_code, any_value(activity_code), year(min(as_of)),
    'holding', holding_id, max(market_value),
    '持有' || coalesce(getvariable('instrument_names')[any_value(instrument_type)], any_value(instrument_type))
        || '（' || any_value(instrument_name) || '，' || any_value(issuer) || '）'
        || CASE WHEN bool_and(instrument_type IN ('policy_bank_bond', 'local_gov_bond'))
                THEN '：不在允许清单内，需复核' ELSE '：不是允许的投资品种' END,
    CASE WHEN bool_and(instrument_type IN ('policy_bank_bond', 'local_gov_bond')) THEN 'minor' END
FROM core.fact_holding
WHERE NOT list_contains(string_split(getvariable('allowed_instruments'), ','), instrument_type)
GROUP BY operator_code, holding_id;

INSERT INTO rule_hits
SELECT 'R01', any_value(pool_code), operator_code, any_value(activity_code), year(min(posted_on)),
    'voucher', voucher_no, sum(debit), '借记 1109（其他投资）', NULL
FROM core.fact_ledger_line
WHERE account_code = '1109' AND debit > 0
GROUP BY operator_code, voucher_no
