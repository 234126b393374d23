INSERT INTO ops.schema_migrations (version, name, applied_at) VALUES (?, ?, ?);
