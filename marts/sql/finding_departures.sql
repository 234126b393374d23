-- model: mart.finding_departures
-- depends: mart.compliance_findings, core.dim_staff, core.dim_org, core.fact_audit
-- The roles every finding about a departure names (R16, subject kind
-- 'staff_role': "staff_id|role|start_date"), open or resolved, one row a
-- finding: the role and its dates, the day its departure audit was due
-- (the end plus [rules] departure_audit_days), and the first departure
-- audit of that person the operator reported after the role began, if
-- any (its id, report date, and the days from the end to the report), so
-- that a late audit is told from none. No staff id or name: the finding
-- names the role.
CREATE OR REPLACE TABLE mart.finding_departures AS
WITH f AS (
    SELECT finding_id, operator_code, fiscal_year, subject_ref,
        split_part(subject_ref, '|', 1) AS staff_id, split_part(subject_ref, '|', 2) AS role,
        try_cast(split_part(subject_ref, '|', 3) AS DATE) AS start_date
    FROM mart.compliance_findings
    WHERE subject_kind = 'staff_role' AND operator_code IS NOT NULL
), roles AS (
    SELECT f.finding_id, f.operator_code, f.fiscal_year, f.staff_id, f.role, f.start_date, s.end_date, s.pool_code
    FROM f
    LEFT JOIN (
        SELECT s.*, o.pool_code
        FROM core.dim_staff AS s
        LEFT JOIN core.dim_org AS o ON o.org_code = s.operator_code AND o.is_current
        WHERE s.is_current
    ) AS s ON s.operator_code = f.operator_code AND s.staff_id = f.staff_id AND s.role = f.role AND s.start_date = f.start_date
)
SELECT r.finding_id, r.pool_code, r.operator_code, CAST(NULL AS VARCHAR) AS activity_code, r.fiscal_year, r.role, r.start_date, r.end_date,
    r.end_date + CAST(getvariable('departure_audit_days') AS INTEGER) AS audit_due_by,
    a.audit_id, a.report_date AS audit_report_date, a.report_date - r.end_date AS audit_days_after_end,
    getvariable('run_id') AS run_id
FROM roles AS r
LEFT JOIN core.fact_audit AS a
    ON a.operator_code = r.operator_code AND a.audit_type = 'departure' AND a.subject_staff = r.staff_id
    AND a.report_date >= r.start_date
QUALIFY row_number() OVER (PARTITION BY r.finding_id ORDER BY a.report_date NULLS LAST, a.audit_id) = 1
ORDER BY r.operator_code, r.finding_id
