-- model: core.dim_activity
-- depends: core.v_activities, core.dim_org
-- Activities (保障项目) with their history (SCD2) and their operator's pool.
CREATE OR REPLACE VIEW core.dim_activity AS
SELECT a.* EXCLUDE (load_no) RENAME (source_operator AS operator_code),
    o.pool_code,
    a.updated_at AS valid_from,
    lead(a.updated_at) OVER (PARTITION BY a.source_operator, a.activity_code ORDER BY a.updated_at) AS valid_to,
    lead(a.updated_at) OVER (PARTITION BY a.source_operator, a.activity_code ORDER BY a.updated_at) IS NULL AS is_current
FROM core.v_activities AS a
LEFT JOIN core.dim_org AS o ON o.org_code = a.source_operator AND o.is_current
