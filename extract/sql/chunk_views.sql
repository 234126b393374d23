-- The views of Arrow chunks an earlier build left in the warehouse's
-- catalog (it did not drop them after the insert; ingest_arrow.go does).
SELECT view_name
FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary
  AND regexp_full_match(view_name, 'huzhu_chunk_[0-9]+')
ORDER BY view_name
