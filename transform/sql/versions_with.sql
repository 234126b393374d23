-- The versions tables (core.v_<entity>) that hold a column (parameter: its
-- name) no version of this build has: verdict, a fused stage model's
-- table that a run left unfinished (transform.repairFused); load_id, an
-- older build's, which kept each version's load by id
-- (transform.numberVersions).
SELECT table_name
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'core' AND column_name = ?
  AND starts_with(table_name, 'v_')
ORDER BY table_name
