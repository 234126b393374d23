-- reads: mart.finding_voucher_lines
-- The lines of the vouchers findings name, voucher by voucher.
SELECT operator_code, voucher_no, line_no, strftime(posted_on, '%Y-%m-%d'), coalesce(activity_code, ''),
    account_code, coalesce(account_name, ''), CAST(debit AS VARCHAR), CAST(credit AS VARCHAR),
    coalesce(decision_ref, ''), coalesce(same_preparer_approver, false), coalesce(same_approver_payer, false)
FROM mart.finding_voucher_lines
ORDER BY operator_code, voucher_no, line_no
