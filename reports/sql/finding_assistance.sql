-- reads: mart.finding_assistance
-- The assistance items findings name, finding by finding.
SELECT finding_id, operator_code, item_id, coalesce(activity_code, ''), coalesce(kind, ''), CAST(amount AS VARCHAR),
    coalesce(approved_ref, ''), coalesce(strftime(publicized_on, '%Y-%m-%d'), ''), coalesce(voucher_no, ''),
    coalesce(strftime(voucher_posted_on, '%Y-%m-%d'), ''), CAST(voucher_debit AS VARCHAR)
FROM mart.finding_assistance
ORDER BY operator_code, item_id, finding_id
