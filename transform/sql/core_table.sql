-- Whether core.<name> exists (parameter: name), and DuckDB's estimate of
-- its rows: exact for a table without deletes, non-zero for one with rows.
SELECT count(*), coalesce(max(estimated_size), 0)
FROM duckdb_tables()
WHERE schema_name = 'core' AND table_name = ?
