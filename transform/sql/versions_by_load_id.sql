-- The versions tables that keep each version's load by id (an older
-- build's: transform.numberVersions gives them the load's number).
SELECT c.table_name
FROM duckdb_columns() AS c
SEMI JOIN duckdb_tables() AS t
    ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
WHERE c.database_name = current_database() AND c.schema_name = 'core' AND c.column_name = 'load_id'
  AND starts_with(c.table_name, 'v_')
ORDER BY c.table_name
