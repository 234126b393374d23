-- The stage columns a fused stage model wrote into a versions table
-- (parameters: the table, transform.fusedColumns), and the scrub step's,
-- the verdict last: it marks a table that still holds them.
SELECT column_name
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'core' AND table_name = ?
  AND (list_contains(?, column_name) OR starts_with(column_name, 'scrub_'))
ORDER BY column_name = 'verdict', column_index
