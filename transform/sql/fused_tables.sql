-- The versions tables a fused stage model wrote that still hold its
-- verdict, which no version has (transform.repairFused).
SELECT table_name
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'core' AND column_name = 'verdict'
  AND starts_with(table_name, 'v_')
ORDER BY table_name
