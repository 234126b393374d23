-- reads: mart.finding_claims
-- The claims findings name, finding by finding.
SELECT finding_id, operator_code, claim_no, coalesce(activity_code, ''), strftime(event_date, '%Y-%m-%d'),
    coalesce(strftime(filed_on, '%Y-%m-%d'), ''), coalesce(strftime(decided_on, '%Y-%m-%d'), ''),
    coalesce(strftime(paid_on, '%Y-%m-%d'), ''), coalesce(status, ''),
    CAST(medical_total AS VARCHAR), CAST(insurance_paid AS VARCHAR), CAST(claimed_amount AS VARCHAR),
    CAST(approved_amount AS VARCHAR), CAST(paid_amount AS VARCHAR), CAST(benefit_cap AS VARCHAR),
    coalesce(payment_voucher_no, '')
FROM mart.finding_claims
ORDER BY operator_code, finding_id, claim_no
