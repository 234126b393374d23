-- Whether the connection has the function (parameter: its name).
SELECT count(*) FROM duckdb_functions() WHERE function_name = ?
