-- reads: mart.compliance_findings
-- Every finding, open or resolved, most severe first.
SELECT finding_id, rule_id, coalesce(clause, ''), coalesce(severity, ''), operator_code,
    coalesce(activity_code, ''), fiscal_year, coalesce(subject_kind, ''), coalesce(subject_ref, ''),
    CAST(amount AS VARCHAR), coalesce(detail, ''), coalesce(threshold, ''),
    coalesce(first_seen_run, ''), coalesce(last_seen_run, ''), coalesce(status, ''),
    coalesce(resolved_run, ''), coalesce(previous_run, ''), coalesce(run_id, '')
FROM mart.compliance_findings
WHERE operator_code IS NOT NULL
ORDER BY operator_code,
    CASE severity WHEN 'critical' THEN 1 WHEN 'major' THEN 2 WHEN 'minor' THEN 3 ELSE 4 END,
    rule_id, fiscal_year NULLS FIRST, activity_code NULLS FIRST, subject_ref, finding_id
