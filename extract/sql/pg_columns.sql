-- PostgreSQL, not DuckDB: the type of each column of an operator's table
-- ($1, an identifier quoted and schema-qualified, or found through the
-- search_path), a domain read as its base type. The postgres source renders
-- timestamptz, numeric and money columns in the contract's form; every
-- other column is read as text.
SELECT a.attname, coalesce(b.typname, t.typname)
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type AS b ON t.typtype = 'd' AND b.oid = t.typbasetype
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
