-- model: mart.audits
-- depends: core.fact_audit, core.dim_staff
-- Every audit every operator reported (clauses 十四, 十七), one row an
-- audit: its type (annual, special, tenure, departure), the period it
-- covers, the year its period ends in (fiscal_year), the day of its
-- report, the opinion and the number of its findings, so that a
-- supervisor can see which years have an annual audit and what the
-- audits found. For an audit of a person (tenure, departure), the role(s)
-- the person held at the operator, not the person.
CREATE OR REPLACE TABLE mart.audits AS
WITH roles AS (
    SELECT operator_code, staff_id, string_agg(DISTINCT role, ',' ORDER BY role) AS roles
    FROM core.dim_staff
    WHERE is_current
    GROUP BY operator_code, staff_id
)
SELECT a.pool_code, a.operator_code, CAST(NULL AS VARCHAR) AS activity_code, a.audit_id, a.audit_type, r.roles AS subject_roles,
    a.period_start, a.period_end, CAST(year(a.period_end) AS INTEGER) AS fiscal_year, a.report_date, a.opinion, a.findings,
    getvariable('run_id') AS run_id
FROM core.fact_audit AS a
LEFT JOIN roles AS r ON r.operator_code = a.operator_code AND r.staff_id = a.subject_staff
ORDER BY a.operator_code, a.period_end, a.audit_type, a.audit_id
