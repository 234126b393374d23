-- model: rule.r10
-- depends: core.fact_ledger_line, ops.quarantine, ops.loads
-- R10 (clause 十三: 加强财务基础工作): a voucher whose debits differ from its
-- credits by more than voucher_imbalance_yuan (default 0.00: any
-- difference), or with a line carrying both or
-- neither of debit and credit. Lines the transform refused are not in core,
-- so a voucher that lost such a line is unbalanced here: the detail says
-- how many of its lines the quarantine holds (by operator and voucher_no
-- of the record kept there), so that a supervisor reads the cause (a line
-- with both sides, say) and not only the sums of what was kept. One hit a
-- voucher; the amount is the difference.
INSERT INTO rule_hits
WITH held AS (
    SELECT l.operator_code, json_extract_string(q.raw_record, '$.voucher_no') AS voucher_no,
        -- lines, not quarantine rows: a line sent in every night's batch
        -- is quarantined each time
        count(DISTINCT json_extract_string(q.raw_record, '$.line_no')) AS lines,
        string_agg(DISTINCT q.reason_code, '、' ORDER BY q.reason_code) AS reasons
    FROM ops.quarantine AS q
    JOIN ops.loads AS l USING (load_id)
    WHERE q.entity = 'ledger_entries'
    GROUP BY ALL
), vouchers AS (
    SELECT any_value(pool_code) AS pool_code, operator_code, any_value(activity_code) AS activity_code,
        year(min(posted_on)) AS fiscal_year, voucher_no, sum(debit) AS debits, sum(credit) AS credits,
        bool_or((debit > 0) = (credit > 0)) AS odd_line
    FROM core.fact_ledger_line
    GROUP BY operator_code, voucher_no
    HAVING abs(sum(debit) - sum(credit)) > CAST(getvariable('voucher_imbalance_yuan') AS DECIMAL(18, 2))
        OR bool_or((debit > 0) = (credit > 0))
)
SELECT 'R10', v.pool_code, v.operator_code, v.activity_code, v.fiscal_year,
    'voucher', v.voucher_no, abs(v.debits - v.credits),
    '借方合计 ' || v.debits || '，贷方合计 ' || v.credits
        || CASE WHEN v.odd_line THEN '；有分录同时有借贷或均为零' ELSE '' END
        || CASE WHEN h.lines > 0 THEN '；另有 ' || h.lines || ' 行分录因数据缺陷（' || h.reasons || '）被隔离、未入账' ELSE '' END,
    NULL
FROM vouchers AS v
LEFT JOIN held AS h ON h.operator_code = v.operator_code AND h.voucher_no = v.voucher_no
