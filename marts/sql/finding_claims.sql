-- model: mart.finding_claims
-- depends: mart.compliance_findings, core.fact_claim, core.dim_activity
-- The claims every finding about claims names (R17: one claim, subject
-- kind 'claim'; R18: the repeated payments, subject kind 'claims', their
-- numbers joined by '|'), open or resolved, one row a finding and claim,
-- so that a supervisor can go from the finding to what the claim says:
-- its activity and the activity's benefit cap, the event's date, the days
-- it was filed, decided and paid (in Beijing), its status, the medical
-- total, what insurance paid, the amounts claimed, approved and paid, and
-- the voucher that paid it. Nothing of a person: no member reference, and
-- neither the diagnosis group nor the hospital (health data of one
-- person).
CREATE OR REPLACE TABLE mart.finding_claims AS
WITH named AS (
    SELECT finding_id, rule_id, operator_code, fiscal_year, unnest(string_split(subject_ref, '|')) AS claim_no
    FROM mart.compliance_findings
    WHERE subject_kind IN ('claim', 'claims') AND operator_code IS NOT NULL
)
SELECT n.finding_id, n.rule_id, c.pool_code, n.operator_code, n.claim_no, c.activity_code, n.fiscal_year,
    c.event_date, beijing_day(c.filed_at) AS filed_on, beijing_day(c.decided_at) AS decided_on,
    beijing_day(c.paid_at) AS paid_on, c.status, c.medical_total, c.insurance_paid, c.claimed_amount,
    c.approved_amount, c.paid_amount, a.benefit_cap, c.payment_voucher_no,
    getvariable('run_id') AS run_id
FROM named AS n
JOIN core.fact_claim AS c ON c.operator_code = n.operator_code AND c.claim_no = n.claim_no
LEFT JOIN core.dim_activity AS a ON a.operator_code = c.operator_code AND a.activity_code = c.activity_code AND a.is_current
ORDER BY n.operator_code, n.finding_id, n.claim_no
