-- model: mart.finding_assistance
-- depends: mart.compliance_findings, core.fact_assistance, core.fact_ledger_line
-- The assistance items every finding about one names (R05, subject kind
-- 'assistance'), open or resolved, one row a finding, so that a
-- supervisor can go from the finding to the item: its kind, activity and
-- amount, its approval reference and the day it was made public (either
-- null when missing), the voucher it names, and what the ledger holds of
-- that voucher on 5301/5302 (the day it was first posted there and the
-- debits; null when the ledger has no such line). The item's description
-- stays out: it is free text, which can name the person helped.
CREATE OR REPLACE TABLE mart.finding_assistance AS
WITH v AS (
    SELECT operator_code, voucher_no, min(posted_on) AS posted_on, sum(debit) AS debit
    FROM core.fact_ledger_line
    WHERE account_code IN ('5301', '5302')
    GROUP BY operator_code, voucher_no
)
SELECT f.finding_id, a.pool_code, f.operator_code, f.subject_ref AS item_id, a.activity_code, f.fiscal_year,
    a.kind, a.amount, a.approved_ref, a.publicized_on, a.voucher_no,
    v.posted_on AS voucher_posted_on, CAST(v.debit AS DECIMAL(18, 2)) AS voucher_debit,
    getvariable('run_id') AS run_id
FROM mart.compliance_findings AS f
JOIN core.fact_assistance AS a ON a.operator_code = f.operator_code AND a.item_id = f.subject_ref
LEFT JOIN v ON v.operator_code = a.operator_code AND v.voucher_no = a.voucher_no
WHERE f.subject_kind = 'assistance' AND f.operator_code IS NOT NULL
ORDER BY f.operator_code, f.subject_ref, f.finding_id
