-- model: mart.finding_voucher_lines
-- depends: mart.compliance_findings, core.fact_ledger_line, core.dim_account
-- The lines of every voucher a finding names (subject_kind 'voucher': R01,
-- R02, R07, R08, R10, R19, open or resolved), so that a supervisor can go
-- from the finding to the voucher itself (product.md: "drill-down to the
-- voucher"): each kept line with its date, activity, account and the
-- account's name, debit, credit and the decision it cites. Nothing of a
-- person: no staff id (that one person prepared and approved the voucher,
-- or approved and paid it, R08's concern, is said as a flag instead), no
-- counterparty, bank account or summary (free text that can name a
-- member). A line the transform quarantined is not here (ops.quarantine
-- holds it), so a voucher that lost one shows unbalanced, as R10 says.
CREATE OR REPLACE TABLE mart.finding_voucher_lines AS
WITH v AS (
    SELECT DISTINCT operator_code, subject_ref AS voucher_no
    FROM mart.compliance_findings
    WHERE subject_kind = 'voucher' AND operator_code IS NOT NULL
)
SELECT l.pool_code, l.operator_code, l.voucher_no, l.line_no, CAST(year(l.posted_on) AS INTEGER) AS fiscal_year, l.posted_on,
    l.activity_code, l.account_code, a.name_zh AS account_name, l.debit, l.credit, l.decision_ref,
    l.prepared_by = l.approved_by AS same_preparer_approver,
    l.approved_by = l.paid_by AS same_approver_payer,
    getvariable('run_id') AS run_id
FROM core.fact_ledger_line AS l
JOIN v ON v.operator_code = l.operator_code AND v.voucher_no = l.voucher_no
LEFT JOIN core.dim_account AS a ON a.account_code = l.account_code
ORDER BY l.operator_code, l.voucher_no, l.line_no
