SELECT count(*) FROM information_schema.tables
WHERE table_schema = 'ops' AND table_name = 'schema_migrations';
