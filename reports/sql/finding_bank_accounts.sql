-- reads: mart.finding_bank_accounts
-- The operator's bank accounts behind R06's findings, a row per account
-- and activity using it (the organisation level: '').
SELECT finding_id, operator_code, coalesce(account_no, ''), coalesce(bank_name, ''), coalesce(account_activity_code, ''),
    coalesce(purpose, ''), coalesce(strftime(opened_on, '%Y-%m-%d'), ''), coalesce(strftime(closed_on, '%Y-%m-%d'), ''),
    used_by_activity_code IS NOT NULL OR lines IS NOT NULL, coalesce(used_by_activity_code, ''), lines,
    CAST(debits AS VARCHAR), CAST(credits AS VARCHAR)
FROM mart.finding_bank_accounts
ORDER BY operator_code, finding_id, account_no, used_by_activity_code NULLS FIRST
