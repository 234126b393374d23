-- model: rule.r16
-- depends: core.dim_staff, core.fact_audit, core.fact_ledger_line, core.dim_org
-- R16 (clauses 十七, 十四: 离任审计, 审计监督). Two checks, against the
-- operator's as-of (the latest posted_on of its ledger):
-- · a leader whose role ended (current version of the role has end_date)
--   without a departure audit of that staff reported within
--   departure_audit_days of the end (exactly at the limit is in time),
--   once the limit has passed before the as-of. Subject
--   "staff_id|leader|start_date".
-- · a fiscal year without an annual audit (one whose period overlaps the
--   year), for the years of the operator's ledger whose audit is due —
--   by the end of the June after the year — on or before the as-of.
--   Subject the year as text.
INSERT INTO rule_hits
WITH op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of, min(year(posted_on)) AS y0
    FROM core.fact_ledger_line GROUP BY operator_code
)
SELECT 'R16', o.pool_code, s.operator_code, NULL, year(s.end_date), 'staff_role',
    s.staff_id || '|leader|' || strftime(s.start_date, '%Y-%m-%d'), NULL,
    '负责人于 ' || strftime(s.end_date, '%Y-%m-%d') || ' 离任，'
        || getvariable('departure_audit_days') || ' 天内未进行离任审计', NULL
FROM core.dim_staff AS s
JOIN op_asof AS a USING (operator_code)
LEFT JOIN core.dim_org AS o ON o.org_code = s.operator_code AND o.is_current
WHERE s.is_current AND s.role = 'leader' AND s.end_date IS NOT NULL
    AND s.end_date + CAST(getvariable('departure_audit_days') AS INTEGER) < a.as_of
    AND NOT EXISTS (SELECT 1 FROM core.fact_audit AS d
        WHERE d.operator_code = s.operator_code AND d.audit_type = 'departure' AND d.subject_staff = s.staff_id
            AND d.report_date <= s.end_date + CAST(getvariable('departure_audit_days') AS INTEGER));

INSERT INTO rule_hits
WITH op_asof AS (
    SELECT operator_code, max(posted_on) AS as_of, min(year(posted_on)) AS y0
    FROM core.fact_ledger_line GROUP BY operator_code
), years AS (
    SELECT a.operator_code, y.y
    FROM op_asof AS a, LATERAL (SELECT unnest(range(a.y0, year(a.as_of) + 1)) AS y) AS y
    WHERE make_date(y.y + 1, 6, 30) <= a.as_of
)
SELECT 'R16', o.pool_code, y.operator_code, NULL, y.y, 'fiscal_year', CAST(y.y AS VARCHAR), NULL,
    y.y || ' 年度无年度审计（应于 ' || (y.y + 1) || '-06-30 前完成）', NULL
FROM years AS y
LEFT JOIN core.dim_org AS o ON o.org_code = y.operator_code AND o.is_current
WHERE NOT EXISTS (SELECT 1 FROM core.fact_audit AS au
    WHERE au.operator_code = y.operator_code AND au.audit_type = 'annual'
        AND au.period_start <= make_date(y.y, 12, 31) AND au.period_end >= make_date(y.y, 1, 1))
