-- Whether $1.$2 is a table or view of the warehouse.
SELECT count(*) FROM (
    SELECT schema_name, table_name FROM duckdb_tables()
    UNION ALL
    SELECT schema_name, view_name FROM duckdb_views()
)
WHERE schema_name = $1 AND table_name = $2
