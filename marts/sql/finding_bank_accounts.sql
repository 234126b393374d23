-- model: mart.finding_bank_accounts
-- depends: mart.compliance_findings, core.dim_bank_account, core.fact_ledger_line
-- The bank accounts behind R06's findings (clause 十三: an account of its
-- own for each activity), so that a supervisor can see what a finding
-- says: for an account used by several activities (subject_kind
-- 'bank_account'), the account as the operator registered it (bank,
-- activity, purpose, opened, closed) and a row per activity whose ledger
-- lines use it (NULL: the organisation level) with their count, debits and
-- credits; for an activity without an open account of its own ('activity'),
-- every account registered to the activity, closed ones with the day they
-- closed (no row when it never had one). activity_code and fiscal_year are
-- the finding's (NULL for an account, above the activity; R06 names no
-- year). These are the operator's own
-- accounts (the vouchers' drill-down leaves out the bank accounts of
-- counterparties, which can be a member's card).
CREATE OR REPLACE TABLE mart.finding_bank_accounts AS
WITH f AS (
    SELECT finding_id, operator_code, activity_code, fiscal_year, subject_kind, subject_ref
    FROM mart.compliance_findings
    WHERE rule_id = 'R06' AND operator_code IS NOT NULL
), usage AS (
    SELECT l.operator_code, l.bank_account_no AS account_no, l.activity_code,
        count(*) AS lines, sum(l.debit) AS debits, sum(l.credit) AS credits
    FROM core.fact_ledger_line AS l
    SEMI JOIN f ON f.subject_kind = 'bank_account' AND f.operator_code = l.operator_code AND f.subject_ref = l.bank_account_no
    GROUP BY ALL
)
SELECT f.finding_id, coalesce(b.pool_code, o.pool_code) AS pool_code, f.operator_code, f.activity_code, f.fiscal_year, f.subject_ref AS account_no,
    b.bank_name, b.activity_code AS account_activity_code, b.purpose, b.opened_on, b.closed_on,
    u.activity_code AS used_by_activity_code, u.lines, CAST(u.debits AS DECIMAL(18, 2)) AS debits,
    CAST(u.credits AS DECIMAL(18, 2)) AS credits,
    getvariable('run_id') AS run_id
FROM f
JOIN usage AS u ON u.operator_code = f.operator_code AND u.account_no = f.subject_ref
LEFT JOIN core.dim_bank_account AS b ON b.operator_code = f.operator_code AND b.account_no = f.subject_ref
LEFT JOIN (SELECT DISTINCT operator_code, pool_code FROM mart.compliance_findings) AS o ON o.operator_code = f.operator_code
WHERE f.subject_kind = 'bank_account'
UNION ALL
SELECT f.finding_id, b.pool_code, f.operator_code, f.activity_code, f.fiscal_year, b.account_no, b.bank_name, b.activity_code, b.purpose, b.opened_on, b.closed_on,
    NULL, NULL, NULL, NULL, getvariable('run_id')
FROM f
JOIN core.dim_bank_account AS b ON b.operator_code = f.operator_code AND b.activity_code = f.subject_ref
WHERE f.subject_kind = 'activity'
ORDER BY ALL
